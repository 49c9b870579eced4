"""成员名册 through the import pipeline (issue #15): the roster a village really keeps, households
derived without a 户号 column, 仅新增/跳过已有/更新已有, and the export's round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from db.models import AuditEntry, Member, MembershipEvent, ShareEvent
from desktop_app.core.ids import make_ric
from desktop_app.core.services.members import list_households, list_members
from desktop_app.core.services.personal_data import IdRule
from desktop_app.core.services.shares import list_holdings
from desktop_app.excel.importers import ImportCheck, run_import
from desktop_app.excel.members_xlsx import export_members_xlsx

from .conftest import Village, make_village

TODAY = date(2026, 11, 23)


def _ric(i: int, *, x: bool = False) -> str:
    """A valid 身份证号 (one whose check character is X when ``x``)."""
    for seq in range(i % 500, 1000):
        ric = make_ric("320115", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), seq)
        if (ric[-1] == "X") == x:
            return ric
    raise AssertionError("no such number")


def _book(path: Path, rows: list[list[Any]], *, merge: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def _check(v: Village, path: Path, mode: str = "add", *, apply: bool = False, **options: Any) -> ImportCheck:
    with v.db.begin("test") as s:
        options.setdefault("user", v.user)  # the village's 记账员 imports (a user is checked before the file is read)
        check, done = run_import(s, "members", path, organisation_id=v.org.id, mode=mode,  # type: ignore[arg-type]
                                 apply=apply, event_date=date(2026, 11, 1), **options)
        assert (done is not None) == (apply and check.ok)
    return check


HEADER = ["序号", "组别", "户主姓名", "成员姓名", "与户主关系", "身份证号码", "股数", "确认日期", "备注"]


def _village_file(tmp_path: Path) -> Path:
    """As a village keeps it: merged title, 填报单位 line, no 户号, 长子/妻/次女, "1股", full-width
    digits, stray spaces, a Chinese date, a lower-case x, a 合计 row and a 制表人 line."""
    return _book(tmp_path / "花名册.xlsx", [
        ["东湖村股份经济合作社成员花名册"],
        ["填报单位：东湖村股份经济合作社（盖章）", None, None, None, None, "填报日期：2026年3月1日"],
        HEADER,
        [1, "第一组", "孙大伟", "孙大伟", "户主", _ric(1), "1股", "2020年1月1日", ""],
        [2, "第一组", "孙大伟", " 钱 秀兰 ", "妻", _ric(2), "１", "2020.1.1", None],
        [3, "第一组", "孙大伟", "孙小龙", "长子", _ric(3, x=True).lower(), " 1.5 股", None, "在外务工"],
        [4, "第二组", "周正", "周正", "户主", _ric(4), 1, "2020-01-01", None],
        [5, "第二组", "周正", "周小红", "次女", _ric(5), "0.5股", None, None],
        ["合计", None, None, "5人", None, None, "5股", None, None],
        ["制表人：王会计", None, None, "审核人：李审核"],
    ], merge="A1:I1")


def test_a_village_roster_as_it_comes_is_read_and_written(empty_village: Village, tmp_path: Path) -> None:
    v = empty_village
    path = _village_file(tmp_path)
    check = _check(v, path)
    assert check.ok, [str(p) for p in check.problems]
    assert (check.layout.sheet, check.layout.header_row) == ("花名册", 3)
    assert check.layout.where("ric") == "F列“身份证号码”" and check.layout.where("name") == "D列“成员姓名”"
    assert [(r.row, r.reason) for r in check.skipped] == [(1, "标题行"), (2, "标题行"), (9, "合计行"), (10, "说明行")]
    assert check.count("new") == 5 and check.summary().startswith("新增 5 行")
    notes = "\n".join(check.notes)
    assert "只有一列“股数”：记为本组织的第一种股份类型“人口股”" in notes
    assert "新编户号 2 户（001 起）" in notes
    assert "妻→配偶 1 行" in notes and "长子→子 1 行" in notes and "次女→女 1 行" in notes
    check = _check(v, path, apply=True)
    with v.db.begin() as s:
        people = {m.name: m for m in list_members(s, v.org.id)}
        assert set(people) == {"孙大伟", "钱秀兰", "孙小龙", "周正", "周小红"}  # stray spaces gone
        assert [(people[n].household_number, people[n].relation) for n in ("孙大伟", "钱秀兰", "孙小龙")] == [
            ("001", "户主"), ("001", "配偶"), ("001", "子")]
        assert (people["周小红"].household_number, people["周小红"].relation) == ("002", "女")
        assert people["孙小龙"].ric == _ric(3, x=True) and people["孙小龙"].ric.endswith("X")
        assert people["钱秀兰"].confirmed_on == date(2020, 1, 1) == people["孙大伟"].confirmed_on
        assert people["孙小龙"].note == "在外务工"
        assert {h.number: (h.head_name, h.group_name) for h in list_households(s, v.org.id)} == {
            "001": ("孙大伟", "第一组"), "002": ("周正", "第二组")}
        held = {h.name: h.by_type for h in list_holdings(s, v.org.id)}
        assert held["孙小龙"][0][1] == D("1.5") and held["周小红"][0][1] == D("0.5")
        assert sum(h[0][1] for h in held.values()) == D("5")


def test_derived_households_follow_the_numbers_a_village_has(village: Village, tmp_path: Path) -> None:
    """No 户号 column: new households take the next free numbers (001–003 exist: 004, 005); a
    registered head's row keeps their household, so a new member below joins it (跳过已有)."""
    v = village
    with v.db.begin() as s:
        zhang = next(m for m in list_members(s, v.org.id) if m.name == "张建国")
    path = _book(tmp_path / "m.xlsx", [
        ["组别", "姓名", "与户主关系", "身份证号", "人口股"],
        ["第一组", "张建国", "户主", zhang.ric, 1],
        ["第一组", "张小丽", "次女", _ric(21), 1],
        ["第五组", "吴一", "户主", _ric(22), 1],
        ["第五组", "吴二", "配偶", _ric(23), 1],
        ["第六组", "郑一", "户主", _ric(24), 1],
    ])
    check = _check(v, path, "skip", apply=True)
    assert check.ok and (check.count("new"), check.count("skipped")) == (4, 1)
    assert any("新编户号 2 户（004 起）" in n for n in check.notes)
    with v.db.begin() as s:
        number = {m.name: m.household_number for m in list_members(s, v.org.id)}
    assert (number["张小丽"], number["吴一"], number["吴二"], number["郑一"]) == ("001", "004", "004", "005")


