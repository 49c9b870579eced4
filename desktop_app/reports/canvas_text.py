"""Small drawing helpers shared by the reportlab list reports (fixed widths, no platypus).

Cell text is never cut: wrap it with ``disclosure.layout.wrap`` (or set it smaller with
``disclosure.layout.fit``, which wraps below a readable floor)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas


def column_rules(c: Canvas, widths: Sequence[float], left: float, top: float, bottom: float) -> None:
    """The vertical lines of a table: one at ``left`` and one after each column."""
    c.setLineWidth(0.3)
    x = left
    for cw in [0.0, *widths]:
        x += cw
        c.line(x, top, x, bottom)
