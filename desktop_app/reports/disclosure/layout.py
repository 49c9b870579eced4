"""Lays disclosure blocks out into pages of drawing operations (no drawing happens here).

Everything has a fixed size: column widths come from the blocks (scaled to the page), every text
line has the same height, a row is as many lines high as its longest wrapped cell. Blocks are
measured into *units* (a table's title and header, a row, its totals row, a line of a paragraph or
note) as they are added; the pages are cut when they are first asked for, so the page count ("第 x
页 / 共 y 页") is known when the pages are drawn (pdf.py).

Rules of the cut: table headers repeat on every page a table runs over; a heading and a table's
header stay with what follows them; a totals row and a note (a table's note, or a note paragraph)
stay with the rows before them (the last two rows of a longer table move over with them), so no page
carries only a heading, a header, a totals row or a note. Nor does a section end on a page that
would hold only its last few rows, totals and note (the page once printed "blank but for a
footnote"): when what is left of the section overflows the page by a little, the page is set
tighter (its lines closer, down to ``SQUEEZE`` of their height; the type keeps its size) and takes
it all. Nothing is cut: a cell too wide for its
column is set smaller, never below ``MIN_SHRINK`` of the table size, and wrapped beyond that (long
codes are broken between characters). The sign-off lines (``signoff``) are drawn in the footer of
every page, left of the QR code, and their height is kept free on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reportlab.lib import units as rl_units
from reportlab.pdfbase import pdfmetrics

from desktop_app.reports.disclosure.registry import (
    Block,
    Cell,
    Column,
    PageBreak,
    TableBlock,
    TextBlock,
    money,
)
from desktop_app.reports.fonts import register_cjk_font

mm: float = rl_units.mm


@dataclass(frozen=True)
class PageFormat:
    name: str
    width: float  # points
    height: float
    margin: float
    scale: float  # font scale: 1 on A4, larger on the A3 公开栏 sheet
    header_h: float  # room for the page header (title, organisation line)
    footer_h: float  # the QR code's square (less 3 mm) at the bottom right; the footer is never lower

    @property
    def usable_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def top(self) -> float:
        return self.height - self.margin - self.header_h

    @property
    def bottom(self) -> float:
        """The bottom of the content on a page without sign-off lines (``Layout.bottom``)."""
        return self.margin + self.footer_h

    @property
    def qr_size(self) -> float:
        return self.footer_h - 3 * mm

    @property
    def code_band(self) -> float:
        """The footer's lowest band: the check code (two lines at most), the hint and page x/y."""
        return 10.5 * mm * self.scale

    @property
    def footer_text_width(self) -> float:
        """What footer text may take: the page width left of the QR code."""
        return self.usable_width - self.qr_size - 3 * mm * self.scale


A4_PORTRAIT = PageFormat("A4", 210 * mm, 297 * mm, 14 * mm, 1.0, 19 * mm, 22 * mm)
A3_LANDSCAPE = PageFormat("A3", 420 * mm, 297 * mm, 16 * mm, 1.5, 27 * mm, 32 * mm)

BASE_SIZE = 8.5  # table text on A4, points
MIN_SHRINK = 0.75  # a one-line cell may be set down to 75 % (6.4 pt on A4); beyond, it wraps
SIGN_SIZE = 8.0  # the sign-off lines in the footer, on A4
SIGN_ROW = 1.85  # their line height, in sizes (room to sign on the blanks)
SQUEEZE = 0.88  # a page may be set this much tighter to take the rest of its section (see _cut)


_ALIGN = {"left": "l", "right": "r", "center": "c"}

# A drawing operation: ("t", x, y, text, size, align, bold) | ("h", x1, y1, x2, y2, width) | ("r", x, y, w, h)
# | ("k", kind): a mark that draws nothing — what the page holds ("row", "body", "note", "signoff" …)
Op = tuple[object, ...]
CONTENT_KINDS = frozenset({"row", "body"})  # what makes a page worth printing


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    return float(pdfmetrics.stringWidth(ch, register_cjk_font(), 1.0))


@lru_cache(maxsize=16384)
def _unit_width(text: str) -> float:
    return sum(_char_width(ch) for ch in text)


def text_width(text: str, size: float) -> float:
    return _unit_width(text) * size