def test_rows_that_belong_to_no_household_are_named(empty_village: Village, tmp_path: Path) -> None:
    v = empty_village
    path = _book(tmp_path / "m.xlsx", [
        ["户主姓名", "成员姓名", "与户主关系", "身份证号", "股数"],
        ["孙大伟", "钱秀兰", "配偶", _ric(2), 1],       # row 2: before any 户主
        ["孙大伟", "孙大伟", "户主", _ric(1), 1],
        ["周正", "周小红", "女", _ric(5), 1],           # row 4: under 孙大伟, names 周正
        ["孙大伟", "孙小龙", "孙子辈", _ric(3), "一股"],  # row 5: two unreadable cells, both named
    ])
    check = _check(v, path, apply=True)
    assert not check.ok
    got = [(p.row, p.column) for p in check.problems]
    assert got == [(2, "C列“与户主关系”"), (4, "A列“户主姓名”"), (5, "C列“与户主关系”"), (5, "E列“股数”")]
    assert "请把户主行移到本行之前" in check.problems[0].message
    assert "“周正”与上方户主行的“孙大伟”不一致" in check.problems[1].message
    assert "孙子辈" in check.problems[2].message and "“一股”不是股数" in check.problems[3].message
    assert all(str(p).startswith(f"第{p.row}行") for p in check.problems)
    with v.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0


