"""The register imports in one batch (issue #18): 资源地块 reads its codes and main book once, 资产卡片
and 项目 are written with ``bulk_insert`` — and each still refuses with the form's Chinese
messages, stores what one ``create_parcel``/``create_asset``/``create_project`` per row stored
(values, row hash, change-log records, audit entries, card history) and writes nothing when a row
fails."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from db import rowhash
from db.audit import verify_audit_chain
from db.models import Asset, AssetHistory, AuditEntry, Project, ResourceParcel
from desktop_app.core.errors import ConflictError, NotFoundError
from desktop_app.core.services.assets import create_asset
from desktop_app.core.services.assets_import import create_assets
from desktop_app.core.services.orgs import create_book, create_organisation
from desktop_app.core.services.projects import create_project
from desktop_app.core.services.resources import create_parcel, validated_parcel
from desktop_app.excel import importers
from tests.assets.conftest import Env, make_env
from tests.excel.test_table_read import xlsx


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "registers.db")
    yield e
    e.db.close()


def _xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    return xlsx(path, [header, *rows])


def _run(env: Env, kind: str, path: Path, *, apply: bool, book: bool = False) -> importers.ImportCheck:
    with env.db.begin("test") as s:
        check, _ = importers.run_import(s, kind, path, organisation_id=env.org.id, book_id=env.book.id if book else None,
                                        mode="add", apply=apply, user=env.user)
    return check


def _stored(env: Env, table: str, key: str) -> dict[str, dict[str, Any]]:
    con = sqlite3.connect(env.db.path)
    con.row_factory = sqlite3.Row
    try:
        return {r[key]: dict(r) for r in con.execute(f"SELECT * FROM {table}")}
    finally:
        con.close()


def _logged(env: Env, table: str) -> dict[str, tuple[Any, ...]]:
    """The change-log record of each row of ``table`` by row id: (op, rev, prev_rev, origin)."""
    con = sqlite3.connect(env.db.path)
    try:
        out: dict[str, tuple[Any, ...]] = {}
        for row_id, *rest in con.execute("SELECT row_id, op, rev, prev_rev, origin FROM change_log "
                                         "WHERE table_name = ?", (table,)):
            assert row_id not in out  # one record per row
            out[row_id] = tuple(rest)
        table_obj = next(t for t in rowhash.hashed_tables() if t.name == table)
        assert list(rowhash.mismatches(con.cursor(), table_obj)) == []  # every stored row hash is its content's
        return out
    finally:
        con.close()


def _audits(env: Env, entity: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Audit entries of ``entity`` by the row's code: (action, summary without code and name, image
    without id, code, name and updated_at)."""
    with env.db.begin() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.summary, AuditEntry.after_json)
                         .where(AuditEntry.entity == entity).order_by(AuditEntry.n)).all()
        assert verify_audit_chain(s.connection()) == []
    out = {}
    for action, summary, after in rows:
        image = json.loads(after)
        code, name = image.pop("code"), image.pop("name")
        for key in ("id", "updated_at"):
            image.pop(key)
        out[code] = (action, summary.replace(code, "").replace(name, ""), image)
    return out


def _same_rows(env: Env, table: str, entity: str, pairs: list[tuple[str, str]]) -> None:
    """The rows written by the per-row services (first code of each pair) and by the import (second):
    the same stored values, one change-log record each alike, the same audit entries."""
    rows, logged, audits = _stored(env, table, "code"), _logged(env, table), _audits(env, entity)
    skip = {"id", "code", "name", "updated_at", "row_hash"}
    for one, batch in pairs:
        a, b = rows[one], rows[batch]
        assert {k: x for k, x in a.items() if k not in skip} == {k: x for k, x in b.items() if k not in skip}
        assert logged[a["id"]] == logged[b["id"]]
        assert logged[a["id"]][:2] == ("insert", 1) and logged[a["id"]][3] == a["origin"]
        assert audits[one] == audits[batch]


# ---------------------------------------------------------------- 资源地块

PARCEL_HEADER = ["地块编号", "地块名称", "地类", "面积（亩）", "坐落", "权属", "村民小组", "经营状态", "备注"]


def _parcel(i: int, code: str | None = None) -> list[Any]:
    return [code or f"DK-{i:04d}", f"东湖{i}号地", ("耕地", "园地", "林地")[i % 3], Decimal("1.25") + i % 40,
            f"第{i % 15 + 1}组", "组" if i % 3 == 0 else "村", f"第{i % 15 + 1}组" if i % 3 == 0 else None,
            ("机动地", "家庭承包")[i % 2], None]


