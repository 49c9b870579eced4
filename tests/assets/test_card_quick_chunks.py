"""The 资产卡片 check asks its quick test of a chunk's rows column by column (``import_assets._Quick.rows``):
it says of every row what the row's own quick test says (and so what ``validated_asset`` says), and the
whole kind's check of a real file says exactly what it says when asked row by row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.services.assets import validated_asset
from desktop_app.core.services.assets_import import asset_codes
from desktop_app.excel import import_assets
from desktop_app.excel.assets_import_common import CHUNK
from desktop_app.excel.importers import ImportCheck
from desktop_app.excel.table_read import open_table
from tests.assets import test_register_import_columns as columns
from tests.assets.conftest import Env, make_env
from tests.excel.test_table_read import xlsx


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "chunks.db")
    yield e
    e.db.close()


ODD: list[Any] = [*columns.ODD, "ZC-REG", Decimal(950), Decimal("999.99"), Decimal("1000.001"), Decimal("0.00"),
                  Decimal("999999999999.99"), Decimal("1000000000000.00"), "x" * 31, "x" * 101, " ZC-REG ", "5%"]
KEYS = ("code", "name", "category", "nature", "acquired_on", "original_value", "useful_life_months",
        "opening_accumulated", "residual_rate", "quantity", "unit", "area_m2", "method", "total_workload", "status",
        "acquisition_mode", "funding_source", "workload_unit", "custodian", "title_no", "notes", "use_kind",
        "project_id")


def _base(i: int) -> dict[str, Any]:
    return {"code": f"ZC-{i:05d}", "name": f"楼{i}", "category": "其他", "nature": "经营性",
            "acquired_on": date(2020, 1, 1) + timedelta(days=i), "original_value": Decimal(1000) + i,
            "useful_life_months": 120, "opening_accumulated": Decimal(100) if i % 2 else None,
            "residual_rate": Decimal(5)}


def test_chunk_test_says_what_the_row_test_says(env: Env) -> None:
    """Over values each field check takes or refuses: a chunk holding one odd value in every row (so a
    column's one-pass gates see only it) and a chunk mixing them give, row by row, the row test's
    answer; a row either accepts is one ``validated_asset`` accepts. Asked twice (the second time
    from what the chunks remembered)."""
    env.asset("ZC-REG", voucher=False)
    with env.db.read("test") as s:
        codes = asset_codes(s, env.org.id)
        quick = import_assets._Quick(codes)
        mixed: list[dict[str, Any]] = []
        for _ in range(2):
            for key in KEYS:
                for value in ODD:
                    chunk = [{**_base(i), key: value} for i in range(4)]
                    mixed.extend(chunk[:1])
                    by_rows = [quick(row) for row in chunk]
                    assert quick.rows(chunk) == by_rows, (key, value)
                    for row, ok in zip(chunk, by_rows, strict=True):
                        if ok:
                            validated_asset(s, dict(row), env.org.id, None, codes)
            assert quick.rows(mixed) == [quick(row) for row in mixed]
            assert quick.rows([_base(i) for i in range(CHUNK)]) == [True] * CHUNK


HEADER = ["资产编号", "资产名称", "资产类别", "资产性质", "坐落位置", "数量", "计量单位", "面积（㎡）", "取得方式", "资金来源",
          "取得日期", "原值", "预计使用月数", "残值率（%）", "折旧方法", "期初累计折旧", "使用状态", "管理责任人", "扶贫资产", "备注"]


def _clean_rows(n: int) -> list[list[Any]]:
    """The bench's cards (every 原值 and opening figure in 分: the columns' one-pass gates open)."""
    kinds = (("房屋及建筑物", "栋", 240), ("机器设备", "台", 120), ("运输设备", "辆", 96), ("办公设备", "台", 60))
    out: list[list[Any]] = []
    for i in range(n):
        category, unit, months = kinds[i % 4]
        cost = Decimal(5000 + (i * 37) % 900_000) + Decimal(i % 100) / 100
        out.append([f"ZC-{i:06d}", f"{category[:2]}{i}号", category, ("经营性", "非经营性", "公益性")[i % 3],
                    f"第{i % 15 + 1}组", 1, unit, Decimal(80 + i % 500) if i % 4 == 0 else None,
                    ("购建", "捐赠", "财政项目形成")[i % 3], "自筹" if i % 2 else "区级扶持资金",
                    date(2005, 1, 1) + timedelta(days=(i * 13) % 7000), cost, months, 5, "年限平均法",
                    (cost * Decimal("0.30")).quantize(Decimal("0.01")) if i % 5 == 0 else None,
                    ("自用", "出租", "闲置", "已处置")[i % 4] if i % 7 else "自用", f"张{i % 40}",
                    "是" if i % 11 == 0 else "否", "" if i % 9 else "接管时登记"])
    return out


def _edit(rows: list[list[Any]], i: int, **cells: Any) -> None:
    for header, value in cells.items():
        rows[i][HEADER.index(header)] = value


@pytest.mark.parametrize("mode", ["add", "update"])
def test_kind_by_chunks_says_what_row_by_row_said(env: Env, tmp_path: Path, mode: str) -> None:
    """The whole kind's check by chunks and row by row (``by_chunks=False``; row by row is the form's
    ``validated_asset`` on every row: ``test_register_import_columns``), on a clean file with one
    refusal per gate in its later chunks and on that test's mixed file."""
    env.asset("ZC-REG", voucher=False)
    env.asset("ZC-000013", voucher=False)
    clean = _clean_rows(4 * CHUNK)
    _edit(clean, CHUNK + 3, 原值=Decimal("12.345"))
    _edit(clean, CHUNK + 5, 期初累计折旧=Decimal("999999999"))  # above 原值 less its residual
    _edit(clean, 2 * CHUNK + 5, 期初累计折旧=Decimal("10.001"))
    _edit(clean, 2 * CHUNK + 7, 资产编号="ZC-REG")
    _edit(clean, 2 * CHUNK + 9, 资产名称="名" * 101)
    _edit(clean, 3 * CHUNK + 1, 原值=Decimal("1000000000000"))
    _edit(clean, 3 * CHUNK + 2, **{"残值率（%）": 120})
    _edit(clean, 3 * CHUNK + 4, 期初累计折旧=Decimal(-1))
    files = [xlsx(tmp_path / "clean.xlsx", [HEADER, *clean]),
             xlsx(tmp_path / "mixed.xlsx", [columns.ASSET_HEADER, *columns._mess_assets(columns._asset_rows(3 * CHUNK))])]
    kw: dict[str, Any] = {"organisation_id": env.org.id, "book_id": env.book.id, "mode": mode}
    for path in files:
        with env.db.read("test") as s:
            spec = import_assets.IMPORTER.spec(s, env.org.id)
            by_chunks = import_assets.IMPORTER.check(s, open_table(path, spec), **kw)
            by_rows = replace(import_assets.IMPORTER, by_chunks=False).check(s, open_table(path, spec), **kw)
        _same(by_rows, by_chunks)
        assert len(by_chunks.problems) >= 8 and by_chunks.count("new") > 1000
        assert any("已处置的资产" in n for n in by_chunks.notes)


