"""Asset, resource and project lists as PDF (reportlab canvas, fixed widths).

One engine for every sheet of ``assets_sheets``: the title, organisation and credit code, period
and unit on every page, the column header repeated on every page, page x/y and the sign-off lines
on every page, the totals row and the note on the last. Nothing is ever cut: a text cell too long
for its column wraps onto more lines and its row grows; a figure too wide for its column is set
in a smaller size. A page never carries only the note (the last row moves with it).
Deterministic: ``invariant=True`` and fixed metadata.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.reports.assets_sheets import Cell, Sheet, SheetColumn, on_medium, owner_line
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.fonts import register_cjk_font

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

ROW_H = 6.0 * mm  # a one-line row
LINE_H = 3.3 * mm  # each further line of a wrapped cell
PAD = 1.0 * mm
MARGIN = 12 * mm
HEADER_H = 30 * mm  # title, period, 编制单位 (the table's header row starts below)
SIGN_H = 22 * mm  # the sign-off lines (and the check code of a sealed sheet) at the foot of every page
QR_SIZE = 18 * mm
NOTE_LINE = 4.5 * mm
SIZE = 7.5
MIN_SIZE = 5.0
SIGN_OFF = "单位负责人：__________　资产管理员：__________　制表：__________　审核：__________　日期：_____年___月___日"


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


def _is_figure(value: Cell) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Row:
    cells: tuple[tuple[list[str], float, bool], ...]  # (lines, font size, right-aligned) per column
    height: float
    bold: bool = False


def _layout_row(c: canvas.Canvas, sheet: Sheet, values: Sequence[Cell], font: str, widths: list[float],
                bold: bool = False) -> _Row:
    cells = []
    for col, value, cw in zip(sheet.columns, values, widths, strict=True):
        text, room = cell_text(col, value), cw - 2 * PAD
        if _is_figure(value):  # a figure stays on one line: a smaller size if it must, never cut
            size = SIZE
            while size > MIN_SIZE and c.stringWidth(text, font, size) > room:
                size -= 0.5
            cells.append(([text], size, True))
        else:
            cells.append((wrap(text, SIZE, room), SIZE, False))
    lines = max(len(ls) for ls, _, _ in cells)
    return _Row(tuple(cells), ROW_H + (lines - 1) * LINE_H, bold)


def _header_row(c: canvas.Canvas, sheet: Sheet, font: str, widths: list[float]) -> _Row:
    cells = tuple((wrap(col.header, SIZE, cw - 2 * PAD), SIZE, False)
                  for col, cw in zip(sheet.columns, widths, strict=True))
    return _Row(cells, ROW_H + (max(len(ls) for ls, _, _ in cells) - 1) * LINE_H)


def _draw_row(c: canvas.Canvas, row: _Row, font: str, widths: list[float], top: float, right: float,
              centred: bool = False) -> float:
    x = MARGIN
    for (lines, size, right_aligned), cw in zip(row.cells, widths, strict=True):
        c.setFont(font, size)
        for k, line in enumerate(lines):
            base = top - 4.0 * mm - k * LINE_H
            if centred:
                c.drawCentredString(x + cw / 2, base, line)
            elif right_aligned:
                c.drawRightString(x + cw - PAD, base, line)
            else:
                c.drawString(x + PAD, base, line)
        x += cw
    bottom = top - row.height
    c.setLineWidth(0.6 if row.bold else 0.2)
    c.line(MARGIN, bottom, right, bottom)
    return bottom


def _widths(sheet: Sheet, usable: float) -> list[float]:
    total = sum(c.width_mm for c in sheet.columns)
    return [c.width_mm / total * usable for c in sheet.columns]


def _page_head(c: canvas.Canvas, sheet: Sheet, font: str, page: tuple[float, float], n: int, total: int) -> float:
    w, h = page
    top = h - MARGIN
    size = 15.0
    while size > 7 and c.stringWidth(sheet.title, font, size) > w - 2 * MARGIN:  # a long title is set smaller
        size -= 0.5
    c.setFont(font, size)
    c.drawCentredString(w / 2, top - 6 * mm, sheet.title)
    c.setFont(font, 9)
    if sheet.period_label:
        c.drawCentredString(w / 2, top - 12 * mm, sheet.period_label)
    right = f"第 {n} 页 / 共 {total} 页　　单位：{sheet.unit}"
    c.drawRightString(w - MARGIN, top - 19 * mm, right)
    owner, size = owner_line(sheet), 9.0
    room = w - 2 * MARGIN - c.stringWidth(right, font, 9) - 6 * mm
    lines = wrap(owner, size, room)
    while len(lines) > 3:  # three lines fit above the table; a longer name is set smaller, never cut
        size -= 0.5
        lines = wrap(owner, size, room)
    c.setFont(font, size)
    for k, line in enumerate(lines):
        c.drawString(MARGIN, top - 19 * mm - k * 3.6 * mm, line)
    return float(top - HEADER_H)


def _sign_off(c: canvas.Canvas, font: str, width: float) -> None:
    c.setFont(font, 9)
    for k, line in enumerate(wrap(SIGN_OFF, 9, width - QR_SIZE - 6 * mm)[:2]):
        c.drawString(MARGIN, MARGIN + 12 * mm - k * 4.5 * mm, line)


def _draw_seal(c: canvas.Canvas, font: str, seal: SealRow, page_width: float) -> None:
    draw_check_code(c, font, seal, page_width, MARGIN, qr_size=QR_SIZE, code_y=MARGIN)


def _pages(rows: list[_Row], capacity: float, note_h: float) -> list[list[_Row]]:
    """Rows per page; the last row goes to the next page with the note rather than leave the
    note alone on a page of its own."""
    pages: list[list[_Row]] = []
    cur: list[_Row] = []
    used = 0.0
    for i, row in enumerate(rows):
        need = row.height + (note_h if i == len(rows) - 1 else 0)
        if cur and used + need > capacity:
            pages.append(cur)
            cur, used = [], 0.0
        cur.append(row)
        used += row.height
    return [*pages, cur] if cur or not pages else pages


def sheet_pdf_bytes(sheet: Sheet, seal: SealRow | None = None) -> bytes:
    """The sheet as PDF; with ``seal`` (``reports.sealed_kinds.seal_asset_sheet``) every page
    carries the QR code and check code of what it prints."""
    sheet = on_medium(sheet, "pdf")  # columns kept for the xlsx only (so it imports back) are not printed
    font = register_cjk_font()
    page = landscape(A4) if sheet.landscape else A4
    usable = page[0] - 2 * MARGIN
    widths = _widths(sheet, usable)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{sheet.organisation} {sheet.title} {sheet.period_label}".strip())
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(sheet.title)
    head = _header_row(c, sheet, font, widths)
    body = [_layout_row(c, sheet, r, font, widths) for r in sheet.rows]
    if sheet.totals is not None:
        body.append(_layout_row(c, sheet, sheet.totals, font, widths, bold=True))
    note = wrap(f"说明：{sheet.note}", 8, usable) if sheet.note else []
    note_h = len(note) * NOTE_LINE + (2 * mm if note else 0)
    capacity = page[1] - 2 * MARGIN - HEADER_H - head.height - SIGN_H
    chunks = _pages(body, capacity, note_h)
    right = page[0] - MARGIN
    for n, chunk in enumerate(chunks, start=1):
        top = _page_head(c, sheet, font, page, n, len(chunks))
        c.setLineWidth(0.6)
        c.line(MARGIN, top, right, top)
        y = _draw_row(c, head, font, widths, top, right, centred=True)
        for row in chunk:
            y = _draw_row(c, row, font, widths, y, right)
        if not chunk:
            c.setFont(font, SIZE)
            c.drawString(MARGIN + 2 * mm, y - 4 * mm, "（无记录）")
            y -= ROW_H
            c.line(MARGIN, y, right, y)
        column_rules(c, widths, MARGIN, top, y)
        if n == len(chunks):
            c.setFont(font, 8)
            for line in note:
                y -= NOTE_LINE
                c.drawString(MARGIN, y, line)
        _sign_off(c, font, usable)
        if seal is not None:
            _draw_seal(c, font, seal, page[0])
        c.showPage()
    c.save()
    return buf.getvalue()


def write_sheet_pdf(sheet: Sheet, path: Path | str, seal: SealRow | None = None) -> Path:
    path = Path(path)
    path.write_bytes(sheet_pdf_bytes(sheet, seal))
    return path
