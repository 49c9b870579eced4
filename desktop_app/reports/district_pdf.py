"""The district's reports as PDF (issue #13): reportlab canvas, landscape A4, bundled CJK font,
charts drawn with ``reportlab.graphics.charts``.

Every page: title, period, 编制单位 (the district), page x/y and unit, the sign-off line. The
first page states what the figures were computed on (tier boundaries and both income
definitions, or the deadlines). Tables flow over pages with their header repeated; a text cell
wraps (never cut), a figure too wide for its column is set smaller; the totals row is the sum of
the rows printed above it. Deterministic: ``invariant=True`` and fixed metadata.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.reports.canvas_text import draw_check_code
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.district_sheets import Cell, Chart, Col, DistrictDoc, Table
from desktop_app.reports.fonts import register_cjk_font

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

PAGE = landscape(A4)
MARGIN = 12 * mm
HEADER_H = 27 * mm
FOOTER_H = 15 * mm  # the sign-off line, and the QR code's top right of it
ROW_H = 5.6 * mm
LINE_H = 3.2 * mm
PAD = 1.0 * mm
SIZE = 7.5
MIN_SIZE = 5.0
CHART_H = 72 * mm
QR_SIZE = 18 * mm
SIGN_OFF = "单位负责人：____________　　审核：____________　　制表：____________　　报出日期：______年____月____日"
SERIES_COLOURS = (colors.HexColor("#2E6DB4"), colors.HexColor("#E0873A"), colors.HexColor("#6AA84F"))

Op = Callable[[canvas.Canvas, int], None]  # draws on the canvas; gets the page count


def cell_text(col: Col, value: Cell) -> str:
    if value is None:
        return "—" if col.kind in ("money", "pct") else ""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if col.kind == "money":
            return format_amount(value)
        if col.kind == "pct":
            return f"{value:.1f}"
        return format(value, "f")
    return str(value)


def _is_figure(value: Cell) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


class _Layout:
    """Ops per page, placed top to bottom; ``need`` starts a new page when the room runs out."""

    def __init__(self, doc: DistrictDoc, font: str) -> None:
        self.doc, self.font = doc, font
        self.width = PAGE[0] - 2 * MARGIN
        self.pages: list[list[Op]] = []
        self.y = 0.0
        self._measure = canvas.Canvas(io.BytesIO(), pagesize=PAGE)
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE[1] - MARGIN - HEADER_H

    def room(self) -> float:
        return float(self.y - (MARGIN + FOOTER_H))

    def need(self, height: float) -> bool:
        """True when a new page was started for ``height``."""
        if height > self.room() and self.y < PAGE[1] - MARGIN - HEADER_H - 1:
            self.new_page()
            return True
        return False

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    def text_lines(self, text: str, size: float, *, indent: float = 0.0) -> None:
        for line in wrap(text, size, self.width - indent):
            self.need(size * 1.45)
            y = self.y - size * 1.1

            def op(c: canvas.Canvas, _n: int, line: str = line, y: float = y) -> None:
                c.setFont(self.font, size)
                c.drawString(MARGIN + indent, y, line)

            self.add(op)
            self.y -= size * 1.45

    def string_width(self, text: str, size: float) -> float:
        return float(self._measure.stringWidth(text, self.font, size))


def _widths(table: Table, usable: float) -> list[float]:
    """The columns' widths (mm) scaled to fill the usable width."""
    total = sum(c.width for c in table.columns)
    return [c.width / total * usable for c in table.columns]


def balanced_wrap(text: str, size: float, width: float) -> list[str]:
    """``wrap`` into as few lines as fit ``width``, but of even length: a header reads 无经营 / 收益,
    not 无经营收 / 益 (the narrowest width that still gives that many lines)."""
    lines = wrap(text, size, width)
    if len(lines) < 2:
        return lines
    low, high = 0.0, width
    for _ in range(12):
        mid = (low + high) / 2
        if len(wrap(text, size, mid)) <= len(lines):
            high = mid
        else:
            low = mid
    return wrap(text, size, high)


