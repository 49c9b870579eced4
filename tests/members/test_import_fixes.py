"""Issue #15 review: a single 股数 column in 更新已有, 状态 and 迁出/死亡日期, 组别 as the household's,
a 户号 Excel turned into a number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from db.models import AuditEntry, MembershipEvent
from desktop_app.core.services.members import list_households, list_members, record_membership_event
from desktop_app.core.services.shares import list_holdings

from .conftest import Village, make_village
from .test_import_village import _book, _check, _export, _ric


def _people(v: Village) -> dict[str, Any]:
    with v.db.begin() as s:
        return {m.name: m for m in list_members(s, v.org.id)}


def _shares(v: Village) -> dict[str, tuple[D, ...]]:
    with v.db.begin() as s:
        return {h.name: tuple(c for _, c in h.by_type) for h in list_holdings(s, v.org.id, include_zero=True)}


# --- 2. one 股数 column, two share types ----------------------------------------------------------


def test_a_single_shares_column_is_the_members_total_in_update(village: Village, tmp_path: Path) -> None:
    """王海军 holds 人口股 1 + 农龄股 1: "2股" is no change; 张建国 holds 1 + 0.5: "2股" cannot say which
    type changed, a problem at its row; a new member's count is still the first type's."""
    v = village
    p = _people(v)
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "与户主关系", "股数"],
                                       ["002", "王海军", p["王海军"].ric, "户主", "2股"],
                                       ["001", "张建国", p["张建国"].ric, "户主", "2股"],
                                       ["002", "王小二", _ric(31), "子", 1]])
    check = _check(v, path, "update")
    assert [(pr.row, pr.column) for pr in check.problems] == [(3, "E列“股数”")]
    msg = check.problems[0].message
    assert "无法判断是哪一类股份变动" in msg and "人口股、农龄股" in msg and "1.5" in msg
    assert {o.name: o.status for o in check.outcomes} == {"王海军": "unchanged", "王小二": "new"}
    before = _shares(v)
    # without 张建国's row: 王海军 unchanged (total 2 = 2), the new member gets 人口股 1
    path = _book(tmp_path / "m2.xlsx", [["户号", "姓名", "身份证号", "与户主关系", "股数"],
                                        ["002", "王海军", p["王海军"].ric, "户主", "2股"],
                                        ["002", "王小二", _ric(31), "子", 1]])
    check = _check(v, path, "update", apply=True)
    assert check.ok and (check.count("unchanged"), check.count("new")) == (1, 1)
    after = _shares(v)
    assert after["王海军"] == before["王海军"] == (D(1), D(1))
    assert after["王小二"][0] == D(1) and sum(after["王小二"]) == D(1)


def test_a_single_shares_column_mapped_to_a_type_is_that_type(village: Village, tmp_path: Path) -> None:
    v = village
    p = _people(v)
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "与户主关系", "股数"],
                                       ["001", "张建国", p["张建国"].ric, "户主", "2股"]])
    check = _check(v, path, "update", mapping={"股数": "share:农龄股"}, apply=True)
    assert check.ok, [str(x) for x in check.problems]
    assert [str(c) for o in check.outcomes for c in o.changes] == ["农龄股：0.5 → 2"]
    assert _shares(v)["张建国"] == (D(1), D(2))


# --- 3. 状态 and 迁出/死亡日期 --------------------------------------------------------------------------


def _leave(v: Village) -> None:
    with v.db.begin("test") as s:
        record_membership_event(s, v.members["刘德明"], kind="死亡", event_date=date(2026, 3, 1), basis="死亡证明",
                                user=v.user)
        record_membership_event(s, v.members["赵红梅"], kind="迁出", event_date=date(2026, 4, 1), basis="户口迁出证明",
                                user=v.user)


def _statuses(v: Village) -> dict[str, tuple[str, date | None]]:
    return {n: (m.status, m.left_on) for n, m in _people(v).items()}


def test_an_export_with_the_dead_and_moved_out_goes_into_a_fresh_organisation_with_them(
        village: Village, tmp_path: Path) -> None:
    _leave(village)
    path = _export(village, tmp_path / "export.xlsx")
    fresh = make_village(tmp_path / "fresh.db")
    try:
        check = _check(fresh, path, apply=True)
        assert check.ok, [str(x) for x in check.problems]
        assert _statuses(fresh) == _statuses(village)
        assert _statuses(fresh)["刘德明"] == ("死亡", date(2026, 3, 1))
        with fresh.db.begin() as s:
            events = sorted(s.execute(select(MembershipEvent.kind, MembershipEvent.event_date)).all())
        assert events == [("死亡", date(2026, 3, 1)), ("迁出", date(2026, 4, 1))]
    finally:
        fresh.db.close()
    # and back into the same organisation: nothing
    check = _check(village, path, "update")
    assert check.ok and check.count("unchanged") == 6


def test_a_status_change_is_not_done_by_import(village: Village, tmp_path: Path) -> None:
    v = village
    _leave(v)
    path = _export(v, tmp_path / "export.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    head = {c.value: c.column for c in ws[3]}
    rows = {ws.cell(r, head["姓名"]).value: r for r in range(4, ws.max_row + 1)}
    ws.cell(rows["张小明"], head["状态"]).value = "死亡"
    ws.cell(rows["张小明"], head["迁出/死亡日期"]).value = date(2026, 5, 1)
    ws.cell(rows["刘德明"], head["状态"]).value = "在册"
    wb.save(path)
    check = _check(v, path, "update", apply=True)
    got = {(pr.row, pr.column.split("列")[1]) for pr in check.problems}
    assert got == {(rows["张小明"], "“状态”"), (rows["刘德明"], "“状态”")}
    assert all("请在成员页办理" in pr.message for pr in check.problems)
    assert _statuses(v)["张小明"] == ("在册", None)


def test_a_new_member_who_left_needs_the_date(empty_village: Village, tmp_path: Path) -> None:
    v = empty_village
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "与户主关系", "状态", "迁出/死亡日期"],
                                       ["001", "孙大伟", _ric(1), "户主", "在册", None],
                                       ["001", "钱秀兰", _ric(2), "配偶", "死亡", None],
                                       ["001", "孙小龙", _ric(3), "子", "失踪", None],
                                       ["001", "孙小虎", _ric(4), "子", "迁出", "2026年2月1日"]])
    check = _check(v, path, apply=True)
    assert [(pr.row, pr.column) for pr in check.problems] == [(3, "F列“迁出/死亡日期”"), (4, "E列“状态”")]
    assert "须填写迁出/死亡日期" in check.problems[0].message and "失踪" in check.problems[1].message
    assert _people(v) == {}


# --- 5. 组别 is the household's -----------------------------------------------------------------------


def test_a_households_group_is_one_change(village: Village, tmp_path: Path) -> None:
    v = village
    p = _people(v)
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "组别", "与户主关系"],
                                       ["001", "张建国", p["张建国"].ric, "第三组", "户主"],
                                       ["001", "李秀英", p["李秀英"].ric, "第三组", "配偶"],
                                       ["001", "张小明", p["张小明"].ric, "第三组", "子"],
                                       ["002", "王海军", p["王海军"].ric, "第一组", "户主"]])
    check = _check(v, path, "update", apply=True)
    assert check.ok
    changed = [(o.row, o.name, [str(c) for c in o.changes]) for o in check.outcomes if o.status == "changed"]
    assert changed == [(2, "户 001", ["组别：第一组 → 第三组（3人）"])]
    with v.db.begin() as s:
        assert {h.number: h.group_name for h in list_households(s, v.org.id)}["001"] == "第三组"
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.entity == "household",
                                                      AuditEntry.action == "update")).all()) == 1


def test_rows_of_one_household_naming_two_groups_are_named(village: Village, tmp_path: Path) -> None:
    v = village
    p = _people(v)
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "组别", "与户主关系"],
                                       ["001", "张建国", p["张建国"].ric, "第三组", "户主"],
                                       ["001", "李秀英", p["李秀英"].ric, "第二组", "配偶"],
                                       ["001", "张小明", p["张小明"].ric, "第三组", "子"]])
    check = _check(v, path, "update", apply=True)
    assert [(pr.row, pr.column) for pr in check.problems] == [(2, "D列“组别”"), (3, "D列“组别”"), (4, "D列“组别”")]
    assert "第2、4行为“第三组”" in check.problems[0].message and "第3行为“第二组”" in check.problems[0].message
    with v.db.begin() as s:
        assert {h.number: h.group_name for h in list_households(s, v.org.id)}["001"] == "第一组"


# --- 10. a 户号 stored as a number --------------------------------------------------------------------


def test_a_household_number_excel_made_a_number_is_padded(village: Village, tmp_path: Path) -> None:
    v = village
    p = _people(v)
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "与户主关系"],
                                       [2, "王海军", p["王海军"].ric, "户主"],
                                       [2, "王小二", _ric(31), "子"],
                                       [7, "吴一", _ric(32), "户主"]])
    check = _check(v, path, "update", apply=True)
    assert check.ok, [str(x) for x in check.problems]
    assert not any("户号与文件不同" in n for n in check.notes)
    people = _people(v)
    assert (people["王小二"].household_number, people["吴一"].household_number) == ("002", "007")
