"""The district's reports as xlsx (issue #13): one sheet per table of the document, real numbers
(amounts '#,##0.00', shares '0.0'), the totals row, the notes and what the figures were computed on
under each table, print setup through ``print_setup.finish_sheet``; the tier chart as an Excel
bar chart beside its figures."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.excel.print_setup import finish_sheet
from desktop_app.reports.district_sheets import Cell, Chart, Col, DistrictDoc, Table

FORMATS = {"money": "#,##0.00", "pct": "0.0", "int": "0"}
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _width(col: Col) -> float:
    return round(col.width / 1.9 + 2, 1)


def _value(col: Col, value: Cell) -> Cell:
    return value if value is not None or col.kind == "text" else None


def _sheet_name(wb: Workbook, wanted: str) -> str:
    name = (wanted or "表")[:31]
    n = 2
    while name in wb.sheetnames:
        name = f"{wanted[:28]}{n}"
        n += 1
    return name


def _notes(ws: Worksheet, row: int, lines: list[str]) -> int:
    for line in lines:
        ws.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=False)
        row += 1
    return row


def _table_sheet(wb: Workbook, doc: DistrictDoc, table: Table) -> Worksheet:
    ws = wb.create_sheet(_sheet_name(wb, table.sheet or table.title))
    ncols = len(table.columns)
    for i, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header.replace("\n", ""))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[get_column_letter(i)].width = _width(col)
    row = 2
    rows = list(table.rows) + ([table.totals] if table.totals is not None else [])
    for k, values in enumerate(rows):
        total = table.totals is not None and k == len(rows) - 1
        for i, (col, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = ws.cell(row=row, column=i, value=_value(col, value))
            if col.kind in FORMATS:
                cell.number_format = FORMATS[col.kind]
            elif not isinstance(value, str) and value is not None:
                cell.number_format = "yyyy-mm-dd"
            cell.border = _BOX
            if total:
                cell.font = Font(bold=True)
        row += 1
    last_data = row - 1 - (1 if table.totals is not None else 0)
    row = _notes(ws, row + 1, ([f"注：{table.note}"] if table.note else []) + list(doc.basis))
    ws.cell(row=row + 1, column=1, value="单位负责人：　　　　审核：　　　　制表：　　　　报出日期：")
    ws.freeze_panes = "A2"
    finish_sheet(ws, title=f"{doc.title}　{table.title}",
                 subtitle=f"{doc.period_label}　编制单位：{doc.organisation}　单位：{doc.unit}",
                 header_rows=1, ncols=ncols, last_row=max(last_data, 1))
    return ws


def _chart_sheet(wb: Workbook, doc: DistrictDoc, chart: Chart) -> Worksheet:
    ws = wb.create_sheet(_sheet_name(wb, "分档图表"))
    heads = ["档次", *(name for name, _v in chart.series)]
    for i, h in enumerate(heads, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font = Font(bold=True)
        c.border = _BOX
        ws.column_dimensions[get_column_letter(i)].width = 16
    for r, cat in enumerate(chart.categories, start=2):
        ws.cell(row=r, column=1, value=cat).border = _BOX
        for i, (_name, values) in enumerate(chart.series, start=2):
            c = ws.cell(row=r, column=i, value=values[r - 2])
            c.number_format = "0"
            c.border = _BOX
    last = len(chart.categories) + 1
    total_row = last + 1
    ws.cell(row=total_row, column=1, value="合计").font = Font(bold=True)
    for i, (_name, values) in enumerate(chart.series, start=2):
        ws.cell(row=total_row, column=i, value=sum(values)).font = Font(bold=True)
    bar = BarChart()
    bar.type = "col"
    bar.title = chart.title
    bar.y_axis.title = chart.value_label
    bar.add_data(Reference(ws, min_col=2, max_col=1 + len(chart.series), min_row=1, max_row=last), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    bar.width, bar.height = 22, 10
    ws.add_chart(bar, f"A{total_row + 2}")
    _notes(ws, total_row + 24, list(doc.basis))
    finish_sheet(ws, title=f"{doc.title}　{chart.title}", subtitle=f"{doc.period_label}　编制单位：{doc.organisation}",
                 header_rows=1, ncols=len(heads), last_row=last, landscape=True)
    return ws


def district_workbook(doc: DistrictDoc) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None
    for block in doc.blocks:
        if isinstance(block, Table):
            _table_sheet(wb, doc, block)
        else:
            _chart_sheet(wb, doc, block)
    wb.remove(first)
    wb.properties.creator = "阳光台账"
    wb.properties.title = f"{doc.organisation} {doc.title} {doc.period_label}"
    return wb


def district_xlsx_bytes(doc: DistrictDoc) -> bytes:
    buf = io.BytesIO()
    district_workbook(doc).save(buf)
    return buf.getvalue()


def write_district_xlsx(doc: DistrictDoc, path: Path | str) -> Path:
    path = Path(path)
    district_workbook(doc).save(path)
    return path
