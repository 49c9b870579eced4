"""资源地块 and 资产卡片 checks read their rows column by column (``assets_import_common.read_records``)
and know a new row the form would accept by its own field checks (``_Quick``): the check of a real
file says exactly what the row-by-row check said (``Table.records`` + ``read_cells`` + the form's
``validated_parcel``/``validated_asset`` on every row) — the same rows skipped and why, the same
problems in the same words, the same outcomes, plan and notes — for files mixing every skip rule,
refused cells and refused rows across several 512-row chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.services.assets import validated_asset
from desktop_app.core.services.assets_import import asset_codes
from desktop_app.core.services.resources import ParcelBatch, create_parcel, validated_parcel
from desktop_app.excel import import_assets, import_resources, importers, table_read
from desktop_app.excel.assets_import_common import CHUNK, read_table, with_problems
from desktop_app.excel.importers import ImportCheck, RecordImporter
from desktop_app.excel.table_read import open_table
from tests.assets.conftest import Env, make_env
from tests.excel.test_table_read import xlsx


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "columns.db")
    yield e
    e.db.close()


PARCEL_HEADER = ["地块编号", "地块名称", "地类", "面积（亩）", "坐落", "东至", "南至", "西至", "北至", "权属", "村民小组",
                 "经营状态", "备注", "合同编号"]


def _parcel_rows(n: int) -> list[list[Any]]:
    classes = ("耕地", "园地", "林地", "水面", "四荒地", "集体建设用地")
    statuses = ("家庭承包", "机动地", "集体统一经营", "未利用", "已出租", "合同已到期")
    out: list[list[Any]] = []
    for i in range(n):
        g = f"第{i % 5 + 1}组"
        out.append([f"DK-{i:05d}", f"东湖{i}号地", classes[i % 6], (Decimal(125 + i % 400) / 100, 3, 2.5, "3.5亩", "1200㎡")[i % 5],
                    g, "村道", "河沟", f"王{i % 50}家地", "山脚", ("组", "村", "组（第二组）", None)[i % 4],
                    g if i % 4 == 0 else None, statuses[i % 6], "" if i % 7 else "二轮承包确权", None])
    return out


def _mess_parcels(rows: list[list[Any]]) -> list[list[Any]]:
    """Every skip rule, refused cells and refused rows, spread over the chunks."""
    w = len(PARCEL_HEADER)
    blank: list[Any] = [None] * w
    edits: dict[int, list[Any]] = {
        3: ["DK-90003", "坏面积", "耕地", "abc", *rows[3][4:]],  # refused cell
        40: ["DK-90040", "", "耕地", 2, *rows[40][4:]],  # name required
        41: ["DK-90041", "坏地类", "稻田", 2, *rows[41][4:]],  # not a land class
        42: ["DK-00007", *rows[42][1:]],  # duplicate of row 7's code
        43: ["DK-90043", "零面积", "耕地", 0, *rows[43][4:]],
        44: ["DK-90044", "五位小数", "耕地", Decimal("1.23456"), *rows[44][4:]],
        45: ["DK-90045", "组无名", "耕地", 2, *rows[45][4:9], "组", None, "机动地", None, None],
        46: ["X" * 31, "长编号", "耕地", 2, *rows[46][4:]],
        47: ["DK-REG", "已登记", "耕地", 2, *rows[47][4:]],  # registered before: 已存在
        48: ["DK-90048", "坏状态", "耕地", 2, *rows[48][4:11], "自留地", None, None],
        49: ["DK-90049", "真值", "耕地", True, *rows[49][4:]],  # TRUE in a number column
        50: ["DK-90050", "日期面积", "耕地", date(2020, 1, 1), *rows[50][4:]],
        51: ["DK-90051", "坏权属", "耕地", 2, *rows[51][4:9], "乡", None, "机动地", None, None],
        52: ["DK-90052", "  空格 名称  ", "耕地", 2.0, *rows[52][4:]],
        1700: ["DK-91700", "累计说明", "耕地", 2, *rows[1700][4:12], "累计折旧已查", None],  # 计: chunk via Table.rows
        2300: [1, 2, 3, *([None] * (w - 3))],  # a data row that reads 1 2 3 is not the 列号行 below the header
    }
    for i, r in edits.items():
        rows[i] = r
    inserts = [
        (600, ["合计", None, None, 1234, *([None] * (w - 4))]),
        (601, blank),
        (602, ["  ", "\u3000", *([None] * (w - 2))]),
        (603, PARCEL_HEADER),  # a printout's page head
        (604, ["说明：本表由村会计填报", *([None] * (w - 1))]),
        (605, [*([None] * (w - 1)), "HT-1"]),  # only the unused 合同编号
        (1100, ["第一组合计", None, None, 12, *([None] * (w - 4))]),
    ]
    for at, r in sorted(inserts, reverse=True):
        rows.insert(at, r)
    return rows


def _parcel_file(path: Path, rows: list[list[Any]]) -> Path:
    return xlsx(path, [["东湖村资源台账"], PARCEL_HEADER, list(range(1, len(PARCEL_HEADER) + 1)), *rows])


def _count_slow_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The chunks read through ``Table.rows`` (the real function, counted)."""
    calls: list[int] = []
    real = table_read._through_rows

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(table_read, "_through_rows", counted)
    return calls


