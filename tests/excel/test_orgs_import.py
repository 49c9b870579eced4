"""The 组织与账套 import (issue #15, kind "orgs"): a county's list of villages as people keep it, the
forms' rules on every code (all problems at once, by row and column, nothing written), the modes,
and the template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from db.engine import Database
from desktop_app.core.errors import UserError
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.org_setup import setup_organisation
from desktop_app.core.services.orgs import list_books, list_organisations, list_regions
from desktop_app.excel.importers import importer, run_import, write_template
from tests.acting import keeper

XINHUA = make_uscc("N2320115MF0000012")
DONGSHAN = make_uscc("N2320115MF0000013")
NANHU = make_uscc("N2320115MF0000014")
TEAM = make_uscc("N1320115MF0000015")


def _sheet(path: Path, rows: list[list[Any]], *, title: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append(["江宁区阳光街道集体经济组织名录"])
        ws.merge_cells("A1:H1")
        ws.append(["填报单位：阳光街道农经站"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def _kj(db: Database) -> None:
    """The 记账员 the imports act as (the check tries the rows as the transaction's user)."""
    with db.begin() as s:
        keeper(s)


HEAD = ["序号", "单位名称", "信用代码", "区划代码", "级别", "负责人", "电话", "会计制度"]


def _orgs(db: Database) -> dict[str, Any]:
    with db.read() as s:
        return {o.uscc: o for o in list_organisations(s)}


def _books(db: Database) -> list[tuple[str, str, str, str]]:
    with db.read() as s:
        names = {o.id: o.name for o in list_organisations(s)}
        return sorted((names[b.organisation_id], b.name, b.kind, b.chart_version) for b in list_books(s))


def test_a_village_list_as_kept_by_hand_starts_an_empty_database(db: Database, tmp_path: Path) -> None:
    assert importer("orgs").needs_org is False
    path = _sheet(tmp_path / "名录.xlsx", [
        HEAD,
        [1, "新华村股份经济合作社", XINHUA, 320115106201, "村级", "王建国", 13900000000, "2023版"],
        [2, "东山村经济合作社", DONGSHAN.lower(), "３２０１１５１０６２０２", None, "李四", None, None],  # level from N2
        [3, "新华村第一村民小组经济合作社", TEAM, "320115106201", "组", None, None, 2004],
        ["合计", "3个", None, None, None, None, None, None],
        ["制表人：张三"],
    ])
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, apply=True, user=keeper(s))
    assert check.ok, check.problems
    assert done is not None and done.added == 3
    assert (check.layout.header_row, check.count("new")) == (3, 3)
    assert {r.reason for r in check.skipped} >= {"标题行", "合计行", "说明行"}
    orgs = _orgs(db)
    assert orgs[XINHUA].level == "村" and orgs[XINHUA].phone == "13900000000" and orgs[XINHUA].legal_rep == "王建国"
    assert orgs[DONGSHAN].level == "村" and orgs[DONGSHAN].region_code == "320115106202"
    assert orgs[TEAM].level == "组" and orgs[TEAM].region_code == "320115106201"
    assert orgs[XINHUA].region_name == "新华村"  # the missing 区划 registered under the organisation's name
    # no 账套名称 column: each organisation gets one book named after it, its kind from the name
    assert _books(db) == [
        ("东山村经济合作社", "东山村经济合作社", "经济合作社", "2023"),
        ("新华村第一村民小组经济合作社", "新华村第一村民小组经济合作社", "经济合作社", "2004"),
        ("新华村股份经济合作社", "新华村股份经济合作社", "股份经济合作社", "2023"),
    ]


def test_every_bad_cell_is_named_at_once_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    bad_check = XINHUA[:-1] + ("0" if XINHUA[-1] != "0" else "1")
    path = _sheet(tmp_path / "名录.xlsx", [
        [*HEAD, "启用期间"],
        [1, "新华村股份经济合作社", bad_check, "320115106201", "村", None, None, None, "2026-01"],
        [2, "东山村股份经济合作社", DONGSHAN, "32011510620", "村", None, None, None, "2026-01"],
        [3, "南湖村股份经济合作社", NANHU, "320115106203", "县", None, None, "2010", "2026年13月"],
        [4, "南湖村二组", TEAM, "320115106000", "组", None, None, None, "2026-01"],
        [5, "", make_uscc("N2320115MF0000016"), "320115106204", "村", None, None, None, "2026-01"],
        [6, "老账套", make_uscc("N2320115MF0000017"), "320115106205", "村", None, None, "2023", "2020-01"],
    ], title=False)
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, apply=True, user=keeper(s))
    assert done is None and not check.ok
    said = [str(p) for p in check.problems]
    assert any(p.startswith("第2行C列“信用代码”：统一社会信用代码校验位错误") for p in said), said
    assert any(p.startswith("第3行D列“区划代码”：区划代码应为12位数字") for p in said), said
    assert any(p.startswith("第4行E列“级别”：层级“县”无法识别") for p in said), said
    assert any(p.startswith("第4行H列“会计制度”：会计制度“2010”无法识别") for p in said), said
    assert any(p.startswith("第4行I列“启用期间”") for p in said), said
    assert any(p.startswith("第5行D列“区划代码”：组级组织应属于村级区划") for p in said), said
    assert any(p.startswith("第6行B列“单位名称”") for p in said), said
    assert any(p.startswith("第7行I列“启用期间”：2023版会计制度自2024年1月1日起施行") for p in said), said
    with db.read() as s:
        assert list_organisations(s) == [] and list_books(s) == [] and list_regions(s) == []
    with pytest.raises(UserError, match="未写入任何数据"), db.begin("kj") as s:
        importer("orgs").apply(s, check, organisation_id=None, book_id=None, user=keeper(s))  # type: ignore[arg-type]


