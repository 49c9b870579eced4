"""Asset, resource and project lists as PDF (reportlab canvas, fixed widths and row heights).

One engine for every sheet of ``assets_sheets``: the title, organisation and USCC, period and
unit on every page, the column header repeated on every page, page x/y, the totals row and the
sign-off lines on the last page. Deterministic: ``invariant=True`` and fixed metadata.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.reports.assets_sheets import Cell, Sheet, SheetColumn
from desktop_app.reports.canvas_text import clip_text, column_rules
from desktop_app.reports.fonts import register_cjk_font

ROW_H = 6.0 * mm
MARGIN = 12 * mm
HEADER_H = 30 * mm
FOOTER_H = 26 * mm
SIZE = 7.5


def cell_text(col: SheetColumn, value: Cell) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if col.kind == "money":
            return format_amount(value)
        if col.kind == "mu":
            return f"{value:,.4f}"
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value)


def _widths(sheet: Sheet, usable: float) -> list[float]:
    total = sum(c.width_mm for c in sheet.columns)
    return [c.width_mm / total * usable for c in sheet.columns]


def _header(c: canvas.Canvas, sheet: Sheet, font: str, page: tuple[float, float], widths: list[float], n: int,
            total: int) -> float:
    w, h = page
    top = h - MARGIN
    c.setFont(font, 15)
    c.drawCentredString(w / 2, top - 6 * mm, sheet.title)
    c.setFont(font, 9)
    if sheet.period_label:
        c.drawCentredString(w / 2, top - 12 * mm, sheet.period_label)
    c.drawString(MARGIN, top - 19 * mm, f"编制单位：{sheet.organisation}（{sheet.uscc}）")
    c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {total} 页　　单位：{sheet.unit}")
    y = top - HEADER_H
    c.setLineWidth(0.6)
    c.line(MARGIN, y + ROW_H, w - MARGIN, y + ROW_H)
    x = MARGIN
    c.setFont(font, SIZE)
    for col, cw in zip(sheet.columns, widths, strict=True):
        c.drawCentredString(x + cw / 2, y + 2 * mm, clip_text(c, col.header, font, SIZE, cw))
        x += cw
    c.line(MARGIN, y, w - MARGIN, y)
    return float(y)


def _row(c: canvas.Canvas, sheet: Sheet, values: tuple[Cell, ...], font: str, widths: list[float], y: float,
         right: float, bold: bool = False) -> None:
    c.setFont(font, SIZE)
    x = MARGIN
    for col, value, cw in zip(sheet.columns, values, widths, strict=True):
        text = clip_text(c, cell_text(col, value), font, SIZE, cw)
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            c.drawRightString(x + cw - 1 * mm, y + 2 * mm, text)
        else:
            c.drawString(x + 1 * mm, y + 2 * mm, text)
        x += cw
    c.setLineWidth(0.6 if bold else 0.2)
    c.line(MARGIN, y, right, y)


def _wrap(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if c.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _footer(c: canvas.Canvas, sheet: Sheet, font: str, y: float, width: float) -> None:
    c.setFont(font, 8)
    for line in _wrap(c, f"说明：{sheet.note}", font, 8, width)[:3] if sheet.note else []:
        y -= 4.5 * mm
        c.drawString(MARGIN, y, line)
    c.setFont(font, 9)
    c.drawString(MARGIN, y - 7 * mm, "单位负责人：__________　资产管理员：__________　制表：__________　"
                                    "审核：__________　日期：_____年___月___日")


def sheet_pdf_bytes(sheet: Sheet) -> bytes:
    font = register_cjk_font()
    page = landscape(A4) if sheet.landscape else A4
    widths = _widths(sheet, page[0] - 2 * MARGIN)
    body = list(sheet.rows) + ([sheet.totals] if sheet.totals is not None else [])
    per_page = int((page[1] - 2 * MARGIN - HEADER_H - FOOTER_H) // ROW_H)
    chunks = [body[i:i + per_page] for i in range(0, len(body), per_page)] or [[]]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{sheet.organisation} {sheet.title} {sheet.period_label}".strip())
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(sheet.title)
    right = page[0] - MARGIN
    done = 0
    for n, chunk in enumerate(chunks, start=1):
        y = _header(c, sheet, font, page, widths, n, len(chunks))
        top = y
        for values in chunk:
            y -= ROW_H
            done += 1
            _row(c, sheet, values, font, widths, y, right, bold=sheet.totals is not None and done == len(body))
        if not chunk:
            y -= ROW_H
            c.setFont(font, SIZE)
            c.drawString(MARGIN + 2 * mm, y + 2 * mm, "（无记录）")
            c.line(MARGIN, y, right, y)
        column_rules(c, widths, MARGIN, top + ROW_H, y)
        if n == len(chunks):
            _footer(c, sheet, font, y, page[0] - 2 * MARGIN)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_sheet_pdf(sheet: Sheet, path: Path | str) -> Path:
    path = Path(path)
    path.write_bytes(sheet_pdf_bytes(sheet))
    return path
