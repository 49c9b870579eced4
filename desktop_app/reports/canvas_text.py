"""Small drawing helpers shared by the reportlab list reports (fixed widths, no platypus).

Cell text is never cut: wrap it with ``disclosure.layout.wrap`` (or set it smaller with
``disclosure.layout.fit``, which wraps below a readable floor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

CHECK_HINT = "扫描二维码或在阳光台账中输入校验码（verify-sheet），可核对本表是否与账目一致"


def column_rules(c: Canvas, widths: Sequence[float], left: float, top: float, bottom: float) -> None:
    """The vertical lines of a table: one at ``left`` and one after each column."""
    c.setLineWidth(0.3)
    x = left
    for cw in [0.0, *widths]:
        x += cw
        c.line(x, top, x, bottom)


def draw_check_code(c: Canvas, font: str, seal: SealRow, page_width: float, margin: float, *, qr_size: float,
                    code_y: float) -> None:
    """The QR code (its text reads on a phone; ``verify-sheet --payload`` takes it) in the page's
    bottom-right corner, and beside it the check code (what ``verify-sheet FILE.pdf`` and a person
    typing it read) over the hint line."""
    qr = QrCodeWidget(seal.payload)
    x0, y0, x1, y1 = qr.getBounds()
    d = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
    d.add(qr)
    renderPDF.draw(d, c, page_width - margin - qr_size, margin - 4 * mm)
    c.setFont(font, 7)
    c.drawRightString(page_width - margin - qr_size - 2 * mm, code_y, f"校验码 {seal.code}")
    c.drawRightString(page_width - margin - qr_size - 2 * mm, code_y - 3.5 * mm, CHECK_HINT)
