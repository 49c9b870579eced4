"""Statements as PDF: reportlab canvas, fixed column widths and row heights, bundled CJK font.

Deterministic: ``invariant=True`` and fixed metadata, so the same data gives the same bytes.
Every page: organisation and USCC, book, period, 单位：元, page x/y; the last page carries the
sign-off lines and (for a closed month) a QR code with the period's seal hash.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.core.rows_funds import Statement, StatementLine
from desktop_app.reports.canvas_text import column_rules
from desktop_app.reports.fonts import register_cjk_font

ROW_H = 5.0 * mm
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


def _clip(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and c.stringWidth(text, font, size) > width - 2 * mm:
        text = text[:-1]
    return text


def _header(c: canvas.Canvas, st: Statement, font: str, page: tuple[float, float], widths: list[float],
            n: int, total: int) -> float:
    w, h = page
    top = h - MARGIN
    c.setFont(font, 16)
    c.drawCentredString(w / 2, top - 6 * mm, st.title)
    c.setFont(font, 9)
    c.drawCentredString(w / 2, top - 12 * mm, f"{st.period_label}　（{st.chart_version}版会计制度）")
    c.drawString(MARGIN, top - 19 * mm, f"编制单位：{st.organisation}（{st.organisation_code}）")
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
    return y


def _row(c: canvas.Canvas, line: StatementLine, font: str, widths: list[float], y: float, right: float) -> None:
    size = 9
    c.setFont(font, size)
    x = MARGIN
    indent = 4 * mm * line.indent
    label = ("　" if line.is_total else "") + line.label
    c.drawString(x + 1.5 * mm + indent, y + 1.4 * mm, _clip(c, label, font, size, widths[0] - indent))
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
    w = page[0]
    y = MARGIN + 12 * mm
    c.setFont(font, 9)
    c.drawString(MARGIN, y, "单位负责人：____________　　会计主管：____________　　制表：____________　　审核：____________")
    c.drawString(MARGIN, y - 6 * mm, "报出日期：______年____月____日")
    for i, note in enumerate(st.notes):
        c.drawString(MARGIN, y + 6 * mm + i * 5 * mm, note)
    if st.seal_hash:
        payload = f"SL1|{st.organisation_code}|{st.period_to}|{st.kind}|{st.seal_hash}"
        qr = QrCodeWidget(payload)
        x0, y0, x1, y1 = qr.getBounds()
        size = 22 * mm
        d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        d.add(qr)
        renderPDF.draw(d, c, w - MARGIN - size, MARGIN - 4 * mm)
        c.setFont(font, 6)
        c.drawRightString(w - MARGIN - size - 2 * mm, MARGIN, f"结账封存码 {st.seal_hash[:16]}…")


def statement_pdf_bytes(st: Statement) -> bytes:
    font = register_cjk_font()
    page, widths = _layout(st)
    per_page = int((page[1] - 2 * MARGIN - HEADER_H - FOOTER_H) // ROW_H)
    chunks = [st.lines[i:i + per_page] for i in range(0, len(st.lines), per_page)] or [()]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{st.organisation} {st.title} {st.period_label}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(st.title)
    right = page[0] - MARGIN
    for n, chunk in enumerate(chunks, start=1):
        y = _header(c, st, font, page, widths, n, len(chunks))
        top = y
        for line in chunk:
            y -= ROW_H
            _row(c, line, font, widths, y, right)
        column_rules(c, widths, MARGIN, top + ROW_H, y)
        if n == len(chunks):
            _footer(c, st, font, page)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_statement_pdf(st: Statement, path: Path | str) -> Path:
    path = Path(path)
    path.write_bytes(statement_pdf_bytes(st))
    return path
