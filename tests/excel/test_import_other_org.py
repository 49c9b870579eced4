"""A file whose title names another organisation is refused (reviewer, issue #15): 东湖村's export
imported into 杨柳村 in 更新已有 rewrote 杨柳村's parcels with 东湖村's. Real SQLite, real xlsx."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from desktop_app.core.ids import make_uscc
from desktop_app.core.services.orgs import create_book, create_organisation, create_region
from desktop_app.excel.importers import run_import
from tests.members.conftest import make_village

DONGHU = "N2320115MF00000121"  # make_village's 东湖村


def _file(path: Path, title: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["地块编号", "地块名称", "地类", "面积（亩）", "经营状态"])
    ws.append(["DK-9", "南塘", "耕地", "3.5亩", "未利用"])
    wb.save(path)
    return path


def test_a_title_naming_another_organisation_is_refused_and_its_own_is_not(tmp_path: Path) -> None:
    v = make_village(tmp_path / "v.db")
    yangliu_uscc = make_uscc("N2320115MF0000022")
    with v.db.begin("kj") as s:
        create_region(s, code="320115106202", name="杨柳村村民委员会", user=v.user)
        yangliu = create_organisation(s, name="杨柳村股份经济合作社", level="村", uscc=yangliu_uscc,
                                      region_code="320115106202", user=v.user)
        create_book(s, organisation_id=yangliu.id, name="杨柳村股份经济合作社", kind="股份经济合作社",
                    start_period="2026-01", chart_version="2023", user=v.user)
    donghu_file = _file(tmp_path / "dh.xlsx", f"资源台账　编制单位：东湖村股份经济合作社（{DONGHU}）")
    with v.db.begin("kj") as s:
        check, done = run_import(s, "resources", donghu_file, organisation_id=yangliu.id, mode="update", apply=True)
    assert done is None and [str(p) for p in check.problems] == [
        f"第1行：文件标题写的是“东湖村股份经济合作社（{DONGHU}）”的数据，与所选组织“杨柳村股份经济合作社”不同："
        "请确认选对了组织和文件。如确要以此更新本组织，请删去或改正文件中的这一行"]
    by_name = _file(tmp_path / "name.xlsx", "东湖村股份经济合作社资源台账")  # the name alone, no code
    with v.db.begin("kj") as s:
        check, done = run_import(s, "resources", by_name, organisation_id=yangliu.id, mode="update", apply=True)
    assert done is None and "东湖村股份经济合作社" in check.problems[0].message
    with v.db.begin("kj") as s:  # adding (a village's registers moving here) is allowed, and said first
        check, done = run_import(s, "resources", donghu_file, organisation_id=yangliu.id, mode="add")
    assert check.ok and check.notes[0].startswith("注意：第1行：文件标题写的是“东湖村股份经济合作社"), check.notes
    with v.db.begin("kj") as s:  # into its own organisation the same file imports
        check, done = run_import(s, "resources", donghu_file, organisation_id=v.org.id, apply=True)
    assert check.ok and done is not None and done.added == 1, check.problems
    plain = _file(tmp_path / "plain.xlsx", "资源地块登记表")  # a title naming nobody: nothing to compare
    with v.db.begin("kj") as s:
        check, _ = run_import(s, "resources", plain, organisation_id=yangliu.id)
    assert check.ok, check.problems