def _registered(db: Database) -> None:
    with db.begin("kj") as s:
        setup_organisation(s, name="新华村股份经济合作社", uscc=XINHUA, region_code="320115106201", legal_rep="王建国",
                           phone="13900000000", start_period="2026-01", user=keeper(s))


def test_modes_add_skip_update_with_field_by_field_changes(db: Database, tmp_path: Path) -> None:
    _registered(db)
    head = ["组织名称", "统一社会信用代码", "行政区划代码", "法定代表人", "联系电话", "地址", "账套名称", "会计制度", "启用期间"]
    path = _sheet(tmp_path / "更新.xlsx", [
        head,
        ["新华村股份经济合作社", XINHUA, "320115106201", "王国强", None, "新华村1号", "新华村股份经济合作社", "2023", "2026-01"],
        [None, XINHUA, None, None, None, None, "新华村民委员会", "2004", "2020-01"],  # a second book: the org's cells blank
        ["东山村股份经济合作社", DONGSHAN, "320115106202", None, None, None, "东山村股份经济合作社", None, "2026-01"],
    ], title=False)
    with db.begin("kj") as s:
        check, _ = run_import(s, "orgs", path, organisation_id=None, mode="add", user=keeper(s))
    assert [str(p) for p in check.problems] == [
        f"第2行B列“统一社会信用代码”：{XINHUA}（新华村股份经济合作社）已登记。要修改已有组织请选择“更新已有”，要略过请选择“跳过已有”"]

    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, mode="skip", apply=True, user=keeper(s))
    assert check.ok and done is not None and (done.added, done.updated, done.left) == (1, 0, 1)
    assert check.count("skipped") == 1
    assert _orgs(db)[XINHUA].legal_rep == "王建国"

    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, mode="update", apply=True, user=keeper(s))
    assert check.ok, check.problems
    changed = next(o for o in check.outcomes if o.key == XINHUA)
    assert changed.status == "changed"
    assert [str(c) for c in changed.changes] == ["法定代表人：王建国 → 王国强", "地址：（空） → 新华村1号",
                                                 "账套：（空） → 新华村民委员会（2004版，2020-01启用）"]
    assert next(o for o in check.outcomes if o.key == DONGSHAN).status == "unchanged"
    org = _orgs(db)[XINHUA]
    assert (org.legal_rep, org.address, org.phone) == ("王国强", "新华村1号", "13900000000")  # blank phone kept
    assert ("新华村股份经济合作社", "新华村民委员会", "股份经济合作社", "2004") in _books(db)
    with db.read() as s:
        from sqlalchemy import text
        summaries = [r[0] for r in s.execute(text("SELECT summary FROM audit_entry ORDER BY n"))]
    assert "修改组织 新华村股份经济合作社" in summaries  # audited like the form's edit

    # once more: nothing left to change
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, mode="update", apply=True, user=keeper(s))
    assert check.ok and done is not None and (done.added, done.updated) == (0, 0)


def test_update_refuses_another_chart_for_a_book_it_has_and_clashing_repeated_cells(db: Database,
                                                                                      tmp_path: Path) -> None:
    _registered(db)
    path = _sheet(tmp_path / "更新.xlsx", [
        ["组织名称", "统一社会信用代码", "行政区划代码", "账套名称", "会计制度"],
        ["新华村股份经济合作社", XINHUA, "320115106201", "新华村股份经济合作社", "2004"],
        ["新华村经济合作社", XINHUA, None, "新华村二账", "2023"],
        ["新华村经济合作社", XINHUA, None, "新华村二账", "2023"],
    ], title=False)
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, mode="update", apply=True, user=keeper(s))
    assert done is None
    said = [str(p) for p in check.problems]
    assert said[0].startswith("第2行E列“会计制度”：账套“新华村股份经济合作社”已有，会计制度为 2023，不能改为 2004")
    assert said[1].startswith("第3行A列“组织名称”：与第2行（同一统一社会信用代码")
    assert any(p.startswith("第4行D列“账套名称”：账套“新华村二账”与第3行重复") for p in said), said
    assert len(_books(db)) == 1


def test_the_template_imports_as_it_is(db: Database, tmp_path: Path) -> None:
    path = write_template("orgs", tmp_path / "模板.xlsx", examples=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["组织与账套", "填写说明"]
    with db.begin("kj") as s:
        check, done = run_import(s, "orgs", path, organisation_id=None, apply=True, user=keeper(s))
    assert check.ok, check.problems
    assert done is not None and done.added == 1
    with db.read() as s:
        (org,) = list_organisations(s)
        assert (org.name, org.township_name) == ("新华村股份经济合作社", "阳光街道")
        assert [(b.name, b.chart_version, b.start_period) for b in list_books(s)] == [
            ("新华村股份经济合作社", "2023", "2026-01")]
