"""Member import streamed from the file and written in chunks; the 成员名册 export streamed from the
database: same rows, same errors by Excel row and column, same cells and print setup as before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from db.models import AuditEntry, Household, Member, ShareEvent, ShareHolding
from desktop_app.core.ids import make_ric
from desktop_app.core.services import members_import
from desktop_app.core.services.members import add_member, create_household, list_households, list_members
from desktop_app.core.services.personal_data import IdRule
from desktop_app.core.services.shares import list_holdings, list_share_types
from desktop_app.excel.importers import run_import
from desktop_app.excel.members_xlsx import export_members_xlsx, import_members_xlsx, members_workbook

from .conftest import Village

HEADER = ["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股"]


def _ric(i: int) -> str:
    return make_ric("320115", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), (2 * i + 1) % 1000)


def _file(path: Path, rows: list[list[Any]], *, above: list[list[Any]] = ()) -> Path:  # type: ignore[assignment]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in above:
        ws.append(r)
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_rows_below_a_title_are_named_by_their_excel_row(empty_village: Village, tmp_path: Path) -> None:
    """Title and a blank row above the header, an empty row and a short row inside the data:
    every problem names the row Excel shows, and nothing is written."""
    v = empty_village
    path = _file(tmp_path / "m.xlsx", above=[["东湖村成员名册"], []], rows=[
        ["301", "第三组", "陈一", _ric(1), "户主", date(2019, 12, 31), 1, 1],       # row 4
        [],                                                                           # row 5: skipped
        ["301", "第三组", "陈二", _ric(2), "配偶", "2019/13/01", 1],                  # row 6: bad date, short row
        ["302", "第三组", "陈三", _ric(3), "子"],                                     # row 7: new household, no head
        ["302", "第三组", "陈四", _ric(1), "女", None, True, None],                   # row 8: duplicate ID, bool
    ])
    with v.db.begin("test") as s:
        preview, result = import_members_xlsx(s, v.org.id, path, apply=True, today=date(2026, 11, 23))
    assert result is None
    assert [(e.row, e.column) for e in preview.errors] == [
        (6, "确认日期"), (7, "与户主关系"), (8, "身份证号"), (8, "人口股")]
    assert "与第4行重复" in preview.errors[2].message and "新户 302 没有登记户主" in preview.errors[1].message
    assert "“TRUE”不是人口股" in preview.errors[3].message  # a TRUE cell is not the number 1
    with v.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0


def test_applied_in_chunks_households_heads_and_shares_add_up(empty_village: Village, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 members: a head listed after the household's first member (in a later chunk)
    still names the new household; an existing household without a head gets its head's name."""
    v = empty_village
    with v.db.begin("test") as s:
        old = create_household(s, organisation_id=v.org.id, number="400", group_name="第四组", user=v.user)
        add_member(s, organisation_id=v.org.id, household_id=old.id, name="旧成员", ric=_ric(40), relation="子",
                   confirmed_on=date(2025, 1, 1), user=v.user)
    rows = [["401", "第四组", "周配偶", _ric(11), "配偶", None, 1, 0.5],
            ["402", "第四组", "吴户主", _ric(12), "户主", None, 1, None],
            ["401", "第四组", "周儿子", _ric(13), "子", None, 1, 0.25],
            ["401", "第四组", "周户主", _ric(14), "户主", None, 1, 1],   # row 5: second chunk
            ["400", "第四组", "旧户主", _ric(15), "户主", None, 1, None],
            ["402", "第四组", "吴女儿", _ric(16), "女", None, None, None],
            ["403", "第四组", "郑户主", _ric(17), "户主", None, 1, 1]]
    monkeypatch.setattr(members_import, "CHUNK", 3)
    with v.db.begin(v.user.username) as s:  # the import writes as the transaction's user (its 记账员)
        preview, result = import_members_xlsx(s, v.org.id, _file(tmp_path / "m.xlsx", rows), apply=True,
                                              event_date=date(2019, 12, 31), today=date(2026, 11, 23))
    assert not preview.errors and preview.new_households == ("401", "402", "403")
    assert result is not None and (result.members, result.households, result.holdings) == (7, 3, 10)
    assert result.shares_total == D("8.75")
    with v.db.begin() as s:
        assert {h.number: h.head_name for h in list_households(s, v.org.id)} == {
            "400": "旧户主", "401": "周户主", "402": "吴户主", "403": "郑户主"}
        assert s.scalar(select(func.count()).select_from(Household)) == 4
        assert s.scalar(select(func.count()).select_from(ShareHolding)) == 10
        events = {(e.basis, e.shares) for e in s.scalars(select(ShareEvent))}
        assert events == {("Excel导入成员名册（批量登记 6 人）", D("6")), ("Excel导入成员名册（批量登记 4 人）", D("2.75"))}
        zhou = [m for m in list_members(s, v.org.id) if m.household_number == "401"]
        assert [(m.name, m.shares) for m in zhou] == [("周户主", D("2")), ("周配偶", D("1.5")), ("周儿子", D("1.25"))]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
        assert "批量登记成员 7 人、新户 3 户" in audit.summary