def test_add_mode_refuses_registered_numbers_and_says_what_to_choose(village: Village, tmp_path: Path) -> None:
    v = village
    with v.db.begin() as s:
        wang = next(m for m in list_members(s, v.org.id) if m.name == "王海军")
    path = _book(tmp_path / "m.xlsx", [["户号", "姓名", "身份证号", "与户主关系"],
                                       ["002", "王海军", wang.ric, "户主"], ["002", "王小二", _ric(31), "子"]])
    check = _check(v, path, apply=True)
    assert [(p.row, p.column) for p in check.problems] == [(2, "C列“身份证号”")]
    assert "已登记" in check.problems[0].message and "更新已有" in check.problems[0].message
    assert "跳过已有" in check.problems[0].message
    with v.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 6


def _export(v: Village, path: Path) -> Path:
    with v.db.begin() as s:
        export_members_xlsx(s, v.org.id, path, organisation=v.org.name, ids=IdRule(True))  # a keeper's full copy
    return path


def _roster(v: Village) -> list[tuple[Any, ...]]:
    with v.db.begin() as s:
        shares = {h.member_id: tuple(c for _, c in h.by_type) for h in list_holdings(s, v.org.id, include_zero=True)}
        return sorted((m.household_number, m.group_name, m.head_name, m.name, m.ric, m.relation, m.confirmed_on,
                       m.joined_on, m.note or "", shares.get(m.id)) for m in list_members(s, v.org.id))


def test_export_goes_into_a_fresh_organisation_unchanged(village: Village, tmp_path: Path) -> None:
    path = _export(village, tmp_path / "export.xlsx")
    fresh = make_village(tmp_path / "fresh.db")
    try:
        check = _check(fresh, path, apply=True)
        assert check.ok and check.count("new") == 6
        assert _roster(fresh) == _roster(village)
    finally:
        fresh.db.close()


def test_export_back_into_the_same_organisation_changes_nothing(village: Village, tmp_path: Path) -> None:
    v = village
    path = _export(v, tmp_path / "export.xlsx")
    before = _roster(v)
    with v.db.begin() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    check = _check(v, path, "update", apply=True)
    assert check.ok and (check.count("new"), check.count("changed"), check.count("unchanged")) == (0, 0, 6)
    assert _roster(v) == before
    with v.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits  # nothing touched


def test_two_cells_edited_are_the_two_changes_and_are_audited(village: Village, tmp_path: Path) -> None:
    v = village
    path = _export(v, tmp_path / "export.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    head = {c.value: c.column for c in ws[3]}
    rows = {ws.cell(r, head["姓名"]).value: r for r in range(4, ws.max_row + 1)}
    ws.cell(rows["王海军"], head["农龄股"]).value = 2
    ws.cell(rows["李秀英"], head["备注"]).value = "2025年外嫁回迁"
    ws.cell(rows["张小明"], head["与户主关系"]).value = "长子"  # the same relation, as people write it
    wb.save(path)
    check = _check(v, path, "update")
    changed = {o.name: [str(c) for c in o.changes] for o in check.outcomes if o.status == "changed"}
    assert changed == {"王海军": ["农龄股：1 → 2"], "李秀英": ["备注：（空） → 2025年外嫁回迁"]}
    assert check.count("unchanged") == 4 and check.summary().startswith("新增 0 行，更新 2 行，无变化 4 行")
    _check(v, path, "update", apply=True)
    with v.db.begin() as s:
        people = {m.name: m for m in list_members(s, v.org.id)}
        assert people["李秀英"].note == "2025年外嫁回迁" and people["王海军"].shares == D("3")  # 人口股 1 + 农龄股 2
        adjusted = s.execute(select(ShareEvent.kind, ShareEvent.shares, ShareEvent.basis)
                             .where(ShareEvent.to_member_id == v.members["王海军"],
                                    ShareEvent.kind == "决议调整")).all()
        assert adjusted == [("决议调整", D("1"), "Excel导入更新")]
        summaries = [a.summary for a in s.scalars(select(AuditEntry).where(AuditEntry.action == "update"))]
        assert "修改成员 李秀英" in summaries
        adjust = s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "share_adjust")).all()
        assert adjust == ["决议调整：王海军 农龄股 1.0000 → 2.0000 股"]


