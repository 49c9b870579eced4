"""Outputs: PDFs (deterministic, masked public copies), xlsx (real numbers), import (all or nothing), CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from db.models import Member
from desktop_app.cli import main
from desktop_app.core.ids import make_ric, mask_ric
from desktop_app.core.services.distribution import draft_plan
from desktop_app.core.services.distribution_query import plan_roster
from desktop_app.core.services.members import list_households, list_members, member_history
from desktop_app.core.services.shares import (
    household_certificate,
    list_holdings,
    list_share_types,
    share_history,
)
from desktop_app.excel.members_xlsx import import_members_xlsx, members_workbook, roster_workbook
from desktop_app.reports.distribution_pdf import certificates_pdf, household_slips_pdf, plan_pdf, roster_pdf

from .conftest import Village


def _roster(v: Village):  # type: ignore[no-untyped-def]
    v.income("10000.00")
    with v.db.begin("test") as s:
        plan = draft_plan(s, book_id=v.book.id, year=2026, members_amount=D("3000.00"), reserve=D("3000.00"), user=v.user)
        return plan_roster(s, plan.id)


def _header_row(ws) -> int:  # type: ignore[no-untyped-def]
    """The table's header row below the title rows print setup puts on the sheet."""
    return next(r for r in range(1, 6) if ws.cell(r, 1).value in ("序号", "组别", "户号"))


def test_roster_pdf_is_deterministic_public_copy_by_household_without_ids(village: Village, tmp_path: Path) -> None:
    roster = _roster(village)
    public = roster_pdf(roster, public=True)
    assert public == roster_pdf(roster, public=True)
    full = roster_pdf(roster, public=False)
    (tmp_path / "p.pdf").write_bytes(public)
    (tmp_path / "f.pdf").write_bytes(full)
    ric = roster.lines[0].ric
    with pdfplumber.open(tmp_path / "p.pdf") as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    assert ric not in text and mask_ric(ric) not in text and "签领" not in text and "352.94" in text
    assert "李秀英" not in text and "张建国" in text  # households (户主), not members
    with pdfplumber.open(tmp_path / "f.pdf") as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    assert ric in text and "签领" in text and "李秀英" in text
    for data in (plan_pdf(roster.plan), household_slips_pdf(roster)):
        assert data.startswith(b"%PDF")
    with village.db.begin() as s:
        cert = household_certificate(s, village.households["001"])
    assert certificates_pdf([cert], issued_on=date(2026, 1, 5)).startswith(b"%PDF")


def test_roster_xlsx_has_real_numbers_formats_and_totals(village: Village, tmp_path: Path) -> None:
    roster = _roster(village)
    roster_workbook(roster, public=False).save(tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx").active
    top = _header_row(ws)
    header = [c.value for c in ws[top]]
    amount_col = header.index("应分") + 1
    cell = ws.cell(top + 1, amount_col)
    assert isinstance(cell.value, float | int) and cell.number_format == "#,##0.00"
    assert ws.cell(top + 1, header.index("身份证号") + 1).value == roster.lines[0].ric
    total = ws.cell(top + 1 + len(roster.lines), amount_col).value
    assert D(str(total)) == roster.plan.roster_total == sum(
        D(str(ws.cell(r, amount_col).value)) for r in range(top + 1, top + 1 + len(roster.lines)))


def _member_sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_refuses_bad_rows_naming_row_and_column_and_writes_nothing(empty_village: Village,
                                                                           tmp_path: Path) -> None:
    v = empty_village
    good = make_ric("320115", date(1970, 3, 4), 11)
    wrong_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    path = _member_sheet(tmp_path / "m.xlsx", [
        ["101", "第一组", "周大山", good, "户主", date(2019, 12, 31), 1, 1],
        ["101", "第一组", "钱小花", wrong_check, "配偶", None, 1, 0.5],
        ["101", "第一组", "周小山", make_ric("320115", date(2001, 1, 1), 13), "子", None, -1, None],
        ["102", "第一组", "孙大海", good, "户主", None, 1, None],
        ["103", "第一组", "吴数字", 320115197003040011, "户主", None, 1, None],
    ])
    with v.db.begin("test") as s:
        preview, result = import_members_xlsx(s, v.org.id, path, apply=True)
    assert result is None
    found = {(e.row, e.column) for e in preview.errors}
    assert found == {(3, "身份证号"), (4, "人口股"), (5, "身份证号"), (6, "身份证号")}
    assert any("股数不能为负数" in e.message for e in preview.errors)
    assert "第3行“身份证号”" in str(preview.errors[0])
    with v.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0


def test_import_then_export_round_trip(empty_village: Village, tmp_path: Path) -> None:
    v = empty_village
    rows = [["201", "第二组", "郑国强", make_ric("320115", date(1965, 5, 5), 21), "户主", date(2019, 12, 31), 1, 1],
            ["201", "第二组", "冯桂兰", make_ric("320115", date(1966, 6, 6), 22), "配偶", date(2019, 12, 31), 1, 0.5]]
    with v.db.begin(v.user.username) as s:  # the import writes as the transaction's user (its 记账员)
        _preview, result = import_members_xlsx(s, v.org.id, _member_sheet(tmp_path / "m.xlsx", rows), apply=True,
                                              event_date=date(2019, 12, 31))
    assert result is not None and result.members == 2 and result.shares_total == D("3.5")
    with v.db.begin() as s:
        members = list_members(s, v.org.id)
        assert [h.head_name for h in list_households(s, v.org.id)] == ["郑国强"]
        history = share_history(s, v.org.id, members[1].id)
        assert [(e.kind, e.share_type, e.shares) for e in history] == [("初始登记", "人口股", D("1")),
                                                                      ("初始登记", "农龄股", D("0.5"))]
        assert [e.kind for e in member_history(s, members[0].id)] == ["确认"]
        names = [t.name for t in list_share_types(s, v.org.id)]
        wb = members_workbook(members, list_holdings(s, v.org.id, include_zero=True), names)
    wb.save(tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").active
    top = _header_row(ws)
    header = [c.value for c in ws[top]]
    assert ws.cell(top + 2, header.index("农龄股") + 1).value == 0.5
    assert ws.cell(top + 1, header.index("出生日期") + 1).number_format == "yyyy-mm-dd"


def test_cli_distribute_prints_per_share_total_and_remainder(village: Village, capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    village.income("500000.00")
    village.db.close()
    db = str(village.db.path)
    code = village.org.uscc
    assert main(["--user", "kj", "distribute", "--db", db, "--org", code, "--year", "2026", "--amount-for-members", "3000",
                 "--precision", "角"]) == 0
    out = capsys.readouterr().out
    assert "每股分红：352.90 元" in out and "尾差" in out
    assert main(["--user", "kj", "roster", "--db", db, "--org", code, "--year", "2026", "--out", str(tmp_path / "r.pdf"),
                 "--public"]) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    for kind in ("members", "households", "shares"):
        assert main(["--user", "kj", "export", kind, "--db", db, "--org", "320115106201", "--out", str(tmp_path / f"{kind}.xlsx")]) == 0
    assert main(["--user", "kj", "roster", "--db", db, "--org", code, "--year", "2020", "--out", str(tmp_path / "x.pdf")]) == 1


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
