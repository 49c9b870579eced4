"""Statements as PDF: reportlab canvas, fixed column widths and row heights, bundled CJK font.

Deterministic: ``invariant=True`` and fixed metadata, so the same data gives the same bytes.
Every page: organisation and USCC, book, period, 单位：元, page x/y and, when the statement was
sealed (``reports.sealed_kinds.seal_statement``), the QR code with its check code, which
``verify-sheet`` checks against the books; the last page carries the notes, the sign-off lines and,
for a closed month, the period's seal. A long label wraps onto more lines: nothing is cut.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.core.rows_funds import Statement, StatementLine
from desktop_app.core.services.statements import owner_line
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.fonts import register_cjk_font

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

ROW_H = 5.0 * mm
LEADING = 3.8 * mm  # each further line of a wrapped label
SIZE = 9
NOTE_H = 5 * mm
MARGIN = 14 * mm
HEADER_H = 34 * mm
FOOTER_H = 24 * mm


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "—"
    return format_amount(value)


def _layout(st: Statement) -> tuple[tuple[float, float], list[float]]:
    """Page size and the fixed column widths (label, [line no / code], value columns)."""
    wide = len(st.columns) > 3
    page = landscape(A4) if wide else A4
    usable = page[0] - 2 * MARGIN
    value_w = 30 * mm if wide else 38 * mm
    key_w = 18 * mm
    label_w = usable - key_w - value_w * len(st.columns)
    return page, [label_w, key_w] + [value_w] * len(st.columns)


def _label(line: StatementLine) -> str:
    return ("　" if line.is_total else "") + line.label


def _label_lines(c: canvas.Canvas, line: StatementLine, font: str, widths: list[float]) -> list[str]:
    indent = 4 * mm * line.indent
    return wrap(_label(line), SIZE, widths[0] - indent - 3.5 * mm)


def _row_height(c: canvas.Canvas, line: StatementLine, font: str, widths: list[float]) -> float:
    return float(ROW_H + (len(_label_lines(c, line, font, widths)) - 1) * LEADING)


def _header(c: canvas.Canvas, st: Statement, font: str, page: tuple[float, float], widths: list[float],
            n: int, total: int) -> float:
    w, h = page
    top = h - MARGIN
    c.setFont(font, 16)
    c.drawCentredString(w / 2, top - 6 * mm, st.title)
    c.setFont(font, 9)
    c.drawCentredString(w / 2, top - 12 * mm, f"{st.period_label}　（{st.chart_version}版会计制度）")
    owner = owner_line(st)
    c.setFont(font, 9 if c.stringWidth(owner, font, 9) < w - 2 * MARGIN - 35 * mm else 7.5)
    c.drawString(MARGIN, top - 19 * mm, owner)
    c.setFont(font, 9)
    c.drawString(MARGIN, top - 24 * mm, f"账套：{st.book_name}")
    c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {total} 页")
    c.drawRightString(w - MARGIN, top - 24 * mm, "单位：元")
    y = top - HEADER_H
    c.setLineWidth(0.6)
    c.line(MARGIN, y + ROW_H, w - MARGIN, y + ROW_H)
    x = MARGIN
    heads = [st.label_header, "行次" if st.label_header == "项目" else "科目编码", *st.columns]
    for head, cw in zip(heads, widths, strict=True):
        c.setFont(font, 9)
        c.drawCentredString(x + cw / 2, y + 2 * mm, head)
        x += cw
    c.line(MARGIN, y, w - MARGIN, y)
    return float(y)


def _row(c: canvas.Canvas, line: StatementLine, font: str, widths: list[float], y: float, right: float) -> None:
    """One line of the table with its bottom at ``y``; a long label wraps, the figures sit on its last line."""
    c.setFont(font, SIZE)
    x = MARGIN
    indent = 4 * mm * line.indent
    parts = _label_lines(c, line, font, widths)
    for i, part in enumerate(parts):
        c.drawString(x + 1.5 * mm + indent, y + 1.4 * mm + (len(parts) - 1 - i) * LEADING, part)
    x += widths[0]
    key = line.code if line.code else (str(line.line_no) if line.line_no is not None else "")
    c.drawCentredString(x + widths[1] / 2, y + 1.4 * mm, key)
    x += widths[1]
    for value, cw in zip(line.values, widths[2:], strict=True):
        c.drawRightString(x + cw - 1.5 * mm, y + 1.4 * mm, _amount(value))
        x += cw
    c.setLineWidth(0.5 if line.is_total else 0.2)
    c.line(MARGIN, y, right, y)


def _footer(c: canvas.Canvas, st: Statement, font: str, page: tuple[float, float]) -> None:
    """Notes, the sign-off lines, 报出日期 and (for a closed month) the period's seal: the last page's foot."""
    y = MARGIN + 12 * mm
    c.setFont(font, 9)
    c.drawString(MARGIN, y, "单位负责人：____________　　会计主管：____________　　制表：____________　　审核：____________")
    c.drawString(MARGIN, y - 6 * mm, "报出日期：______年____月____日")
    for i, note in enumerate(reversed(st.notes)):
        c.drawString(MARGIN, y + 6 * mm + i * NOTE_H, note)
    if st.seal_hash:
        c.setFont(font, 6)
        c.drawString(MARGIN, MARGIN - 4 * mm, f"结账封存码 {st.seal_hash[:16]}…")


def _draw_qr(c: canvas.Canvas, seal: SealRow, font: str, page: tuple[float, float]) -> None:
    draw_check_code(c, font, seal, page[0], MARGIN, qr_size=22 * mm, code_y=MARGIN)


def _pages(c: canvas.Canvas, st: Statement, font: str, page: tuple[float, float],
           widths: list[float]) -> list[list[tuple[StatementLine, float]]]:
    """The lines of each page with their heights: as many as fit, the last page keeping room for the
    notes (the foot is never alone on a page: the last lines go with it)."""
    room = page[1] - 2 * MARGIN - HEADER_H - FOOTER_H
    last_room = room - NOTE_H * max(0, len(st.notes) - 1)
    rows = [(line, _row_height(c, line, font, widths)) for line in st.lines]
    pages: list[list[tuple[StatementLine, float]]] = [[]]
    used = 0.0
    for row in rows:
        if pages[-1] and used + row[1] > room:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row[1]
    if used > last_room and len(pages[-1]) > 1:  # the notes need room: the last line(s) move on
        moved: list[tuple[StatementLine, float]] = []
        while pages[-1] and used > last_room:
            moved.insert(0, pages[-1].pop())
            used -= moved[0][1]
        pages.append(moved)
    return pages


def statement_pdf_bytes(st: Statement, seal: SealRow | None = None) -> bytes:
    font = register_cjk_font()
    page, widths = _layout(st)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    chunks = _pages(c, st, font, page, widths)
    c.setTitle(f"{st.organisation} {st.title} {st.period_label}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(f"{st.title} {seal.payload}" if seal is not None else st.title)
    right = page[0] - MARGIN
    for n, chunk in enumerate(chunks, start=1):
        y = _header(c, st, font, page, widths, n, len(chunks))
        top = y
        for line, height in chunk:
            y -= height
            _row(c, line, font, widths, y, right)
        column_rules(c, widths, MARGIN, top + ROW_H, y)
        if n == len(chunks):
            _footer(c, st, font, page)
        if seal is not None:
            _draw_qr(c, seal, font, page)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_statement_pdf(st: Statement, path: Path | str, seal: SealRow | None = None) -> Path:
    path = Path(path)
    path.write_bytes(statement_pdf_bytes(st, seal))
    return path