def test_update_changes_group_relation_and_dates_through_the_forms_services(village: Village, tmp_path: Path) -> None:
    v = village
    with v.db.begin() as s:
        liu = next(m for m in list_members(s, v.org.id) if m.name == "刘德明")
        zhao = next(m for m in list_members(s, v.org.id) if m.name == "赵红梅")
    rows = [["身份证号", "姓名", "组别", "关系", "确认日期", "迁入日期", "人口股", "农龄股"],
            [liu.ric, "刘德明", "第三组", None, "2024年6月1日", None, None, None],
            [zhao.ric, None, None, "妻", None, "2010-05-01", "1股", None],       # 妻 = 配偶: no change
            [_ric(41), "刘小明", "第三组", "子", None, None, 1, 0]]              # new, and in no household
    check = _check(v, _book(tmp_path / "m.xlsx", rows), "update", apply=True)
    # the new row has no 户号 and follows no 户主 of this file: named, nothing written
    assert [(p.row, p.column) for p in check.problems] == [(4, "D列“关系”")]
    check = _check(v, _book(tmp_path / "m2.xlsx", rows[:3]), "update", apply=True)
    changes = {o.name: [str(c) for c in o.changes] for o in check.outcomes}
    assert changes == {"刘德明": ["确认日期：2025-01-01 → 2024-06-01"], "户 003": ["组别：第一组 → 第三组（1人）"],
                       "赵红梅": ["迁入日期：（空） → 2010-05-01"]}
    with v.db.begin() as s:
        people = {m.name: m for m in list_members(s, v.org.id)}
        assert people["刘德明"].group_name == "第三组" and people["刘德明"].confirmed_on == date(2024, 6, 1)
        assert people["赵红梅"].joined_on == date(2010, 5, 1) and people["赵红梅"].relation == "配偶"
        confirm = s.execute(select(MembershipEvent.kind, MembershipEvent.basis)
                            .where(MembershipEvent.member_id == liu.id).order_by(MembershipEvent.event_date)).all()
        assert ("确认", "Excel导入更新") in confirm


def test_the_template_filled_in_as_it_comes_imports(empty_village: Village, tmp_path: Path) -> None:
    """The import template (its example rows kept) goes back in: header found below its title,
    the 填写说明 sheet ignored, 长子 read as 子, the empty 股数 column beside the share types'."""
    from desktop_app.excel.importers import write_template

    v = empty_village
    with v.db.begin() as s:
        path = write_template("members", tmp_path / "模板.xlsx", session=s, organisation_id=v.org.id, examples=True)
    info = load_workbook(path)["填写说明"]
    assert any(r[0] == "身份证号" and "公民身份号码" in (r[2] or "") for r in info.iter_rows(values_only=True))
    check = _check(v, path, apply=True)
    assert check.ok, [str(p) for p in check.problems]
    assert check.count("new") == 3
    with v.db.begin() as s:
        assert [(m.name, m.relation, m.shares) for m in list_members(s, v.org.id)] == [
            ("张建国", "户主", D("2")), ("李秀英", "配偶", D("1.5")), ("张小军", "子", D("1"))]


def test_update_keeps_one_head_per_household(village: Village, tmp_path: Path) -> None:
    """A son made 户主 while his father stays 户主 is refused at the son's row; the father made 父亲
    in the same file and the handover goes through (update_member: the household's head follows)."""
    v = village
    with v.db.begin() as s:
        ric = {m.name: m.ric for m in list_members(s, v.org.id)}
    rows = [["姓名", "身份证号", "与户主关系"], ["张小明", ric["张小明"], "户主"]]
    check = _check(v, _book(tmp_path / "a.xlsx", rows), "update", apply=True)
    assert [(p.row, p.column) for p in check.problems] == [(2, "C列“与户主关系”")]
    assert "该户已有户主 张建国" in check.problems[0].message
    check = _check(v, _book(tmp_path / "b.xlsx", [*rows, ["张建国", ric["张建国"], "父"]]), "update", apply=True)
    assert check.ok and check.count("changed") == 2
    with v.db.begin() as s:
        assert {h.number: h.head_name for h in list_households(s, v.org.id)}["001"] == "张小明"