def _same(a: ImportCheck, b: ImportCheck) -> None:
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert [str(s) for s in a.skipped] == [str(s) for s in b.skipped]
    assert a.outcomes == b.outcomes
    assert [(s, r, v, i) for s, r, v, i, _ in a.plan] == [(s, r, v, i) for s, r, v, i, _ in b.plan]
    assert [list(v) for _, _, v, _, _ in a.plan] == [list(v) for _, _, v, _, _ in b.plan]  # keys in the same order
    assert a.notes == b.notes


def _checks(env: Env, path: Path, imp: RecordImporter, old_validate: Any, new_validate: Any, mode: str,
            book: Any = None) -> tuple[ImportCheck, ImportCheck]:
    with env.db.read("test") as s:
        spec = imp.spec(s, env.org.id)
        kw: dict[str, Any] = {"organisation_id": env.org.id, "book_id": book, "mode": mode}
        row_by_row = RecordImporter.check(replace(imp, validate=old_validate(s)), s, open_table(path, spec), **kw)
        refused: list[Any] = []
        table = open_table(path, spec)
        columns = with_problems(RecordImporter.check(replace(imp, validate=new_validate(s), preread=True), s,
                                                     read_table(table, imp.readers, refused), **kw), refused)
    return row_by_row, columns


