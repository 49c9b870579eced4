"""The annual tables (``services.annual_tables``) as one xlsx for the national platform's import.

One sheet per form, in the forms' order, then a 说明 sheet. A form sheet is a bare table for the
platform's 汇总 import: the header on row 1 (序号, 单位名称, 统一社会信用代码, 区划代码, 所属乡镇, then the
form's items in the form's order), one row per village, each township's 合计 row after its villages
and a 总计 row when there are several townships (序号 blank on those rows, so an importer can tell
them apart). The sheet's title goes to the printed page header (``finish_sheet(title_on_sheet=
False)``), not above the table, so row 1 stays the header. Amounts are numbers in 元 ('#,##0.00'),
areas exact numbers in 亩 (shown to 2 decimals), counts whole numbers; user text (names) goes
through the project's safe cell writing, so a name beginning with "=" stays text.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.core.services.annual_tables import AnnualForm, AnnualTables, Value
from desktop_app.excel.print_setup import finish_sheet

FORMATS = {"money": "#,##0.00", "each": "#,##0.00", "area": "#,##0.00", "int": "0"}
LEADING = (("序号", 6), ("单位名称", 26), ("统一社会信用代码", 21), ("区划代码", 14), ("所属乡镇", 12))
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def _width(label: str, kind: str) -> float:
    if kind == "text":
        return 22
    return 16 if len(label) <= 8 else 18


class _Styles:
    """One style per (kind, total row), copied onto each cell: setting border, font and format cell by
    cell makes openpyxl hash them again for every cell (a 300-village workbook: 19 s of its 24)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.made: dict[tuple[str, bool], StyleArray] = {}

    def get(self, kind: str, total: bool) -> StyleArray:
        key = (kind, total)
        if key not in self.made:
            sample = Cell(self.ws, 1, 1)
            sample.border = _BOX
            if kind in FORMATS:
                sample.number_format = FORMATS[kind]
            if total:
                sample.font = Font(bold=True)
                sample.fill = _TOTAL_FILL
            self.made[key] = sample._style
        return copy(self.made[key])


def _form_sheet(wb: Workbook, tables: AnnualTables, form: AnnualForm) -> Worksheet:
    ws = wb.create_sheet(form.title[:31])
    heads: list[tuple[str, float]] = [(label, float(width)) for label, width in LEADING]
    heads += [(c.label, _width(c.label, c.kind)) for c in form.columns]
    for i, (label, width) in enumerate(heads, start=1):
        cell = ws.cell(row=1, column=i, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 45
    styles = _Styles(ws)
    n = 0
    for r, row in enumerate(form.rows, start=2):
        if not row.is_total:
            n += 1
        leading: tuple[Value, ...] = (None if row.is_total else n, row.name, row.uscc or None, row.region_code or None,
                                      row.township or None)
        for i, lead in enumerate(leading, start=1):
            ws.cell(row=r, column=i, value=lead)._style = styles.get("text", row.is_total)
        for i, (col, value) in enumerate(zip(form.columns, row.values, strict=True), start=len(LEADING) + 1):
            # Decimal and int: written as numbers
            ws.cell(row=r, column=i, value=value)._style = styles.get(col.kind, row.is_total)
    ws.freeze_panes = "C2"
    subtitle = f"{tables.year}年度　{tables.scope}" + (f"　{form.note}" if form.note else "")
    finish_sheet(ws, title=f"{form.title}（{tables.year}年度）", subtitle=subtitle, header_rows=1,
                 ncols=len(heads), last_row=max(len(form.rows) + 1, 1), landscape=True, title_on_sheet=False)
    return ws


def _notes_sheet(wb: Workbook, tables: AnnualTables) -> Worksheet:
    ws = wb.create_sheet("说明")
    lines = [
        f"{tables.year}年度农村集体资产年报（清产核资）表　范围：{tables.scope}",
        "金额单位：元；面积单位：亩。每张表第1行为表头，每村一行；序号为空的行是乡镇合计或总计。",
        "数据来源：资产负债表、收益及收益分配表取自各村集体经济组织账套（不含村民委员会账套）；"
        "收益分配取自当年收益的分配方案；固定资产清查取自资产台账（核实数）与账面数；资源性资产取自资源台账；户数、成员数取自成员名册（年末在册）。",
    ]
    for form in tables.forms:
        lines.append(f"{form.title}：{len([r for r in form.rows if not r.is_total])} 个村" +
                     (f"（{form.note}）" if form.note else ""))
    if tables.skipped:
        lines.append(f"未列入（{len(tables.skipped)} 个村）：")
        lines += [f"　{v.name}（{v.uscc}）：{why}" for v, why in tables.skipped]
    for r, text in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=text)
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 120
    finish_sheet(ws, title=f"{tables.year}年度农村集体资产年报　说明", header_rows=1, ncols=1,
                 title_on_sheet=False, autofilter=False)
    return ws


def annual_workbook(tables: AnnualTables) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None
    for form in tables.forms:
        _form_sheet(wb, tables, form)
    _notes_sheet(wb, tables)
    wb.remove(first)
    wb.properties.creator = "阳光台账"
    wb.properties.title = f"{tables.year}年度农村集体资产年报 {tables.scope}"
    return wb


def write_annual_xlsx(tables: AnnualTables, path: Path | str) -> Path:
    path = Path(path)
    annual_workbook(tables).save(path)
    return path