_NO_LINE_START = frozenset("，。、；：！？）》」』】\u201d\u2019")  # CJK punctuation only: codes and amounts
_NO_LINE_END = frozenset("（《「『【\u201c\u2018")  # break as Latin runs do


def _in_run(ch: str) -> bool:
    """Part of a run kept on one line: Latin letters, digits, and the separators of an amount."""
    return ch.isascii() and (ch.isalnum() or ch in ".,")


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK: any character may end a line, but
    a line does not start with closing punctuation nor end with an opening bracket; runs of Latin
    letters and digits are kept together where they fit, and broken between characters where they
    do not: a code is never cut)."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        cur, cur_w = "", 0.0
        for ch in para:
            w = _char_width(ch) * size
            if cur and cur_w + w > width:
                cut = len(cur)
                if _in_run(ch):  # do not split 2026, ABC or 592,084.00 across lines if avoidable
                    k = cut
                    while k > 0 and _in_run(cur[k - 1]):
                        k -= 1
                    if 0 < k < cut:
                        cut = k
                elif ch in _NO_LINE_START and cut > 1:  # "，" or "）" takes the character before along
                    cut -= 1
                if cur[cut - 1] in _NO_LINE_END and cut > 1:  # "（" goes with what it opens
                    cut -= 1
                lines.append(cur[:cut])
                cur = cur[cut:]
                cur_w = text_width(cur, size)
            cur += ch
            cur_w += w
        lines.append(cur)
    return lines or [""]


def fit(text: str, size: float, width: float, floor: float) -> tuple[list[str], float]:
    """``text`` on one line at ``size``, or set smaller (not below ``floor``), or wrapped at
    ``floor``: the lines and their size. Nothing is left out."""
    tw = _unit_width(text) * size
    if tw <= width:
        return [text], size
    smaller = size * width / tw
    if smaller >= floor:
        return [text], smaller
    return wrap(text, floor, width), floor


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


def column_widths(fmt: PageFormat, columns: Sequence[Column]) -> list[float]:
    """The columns' widths on the page (relative ``width_mm`` scaled to the usable width)."""
    total = sum(c.width_mm for c in columns)
    return [c.width_mm / total * fmt.usable_width for c in columns]


Cells = list[tuple[list[str], float]]


class _Grid:
    """The vertical rules of one table on one page: from its header's top to its last row."""

    __slots__ = ("bottom", "top", "widths")

    def __init__(self, widths: Sequence[float]) -> None:
        self.widths, self.top, self.bottom = widths, 0.0, 0.0


@dataclass(slots=True)
class _Unit:
    """What the page cut moves as one piece. ``draw(layout, *args)`` draws it at ``Layout.y`` and
    lowers ``y`` by ``h`` (a function of the class, not a bound method: units refer to no layout, so
    a layout is freed without the cycle collector). ``gap`` (before) is dropped at the top of a page;
    ``after`` needs no room to fit. ``keep``: moves to the next page with the unit before it.
    ``cont``: the arguments of ``Layout._head`` that a page starting with this unit draws first (a
    table's header, ``cont_h`` high)."""

    kind: str
    h: float
    draw: Callable[..., None]
    args: tuple[object, ...] = ()
    gap: float = 0.0
    after: float = 0.0
    keep: bool = False
    grid: _Grid | None = None
    cont: tuple[object, ...] | None = None
    cont_h: float = 0.0