@pytest.mark.parametrize("mode", ["add", "update"])
def test_parcels_read_by_columns_say_what_row_by_row_said(env: Env, tmp_path: Path, mode: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with env.db.begin("test") as s:
        create_parcel(s, organisation_id=env.org.id, user=env.user, code="DK-REG", name="老地", land_class="耕地",
                      area_mu=Decimal(3), status="机动地")
        create_parcel(s, organisation_id=env.org.id, user=env.user, code="DK-00011", name="老地2", land_class="林地",
                      area_mu=Decimal(5), status="未利用")
    rows = _mess_parcels(_parcel_rows(6 * CHUNK))
    path = _parcel_file(tmp_path / "parcels.xlsx", rows)
    through = _count_slow_chunks(monkeypatch)

    def old(s: Any) -> Any:
        return partial(import_resources._validate, batch=ParcelBatch.read(s, env.org.id))

    def new(s: Any) -> Any:
        batch = ParcelBatch.read(s, env.org.id)
        return partial(import_resources._validate, batch=batch, quick=import_resources._Quick(batch))

    a, b = _checks(env, path, import_resources.IMPORTER, old, new, mode)  # type: ignore[arg-type]
    _same(a, b)
    reasons = {s.reason for s in b.skipped}
    assert {"列号行", "合计行", "重复表头", "说明行", "无数据"} <= reasons
    assert len(b.problems) >= 12 and b.count("new") > 3000
    assert not any(s.row == 2300 + 3 + 4 for s in b.skipped)  # the later 1 2 3 row is read, not skipped
    assert len(through) == 5  # chunks 1 (the file's first), 2, 3 (skips), 4 (计) and 5 (1 2 3) through Table.rows
    # and the whole kind (notes, 合同已到期, registered statuses) on the same file
    with env.db.read("test") as s:
        check, _ = importers.run_import(s, "resources", path, organisation_id=env.org.id, mode=mode, user=env.user)
    assert [str(p) for p in check.problems] == [str(p) for p in b.problems]


ASSET_HEADER = ["资产编号", "资产名称", "资产类别", "资产性质", "坐落位置", "数量", "计量单位", "面积（㎡）", "取得方式",
                "资金来源", "取得日期", "原值", "预计使用月数", "预计使用年限", "残值率（%）", "折旧方法", "预计总工作量",
                "工作量单位", "期初累计折旧", "使用状态", "管理责任人", "扶贫资产", "备注"]


def _asset_rows(n: int) -> list[list[Any]]:
    kinds = (("房屋及建筑物", "栋", 240), ("机器设备", "台", 120), ("运输设备", "辆", 96), ("办公设备", "台", 60))
    out: list[list[Any]] = []
    for i in range(n):
        category, unit, months = kinds[i % 4]
        cost = Decimal(5000 + (i * 37) % 90_000) + Decimal(i % 100) / 100
        by_work = i % 17 == 0
        out.append([f"ZC-{i:05d}", f"{category[:2]}{i}号", category, ("经营性", "非经营性", "公益性")[i % 3],
                    f"第{i % 15 + 1}组", (1, None, "2台", 1.0)[i % 4], unit if i % 6 else None,
                    Decimal(80 + i % 50) if i % 4 == 0 else None, ("购建", "捐赠", None)[i % 3],
                    "自筹" if i % 2 else None, (date(2005, 1, 1), datetime(2010, 6, 1), "2012年3月4日")[i % 3],
                    # 原值: past the first chunk all number cells, mostly different (read in one pass)
                    (cost, float(5000 + i % 900), f"{5000 + i}元" if i < CHUNK else 5000 + i)[i % 3],
                    months if i % 5 else None,
                    None if i % 5 else 10, (5, "5%", None, Decimal("3.5"))[i % 4],
                    "工作量法" if by_work else ("年限平均法", None)[i % 2], 10000 if by_work else None,
                    "小时" if by_work else None, Decimal("100.00") if i % 5 == 0 else None,
                    ("自用", "出租", "闲置", None, "已处置")[i % 5] if i % 50 else "已处置", f"张{i % 40}",
                    ("是", "否", None)[i % 3], "" if i % 9 else "接管时登记"])
    return out


def _mess_assets(rows: list[list[Any]]) -> list[list[Any]]:
    w = len(ASSET_HEADER)

    def edit(i: int, **cells: Any) -> None:
        r = list(rows[i])
        for header, value in cells.items():
            r[ASSET_HEADER.index(header)] = value
        rows[i] = r

    edit(3, 取得日期="2020-13-45")  # refused cell
    edit(4, 原值="一千元")  # refused cell
    edit(40, 资产名称="")
    edit(41, 资产类别="家具")
    edit(42, 资产编号="ZC-00007")  # duplicate in the file
    edit(43, 资产编号="ZC-REG")  # registered before
    edit(44, 原值=0)
    edit(45, 原值=Decimal("12.345"))
    edit(46, 预计使用月数=0, 预计使用年限=None)
    edit(47, 预计使用月数=None, 预计使用年限=None)
    edit(48, **{"残值率（%）": 120})
    edit(49, 折旧方法="工作量法", 预计总工作量=None, 使用状态="自用")
    edit(50, 期初累计折旧=Decimal("999999999"))
    edit(51, 数量=0)
    edit(52, 计量单位="很长很长很长很长的单位名")
    edit(53, 预计使用年限=Decimal("2.45"), 预计使用月数=None)  # not whole months
    edit(54, 扶贫资产="也许")
    edit(55, 数量=True)
    edit(56, **{"面积（㎡）": Decimal("1.123456")})
    edit(57, 期初累计折旧="")
    edit(58, **{"残值率（%）": 100, "期初累计折旧": None})
    edit(900, 备注="累计折旧已查")
    inserts = [(700, ["合计", None, None, None, None, 3, *([None] * (w - 6))]),
               (701, [None] * w), (702, ASSET_HEADER), (703, ["制表：张三", *([None] * (w - 1))])]
    for at, r in sorted(inserts, reverse=True):
        rows.insert(at, r)
    return rows


@pytest.mark.parametrize("mode", ["add", "update"])
def test_cards_read_by_columns_say_what_row_by_row_said(env: Env, tmp_path: Path, mode: str) -> None:
    env.asset("ZC-REG", voucher=False)
    env.asset("ZC-00013", voucher=False)
    rows = _mess_assets(_asset_rows(3 * CHUNK))
    path = xlsx(tmp_path / "cards.xlsx", [ASSET_HEADER, *rows])

    def old(s: Any) -> Any:
        return partial(import_assets._validate, codes=asset_codes(s, env.org.id))

    def new(s: Any) -> Any:
        codes = asset_codes(s, env.org.id)
        return partial(import_assets._validate, codes=codes, quick=import_assets._Quick(codes))

    a, b = _checks(env, path, import_assets.IMPORTER, old, new, mode, env.book.id)  # type: ignore[arg-type]
    _same(a, b)
    assert len(b.problems) >= 18 and b.count("new") > 1400
    assert {"合计行", "重复表头", "说明行"} <= {s.reason for s in b.skipped}


def test_quick_accepts_only_what_the_form_accepts(env: Env) -> None:
    """Field by field, over values each check refuses or takes: a row the quick test accepts is one
    ``validated_parcel``/``validated_asset`` accepts (the converse is not needed: refused rows go to them)."""
    base_parcel = {"code": "DK-1", "name": "地", "land_class": "耕地", "area_mu": Decimal(1), "status": "机动地"}
    odd: list[Any] = [None, "", " ", "x" * 501, 0, -1, True, 1.5, Decimal("1.00001"), Decimal("1E+12"), Decimal("NaN"),
                      date(2020, 1, 1), "2020-01-01", "组", "村", "耕地", "出租", "合同已到期", "年限平均法",
                      "工作量法", Decimal("0.0001"), Decimal(100), Decimal(101), 240, 1201, "5%", Decimal("12.345"),
                      Decimal(1), Decimal("1.0000000000"), Decimal("-0")]  # 1 and 1.0000000000: equal, not one 单位
    with env.db.read("test") as s:
        batch = ParcelBatch.read(s, env.org.id)
        quick = import_resources._Quick(batch)
        for key in (*base_parcel, "location", "east", "ownership", "group_name", "notes", "contract_id"):
            for value in odd:
                row = {**base_parcel, key: value}
                if quick(row, None):
                    validated_parcel(s, {**row, "book_id": None, "status": "出租" if row["status"] == "合同已到期"
                                         else row["status"]}, env.org.id, None, batch)
        base_card = {"code": "ZC-1", "name": "楼", "category": "其他", "nature": "经营性",
                     "acquired_on": date(2020, 1, 1), "original_value": Decimal(1000), "useful_life_months": 120}
        codes = asset_codes(s, env.org.id)
        card_quick = import_assets._Quick(codes)
        for key in (*base_card, "quantity", "unit", "area_m2", "residual_rate", "method", "total_workload",
                    "opening_accumulated", "status", "acquisition_mode", "funding_source", "workload_unit", "custodian",
                    "title_no", "notes", "use_kind", "project_id"):
            for value in odd:
                row = {**base_card, key: value}
                if card_quick(row):
                    validated_asset(s, row, env.org.id, None, codes)


def _varied(base: dict[str, Any], keys: tuple[str, ...], odd: list[Any]) -> Iterator[dict[str, Any]]:
    yield base
    for key in keys:
        for value in odd:
            yield {**base, key: value}


def _stored_or_refused(call: Any, row: dict[str, Any]) -> Any:
    try:
        return ("ok", call(row))
    except Exception as e:
        return (type(e).__name__, str(e))


ODD: list[Any] = [None, "", " ", "x" * 501, 0, -1, True, 1.5, Decimal("1.00001"), Decimal("1E+12"), Decimal("-0"),
                  Decimal("1.0"), Decimal(1), 1, Decimal("1.000"), Decimal("1.0000000000"), date(2020, 1, 1), datetime(2020, 1, 1, 8), "2020-01-01",
                  "组", "村", " 组 ", "耕地", "出租", "年限平均法", "工作量法", Decimal("0.0001"), Decimal(100),
                  Decimal(101), 240, 1201, "5%", Decimal("12.345"), Decimal("12.340"), "自用", "经营性", "公益性"]


def test_batch_fields_store_what_the_form_validates(env: Env) -> None:
    """``ParcelFields``/``AssetFields`` (the apply's validation, repeated values once) give what
    ``validated_parcel``/``validated_asset`` give — the same dict, or the same refusal — row by row,
    over values each check takes or refuses, asked twice (the second time from memory)."""
    from desktop_app.core.services.assets_import import AssetFields
    from desktop_app.core.services.resources_import import ParcelFields

    env.asset("ZC-REG", voucher=False)
    with env.db.read("test") as s:
        batch = ParcelBatch.read(s, env.org.id)
        fields = ParcelFields(s, env.org.id, batch)
        base = {"code": "DK-1", "name": "地", "land_class": "耕地", "area_mu": Decimal(1), "status": "机动地",
                "ownership": "组", "group_name": "第一组"}
        keys = (*base, "location", "east", "notes", "contract_id", "book_id")
        for _ in range(2):
            for row in _varied(base, keys, [*ODD, "DK-REG"]):
                assert _stored_or_refused(fields, row) == _stored_or_refused(
                    lambda r: validated_parcel(s, dict(r), env.org.id, None, batch), row), row
        codes = asset_codes(s, env.org.id)
        cards = AssetFields(s, env.org.id, codes)
        base = {"code": "ZC-1", "name": "楼", "category": "其他", "nature": "经营性", "acquired_on": date(2020, 1, 1),
                "original_value": Decimal(1000), "useful_life_months": 120, "opening_accumulated": Decimal(100),
                "residual_rate": Decimal(5)}
        keys = (*base, "quantity", "unit", "area_m2", "method", "total_workload", "status", "acquisition_mode",
                "funding_source", "workload_unit", "custodian", "title_no", "notes", "use_kind", "poverty_alleviation")
        for _ in range(2):
            for row in _varied(base, keys, [*ODD, "ZC-REG", Decimal(950), Decimal("999.99")]):
                assert _stored_or_refused(cards, row) == _stored_or_refused(
                    lambda r: validated_asset(s, dict(r), env.org.id, None, codes), row), row


def test_batch_images_are_values_image(env: Env) -> None:
    """``column_json`` (the batch's audit images) gives ``canonical_json(values_image(...))`` for parcels
    and cards as the batch services write them (ids, amounts, dates, None, missing keys, a key beyond
    the table's columns)."""
    import uuid

    from db.images import canonical_json, values_image
    from db.models import Asset, ResourceParcel
    from desktop_app.core.services.column_checks import column_json

    org, book = uuid.uuid4(), uuid.uuid4()
    rows = [{"id": uuid.uuid4(), "organisation_id": org, "book_id": book if i % 2 else None, "code": f"DK-{i}",
             "name": "地", "area_mu": Decimal("1.2500"), "contract_id": uuid.uuid4() if i % 3 == 0 else None,
             "notes": None} for i in range(6)]
    assert [i.text for i in column_json(ResourceParcel.__table__, rows)] == \
        [canonical_json(values_image(ResourceParcel.__table__, r)) for r in rows]
    card = {"id": uuid.uuid4(), "organisation_id": org, "book_id": book, "code": "ZC-1", "name": "楼",
            "acquired_on": date(2020, 1, 1), "original_value": Decimal("100.00"), "quantity": Decimal("1.0000"),
            "useful_life_months": 120, "poverty_alleviation": True, "first_period": "2026-01", "disposed_on": None}
    cards = [card, {**card, "extra": 1}, {"id": card["id"]}, {**card, "acquired_on": datetime(2020, 1, 1, 8)}]
    assert [i.text for i in column_json(Asset.__table__, cards)] == \
        [canonical_json(values_image(Asset.__table__, r)) for r in cards]