def _row_cells(lay: _Layout, table: Table, values: Sequence[Cell], widths: list[float],
               header: bool = False) -> tuple[list[tuple[list[str], float, str]], float]:
    cells: list[tuple[list[str], float, str]] = []
    for col, value, cw in zip(table.columns, values, widths, strict=True):
        room = cw - 2 * PAD
        if header:
            lines = [part for piece in col.header.split("\n") for part in balanced_wrap(piece, SIZE, room)]
            cells.append((lines, SIZE, "centre"))
            continue
        text = cell_text(col, value)
        if _is_figure(value) or (col.kind in ("money", "pct", "int") and value is None):
            size = SIZE
            while size > MIN_SIZE and lay.string_width(text, size) > room:
                size -= 0.5
            cells.append(([text], size, "right"))
        else:
            cells.append((wrap(text, SIZE, room), SIZE, "left"))
    tallest = max(len(cell[0]) for cell in cells)
    return cells, ROW_H + (tallest - 1) * LINE_H


def _row_op(lay: _Layout, cells: list[tuple[list[str], float, str]], widths: list[float], top: float,
            height: float, rule: float) -> Op:
    def op(c: canvas.Canvas, _n: int) -> None:
        x = MARGIN
        for (lines, size, align), cw in zip(cells, widths, strict=True):
            c.setFont(lay.font, size)
            for k, line in enumerate(lines):
                base = top - 3.9 * mm - k * LINE_H
                if align == "centre":
                    c.drawCentredString(x + cw / 2, base, line)
                elif align == "right":
                    c.drawRightString(x + cw - PAD, base, line)
                else:
                    c.drawString(x + PAD, base, line)
            c.setLineWidth(0.2)
            c.line(x, top, x, top - height)
            x += cw
        c.line(x, top, x, top - height)
        c.setLineWidth(rule)
        c.line(MARGIN, top - height, x, top - height)

    return op


def _table(lay: _Layout, table: Table) -> None:
    widths = _widths(table, lay.width)
    head, head_h = _row_cells(lay, table, [None] * len(table.columns), widths, header=True)
    body = [_row_cells(lay, table, r, widths) for r in table.rows]
    if table.totals is not None:
        body.append(_row_cells(lay, table, table.totals, widths))
    first_h = body[0][1] if body else 0.0
    lay.need(6 * mm + head_h + first_h)  # the title never stays alone at a page's foot

    def title_op(text: str) -> None:
        y = lay.y - 4.2 * mm

        def op(c: canvas.Canvas, _n: int) -> None:
            c.setFont(lay.font, 10)
            c.drawString(MARGIN, y, text)

        lay.add(op)
        lay.y -= 6 * mm

    def header() -> None:
        top = lay.y

        def rule(c: canvas.Canvas, _n: int) -> None:
            c.setLineWidth(0.6)
            c.line(MARGIN, top, MARGIN + sum(widths), top)

        lay.add(rule)
        lay.add(_row_op(lay, head, widths, top, head_h, 0.5))
        lay.y -= head_h

    title_op(table.title)
    header()
    if not body:
        lay.text_lines("（无）", SIZE, indent=2 * mm)
    for i, (cells, h) in enumerate(body):
        if lay.need(h):
            title_op(f"{table.title}（续）")
            header()
        last = table.totals is not None and i == len(body) - 1
        lay.add(_row_op(lay, cells, widths, lay.y, h, 0.6 if last else 0.2))
        lay.y -= h
    if table.note:
        lay.y -= 1 * mm
        lay.text_lines(f"注：{table.note}", 7.5)
    lay.y -= 4 * mm


