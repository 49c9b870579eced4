"""资产卡片 through the import pipeline (issue #15): the 资产台账 export (CLI) imports into a fresh
organisation as the same cards and into its own organisation in 更新已有 as 0 new, 0 changed; a
changed 责任人 is an audited edit; a changed 原值 or a card's depreciated life is a problem naming
the row and the column; the template's example rows import cleanly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from db.models import Asset, AssetHistory, AuditEntry
from desktop_app.core.services.assets import list_assets
from desktop_app.core.services.depreciation import run_depreciation_through
from desktop_app.excel.importers import run_import, write_template
from tests.assets.conftest import Env

FIELDS = ("code", "name", "category", "nature", "location", "quantity", "unit", "area_m2", "acquisition_mode",
          "acquired_on", "cost", "useful_life_months", "residual_rate", "method", "accumulated", "net_value", "status",
          "custodian", "poverty_alleviation", "total_workload", "workload_unit", "funding_source", "title_no", "notes")


def cards(e: Env) -> list[tuple[Any, ...]]:
    with e.db.begin("kj") as s:
        return [tuple(getattr(a, f) for f in FIELDS) for a in list_assets(s, e.org.id)]


pytestmark = pytest.mark.usefixtures("cli_password")


def _seeded(env: Env) -> None:
    env.asset("ZC-001")
    env.asset("ZC-002", voucher=False, name="农用拖拉机", category="机器设备", nature="经营性", unit="台",
              location="农机库（东）", custodian="张三", poverty_alleviation=True, acquired_on=date(2026, 1, 5),
              original_value=D("86000.50"), useful_life_months=120, residual_rate=D("5"), area_m2=D("12.5"),
              funding_source="区级扶持资金", title_no="苏（2026）第1号", notes="@备注，出租给合作社")
    env.asset("ZC-003", voucher=False, name="=SUM(A1)", category="办公设备", nature="非经营性", quantity=D(10),
              unit="套", acquisition_mode="捐赠", opening_accumulated=D("100.00"))
    env.asset("ZC-004", voucher=False, name="收割机", category="机器设备", nature="经营性", method="工作量法",
              total_workload=D("5000"), workload_unit="亩")
    with env.db.begin("kj") as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-03", user=env.user)


def _export(env: Env, path: Path) -> Path:
    from desktop_app.cli import main

    assert main(["--user", "kj", "export", "assets", "--org", env.org.uscc, "--out", str(path), "--db",
                 str(env.db.path)]) == 0
    return path


def test_the_register_export_imports_into_a_fresh_organisation_as_the_same_cards(env: Env, fresh: Env,
                                                                                  tmp_path: Path) -> None:
    _seeded(env)
    path = _export(env, tmp_path / "assets.xlsx")
    with fresh.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=fresh.org.id, book_id=fresh.book.id, mode="add",
                                 apply=True)
    assert check.ok, check.problems
    assert done is not None and done.added == 4
    reasons = {r.reason for r in check.skipped}
    assert {"标题行", "合计行", "说明行"} <= reasons
    assert check.layout.where("category") == "C列“类别”"
    before, after = cards(env), cards(fresh)
    assert after == before  # 原值 and 累计折旧 as the register showed them (a card taken over)
    assert [c[10] for c in after] == [D("10000.00"), D("86000.50"), D("10000.00"), D("10000.00")]
    assert after[0][14] > 0  # ZC-001's two months of depreciation came over as 期初累计折旧
    # and the fresh organisation's export imports back into it unchanged
    again = _export(fresh, tmp_path / "again.xlsx")
    with fresh.db.begin("kj") as s:
        check, done = run_import(s, "assets", again, organisation_id=fresh.org.id, book_id=fresh.book.id,
                                 mode="update", apply=True)
    assert check.ok and (check.count("new"), check.count("changed"), check.count("unchanged")) == (0, 0, 4)


def test_the_export_into_its_own_organisation_in_update_mode_changes_nothing(env: Env, tmp_path: Path) -> None:
    _seeded(env)
    path = _export(env, tmp_path / "assets.xlsx")
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, mode="update",
                                 apply=True)
    assert check.ok, check.problems
    assert (check.count("new"), check.count("changed"), check.count("unchanged")) == (0, 0, 4)
    assert done is not None and (done.added, done.updated) == (0, 0)
    with env.db.begin("kj") as s:
        check, _ = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, mode="skip")
    assert check.ok and check.count("skipped") == 4
    with env.db.begin("kj") as s:
        check, _ = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, mode="add")
    assert [(p.row, p.column) for p in check.problems] == [(r, "A列“资产编号”") for r in (4, 5, 6, 7)]
    assert "已登记" in check.problems[0].message


def _edit(path: Path, out: Path, changes: dict[tuple[str, str], Any]) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    headers = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        for (code, header), value in changes.items():
            if row[0].value == code:
                row[headers.index(header)].value = value
    wb.save(out)
    return out


def test_an_update_is_an_audited_edit_and_fixed_fields_are_problems_not_crashes(env: Env, tmp_path: Path) -> None:
    _seeded(env)
    path = _export(env, tmp_path / "assets.xlsx")
    good = _edit(path, tmp_path / "good.xlsx", {("ZC-002", "责任人"): "李四", ("ZC-003", "坐落位置"): "村部二楼"})
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", good, organisation_id=env.org.id, book_id=env.book.id, mode="update",
                                 apply=True)
    assert check.ok, check.problems
    changed = {o.key: [str(c) for c in o.changes] for o in check.outcomes if o.status == "changed"}
    assert changed == {"ZC-002": ["管理责任人：张三 → 李四"], "ZC-003": ["坐落位置：（空） → 村部二楼"]}
    assert done is not None and done.updated == 2
    with env.db.begin("kj") as s:
        audited = s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "update",
                                                           AuditEntry.entity == "asset")).all()
        history = s.scalars(select(AssetHistory.summary).where(AssetHistory.action == "update")).all()
    assert sorted(audited) == ["修改资产 ZC-002 农用拖拉机", "修改资产 ZC-003 =SUM(A1)"]
    assert len(history) == 2
    assert {c[0]: c[17] for c in cards(env)}["ZC-002"] == "李四"

    bad = _edit(path, tmp_path / "bad.xlsx", {("ZC-001", "原值"): D("12000"), ("ZC-001", "年限(月)"): 48,
                                              ("ZC-002", "年限(月)"): 60, ("ZC-003", "类别"): "家具"})
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", bad, organisation_id=env.org.id, book_id=env.book.id, mode="update",
                                 apply=True)
    assert done is None
    got = [(p.row, p.column) for p in check.problems]
    assert got == [(4, "J列“原值”"), (5, "K列“年限(月)”"), (6, "C列“类别”")]
    assert "资产价值调整" in check.problems[0].message and "已计提折旧" in check.problems[1].message
    assert "房屋及建筑物" in check.problems[2].message
    assert {c[0]: c[11] for c in cards(env)}["ZC-002"] == 120  # nothing written


def test_cells_as_people_write_them_and_every_problem_at_once(env: Env, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["东湖村资产清册"])
    ws.append(["编号", "名称", "资产分类", "性质", "数量", "建筑面积", "购置日期", "原值（元）", "折旧月数", "净残值率", "扶贫"])
    ws.append(["A-1", "仓库", "房屋及建筑物", "经营性", "1栋", "120㎡", "2020年5月1日", "1,200元", "240个月", "5%", "是"])
    ws.append(["A-2", "水泵", "机器设备", "经营性", 2, None, "2020.13.1", "1.2万元", 60, None, None])
    ws.append(["A-3", "电脑", "电脑", "非经营性", "两台", None, "2021-01-01", -5, 36, None, "也许"])
    ws.append(["合计", None, None, None, None, None, None, 1200, None, None, None])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert done is None
    got = [(p.row, p.column) for p in check.problems]
    assert (4, "G列“购置日期”") in got and (5, "E列“数量”") in got and (5, "K列“扶贫”") in got
    assert all(p.row in (4, 5) for p in check.problems)
    fixed = tmp_path / "fixed.xlsx"
    ws.delete_rows(4, 2)
    wb.save(fixed)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", fixed, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert check.ok, check.problems
    assert [s.reason for s in check.skipped] == ["标题行", "合计行"]
    got_cards = {c[0]: c for c in cards(env)}
    a1 = got_cards["A-1"]
    assert (a1[7], a1[10], a1[11], a1[12], a1[18]) == (D("120.0000"), D("1200.00"), 240, D("5.0000"), True)


def test_the_template_with_its_example_rows_imports_cleanly(env: Env, tmp_path: Path) -> None:
    path = write_template("assets", tmp_path / "t.xlsx", examples=True)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert check.ok, check.problems
    assert done is not None and done.added == 2
    got = cards(env)
    assert [(c[0], c[10], c[7], c[14]) for c in got] == [("ZC-001", D("1200000.00"), D("520.0000"), D("150000.00")),
                                                         ("ZC-002", D("86000.00"), None, D("0.00"))]
    assert got[0][22] == "苏(2020)江宁区不动产权第0001号" and got[1][18] is True


def test_every_kind_has_an_example_value_for_each_column() -> None:
    from desktop_app.excel.importers import importer

    for kind in ("assets", "resources", "projects"):
        imp = importer(kind)
        spec = imp.spec(None, None)
        assert imp.template_rows() and all(len(r) == len(spec.fields) for r in imp.template_rows()), kind


def test_a_life_in_years_is_the_cards_months(env: Env, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["资产编号", "资产名称", "类别", "性质", "购置日期", "原价", "使用年限"])
    ws.append(["Y-1", "水塔", "房屋及建筑物", "公益性", "2019-06-01", 50000, "20年"])
    ws.append(["Y-2", "喷灌机", "机器设备", "经营性", "2019-06-01", 8000, 2.5])
    ws.append(["Y-3", "电脑", "办公设备", "非经营性", "2019-06-01", 5000, 2.05])
    path = tmp_path / "years.xlsx"
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert [(p.row, p.column) for p in check.problems] == [(4, "G列“使用年限”")] and done is None
    ws.delete_rows(4)
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert check.ok, check.problems
    assert [(c[0], c[11]) for c in cards(env)] == [("Y-1", 240), ("Y-2", 30)]


def test_cards_whose_first_months_are_charged_start_later_and_the_check_says_so(env: Env, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["资产编号", "资产名称", "类别", "性质", "取得日期", "原值", "预计使用月数"])
    ws.append(["L-1", "水泵", "机器设备", "经营性", "2026-01-10", 6000, 60])  # by the rules from 2026-02
    ws.append(["L-2", "晒场", "房屋及建筑物", "经营性", "2026-05-01", 90000, 240])  # from 2026-06: not yet charged
    ws.append(["L-3", "水塔", "房屋及建筑物", "公益性", "2019-06-01", 50000, 240])  # taken over: the book's 2026-01
    path = tmp_path / "late.xlsx"
    wb.save(path)
    with env.db.begin("kj") as s:  # nothing charged yet: every card starts as the rules say, no note
        check, _ = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id)
    assert check.ok and not [n for n in check.notes if "计提折旧" in n]
    env.asset("ZC-001")
    with env.db.begin("kj") as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-03", user=env.user)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "assets", path, organisation_id=env.org.id, book_id=env.book.id, apply=True)
    assert check.ok, check.problems
    assert ("第2、4行的 2 项资产：账套已计提折旧或结账至2026年3月，这些资产自2026年4月起计提折旧；"
            "此前应提的折旧请填入“期初累计折旧”") in check.notes
    assert done is not None and done.added == 3
    with env.db.begin("kj") as s:
        starts = {code: first for code, first in s.execute(select(Asset.code, Asset.first_period))}
    assert starts == {"ZC-001": "2026-02", "L-1": "2026-04", "L-2": "2026-06", "L-3": "2026-04"}