class Layout:
    def __init__(self, fmt: PageFormat) -> None:
        self.fmt = fmt
        self.s = s = fmt.scale
        self.fs = BASE_SIZE * s
        self.line_h = self.fs * 1.42
        self.pad_x = 1.6 * s
        self.pad_y = 1.3 * s
        self.y = fmt.top
        self.page: list[Op] = []
        self._units: list[_Unit] = []
        self._keep_next = False
        self._sign_rows: list[list[tuple[float, str]]] = []
        self._pages: list[list[Op]] | None = None
        self._squeeze: dict[int, float] = {}  # page index -> how much tighter it is set

    # -- what the pages are cut from ----------------------------------------------------------
    def _push(self, unit: _Unit, keep_next: bool = False) -> None:
        if self._keep_next:
            unit.keep = True
        self._keep_next = keep_next
        self._units.append(unit)
        self._pages = None

    @property
    def bottom(self) -> float:
        """The bottom of the content on every page (above the footer and its sign-off lines)."""
        fmt = self.fmt
        if not self._sign_rows:
            return fmt.bottom
        return max(fmt.bottom, fmt.margin + fmt.code_band + self._sign_h())

    @property
    def pages(self) -> list[list[Op]]:
        if self._pages is None:
            self._pages = self._emit(self._cut())
        return self._pages

    def add(self, block: Block) -> None:
        if isinstance(block, PageBreak):
            self._push(_Unit("break", 0.0, _nothing))
            self._keep_next = False
        elif isinstance(block, TextBlock):
            self.paragraph(block)
        elif isinstance(block, TableBlock):
            self.table(block)
        else:  # pragma: no cover - a section returned something else
            raise TypeError(f"不支持的公开表内容：{type(block).__name__}")

    # -- text ------------------------------------------------------------------------------
    def text(self, x: float, baseline: float, text: str, size: float, align: str = "l", bold: bool = False) -> None:
        if text:
            self.page.append(("t", x, baseline, text, size, align, bold))

    def baseline(self, line_top: float, line_h: float, size: float) -> float:
        return line_top - line_h / 2 - 0.36 * size

    def paragraph(self, block: TextBlock) -> None:
        style = block.style
        size = {"heading": 11.5, "body": BASE_SIZE + 0.5, "note": BASE_SIZE - 0.5, "warning": BASE_SIZE + 1}[style] * self.s
        lh = size * 1.5
        inset = 3 * self.s if style == "warning" else 0.0
        lines = wrap(block.text, size, self.fmt.usable_width - 2 * inset)
        x0 = self.fmt.margin
        bold = style in ("heading", "warning")
        if style in ("heading", "warning"):  # one piece
            h = len(lines) * lh + 2 * inset
            self._push(_Unit(style, h, Layout._boxed, (style == "warning", lines, size, lh, inset, bold),
                             gap=lh * 0.3 if style == "heading" else 0.0, after=lh * 0.25),
                       keep_next=style == "heading")
            return
        note = style == "note"  # a note stays with what it is about
        for i, line in enumerate(lines):
            self._push(_Unit(style, lh, Layout._line, (x0, line, size, lh), keep=note,
                             after=lh * 0.25 if i == len(lines) - 1 else 0.0))

    def _boxed(self, box: bool, lines: Sequence[str], size: float, lh: float, inset: float, bold: bool) -> None:
        """A heading (centred) or a warning (boxed): kept in one piece."""
        x0, width = self.fmt.margin, self.fmt.usable_width
        if box:
            self.page.append(("r", x0, self.y - len(lines) * lh - 2 * inset, width, len(lines) * lh + 2 * inset,
                              1.2 * self.s))
        x, align = (x0 + inset, "l") if box else (x0 + width / 2, "c")
        self.y -= inset
        for line in lines:
            self.text(x, self.baseline(self.y, lh, size), line, size, align, bold)
            self.y -= lh
        self.y -= inset

    def _line(self, x: float, line: str, size: float, lh: float) -> None:
        self.text(x, self.baseline(self.y, lh, size), line, size)
        self.y -= lh

    # -- tables ----------------------------------------------------------------------------
    def _widths(self, block: TableBlock) -> list[float]:
        return column_widths(self.fmt, block.columns)

    def _cells(self, block: TableBlock, widths: Sequence[float], row: Sequence[Cell],
               header: bool = False) -> Cells:
        """Each cell's lines and font size."""
        return self._cells_in(self._room(block, widths, header), row)

    def _room(self, block: TableBlock, widths: Sequence[float], header: bool = False) -> list[tuple[float, bool]]:
        """Per column: the width text may take, and whether it wraps (computed once per table)."""
        pad = 2 * self.pad_x
        return [(w - pad, col.wrap or header) for col, w in zip(block.columns, widths, strict=False)]

    def _cells_in(self, room: Sequence[tuple[float, bool]], row: Sequence[Cell]) -> Cells:
        out: Cells = []
        fs = self.fs
        floor = fs * MIN_SHRINK
        for (avail, wraps), value in zip(room, row, strict=False):
            text = cell_text(value)
            if wraps:
                out.append((wrap(text, fs, avail), fs))
            elif _unit_width(text) * fs <= avail:  # most cells
                out.append(([text], fs))
            else:  # set smaller, down to the floor; wrapped beyond it (at the table's size)
                lines, size = fit(text, fs, avail, floor)
                out.append((lines, size) if len(lines) == 1 else (wrap(text, fs, avail), fs))
        return out

    def _row_h(self, cells: Cells) -> float:
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

    def _draw_row(self, block: TableBlock, widths: Sequence[float], cells: Cells,
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

    def _grid(self, grid: _Grid) -> None:
        x = self.fmt.margin
        for w in (0.0, *grid.widths):
            x += w
            self.page.append(("h", x, grid.top, x, grid.bottom, 0.5 * self.s))

    def _head(self, block: TableBlock, widths: Sequence[float], header: Cells, header_h: float, grid: _Grid,
              title: Sequence[str], title_h: float) -> None:
        """The table's title (``title``: its lines, with ``（续）`` on a page it runs over to) and its
        header row."""
        size = (BASE_SIZE + 1.5) * self.s
        step = (title_h - 0.4 * self.line_h) / len(title) if title else 0.0
        for i, line in enumerate(title):
            self.text(self.fmt.margin, self.baseline(self.y - i * step, step if len(title) > 1 else title_h, size),
                      line, size, "l", True)
        self.y -= title_h
        grid.top = self.y
        self._rule(self.y)
        self._draw_row(block, widths, header, False, header=True, h=header_h)

    def _title(self, title: str) -> tuple[list[str], float]:
        """A table title's lines (wrapped, never cut) and the height they take."""
        if not title:
            return [], 0.0
        lines = wrap(title, (BASE_SIZE + 1.5) * self.s, self.fmt.usable_width)
        return lines, self.line_h * 1.5 if len(lines) == 1 else len(lines) * self.line_h * 1.1 + 0.4 * self.line_h

    def table(self, block: TableBlock) -> None:
        widths = self._widths(block)
        header = self._cells(block, widths, [c.header for c in block.columns], header=True)
        header_h = self._row_h(header)
        title, title_h = self._title(block.title)
        more, more_h = self._title(block.title + "（续）" if block.title else "")
        room = self._room(block, widths)
        anchors = self._anchors(block, widths, False)
        grid = _Grid(widths)
        cont = (block, widths, header, header_h, grid, more, more_h)
        self._push(_Unit("head", header_h + title_h, Layout._head, (block, widths, header, header_h, grid, title, title_h),
                         grid=grid), keep_next=True)
        seq = [(self._cells_in(room, r), "row", i in block.bold_rows) for i, r in enumerate(block.rows)]
        if block.totals_row is not None:
            seq.append((self._cells_in(room, block.totals_row), "total", True))
        tail = block.totals_row is not None or bool(block.note)
        n_rows = len(block.rows)
        for i, (cells, kind, bold) in enumerate(seq):
            h = self._row_h(cells)
            keep = kind == "total" or (tail and n_rows >= 4 and i == n_rows - 1)  # the last two rows go with them
            self._push(_Unit(kind, h, Layout._draw_row, (block, widths, cells, bold, False, h, anchors),
                             keep=keep, grid=grid, cont=cont, cont_h=header_h + more_h))
        if block.note:
            size = (BASE_SIZE - 0.5) * self.s
            for line in wrap(block.note, size, self.fmt.usable_width):
                self._push(_Unit("note", self.line_h, Layout._line, (self.fmt.margin, line, size, self.line_h),
                                 keep=True))
        self._units[-1].after += self.line_h * 0.8

    # -- the sign-off lines ----------------------------------------------------------------
    def signoff(self, lines: Sequence[str]) -> None:
        """Lines with signature blanks (preparer, 单位负责人, the checking body, 公开日期, 监督电话),
        drawn in the footer of every page: a page is posted on the board on its own. Lines that fit
        side by side share a row (A3); a line wider than the footer is wrapped."""
        size = SIGN_SIZE * self.s
        avail = self.fmt.footer_text_width
        half, gap = avail / 2, 6 * mm * self.s
        rows: list[list[tuple[float, str]]] = []
        end = avail  # where the last row's text ends (a full row takes nothing more)
        for line in lines:
            w = text_width(line, size)
            if w > avail:
                rows.extend([[(0.0, piece)] for piece in wrap(line, size, avail)])
                end = avail
                continue
            x = max(end + gap, half)
            if rows and x + w <= avail:
                rows[-1].append((x, line))
                end = x + w
            else:
                rows.append([(0.0, line)])
                end = w
        self._sign_rows = rows
        self._pages = None

    def _sign_h(self) -> float:
        return 1.5 * mm * self.s + len(self._sign_rows) * SIGN_SIZE * self.s * SIGN_ROW

    def _draw_signoff(self) -> None:
        size = SIGN_SIZE * self.s
        row_h = size * SIGN_ROW
        y = self.bottom
        self.page.append(("k", "signoff"))
        self._rule(y, 0.8)
        y -= 1.5 * mm * self.s
        for row in self._sign_rows:
            for x, line in row:
                self.text(self.fmt.margin + x, y - row_h * 0.72, line, size)
            y -= row_h

    # -- cutting and drawing the pages ------------------------------------------------------
    def _cut(self) -> list[list[_Unit]]:
        """The units of each page. A unit that does not fit starts the next page, with the units
        before it that it is kept with (unless they are all the page holds)."""
        units = self._units
        full = self.fmt.top - self.bottom
        self._squeeze = {}
        pages: list[list[_Unit]] = []
        start, i, room = 0, 0, full
        while i < len(units):
            u = units[i]
            if u.kind == "break":
                if i > start:
                    pages.append(units[start:i])
                start = i = i + 1
                room = full
                continue
            need = u.h + (u.cont_h if i == start and u.cont is not None else 0.0 if i == start else u.gap)
            if i == start or need <= room:
                room -= need + u.after
                i += 1
                continue
            end = next((k for k in range(i, len(units)) if units[k].kind == "break"), len(units))
            rest = sum(v.gap + v.h + v.after for v in units[i:end]) - units[end - 1].after
            used = full - room
            if used + rest <= full / SQUEEZE:  # the section's rest fits on this page set tighter
                self._squeeze[len(pages)] = full / (used + rest)
                pages.append(units[start:end])
                start = i = end
                room = full
                continue
            b = i
            while units[b].keep and b - 1 > start:
                b -= 1
            if units[b].keep:  # the chain is all the page holds: cut where it ran out of room
                b = i
            pages.append(units[start:b])
            start = i = b
            room = full
        if start < len(units):
            pages.append(units[start:])
        return pages or [[]]

    def _emit(self, cut: list[list[_Unit]]) -> list[list[Op]]:
        pages: list[list[Op]] = []
        for n, units in enumerate(cut):
            self.page = []
            self.y = self.fmt.top
            grid: _Grid | None = None
            for k, u in enumerate(units):
                if grid is not None and u.grid is not grid:
                    self._grid(grid)
                    grid = None
                if k == 0 and u.cont is not None:
                    self._head(*u.cont)  # type: ignore[arg-type]
                elif k:
                    self.y -= u.gap
                u.draw(self, *u.args)
                self.page.append(("k", u.kind))
                if u.grid is not None:
                    grid = u.grid
                    grid.bottom = self.y
                self.y -= u.after
            if grid is not None:
                self._grid(grid)
            if n in self._squeeze:
                self.page = _tighter(self.page, self.fmt.top, self._squeeze[n])
            if self._sign_rows:
                self._draw_signoff()
            pages.append(self.page)
        return pages


def _nothing(layout: Layout) -> None:
    return None


def _tighter(ops: list[Op], top: float, f: float) -> list[Op]:
    """The page's drawing with every distance below ``top`` times ``f`` (sizes unchanged)."""
    def y(v: object) -> float:
        return top - (top - float(v)) * f  # type: ignore[arg-type]

    out: list[Op] = []
    for op in ops:
        if op[0] == "t":
            out.append((*op[:2], y(op[2]), *op[3:]))
        elif op[0] == "h":
            out.append((op[0], op[1], y(op[2]), op[3], y(op[4]), op[5]))
        elif op[0] == "r":
            bottom = y(op[2])
            out.append((op[0], op[1], bottom, op[3], y(float(op[2]) + float(op[4])) - bottom, op[5]))  # type: ignore[arg-type]
        else:
            out.append(op)
    return out


def page_kinds(ops: Sequence[Op]) -> list[str]:
    """What a laid-out page holds, in order ("head", "row", "total", "body", "note", "heading" …)."""
    return [str(op[1]) for op in ops if op[0] == "k"]
