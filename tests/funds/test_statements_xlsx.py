"""Every statement xlsx and the 期初余额 template print properly: A4, fitted to the page width,
landscape when wide, title and header rows repeated, page x/y in the footer, title and
organisation on the sheet, autofilter over the table; ``finish_sheet`` itself on a bare sheet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.statements import STATEMENTS, build_statement
from desktop_app.excel.opening_xlsx import read_opening_sheet, template_accounts, write_opening_template
from desktop_app.excel.print_setup import FOOTER, finish_sheet
from desktop_app.excel.statements_xlsx import write_statement_xlsx
from tests.funds.conftest import Env

LONG_NAME = "江苏省南京市江宁区阳光街道东湖村农村商业银行股份有限公司东山支行营业部基本存款账户"


def _print_settings(ws: Worksheet) -> None:
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.oddFooter.center.text == FOOTER == "第 &P 页 / 共 &N 页"


def _fill(env: Env) -> None:
    with env.db.begin("test") as s:
        add_sub_account(s, book_id=env.book.id, parent_code="102", code="10202", name=LONG_NAME, user=env.maker)
    env.vouch(date(2026, 1, 3), "收厂房租金", ("10201", "12345.67", "0"), ("50101", "0", "12345.67"))
    env.vouch(date(2026, 2, 9), "转存", ("10202", "800.00", "0"), ("10201", "0", "800.00"))


@pytest.mark.parametrize("kind", list(STATEMENTS))
def test_statement_xlsx_has_print_setup_and_title(env: Env, tmp_path: Path, kind: str) -> None:
    _fill(env)
    with env.db.begin() as s:
        st = build_statement(s, env.book.id, kind, "2026-01", "2026-02")
    ws = openpyxl.load_workbook(write_statement_xlsx(st, tmp_path / f"{kind}.xlsx")).active
    assert ws is not None
    _print_settings(ws)
    ncols = 2 + len(st.columns)
    last = openpyxl.utils.get_column_letter(ncols)
    # title, period and organisation on the sheet, merged over the table
    assert ws["A1"].value == st.title and ws["A1"].alignment.horizontal == "center"
    assert ws["A2"].value.startswith(st.period_label)
    assert "东湖村股份经济合作社" in ws["A3"].value and "N2320115MF00000121" in ws["A3"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A1:{last}1", f"A2:{last}2"} <= merged
    assert ws.cell(row=3, column=ncols).value == "单位：元"
    # the trial balance (8 columns) is landscape on one page wide; the two-column statements portrait
    assert ws.page_setup.orientation == ("landscape" if kind == "trial-balance" else "portrait")
    # title and header repeated on every page; the filter covers the header and the data, not the sign-off
    assert ws.print_title_rows == "$1:$4"
    assert ws["A4"].value == st.label_header
    assert ws.auto_filter.ref == f"A4:{last}{4 + len(st.lines)}"
    assert ws.cell(row=4 + len(st.lines), column=1).value == st.lines[-1].label
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("单位负责人") for t in texts)
    assert all(note in texts for note in st.notes)
    if kind == "trial-balance":  # a long account name wraps in a taller row: never cut
        row = next(c.row for c in ws["A"] if c.value == LONG_NAME)
        assert ws.cell(row=row, column=1).alignment.wrap_text
        assert ws.row_dimensions[row].height >= 30


def test_month_statement_xlsx_says_what_its_columns_are(env: Env, tmp_path: Path) -> None:
    _fill(env)
    with env.db.begin() as s:
        st = build_statement(s, env.book.id, "income-distribution", "2026-02", "2026-02")
    ws = openpyxl.load_workbook(write_statement_xlsx(st, tmp_path / "id.xlsx")).active
    assert ws is not None
    assert [ws.cell(row=4, column=c).value for c in (3, 4)] == ["本年累计数", "上年同期累计数"]
    labels = [c.value for c in ws["A"]]
    assert "期末未分配收益" in labels and "年末未分配收益" not in labels
    assert any(isinstance(t, str) and t.startswith("本年累计数：2026年1月至2026年2月") for t in labels)


def test_opening_template_prints_with_its_title_and_stays_importable(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.orgs import list_accounts

    with env.db.begin() as s:
        accounts = list_accounts(s, env.book.id)
    path = write_opening_template(tmp_path / "opening.xlsx", env.book, accounts)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    _print_settings(ws)
    assert ws.page_setup.orientation == "portrait"  # five columns fit A4 upright
    assert [c.value for c in ws[1]] == ["科目编码", "科目名称", "方向", "借方余额", "贷方余额"]
    assert "期初余额表" in ws.oddHeader.center.text and env.book.name in ws.oddHeader.center.text
    assert ws.print_title_rows == "$1:$1"
    n = len(template_accounts(accounts))
    assert ws.auto_filter.ref == f"A1:E{n + 2}"
    # the importer still reads it: type a balanced pair and read it back
    rows = {ws.cell(row=r, column=1).value: r for r in range(3, n + 3)}
    ws.cell(row=rows["101"], column=4, value=500)
    ws.cell(row=rows["301"], column=5, value=500)
    wb.save(path)
    lines, errors = read_opening_sheet(path)
    assert errors == []
    assert {(ln.account_code, ln.debit, ln.credit) for ln in lines if ln.debit or ln.credit} == {
        ("101", Decimal("500.00"), Decimal("0.00")), ("301", Decimal("0.00"), Decimal("500.00"))}


def test_finish_sheet_puts_the_title_on_a_bare_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["编号", "名称", "金额"])
    ws.append(["说明：本行为注释"])
    ws.merge_cells("A2:C2")
    ws.row_dimensions[2].height = 40
    ws.append(["1", "甲", 10])
    ws.append(["2", "乙", 20])
    ws.freeze_panes = "A3"
    for col in "ABC":
        ws.column_dimensions[col].width = 40  # 120 units: too wide for A4 upright
    finish_sheet(ws, title="测试台账", subtitle="东湖村　2026年", header_rows=1)
    wb.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws is not None
    _print_settings(ws)
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value, ws["A4"].value, ws["A5"].value] == [
        "测试台账", "东湖村　2026年", "编号", "说明：本行为注释", "1"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1", "A2:C2", "A4:C4"}
    assert ws.row_dimensions[4].height == 40 and ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$1:$3" and ws.auto_filter.ref == "A3:C6"
    assert ws.page_setup.orientation == "landscape"
    # called again (a sheet already titled): nothing inserted twice
    finish_sheet(ws, title="测试台账", subtitle="东湖村　2026年", header_rows=3, landscape=False)
    assert ws["A3"].value == "编号" and ws.page_setup.orientation == "portrait"
