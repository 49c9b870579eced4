"""Small drawing helpers shared by the reportlab list reports (fixed widths, no platypus)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas


def clip_text(c: Canvas, text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits a cell ``width`` wide (1.5 mm padding)."""
    if c.stringWidth(text, font, size) <= width - 1.5 * mm:
        return text
    while text and c.stringWidth(text + "…", font, size) > width - 1.5 * mm:
        text = text[:-1]
    return text + "…"


def column_rules(c: Canvas, widths: Sequence[float], left: float, top: float, bottom: float) -> None:
    """The vertical lines of a table: one at ``left`` and one after each column."""
    c.setLineWidth(0.3)
    x = left
    for cw in [0.0, *widths]:
        x += cw
        c.line(x, top, x, bottom)