def _same(a: ImportCheck, b: ImportCheck) -> None:
    columns._same(a, b)
    assert [(s, r) for s, r, _, _, _ in a.plan] == [(s, r) for s, r, _, _, _ in b.plan]


def test_batch_fields_by_chunks_store_what_the_form_validates(env: Env) -> None:
    """``AssetFields.chunk`` gives, for a chunk every row of which the form accepts, the form's dicts
    (same keys in the same order, same values and texts); else None (the rows then go one by one, and
    the form words a refusal): a chunk the form refuses a row of, or with a code repeated, is None."""
    from desktop_app.core.services.assets_import import AssetFields

    env.asset("ZC-REG", voucher=False)
    with env.db.read("test") as s:
        codes = asset_codes(s, env.org.id)
        fields = AssetFields(s, env.org.id, codes)

        def form(row: dict[str, Any]) -> Any:
            try:
                return validated_asset(s, dict(row), env.org.id, None, codes)
            except Exception:
                return None

        taken = 0
        for _ in range(2):
            for key in KEYS:
                for value in ODD:
                    chunk = [{**_base(i), key: value} for i in range(4)]
                    by_rows = [form(row) for row in chunk]
                    got = fields.chunk(chunk)
                    if got is None:  # row by row then (any chunk may go so; one the form refuses must)
                        continue
                    taken += 1
                    assert [list(d.items()) for d in got] == [list(d.items()) for d in by_rows], (key, value)
                    assert [[str(v) for v in d.values()] for d in got] == [[str(v) for v in d.values()] for d in by_rows]
            clean = [_base(i) for i in range(CHUNK)]
            assert fields.chunk(clean) == [form(row) for row in clean]
            assert fields.chunk([*clean[:3], clean[1]]) is None  # a code twice in the batch
        assert taken > 300


def test_column_json_is_the_canonical_text_of_values_image() -> None:
    """``column_json`` gives, for every row, the text ``record_audit`` makes of ``values_image``'s dict
    (``canonical_json``), byte for byte: constant, plain, amount, date, id, flag and mixed columns,
    text the encoder escapes (quotes, backslashes, control characters, %, astral characters), flags
    beside whole numbers (True is not 1), a datetime among dates, one row and none."""
    import uuid
    from datetime import datetime

    from db.images import canonical_json, values_image
    from db.models import Asset, Contract, ResourceParcel
    from desktop_app.core.services.column_checks import column_json

    org, now = uuid.uuid4(), datetime(2026, 3, 1, 8, 30, 5, 123456)
    names = ("楼", 'a"b\\c', "\x01x\n", "é", "%s%%", "😀", "")
    rows: list[dict[str, Any]] = [
        {"id": uuid.uuid4(), "organisation_id": org, "book_id": org, "code": f"ZC-{i}", "name": names[i % 7],
         "quantity": Decimal("1.0000"), "area_m2": Decimal("12.5000") if i % 2 else None,
         "original_value": Decimal(1000 + i) / 100, "acquired_on": date(2020, 1, 1) + timedelta(days=i),
         "useful_life_months": (120, True, 0, False, None, -5)[i % 6], "poverty_alleviation": i % 3 == 0,
         "contract_id": uuid.uuid4() if i % 4 else None, "disposed_on": None, "updated_at": now, "rev": 1,
         "deleted": False, "origin": org, "notes": None if i % 5 else "备注"} for i in range(40)]
    rows[7]["acquired_on"] = datetime(2020, 5, 1, 9)  # a datetime among dates

    def texts(table: Any, batch: list[dict[str, Any]], same: dict[str, Any] | None = None) -> list[str]:
        return [image.text for image in column_json(table, batch, same)]

    for table in (Asset.__table__, ResourceParcel.__table__, Contract.__table__):
        for batch in (rows, rows[:1], rows[1::6], []):
            assert texts(table, batch) == [canonical_json(values_image(table, r)) for r in batch]
        same = {"organisation_id": org, "book_id": org, "disposed_on": None}
        bare = [{k: v for k, v in r.items() if k not in same} for r in rows]
        assert texts(table, bare, same) == [canonical_json(values_image(table, {**r, **same})) for r in bare]