def test_streamed_export_has_the_same_cells_and_print_setup(village: Village, tmp_path: Path) -> None:
    """export_members_xlsx (one query, write-only sheet) against members_workbook from the lists:
    every cell, number format and the print setup read back alike; the importer takes it back."""
    v = village
    with v.db.begin() as s:
        names = [t.name for t in list_share_types(s, v.org.id)]
        members_workbook(list_members(s, v.org.id), list_holdings(s, v.org.id, include_zero=True), names,
                         organisation=v.org.name, ids=IdRule(True)).save(tmp_path / "lists.xlsx")
        assert export_members_xlsx(s, v.org.id, tmp_path / "stream.xlsx", organisation=v.org.name,
                                   ids=IdRule(True)) == 6  # a keeper's copy (full 身份证号): it goes back in
    a, b = load_workbook(tmp_path / "lists.xlsx").active, load_workbook(tmp_path / "stream.xlsx").active
    assert a is not None and b is not None
    cells = [[(c.value, c.number_format, c.font.b) for c in row] for row in a.iter_rows()]
    assert cells == [[(c.value, c.number_format, c.font.b) for c in row] for row in b.iter_rows()]
    assert b["A1"].value == f"{v.org.name}成员名册" and b["A1"].font.sz == 14
    assert b["A2"].value == f"编制单位：{v.org.name}"
    assert {str(r) for r in b.merged_cells.ranges} == {"A1:P1", "A2:P2"}
    assert [c.value for c in b[3]][:5] == ["户号", "组别", "户主", "姓名", "身份证号"]
    assert b.freeze_panes == "A4" and b.print_title_rows == "$1:$3" and b.auto_filter.ref == "A3:P9"
    assert b.page_setup.orientation == "landscape" and b.page_setup.fitToWidth == 1
    assert b.page_setup.paperSize == 9 and "&P" in b.oddFooter.center.text  # 9: A4
    row = {h: c for h, c in zip([c.value for c in b[3]], b[4], strict=True)}
    assert row["姓名"].value == "张建国" and row["身份证号"].number_format == "@"
    assert row["出生日期"].number_format == "yyyy-mm-dd" and row["农龄股"].value == 0.5
    assert row["迁入日期"].value is None and row["迁入日期"].number_format == "yyyy-mm-dd"  # typed dates stay dates
    # and the file goes back in: every row a duplicate of a member already registered
    with v.db.begin("test") as s:
        preview, _ = import_members_xlsx(s, v.org.id, tmp_path / "stream.xlsx", apply=False)
    duplicates = [e.row for e in preview.errors if e.column == "身份证号"]
    assert duplicates == [4, 5, 6, 7, 8, 9]
    assert all("已登记为本组织成员" in e.message for e in preview.errors if e.column == "身份证号")


def test_a_row_of_column_numbers_is_one_only_right_under_the_header(empty_village: Village, tmp_path: Path) -> None:
    """"1 2 3 …" under the header is the official form's 列号行 (skipped); the same row further down,
    even at the head of a later chunk the quick test sends through ``Table.rows``, is data with
    problems (as every other kind reads it), not silently dropped."""
    v = empty_village
    numbers = list(range(1, len(HEADER) + 1))
    rows: list[list[Any]] = [numbers]
    for i in range(1, 1100):
        rows.append([f"{100 + i // 4}", "第一组", f"成员{i}", _ric(i), "户主" if i % 4 == 1 else "子",
                     date(2019, 12, 31), 1, 1])
    rows.insert(513, numbers)  # Excel row 515: the first row of the second 512-row chunk
    path = _file(tmp_path / "m.xlsx", rows)
    with v.db.read("test") as s:
        check, _ = run_import(s, "members", path, organisation_id=v.org.id, mode="add", apply=False)
    assert [(s.row, s.reason) for s in check.skipped] == [(2, "列号行")]
    assert {p.row for p in check.problems} == {515}