def test_parcel_clashes_in_a_few_hundred_rows_keep_their_messages(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:  # one registered parcel and one deleted one (its code stays taken)
        for code in ("DK-OLD", "DK-GONE"):
            create_parcel(s, organisation_id=env.org.id, code=code, name="老地", land_class="耕地", area_mu=Decimal(1),
                          status="机动地", user=env.user)
        s.execute(update(ResourceParcel).where(ResourceParcel.code == "DK-GONE").values(deleted=True))
    rows = [_parcel(i) for i in range(300)]
    rows[120] = _parcel(120, "DK-0007")  # repeats row 9's code
    rows[200] = _parcel(200, "DK-OLD")
    rows[250] = _parcel(250, "DK-GONE")
    rows[260][3] = Decimal("-2")
    check = _run(env, "resources", _xlsx(tmp_path / "p.xlsx", PARCEL_HEADER, rows), apply=True)
    assert [str(p) for p in check.problems] == [
        "第122行A列“地块编号”：DK-0007 与第9行重复",
        "第202行A列“地块编号”：DK-OLD 已登记。要修改已有记录请选择“更新已有”，要略过请选择“跳过已有”",
        "第252行A列“地块编号”：地块编号 DK-GONE 已存在",
        "第262行D列“面积（亩）”：面积（亩）不能为负数",
    ]
    with env.db.begin() as s:  # a failing row applies nothing
        assert s.scalar(select(func.count()).select_from(ResourceParcel)) == 2


def test_the_form_keeps_its_own_lookups_and_messages(env: Env) -> None:
    with env.db.begin("test") as s:
        create_parcel(s, organisation_id=env.org.id, code="DK-1", name="地", land_class="耕地", area_mu=Decimal(1),
                      status="机动地", user=env.user)
        other = create_organisation(s, name="杨柳村股份经济合作社", level="村", uscc="N2320115MF00000134",
                                    region_code="320115106201", user=env.user)
        book = create_book(s, organisation_id=other.id, name="杨柳村股份经济合作社", kind="股份经济合作社",
                           start_period="2026-01", chart_version="2023", user=env.user)
    values = {"code": "DK-1", "name": "地", "land_class": "耕地", "area_mu": Decimal(1), "status": "机动地"}
    with env.db.begin() as s:
        with pytest.raises(ConflictError, match=r"^地块编号 DK-1 已存在$"):
            validated_parcel(s, values, env.org.id, None)
        fields = validated_parcel(s, {**values, "code": "DK-2"}, env.org.id, None)
        assert fields["book_id"] == env.book.id  # the main book, looked up by the form itself
        with pytest.raises(NotFoundError, match=r"^该账套不属于本组织$"):
            validated_parcel(s, {**values, "code": "DK-2", "book_id": book.id}, env.org.id, None)


def test_an_imported_parcel_is_stored_as_the_form_stores_it(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:
        for i in range(6):
            cells = dict(zip(["code", "name", "land_class", "area_mu", "location", "ownership", "group_name", "status",
                              "notes"], _parcel(i, f"F-{i}"), strict=True))
            create_parcel(s, organisation_id=env.org.id, user=env.user, **cells)
    check = _run(env, "resources", _xlsx(tmp_path / "p.xlsx", PARCEL_HEADER, [_parcel(i, f"B-{i}") for i in range(6)]),
                 apply=True)
    assert check.ok
    _same_rows(env, "resource_parcel", "resource_parcel", [(f"F-{i}", f"B-{i}") for i in range(6)])


# ---------------------------------------------------------------- 资产卡片

ASSET_HEADER = ["资产编号", "资产名称", "资产类别", "资产性质", "坐落位置", "数量", "计量单位", "面积（㎡）", "取得方式",
                "资金来源", "取得日期", "原值", "预计使用月数", "残值率（%）", "期初累计折旧", "使用状态", "管理责任人",
                "扶贫资产", "备注"]
ASSET_KEYS = ["code", "name", "category", "nature", "location", "quantity", "unit", "area_m2", "acquisition_mode",
              "funding_source", "acquired_on", "original_value", "useful_life_months", "residual_rate",
              "opening_accumulated", "status", "custodian", "poverty_alleviation", "notes"]


def _asset(i: int, code: str) -> list[Any]:
    return [code, f"资产{i}", ("房屋及建筑物", "机器设备", "办公设备")[i % 3], ("经营性", "非经营性", "公益性")[i % 3],
            f"第{i + 1}组", 1 + i % 2, ("栋", "台", "台")[i % 3], Decimal(120) if i % 3 == 0 else None,
            ("购建", "捐赠", "财政项目形成")[i % 3], "自筹" if i % 2 else None, date(2018 + i % 8, 1 + i % 12, 15),
            Decimal(80000 + i * 1000), 120, Decimal(5), Decimal(3000) if i % 2 else None, ("自用", "出租", "闲置")[i % 3],
            "张三" if i % 2 else None, i % 4 == 0, "接管" if i % 3 else None]


def test_an_imported_card_is_stored_as_create_asset_stores_it(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:  # the per-row path the import took before: create_asset per card
        for i in range(6):
            fields = {k: x for k, x in zip(ASSET_KEYS, _asset(i, f"F-{i}"), strict=True) if x is not None and x != ""}
            create_asset(s, organisation_id=env.org.id, book_id=env.book.id, user=env.user, **fields)
    rows = [[("是" if x else "否") if isinstance(x, bool) else x for x in _asset(i, f"B-{i}")] for i in range(6)]
    check = _run(env, "assets", _xlsx(tmp_path / "a.xlsx", ASSET_HEADER, rows), apply=True, book=True)
    assert check.ok, check.problems
    _same_rows(env, "asset", "asset", [(f"F-{i}", f"B-{i}") for i in range(6)])
    with env.db.begin() as s:  # each card's history line, as create_asset writes it
        history = {code: (action, summary.replace(code, ""), actor) for code, action, summary, actor in s.execute(
            select(Asset.code, AssetHistory.action, AssetHistory.summary, AssetHistory.actor)
            .join(Asset, Asset.id == AssetHistory.asset_id))}
    for i in range(6):
        assert history[f"F-{i}"][0] == "create"
        assert history[f"F-{i}"] == history[f"B-{i}"]
    _logged(env, "asset_history")


def test_a_failing_card_writes_none(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:
        fields = {k: x for k, x in zip(ASSET_KEYS, _asset(0, "ZC-OLD"), strict=True) if x is not None}
        create_asset(s, organisation_id=env.org.id, book_id=env.book.id, user=env.user, **fields)
    rows = [_asset(i, f"ZC-{i:03d}") for i in range(200)]
    rows[150][11] = "-5"  # 原值
    rows[170][0] = "ZC-OLD"
    check = _run(env, "assets", _xlsx(tmp_path / "a.xlsx", ASSET_HEADER, rows), apply=True, book=True)
    assert [str(p) for p in check.problems] == [
        "第152行L列“原值”：原值不能为负数",
        "第172行A列“资产编号”：ZC-OLD 已登记。要修改已有记录请选择“更新已有”，要略过请选择“跳过已有”",
    ]
    good = [{k: x for k, x in zip(ASSET_KEYS, _asset(i, f"ZC-{i:03d}"), strict=True) if x is not None}
            for i in range(3)]
    for clash, message in ((good[1]["code"], f"资产编号 {good[1]['code']} 已被其他资产卡片使用"),
                           ("ZC-OLD", "资产编号 ZC-OLD 已被其他资产卡片使用")):
        with pytest.raises(ConflictError, match=f"^{message}$"), env.db.begin("test") as s:
            create_assets(s, organisation_id=env.org.id, book_id=env.book.id, user=env.user,
                          rows=[*good, {**good[0], "code": clash}])
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 1
        assert s.scalar(select(func.count()).select_from(AssetHistory)) == 1


# ---------------------------------------------------------------- 集体经济项目

PROJECT_HEADER = ["项目编号", "项目名称", "项目类型", "项目状态", "申报日期", "开工日期", "区级扶持资金", "自筹",
                  "预算金额", "招标方式", "中标单位", "中标金额", "招标日期", "备注"]


def _project(i: int, code: str) -> list[Any]:
    tender = i % 2 == 0
    return [code, f"项目{i}", ("光伏", "厂房", "其他")[i % 3], ("申报", "在建")[i % 2], date(2024, 1 + i % 12, 1),
            date(2024, 1 + i % 12, 20) if i % 2 else None, Decimal(100000 + i), Decimal(5000) if i % 3 else None,
            Decimal(200000), "公开招标" if tender else None, "江宁建设公司" if tender else None,
            Decimal(190000) if tender else None, date(2024, 1 + i % 12, 10) if tender else None,
            "代表会议通过" if i % 2 else None]


def test_an_imported_project_is_stored_as_create_project_stores_it(env: Env, tmp_path: Path) -> None:
    keys = ["code", "name", "kind", "status", "applied_on", "started_on", None, None, "budget", "tender_method",
            "tender_winner", "tender_amount", "tender_on", "notes"]
    with env.db.begin("test") as s:
        for i in range(6):
            cells = _project(i, f"F-{i}")
            fields = {k: x for k, x in zip(keys, cells, strict=True) if k is not None and x is not None}
            funding = {src: x for src, x in (("区级扶持资金", cells[6]), ("自筹", cells[7])) if x is not None}
            create_project(s, organisation_id=env.org.id, user=env.user, funding=funding, **fields)
    check = _run(env, "projects", _xlsx(tmp_path / "x.xlsx", PROJECT_HEADER, [_project(i, f"B-{i}") for i in range(6)]),
                 apply=True)
    assert check.ok, check.problems
    _same_rows(env, "project", "project", [(f"F-{i}", f"B-{i}") for i in range(6)])
    funding = _stored(env, "project_funding", "id")
    _logged(env, "project_funding")
    by_project = {r["id"]: r["code"] for r in _stored(env, "project", "code").values()}
    amounts: dict[str, set[tuple[str, int]]] = {}
    for r in funding.values():
        amounts.setdefault(by_project[r["project_id"]], set()).add((r["source"], r["amount"]))
    for i in range(6):
        assert amounts[f"F-{i}"] == amounts[f"B-{i}"]


def test_project_problems_keep_their_messages_and_apply_nothing(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:
        create_project(s, organisation_id=env.org.id, user=env.user, code="XM-GONE", name="旧项目", kind="其他")
        s.execute(update(Project).where(Project.code == "XM-GONE").values(deleted=True))
    rows = [_project(i, f"XM-{i:03d}") for i in range(120)]
    rows[31][5] = None  # 在建 without 开工日期
    rows[50][6] = "-3"  # 区级扶持资金
    rows[70][0] = "XM-GONE"
    rows[90][11] = None  # a tender without its amount
    check = _run(env, "projects", _xlsx(tmp_path / "x.xlsx", PROJECT_HEADER, rows), apply=True)
    assert [str(p) for p in check.problems] == [
        "第33行F列“开工日期”：项目状态为“在建”时须填写开工日期",
        "第52行G列“区级扶持资金”：区级扶持资金金额不能为负数",
        "第72行A列“项目编号”：项目编号 XM-GONE 已存在",
        "第92行L列“中标金额”：已填写招标结果，请同时填写中标金额",
    ]
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1


def test_validated_asset_with_the_codes_read_once_says_what_the_form_says(env: Env, tmp_path: Path) -> None:
    """``validated_asset(codes=…)`` (the import's codes read once) refuses and accepts as its own
    lookup: a code of another card, a deleted one's too, with the form's message; the card's own code
    on an edit passes; and an import naming a deleted card's code gets that message at its cell."""
    from desktop_app.core.services.assets import validated_asset
    from desktop_app.core.services.assets_import import asset_codes

    with env.db.begin("test") as s:
        for code in ("ZC-A", "ZC-GONE"):
            fields = {k: x for k, x in zip(ASSET_KEYS, _asset(1, code), strict=True) if x is not None}
            create_asset(s, organisation_id=env.org.id, book_id=env.book.id, user=env.user, **fields)
        s.execute(update(Asset).where(Asset.code == "ZC-GONE").values(deleted=True))
    with env.db.begin("test") as s:
        codes = asset_codes(s, env.org.id)
        assert set(codes) == {"ZC-A", "ZC-GONE"}
        own = codes["ZC-A"]
        for code in ("ZC-A", " ZC-GONE "):
            values = {k: x for k, x in zip(ASSET_KEYS, _asset(2, code), strict=True) if x is not None}
            said = []
            for given in (None, codes):  # the form's lookup, then the codes read once
                with pytest.raises(ConflictError) as err:
                    validated_asset(s, dict(values), env.org.id, None, given)
                said.append((err.value.message, err.value.field))
            assert said[0] == said[1] == (f"资产编号 {code.strip()} 已被其他资产卡片使用", "资产编号")
        mine = {k: x for k, x in zip(ASSET_KEYS, _asset(2, "ZC-A"), strict=True) if x is not None}
        assert validated_asset(s, dict(mine), env.org.id, own, codes) == validated_asset(s, dict(mine), env.org.id, own)
    rows = [_asset(i, f"ZC-{i:03d}") for i in range(5)]
    rows[3][0] = "ZC-GONE"
    check = _run(env, "assets", _xlsx(tmp_path / "a.xlsx", ASSET_HEADER, rows), apply=False, book=True)
    assert [str(p) for p in check.problems] == ["第5行A列“资产编号”：资产编号 ZC-GONE 已被其他资产卡片使用"]
