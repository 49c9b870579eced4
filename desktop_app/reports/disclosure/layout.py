"""Lays disclosure blocks out into pages of drawing operations (no drawing happens here).

Everything has a fixed size: column widths come from the blocks (scaled to the page), every text
line has the same height, a row is as many lines high as its longest wrapped cell. So pagination
is exact before anything is drawn, and the page count ("第 x 页 / 共 y 页") is known when the
pages are drawn (pdf.py). Table headers repeat on every page a table runs over; a totals row
never starts a page on its own; the sign-off block is kept in one piece on the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from desktop_app.reports.disclosure.registry import Block, Cell, PageBreak, TableBlock, TextBlock, money
from desktop_app.reports.fonts import register_cjk_font


@dataclass(frozen=True)
class PageFormat:
    name: str
    width: float  # points
    height: float
    margin: float
    scale: float  # font scale: 1 on A4, larger on the A3 公开栏 sheet
    header_h: float  # room for the page header (title, organisation line)
    footer_h: float  # room for the footer (page x/y, QR code)

    @property
    def usable_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def top(self) -> float:
        return self.height - self.margin - self.header_h

    @property
    def bottom(self) -> float:
        return self.margin + self.footer_h


A4_PORTRAIT = PageFormat("A4", 210 * mm, 297 * mm, 14 * mm, 1.0, 19 * mm, 22 * mm)
A3_LANDSCAPE = PageFormat("A3", 420 * mm, 297 * mm, 16 * mm, 1.5, 27 * mm, 32 * mm)

BASE_SIZE = 8.5  # table text on A4, points
MIN_SHRINK = 0.6  # a one-line cell may shrink its font to 60 % before it is cut


_ALIGN = {"left": "l", "right": "r", "center": "c"}

# A drawing operation: ("t", x, y, text, size, align, bold) | ("h", x1, y1, x2, y2, width) | ("r", x, y, w, h)
Op = tuple[object, ...]


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    return pdfmetrics.stringWidth(ch, register_cjk_font(), 1.0)


@lru_cache(maxsize=16384)
def _unit_width(text: str) -> float:
    return sum(_char_width(ch) for ch in text)


def text_width(text: str, size: float) -> float:
    return _unit_width(text) * size


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK: any character may end a line;
    runs of Latin letters and digits are kept together where they fit)."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        cur, cur_w = "", 0.0
        for ch in para:
            w = _char_width(ch) * size
            if cur and cur_w + w > width:
                cut = len(cur)
                if ch.isascii() and ch.isalnum():  # do not split 2026 or ABC across lines if avoidable
                    k = cut
                    while k > 0 and cur[k - 1].isascii() and cur[k - 1].isalnum():
                        k -= 1
                    if 0 < k < cut:
                        cut = k
                lines.append(cur[:cut])
                cur = cur[cut:]
                cur_w = text_width(cur, size)
            cur += ch
            cur_w += w
        lines.append(cur)
    return lines or [""]


@lru_cache(maxsize=4096)
def _amount_text(value: Decimal) -> str:
    """``money``, formatted once per amount: a township's tables print some 18,000 amounts with
    under 2,000 distinct values (equal amounts print alike: the text is rounded to the cent)."""
    return money(value)


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _amount_text(value)
    return str(value)


@dataclass
class Layout:
    fmt: PageFormat
    pages: list[list[Op]] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self) -> None:
        self.s = self.fmt.scale
        self.fs = BASE_SIZE * self.s
        self.line_h = self.fs * 1.42
        self.pad_x = 1.6 * self.s
        self.pad_y = 1.3 * self.s
        self.new_page()

    # -- pages -----------------------------------------------------------------------------
    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.fmt.top

    @property
    def page(self) -> list[Op]:
        return self.pages[-1]

    @property
    def at_top(self) -> bool:
        return self.y >= self.fmt.top - 0.01

    def room(self) -> float:
        return self.y - self.fmt.bottom

    def ensure(self, h: float) -> None:
        if h > self.room() and not self.at_top:
            self.new_page()

    # -- text ------------------------------------------------------------------------------
    def text(self, x: float, baseline: float, text: str, size: float, align: str = "l", bold: bool = False) -> None:
        if text:
            self.page.append(("t", x, baseline, text, size, align, bold))

    def baseline(self, line_top: float, line_h: float, size: float) -> float:
        return line_top - line_h / 2 - 0.36 * size

    def add(self, block: Block) -> None:
        if isinstance(block, PageBreak):
            if not self.at_top:
                self.new_page()
        elif isinstance(block, TextBlock):
            self.paragraph(block)
        elif isinstance(block, TableBlock):
            self.table(block)
        else:  # pragma: no cover - a section returned something else
            raise TypeError(f"不支持的公开表内容：{type(block).__name__}")

    def paragraph(self, block: TextBlock) -> None:
        size = {"heading": 11.5, "body": BASE_SIZE + 0.5, "note": BASE_SIZE - 0.5, "warning": BASE_SIZE + 1}[
            block.style] * self.s
        lh = size * 1.5
        inset = 3 * self.s if block.style == "warning" else 0.0
        lines = wrap(block.text, size, self.fmt.usable_width - 2 * inset)
        gap_before = lh * 0.3 if block.style == "heading" and not self.at_top else 0.0
        total = gap_before + len(lines) * lh + 2 * inset + lh * 0.25
        if block.style in ("heading",):
            total += self.line_h * 3  # keep a heading with the start of what follows
        self.ensure(min(total, self.fmt.top - self.fmt.bottom))
        self.y -= gap_before
        x0 = self.fmt.margin
        if block.style == "warning":
            h = len(lines) * lh + 2 * inset
            self.page.append(("r", x0, self.y - h, self.fmt.usable_width, h, 1.2 * self.s))
            self.y -= inset
        align = "c" if block.style == "heading" else "l"
        x = x0 + self.fmt.usable_width / 2 if align == "c" else x0 + inset
        for line in lines:
            if lh > self.room():
                self.new_page()
            self.text(x, self.baseline(self.y, lh, size), line, size, align, block.style in ("heading", "warning"))
            self.y -= lh
        self.y -= inset + lh * 0.25

    # -- tables ----------------------------------------------------------------------------
    def _widths(self, block: TableBlock) -> list[float]:
        total = sum(c.width_mm for c in block.columns)
        return [c.width_mm / total * self.fmt.usable_width for c in block.columns]

    def _cells(self, block: TableBlock, widths: Sequence[float], row: Sequence[Cell],
               header: bool = False) -> list[tuple[list[str], float]]:
        """Each cell's lines and font size."""
        return self._cells_in(self._room(block, widths, header), row)

    def _room(self, block: TableBlock, widths: Sequence[float], header: bool = False) -> list[tuple[float, bool]]:
        """Per column: the width text may take, and whether it wraps (computed once per table)."""
        pad = 2 * self.pad_x
        return [(w - pad, col.wrap or header) for col, w in zip(block.columns, widths, strict=False)]

    def _cells_in(self, room: Sequence[tuple[float, bool]], row: Sequence[Cell]) -> list[tuple[list[str], float]]:
        out: list[tuple[list[str], float]] = []
        fs = self.fs
        for (avail, wraps), value in zip(room, row, strict=False):
            text = cell_text(value)
            if wraps:
                out.append((wrap(text, fs, avail), fs))
                continue
            size = fs
            tw = _unit_width(text) * size  # text_width
            if tw > avail:
                size = max(fs * MIN_SHRINK, size * avail / tw)
                while text and text_width(text, size) > avail:
                    text = text[:-1]
            out.append(([text], size))
        return out

    def _row_h(self, cells: list[tuple[list[str], float]]) -> float:
        return max([len(c[0]) for c in cells]) * self.line_h + 2 * self.pad_y

    def _anchors(self, block: TableBlock, widths: Sequence[float], header: bool) -> list[tuple[float, str]]:
        """Per column: where its text is anchored and how it is aligned (the same on every row)."""
        out: list[tuple[float, str]] = []
        x, pad_x = self.fmt.margin, self.pad_x
        for col, w in zip(block.columns, widths, strict=False):
            align = "c" if header else _ALIGN[col.align]
            out.append((x + pad_x if align == "l" else x + w - pad_x if align == "r" else x + w / 2, align))
            x += w
        return out

    def _draw_row(self, block: TableBlock, widths: Sequence[float], cells: list[tuple[list[str], float]],
                  bold: bool, header: bool = False, h: float | None = None,
                  anchors: Sequence[tuple[float, str]] | None = None) -> None:
        """``h``: the row's height if the caller has it (``_row_h(cells)``); ``anchors``: the
        table's ``_anchors`` if the caller has them."""
        if h is None:
            h = self._row_h(cells)
        if anchors is None:
            anchors = self._anchors(block, widths, header)
        page = self.page
        line_h, pad_y = self.line_h, self.pad_y
        half, rise = line_h / 2, 0.36 * self.fs  # ``baseline`` = line top - half - rise
        strong = bold or header
        top = self.y - pad_y
        first = top - half - rise  # the first line's baseline (``top - 0 * line_h`` is ``top``)
        for (tx, align), (lines, size) in zip(anchors, cells, strict=False):
            if len(lines) == 1 and not header:  # most cells
                if lines[0]:
                    page.append(("t", tx, first, lines[0], size, align, strong))
                continue
            t = top
            if header and len(lines) * line_h < h - 2 * pad_y:  # centre short headers vertically
                t -= (h - 2 * pad_y - len(lines) * line_h) / 2
            for i, line in enumerate(lines):
                if line:  # as ``text`` and ``baseline`` do, in the same arithmetic
                    page.append(("t", tx, t - i * line_h - half - rise, line, size, align, strong))
        self.y -= h
        self._rule(self.y)

    def _rule(self, y: float, width: float = 0.5) -> None:
        self.page.append(("h", self.fmt.margin, y, self.fmt.margin + self.fmt.usable_width, y, width * self.s))

    def _grid(self, widths: Sequence[float], top: float, bottom: float) -> None:
        x = self.fmt.margin
        for w in (0.0, *widths):
            x += w
            self.page.append(("h", x, top, x, bottom, 0.5 * self.s))

    def _start_table(self, block: TableBlock, widths: Sequence[float], header: list[tuple[list[str], float]],
                     cont: bool) -> float:
        title_h = self.line_h * 1.5
        if block.title:
            size = (BASE_SIZE + 1.5) * self.s
            self.text(self.fmt.margin, self.baseline(self.y, title_h, size),
                      block.title + ("（续）" if cont else ""), size, "l", True)
            self.y -= title_h
        top = self.y
        self._rule(top)
        self._draw_row(block, widths, header, False, header=True)
        return top

    def table(self, block: TableBlock) -> None:
        widths = self._widths(block)
        header = self._cells(block, widths, [c.header for c in block.columns], header=True)
        header_h = self._row_h(header) + (self.line_h * 1.5 if block.title else 0)
        room = self._room(block, widths)
        rows = [self._cells_in(room, r) for r in block.rows]
        totals = self._cells_in(room, block.totals_row) if block.totals_row is not None else None
        first_h = header_h + (self._row_h(rows[0]) if rows else 0) + (self._row_h(totals) if totals else 0)
        self.ensure(min(first_h, self.fmt.top - self.fmt.bottom))
        top = self._start_table(block, widths, header, False)
        anchors = self._anchors(block, widths, False)
        seq: list[tuple[list[tuple[list[str], float]], bool]] = [
            (cells, i in block.bold_rows) for i, cells in enumerate(rows)]
        if totals is not None:
            seq.append((totals, True))
        n = len(seq)
        for i, (cells, bold) in enumerate(seq):
            h = self._row_h(cells)
            need = h + (self._row_h(seq[-1][0]) if totals is not None and i == n - 2 else 0)
            if need > self.room():
                self._grid(widths, top, self.y)
                self.new_page()
                top = self._start_table(block, widths, header, True)
            self._draw_row(block, widths, cells, bold, h=h, anchors=anchors)
        self._grid(widths, top, self.y)
        if block.note:
            size = (BASE_SIZE - 0.5) * self.s
            for line in wrap(block.note, size, self.fmt.usable_width):
                self.ensure(self.line_h)
                self.text(self.fmt.margin, self.baseline(self.y, self.line_h, size), line, size)
                self.y -= self.line_h
        self.y -= self.line_h * 0.8

    # -- the sign-off block -----------------------------------------------------------------
    def signoff(self, lines: Sequence[str]) -> None:
        """Lines with signature blanks, kept together at the end of the last page."""
        size = (BASE_SIZE + 1.5) * self.s
        lh = size * 2.3
        self.ensure(lh * len(lines) + lh * 0.5)
        self.y -= lh * 0.3
        self._rule(self.y + lh * 0.15, 0.8)
        for line in lines:
            self.text(self.fmt.margin, self.baseline(self.y, lh, size), line, size)
            self.y -= lh
