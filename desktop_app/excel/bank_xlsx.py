"""银行存款余额调节表 as xlsx (openpyxl): the two-sided table, the verdict, the detail of every 未达账项
and the sign-off lines 会计/出纳/审核. Amounts are real numbers with '#,##0.00'; user text (摘要,
对方户名) goes through ``print_setup.finish_sheet``, so a summary beginning with "=" stays text."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from desktop_app.core.services.bank_rows import BankReconciliationReport
from desktop_app.core.services.funds_base import period_end, period_label
from desktop_app.excel.print_setup import finish_sheet

__all__ = ["write_reconciliation_xlsx"]

MONEY = "#,##0.00"
WIDTHS = (30, 16, 30, 16, 24, 14)
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _boxed(ws: object, row: int, ncols: int) -> None:
    for col in range(1, ncols + 1):
        ws.cell(row=row, column=col).border = _BOX  # type: ignore[attr-defined]


def write_reconciliation_xlsx(r: BankReconciliationReport, path: Path | str) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "银行存款余额调节表"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws["A1"] = f"账套：{r.book_name}　银行账户：{r.account_code} {r.account_name}　截至 {period_end(r.period).isoformat()}"
    ws["D1"] = "单位：元"
    ws["D1"].alignment = Alignment(horizontal="right")
    for col, head in enumerate(("项目", "金额", "项目", "金额"), start=1):
        cell = ws.cell(row=2, column=col, value=head)
        cell.font, cell.alignment, cell.border = Font(bold=True), Alignment(horizontal="center"), _BOX
    s = r.sections()
    rows = [("银行存款日记账余额", r.book_balance, "银行对账单余额", r.bank_balance),
            (s[0][0], s[0][2], s[2][0], s[2][2]), (s[1][0], s[1][2], s[3][0], s[3][2]),
            ("调节后的存款余额", r.adjusted_book, "调节后的存款余额", r.adjusted_bank)]
    for n, values in enumerate(rows, start=3):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=n, column=col, value=value)
            if col % 2 == 0:
                cell.number_format = MONEY
            if n == 6:
                cell.font = Font(bold=True)
        _boxed(ws, n, 4)
    ws.cell(row=8, column=1, value=r.verdict).font = Font(bold=True, color="000000" if r.balanced else "C00000")
    row = 10
    details = [(heading[2:], item) for heading, _sign, _total, items in s for item in items]
    if details:
        for col, head in enumerate(("未达账项", "日期", "摘要", "金额", "对方户名", "凭证号/对账单"), start=1):
            cell = ws.cell(row=row, column=col, value=head)
            cell.font, cell.alignment, cell.border = Font(bold=True), Alignment(horizontal="center"), _BOX
        for kind, item in details:
            row += 1
            ws.cell(row=row, column=1, value=kind)
            ws.cell(row=row, column=2, value=item.day).number_format = "yyyy-mm-dd"
            ws.cell(row=row, column=3, value=item.summary).alignment = Alignment(wrap_text=True)
            ws.cell(row=row, column=4, value=item.amount).number_format = MONEY
            ws.cell(row=row, column=5, value=item.counterparty or None)
            ws.cell(row=row, column=6, value=item.reference)
            _boxed(ws, row, 6)
    else:
        ws.cell(row=row, column=1, value="没有未达账项")
    ws.cell(row=row + 2, column=1, value="会计：____________")
    ws.cell(row=row + 2, column=3, value="出纳：____________")
    ws.cell(row=row + 2, column=5, value="审核：____________")
    ws.cell(row=row + 3, column=1, value="编制日期：______年____月____日")
    finish_sheet(ws, title="银行存款余额调节表", subtitle=f"编制单位：{r.organisation}　　{period_label(r.period)}",
                 header_rows=2, ncols=6, last_row=row, landscape=False, autofilter=False)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
