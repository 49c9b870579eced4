"""期初余额表 as xlsx: the template a new book's opening balances are typed into, and reading it back.

The template (openpyxl) lists every leaf account of the book: 科目编码 (text), 科目名称, 方向 and
empty 借方余额/贷方余额 cells formatted ``#,##0.00``, so what the user types stays a real number.
Row 1 is the header ``read_opening_xlsx`` expects; row 2 is a note starting with ``说明``, which
``read_opening_sheet`` leaves out. Printed, the title and the book are in the page header (row 1
must stay the header), page numbers in the footer, A4 fitted to its width. Reading and checking are the service's
(``desktop_app.core.services.opening``): validate → preview → apply, all or nothing.

Given the book's ``balances`` the template carries them, so exporting it and reading it back gives
the same figures; the empty template read back is an error, never zeros (``read_opening_xlsx``;
the ``opening`` import kind, ``excel.import_opening``, reads the same sheet with 更新已有 and the rest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from desktop_app.core.rows import AccountRow, BookRow
from desktop_app.core.services.funds_base import period_label
from desktop_app.core.services.opening import OpeningInput, read_opening_xlsx
from desktop_app.excel.formulas import refuse_formulas_without_values
from desktop_app.excel.print_setup import finish_sheet

__all__ = ["HEADERS", "MONEY", "NOTE_PREFIX", "by_row", "read_opening_sheet", "template_accounts",
           "write_opening_template"]

MONEY, TEXT = "#,##0.00", "@"
HEADERS = ("科目编码", "科目名称", "方向", "借方余额", "贷方余额")
WIDTHS = (12, 30, 6, 18, 18)
NOTE_PREFIX = "说明"
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
ZERO = Decimal("0.00")
_ROW_RE = re.compile(r"第(\d+)行")


def template_accounts(accounts: Sequence[AccountRow]) -> list[AccountRow]:
    """The accounts an opening balance can be entered on: the leaves, in code order."""
    return sorted((a for a in accounts if a.is_leaf), key=lambda a: a.code)


def write_opening_template(path: Path | str, book: BookRow, accounts: Sequence[AccountRow], *,
                           balances: Mapping[str, Decimal] | None = None) -> Path:
    """The template; with ``balances`` (account code → debit-positive opening balance, as the book
    holds them) each figure is filled in on its side, so the file read back gives the same figures."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "期初余额"
    for i, (head, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=i, value=head)
        cell.font, cell.fill = Font(bold=True), _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    note = (f"{NOTE_PREFIX}：{book.name}（{book.chart_version}版科目，{period_label(book.start_period)}启用）的期初余额。"
            "只填末级科目的金额（元，最多两位小数），余额在哪方就填在哪一列；借方合计必须等于贷方合计。"
            "不要改动科目编码和第1行表头；本行导入时不读取。")
    ws.cell(row=2, column=1, value=note).font = Font(italic=True, color="666666")
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.row_dimensions[2].height = 48
    for r, acc in enumerate(template_accounts(accounts), start=3):
        code = ws.cell(row=r, column=1, value=acc.code)
        code.number_format = TEXT
        ws.cell(row=r, column=2, value=acc.name if acc.active else f"{acc.name}（停用）")
        ws.cell(row=r, column=3, value=acc.normal_side).alignment = Alignment(horizontal="center")
        net = (balances or {}).get(acc.code, ZERO)
        for c, value in ((4, net if net > 0 else None), (5, -net if net < 0 else None)):
            ws.cell(row=r, column=c, value=value).number_format = MONEY
    ws.freeze_panes = "A3"
    # row 1 stays the header the importer reads: the title goes to the printed page header
    finish_sheet(ws, title="期初余额表", subtitle=f"{book.name}（{period_label(book.start_period)}启用）",
                 header_rows=1, ncols=len(HEADERS), title_on_sheet=False)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def read_opening_sheet(path: Path | str) -> tuple[list[OpeningInput], list[str]]:
    """``read_opening_xlsx`` without the template's note row (its 科目编码 cell starts with 说明)."""
    refuse_formulas_without_values(path, ())  # an import never evaluates a formula (excel.formulas)
    lines, errors = read_opening_xlsx(path)
    return [ln for ln in lines if not ln.account_code.strip().startswith(NOTE_PREFIX)], errors


def by_row(errors: Iterable[str]) -> list[str]:
    """Reading and checking errors together, in sheet order (“第N行…”); the rest (不平衡) last."""
    def key(e: str) -> int:
        m = _ROW_RE.match(e)
        return int(m.group(1)) if m else 1 << 30

    return sorted(errors, key=key)
