"""年度财务计划 as xlsx: the template (every income and expense account of the book), the export (the
same sheet with the year's amounts, so it can be edited and imported again) and reading it back.

The sheet: a title and organisation line (print_setup), the header row 科目编码/科目名称/收支/计划金额/
说明, a row per account, a note starting with ``说明`` below. Reading finds the header row, leaves
out the note, blank amounts (unplanned) and blank rows, and parses amounts from the cell's text as
Decimal (a number cell is read through its shortest text form, never summed as a float). Checking
and applying are the service's (``core.services.plans``): validate → preview → apply, all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import excel_number
from desktop_app.core.rows import BookRow
from desktop_app.core.rows_funds import PlanAccountRow, PlanInput
from desktop_app.core.services.plans import parse_plan_amount
from desktop_app.excel.formulas import refuse_formulas_without_values
from desktop_app.excel.print_setup import finish_sheet

__all__ = ["HEADERS", "read_plan_xlsx", "write_plan_sheet"]

MONEY, TEXT = "#,##0.00", "@"
HEADERS = ("科目编码", "科目名称", "收支", "计划金额", "说明")
WIDTHS = (12, 30, 8, 18, 36)
NOTE_PREFIX = "说明"
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_plan_sheet(path: Path | str, book: BookRow, organisation: str, year: int,
                     rows: Sequence[PlanAccountRow]) -> Path:
    """The plan's sheet: amounts where ``rows`` have them (an export), empty cells otherwise (a template)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{year}年度财务计划"
    for i, (head, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=i, value=head)
        cell.font, cell.fill = Font(bold=True), _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    r = 1
    for r, acc in enumerate(rows, start=2):
        ws.cell(row=r, column=1, value=acc.code).number_format = TEXT
        ws.cell(row=r, column=2, value=("　" * (acc.level - 1)) + acc.name)
        ws.cell(row=r, column=3, value=acc.side).alignment = Alignment(horizontal="center")
        amount = ws.cell(row=r, column=4, value=acc.amount)
        amount.number_format = MONEY
        ws.cell(row=r, column=5, value=acc.note)
    last = r
    note = ws.cell(row=last + 2, column=1,
                   value=f"{NOTE_PREFIX}：{book.name}{year}年度财务收支计划。在“计划金额”列填写全年计划数（元，最多两位小数）；"
                         "不编计划的科目留空。一级科目和它的明细科目只填其一。不要改动科目编码和表头；本行导入时不读取。")
    note.font = Font(italic=True, color="666666")
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=len(HEADERS))
    ws.row_dimensions[last + 2].height = 36
    finish_sheet(ws, title=f"{book.name}{year}年度财务计划", subtitle=f"编制单位：{organisation}　　单位：元",
                 header_rows=1, ncols=len(HEADERS), last_row=last)
    ws.freeze_panes = "A4"  # below the title, the organisation line and the header
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _text(cell: object) -> str:
    return str(excel_number(cell) if cell is not None else "").strip()


def _amount_text(cell: object) -> str | int | Decimal:
    if isinstance(cell, bool):
        raise ValidationError("不是金额")
    number = excel_number(cell)  # the digits typed: 1234.5 → Decimal("1234.5"), never float arithmetic
    if isinstance(number, int | Decimal):
        return number
    return str(number or "").strip()


def read_plan_xlsx(path: Path | str) -> tuple[list[PlanInput], list[str]]:
    """Rows with a 计划金额 (errors name 第N行 and the column, as Excel numbers the rows)."""
    from python_calamine import CalamineWorkbook

    try:
        # every row from A1 (calamine otherwise starts at the first used row): 第N行 is Excel's row N
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds for an unreadable file
        raise UserError(f"无法读取 Excel 文件 {Path(path).name}：{exc}") from None
    head_at = next((i for i, row in enumerate(rows[:10]) if "科目编码" in [_text(c) for c in row]), None)
    if head_at is None:
        raise UserError(f"前10行中没有找到表头（应为：{'、'.join(HEADERS)}）")
    header = [_text(c) for c in rows[head_at]]
    missing = [c for c in ("科目编码", "计划金额") if c not in header]
    if missing:
        raise UserError(f"第{head_at + 1}行表头缺少列：{'、'.join(missing)}（应为：{'、'.join(HEADERS)}）")
    refuse_formulas_without_values(path, header)
    col = {name: header.index(name) for name in header if name}
    out: list[PlanInput] = []
    errors: list[str] = []
    for n, raw in enumerate(rows[head_at + 1:], start=head_at + 2):
        cells = list(raw) + [""] * (len(header) - len(raw))
        code = _text(cells[col["科目编码"]])
        if code.startswith(NOTE_PREFIX) or all(_text(c) == "" for c in cells):
            continue
        text = _amount_text(cells[col["计划金额"]])
        if text == "":
            continue  # not planned
        try:
            amount = parse_plan_amount(text, row=n)
        except (ValidationError, TypeError) as exc:
            errors.append(f"第{n}行“计划金额”列：{getattr(exc, 'message', exc)}")
            continue
        note = _text(cells[col["说明"]]) if "说明" in col else ""
        out.append(PlanInput(code, amount, note or None, n))
    return out, errors
