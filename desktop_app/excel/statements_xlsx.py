"""Statements as xlsx (openpyxl): real numbers with '#,##0.00', never text; fixed column widths."""

from __future__ import annotations

import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from desktop_app.core.rows_funds import Statement
from desktop_app.core.services.statements import owner_line
from desktop_app.excel.print_setup import finish_sheet

NUMBER_FORMAT = "#,##0.00"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _widths(ncols: int) -> list[int]:
    """Column widths (Excel units): 项目/科目, 行次/科目编码, then the amounts."""
    return [34, 10, *([17] * (ncols - 2))]


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` units wide (a CJK character is two units)."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, math.ceil(units / max(width - 1, 1)))


def _height(text: str, width: float) -> float:
    return 15.0 * _lines(text, width) + 2


def statement_workbook(st: Statement) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = st.title
    ncols = 2 + len(st.columns)
    last = get_column_letter(ncols)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = st.title
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"{st.period_label}（{st.chart_version}版会计制度）"
    ws["A2"].alignment = Alignment(horizontal="center")
    owner = f"{owner_line(st)}　账套：{st.book_name}"
    ws["A3"] = owner
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(f"A3:{get_column_letter(ncols - 1)}3")
    ws.row_dimensions[3].height = _height(owner, sum(_widths(ncols)[:-1]))
    ws.cell(row=3, column=ncols, value="单位：元").alignment = Alignment(horizontal="right", vertical="center")
    heads = [st.label_header, "行次" if st.label_header == "项目" else "科目编码", *st.columns]
    for col, head in enumerate(heads, start=1):
        cell = ws.cell(row=4, column=col, value=head)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = _BOX
    row = 5
    for line in st.lines:
        label = ws.cell(row=row, column=1, value=line.label)
        label.alignment = Alignment(indent=line.indent, wrap_text=True, vertical="center")
        if _lines(line.label, _widths(ncols)[0] - 2 * line.indent) > 1:  # a long name wraps, never cut
            ws.row_dimensions[row].height = _height(line.label, _widths(ncols)[0] - 2 * line.indent)
        if line.is_total or line.is_heading:
            label.font = Font(bold=True)
        key = line.code if line.code else line.line_no
        ws.cell(row=row, column=2, value=key).alignment = Alignment(horizontal="center")
        for i, value in enumerate(line.values, start=3):
            cell = ws.cell(row=row, column=i, value=value)  # Decimal: written as a number
            cell.number_format = NUMBER_FORMAT
        for col in range(1, ncols + 1):
            ws.cell(row=row, column=col).border = _BOX
        row += 1
    last_data = row - 1
    row += 1
    for note in st.notes:
        ws.cell(row=row, column=1, value=note)
        row += 1
    ws.cell(row=row, column=1, value="单位负责人：　　　会计主管：　　　制表：　　　审核：　　　报出日期：")
    if st.seal_hash:
        ws.cell(row=row + 1, column=1, value=f"结账封存码：{st.seal_hash}")
    for i, width in enumerate(_widths(ncols), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C5"
    finish_sheet(ws, title=st.title, subtitle=ws["A2"].value, header_rows=4, ncols=ncols, last_row=last_data)
    wb.properties.creator = "阳光台账"
    return wb


def statement_xlsx_bytes(st: Statement) -> bytes:
    buf = io.BytesIO()
    statement_workbook(st).save(buf)
    return buf.getvalue()


def write_statement_xlsx(st: Statement, path: Path | str) -> Path:
    path = Path(path)
    statement_workbook(st).save(path)
    return path
