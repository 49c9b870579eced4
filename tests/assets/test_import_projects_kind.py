"""集体经济项目 through the import pipeline (issue #15): the 项目台账 export (CLI) has every fact of a
project in its own column and imports into a fresh organisation as the same projects (funding,
stage dates, tender, final account) and into its own in 更新已有 as 0 new, 0 changed; an edit is
audited; the form's rules (a status needs its date, a tender its four facts) are problems naming
row and column; the PDF keeps its columns; the template's example rows import cleanly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from db.models import AuditEntry
from desktop_app.core.services.projects import SOURCES, create_project, list_projects
from desktop_app.excel.import_projects import SOURCES as IMPORT_SOURCES
from desktop_app.excel.importers import run_import, write_template
from desktop_app.reports import assets_sheets as sheets
from tests.assets.conftest import Env

FIELDS = ("code", "name", "kind", "status", "applied_on", "started_on", "completed_on", "operating_on",
          "terminated_on", "notes", "funding", "investment", "budget", "tender_method", "tender_winner",
          "tender_amount", "tender_on", "final_amount", "final_on")


def projects(e: Env) -> list[tuple[Any, ...]]:
    with e.db.begin("kj") as s:
        return [tuple(getattr(p, f) for f in FIELDS) for p in list_projects(s, e.org.id)]


pytestmark = pytest.mark.usefixtures("cli_password")


def _seeded(env: Env) -> None:
    with env.db.begin("kj") as s:
        create_project(s, organisation_id=env.org.id, code="XM-01", name="合作社光伏发电项目", kind="光伏", status="运营",
                       applied_on=date(2023, 3, 1), started_on=date(2023, 5, 10), completed_on=date(2023, 9, 30),
                       operating_on=date(2023, 10, 1), notes="屋顶分布式",
                       funding={"区级扶持资金": D("300000.00"), "自筹": D("50000.55")}, user=env.user)
        create_project(s, organisation_id=env.org.id, code="XM-02", name="村内主干道硬化工程", kind="其他", status="建成",
                       started_on=date(2026, 3, 1), completed_on=date(2026, 8, 1), budget=D("800000"),
                       tender_method="公开招标", tender_winner="江宁路桥工程有限公司", tender_amount=D("798500.00"),
                       tender_on=date(2026, 2, 10), final_amount=D("801234.56"), final_on=date(2026, 9, 1),
                       funding={"中央扶持资金": D("500000"), "省级扶持资金": D("300000")}, user=env.user)
        create_project(s, organisation_id=env.org.id, code="XM-03", name="蔬菜大棚", kind="农业设施", status="终止",
                       terminated_on=date(2025, 12, 31), user=env.user)


def _export(env: Env, path: Path) -> Path:
    from desktop_app.cli import main

    assert main(["--user", "kj", "export", "projects", "--org", env.org.uscc, "--period", "2026", "--out",
                 str(path), "--db", str(env.db.path)]) == 0
    return path


def test_the_kind_knows_every_funding_source() -> None:
    assert IMPORT_SOURCES == SOURCES


def test_the_register_export_imports_into_a_fresh_organisation_as_the_same_projects(env: Env, fresh: Env,
                                                                                    tmp_path: Path) -> None:
    _seeded(env)
    path = _export(env, tmp_path / "projects.xlsx")
    with fresh.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=fresh.org.id, mode="add", apply=True)
    assert check.ok, check.problems
    assert done is not None and done.added == 3
    assert {"标题行", "合计行", "说明行"} <= {r.reason for r in check.skipped}
    assert {h for _, h in check.layout.unused()} == {"总投资", "形成资产", "2026年收益", "收益率%"}  # 形成资产编号 read
    assert projects(fresh) == projects(env)
    with fresh.db.begin("kj") as s:
        check, _ = run_import(s, "projects", _export(fresh, tmp_path / "again.xlsx"), organisation_id=fresh.org.id,
                              mode="update")
    assert check.ok and (check.count("new"), check.count("changed"), check.count("unchanged")) == (0, 0, 3)


def test_the_export_into_its_own_organisation_in_update_mode_changes_nothing(env: Env, tmp_path: Path) -> None:
    _seeded(env)
    path = _export(env, tmp_path / "projects.xlsx")
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, mode="update", apply=True)
    assert check.ok, check.problems
    assert (check.count("new"), check.count("changed"), check.count("unchanged")) == (0, 0, 3)
    assert done is not None and done.updated == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    headers = [c.value for c in ws[3]]

    def cell(row: int, header: str) -> Any:
        return ws.cell(row, headers.index(header) + 1)

    cell(4, "区级扶持").value = "320,000元"
    cell(4, "备注").value = "屋顶分布式，二期"
    cell(6, "状态").value = "运营"  # XM-03 has no 运营日期
    cell(5, "招标方式").value = None  # XM-02: a tender without its method
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", bad, organisation_id=env.org.id, mode="update", apply=True)
    assert done is not None or not check.ok
    # a blank cell in 更新已有 keeps the registered value: XM-02's 招标方式 is not a problem
    assert [(p.row, p.column) for p in check.problems] == [(6, "H列“运营日期”")]
    assert "运营日期" in check.problems[0].message
    cell(6, "状态").value = "终止"
    wb.save(bad)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", bad, organisation_id=env.org.id, mode="update", apply=True)
    assert check.ok, check.problems
    assert [[str(c) for c in o.changes] for o in check.outcomes if o.changes] == [
        ["区级扶持资金：300000 → 320000", "备注：屋顶分布式 → 屋顶分布式，二期"]]
    got = {p[0]: p for p in projects(env)}
    assert got["XM-01"][10] == (("区级扶持资金", D("320000.00")), ("自筹", D("50000.55")))
    assert got["XM-01"][9] == "屋顶分布式，二期"
    with env.db.begin("kj") as s:
        audited = s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "update",
                                                             AuditEntry.entity == "project")).all()
    assert audited == ["修改项目 XM-01 合作社光伏发电项目"]


def test_rules_of_the_form_as_problems_all_at_once(env: Env, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号", "项目名称", "类型", "状态", "开工日期", "区级扶持", "自筹资金", "中标单位", "预算"])
    ws.append(["P1", "厂房", "厂房", "在建", "2026年3月1日", "1.2万元", "3,000", None, "100000"])
    ws.append(["P2", "光伏", "光伏", "在建", None, None, None, None, None])
    ws.append(["P3", "物业", "物业经济", "申报", None, "-5", None, None, None])
    ws.append(["P4", "民宿", "民宿", "申报", None, "abc", None, None, None])
    ws.append(["P5", "仓库（二期）", "厂房", "申报", None, None, None, "某公司", None])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, apply=True)
    assert done is None
    assert [(p.row, p.column) for p in check.problems] == [(3, "E列“开工日期”"), (4, "F列“区级扶持”"),
                                                           (5, "F列“区级扶持”"), (6, "“招标方式”")]
    assert "请同时填写招标方式" in check.problems[3].message
    with env.db.begin("kj") as s:
        assert list_projects(s, env.org.id) == []  # nothing written, the savepoints left nothing behind
    ws.delete_rows(3, 4)
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, apply=True)
    assert check.ok, check.problems
    p1 = projects(env)[0]
    assert p1[10] == (("区级扶持资金", D("12000.00")), ("自筹", D("3000.00"))) and p1[12] == D("100000.00")


def test_the_pdf_keeps_its_columns(env: Env) -> None:
    _seeded(env)
    with env.db.begin("kj") as s:
        sheet = sheets.project_list(s, env.org.id, 2026)
    printed = sheets.on_medium(sheet, "pdf")
    assert "中标单位及金额" in [c.header for c in printed.columns]
    assert "招标日期" not in [c.header for c in printed.columns]
    filed = sheets.on_medium(sheet, "xlsx")
    assert "中标单位及金额" not in [c.header for c in filed.columns] and "招标日期" in [c.header for c in filed.columns]
    assert len(filed.totals or ()) == len(filed.columns)


def test_the_template_with_its_example_rows_imports_cleanly(env: Env, tmp_path: Path) -> None:
    path = write_template("projects", tmp_path / "t.xlsx", examples=True)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, apply=True)
    assert check.ok, check.problems
    assert done is not None and done.added == 2
    got = projects(env)
    assert [(p[0], p[3], p[11]) for p in got] == [("XM-001", "运营", D("350000.00")), ("XM-002", "在建", D("800000.00"))]
    assert got[1][13:17] == ("公开招标", "江宁路桥工程有限公司", D("798500.00"), date(2026, 2, 10))


def _rows(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    head = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == "项目编号")
    return list(ws.iter_rows(min_row=head, values_only=True))


def test_the_assets_a_project_formed_stay_linked_in_a_fresh_organisation(env: Env, fresh: Env, tmp_path: Path) -> None:
    """Reviewer defect 6: 形成资产 1 → 0 — the link is on the asset card and neither register carried
    it. The 项目台账 now lists the cards' 资产编号 (形成资产编号); imported after the 资产台账 the
    project links them again (through update_asset), before it the preview says which to import first."""
    from desktop_app.cli import main
    from desktop_app.core.services.assets import list_assets

    _seeded(env)
    with env.db.begin("kj") as s:
        solar = next(p for p in list_projects(s, env.org.id) if p.code == "XM-01")
    env.asset("ZC-01", name="光伏组件", category="机器设备", nature="经营性", project_id=solar.id)
    env.asset("ZC-02", name="逆变器", category="机器设备", nature="经营性", project_id=solar.id)
    env.asset("ZC-03")  # formed by no project
    assets = tmp_path / "assets.xlsx"
    assert main(["--user", "kj", "export", "assets", "--org", env.org.uscc, "--out", str(assets), "--db",
                 str(env.db.path)]) == 0
    path = _export(env, tmp_path / "projects.xlsx")
    head = _rows(path)[0]
    assert [r[head.index("形成资产编号")] for r in _rows(path)[1:4]] == ["ZC-01、ZC-02", None, None]

    with fresh.db.begin("kj") as s:  # the projects first: no card to link, nothing written
        check, done = run_import(s, "projects", path, organisation_id=fresh.org.id, mode="add", apply=True)
    assert done is None and len(check.problems) == 1, check.problems
    assert "形成资产编号" in str(check.problems[0]) and "本组织没有资产编号为 ZC-01、ZC-02 的资产" in str(check.problems[0])
    assert "请先导入资产台账" in str(check.problems[0])
    assert projects(fresh) == []

    with fresh.db.begin("kj") as s:
        check, done = run_import(s, "assets", assets, organisation_id=fresh.org.id, book_id=fresh.book.id,
                                 mode="add", apply=True)
        assert done is not None and done.added == 3, check.problems
        check, done = run_import(s, "projects", path, organisation_id=fresh.org.id, mode="add", apply=True)
        assert done is not None and done.added == 3, check.problems
        counts = {p.code: p.asset_count for p in list_projects(s, fresh.org.id)}
        linked = {a.code: a.project_id is not None for a in list_assets(s, fresh.org.id)}
    assert counts == {"XM-01": 2, "XM-02": 0, "XM-03": 0}
    assert linked == {"ZC-01": True, "ZC-02": True, "ZC-03": False}
    assert _rows(_export(fresh, tmp_path / "again.xlsx")) == _rows(path)

    with env.db.begin("kj") as s:  # into its own organisation: nothing to change
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, mode="update", apply=True)
    assert done is not None and (done.added, done.updated, check.count("unchanged")) == (0, 0, 3), check.problems

    wb = openpyxl.load_workbook(path)  # 形成资产编号 edited: ZC-02 leaves XM-01, ZC-03 joins XM-02
    ws = wb.active
    assert ws is not None
    col = head.index("形成资产编号") + 1
    top = next(r for r in range(1, 10) if ws.cell(r, 1).value == "项目编号")
    ws.cell(top + 1, col, "ZC-01")
    ws.cell(top + 2, col, "ZC-03")
    wb.save(path)
    with env.db.begin("kj") as s:
        check, done = run_import(s, "projects", path, organisation_id=env.org.id, mode="update", apply=True)
        assert done is not None and done.updated == 2, check.problems
        assert {o.key: [str(c) for c in o.changes] for o in check.outcomes if o.changes} == {
            "XM-01": ["形成资产编号：ZC-01、ZC-02 → ZC-01"], "XM-02": ["形成资产编号：（空） → ZC-03"]}
        counts = {p.code: p.asset_count for p in list_projects(s, env.org.id)}
    assert counts == {"XM-01": 1, "XM-02": 1, "XM-03": 0}