def _chart_drawing(chart: Chart, font: str, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    d.add(String(width / 2, height - 12, chart.title, fontName=font, fontSize=10, textAnchor="middle"))
    bc = VerticalBarChart()
    bc.x, bc.y = 40, 30
    bc.width, bc.height = width * 0.72, height - 60
    bc.data = [list(values) for _name, values in chart.series]
    bc.categoryAxis.categoryNames = list(chart.categories)
    bc.categoryAxis.labels.fontName = font
    bc.categoryAxis.labels.fontSize = 8
    bc.valueAxis.labels.fontName = font
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.valueMin = 0
    top = max((v for _n, vals in chart.series for v in vals), default=0)
    step = max(1, -(-top // 5))
    bc.valueAxis.valueStep = step
    bc.valueAxis.valueMax = max(step * 5, top + step)
    bc.barLabelFormat = "%d"
    bc.barLabels.fontName = font
    bc.barLabels.fontSize = 7
    bc.barLabels.nudge = 6
    for i in range(len(chart.series)):
        bc.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        bc.bars[i].strokeWidth = 0.3
    d.add(bc)
    d.add(String(bc.x - 8, bc.y + bc.height + 8, chart.value_label, fontName=font, fontSize=7))
    legend = Legend()
    legend.x, legend.y = bc.x + bc.width + 24, bc.y + bc.height
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], name)
                             for i, (name, _v) in enumerate(chart.series)]
    d.add(legend)
    return d


def _chart(lay: _Layout, chart: Chart) -> None:
    lay.need(CHART_H)
    drawing = _chart_drawing(chart, lay.font, lay.width, CHART_H - 4 * mm)
    y = lay.y - CHART_H

    def op(c: canvas.Canvas, _n: int) -> None:
        renderPDF.draw(drawing, c, MARGIN, y)

    lay.add(op)
    lay.y -= CHART_H + 3 * mm


def _page_frame(c: canvas.Canvas, doc: DistrictDoc, font: str, n: int, total: int, seal: SealRow | None) -> None:
    w, h = PAGE
    top = h - MARGIN
    c.setFont(font, 16)
    c.drawCentredString(w / 2, top - 6 * mm, doc.title)
    c.setFont(font, 9)
    c.drawCentredString(w / 2, top - 12 * mm, doc.period_label)
    c.drawString(MARGIN, top - 19 * mm, f"编制单位：{doc.organisation}")
    c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {total} 页　　单位：{doc.unit}")
    c.setLineWidth(0.3)
    c.line(MARGIN, top - 21.5 * mm, w - MARGIN, top - 21.5 * mm)
    c.setFont(font, 9)
    c.drawString(MARGIN, MARGIN + 5 * mm, SIGN_OFF)
    c.setFont(font, 6.5)
    c.drawString(MARGIN, MARGIN, "阳光台账 · 区级统计：数据来自各乡镇经U盘同步的账套（区级只读汇总，取自每月科目发生额汇总）")
    if seal is not None:  # every page: pages of a report are posted or filed one by one
        draw_check_code(c, font, seal, w, MARGIN, qr_size=QR_SIZE, code_y=MARGIN)


def district_pdf_bytes(doc: DistrictDoc, seal: SealRow | None = None) -> bytes:
    """The report's PDF; with ``seal`` (``district_seal``) every page carries its QR and check code."""
    font = register_cjk_font()
    lay = _Layout(doc, font)
    for line in doc.basis:
        lay.text_lines(line, 8)
    lay.y -= 3 * mm
    for block in doc.blocks:
        if isinstance(block, Table):
            _table(lay, block)
        else:
            _chart(lay, block)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=PAGE, invariant=True, pageCompression=1)
    c.setTitle(f"{doc.organisation} {doc.title} {doc.period_label}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(f"{doc.title} {seal.payload}" if seal else doc.title)  # verify-sheet FILE.pdf reads it here
    total = len(lay.pages)
    for n, ops in enumerate(lay.pages, start=1):
        _page_frame(c, doc, font, n, total, seal)
        for op in ops:
            op(c, total)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_district_pdf(doc: DistrictDoc, path: Path | str, seal: SealRow | None = None) -> Path:
    path = Path(path)
    path.write_bytes(district_pdf_bytes(doc, seal))
    return path
