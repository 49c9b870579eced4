"""Draws laid-out disclosure pages on the reportlab canvas: header, footer, QR code, page x/y.

Deterministic: ``invariant=True`` fixes the creation date and document id, metadata is set from
the data only, the only font is the bundled TrueType CJK font (embedded as a subset; it is also the
canvas's initial font, so no standard Type 1 font is referenced), and each QR code is drawn once
into a form XObject that every page of its sheet set reuses.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.barcode.qrencoder import QRUtil
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.reports.disclosure.layout import MIN_SHRINK, Op, PageFormat, fit, text_width, wrap
from desktop_app.reports.fonts import register_cjk_font
from desktop_app.reports.sealing import find_codes


@dataclass(frozen=True)
class SheetSet:
    """The pages of one book's sheets, and what every one of its pages repeats."""

    title: str  # 东湖村股份经济合作社财务公开表（2026年10月）
    org_line: str  # 单位名称 … 统一社会信用代码 …
    right_line: str  # 单位：元
    footer_line: str  # 监督电话 … 公开日期 …
    payload: str  # what the QR code carries
    pages: Sequence[Sequence[Op]]


_Drawn = dict[tuple[float, float, str, float, str, bool], list[str]]


def _text(c: Canvas, font: str, x: float, y: float, text: str, size: float, align: str, bold: bool,
          drawn: _Drawn | None = None) -> None:
    """One string drawn on its own. ``drawn`` (one per document) remembers what each call wrote:
    the page frame repeats the same strings at the same places on every page, and what reportlab
    writes for them depends on nothing else once the document has given their characters codes
    (the font is the only one, the text object starts afresh each time)."""
    key = (x, y, text, size, align, bold)
    if drawn is not None and (code := drawn.get(key)) is not None:
        c.setFont(font, size)
        if bold:
            c._lineWidth = size * 0.035  # what setLineWidth leaves, its operator being in ``code``
        c._code.extend(code)
        return
    start = len(c._code)
    _draw_text(c, font, x, y, text, size, align, bold)
    if drawn is not None:
        drawn[key] = c._code[start:]


def _draw_text(c: Canvas, font: str, x: float, y: float, text: str, size: float, align: str, bold: bool) -> None:
    c.setFont(font, size)
    if not bold:
        if align == "l":
            c.drawString(x, y, text)
        elif align == "r":
            c.drawRightString(x, y, text)
        else:
            c.drawCentredString(x, y, text)
        return
    w = text_width(text, size)
    x0 = x if align == "l" else x - w if align == "r" else x - w / 2
    t = c.beginText(x0, y)
    t.setFont(font, size)
    t.setTextRenderMode(2)  # fill and stroke: a faux bold that prints well
    t.textOut(text)
    t.setTextRenderMode(0)
    c.setLineWidth(size * 0.035)
    c.drawText(t)


_Formatted = dict[tuple[str, float, int], tuple[str, int]]


def _draw_ops(c: Canvas, font: str, ops: Sequence[Op], stroke: float, memo: _Formatted | None = None) -> None:
    """All text of a page in one text object (font set only when the size changes), then the
    rules batched by line width: far fewer PDF operators than one call per string.

    Writes exactly what ``moveCursor`` and ``textOut`` of the text object write, faster: table
    sheets repeat the same strings (headers, dates, account names, amounts) hundreds of times, so
    what reportlab formats for a string (its operators, and the font subset it leaves current) is
    remembered in ``memo``, one per document: the first occurrence is formatted by reportlab itself,
    which gives the string's characters their glyph codes in the document's font subsets; the codes
    never change after, and the key holds the rest the text depends on (the font is the only one,
    its leading follows from the size)."""
    lines: dict[float, list[tuple[float, float, float, float]]] = {}
    t = c.beginText(0, 0)
    code = t._code
    memo = {} if memo is None else memo
    size_now, bold_now = -1.0, False
    lx = ly = 0.0  # start of the text line: moves are relative (Td, two numbers) not absolute (Tm, six)
    for op in ops:
        kind = op[0]
        if kind == "t":
            _, x, y, text, size, align, bold = op
            text = str(text)
            size_f, x_f = float(size), float(x)  # type: ignore[arg-type]
            if size_f != size_now:
                t.setFont(font, size_f)
                size_now = size_f
            if align != "l":
                w = text_width(text, size_f)
                x_f -= w if align == "r" else w / 2
            if bool(bold) != bold_now:
                bold_now = bool(bold)
                t.setTextRenderMode(2 if bold_now else 0)  # fill and stroke: a faux bold that prints well
            y_f = float(y)  # type: ignore[arg-type]
            dx, dy = x_f - lx, ly - y_f  # reportlab's dy points down
            if code[-1].endswith(" Td"):  # reportlab merges a move into the one before (text comes between ours)
                t.moveCursor(dx, dy)
            else:
                code.append(f"{fp_str(dx, -dy)} Td")  # moveCursor's text
            lx, ly = x_f, y_f
            key = (text, size_f, t._curSubset)
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = (t._formatText(text), t._curSubset)
            else:
                t._curSubset = hit[1]
            code.append(hit[0])
        elif kind == "h":
            _, x1, y1, x2, y2, width = op
            lines.setdefault(width, []).append((x1, y1, x2, y2))  # type: ignore[index, arg-type]
        elif kind == "r":
            _, x, y, w, h, width = op
            c.setLineWidth(width)  # type: ignore[arg-type]
            c.rect(x, y, w, h, stroke=1, fill=0)  # type: ignore[arg-type]
    c.setLineWidth(stroke)
    c.drawText(t)
    for width, segs in lines.items():
        c.setLineWidth(width)
        c.lines(segs)


_FINDER_LIKE = "10111010000"


@lru_cache(maxsize=8)
def _grid_masks(n: int) -> tuple[int, int, int, int]:
    """For an n x n matrix held as one integer (module (row, col) at bit ``row * n + col``): all
    modules, the columns where a run of 5 fits in its row, the top-left corners of 2x2 blocks, and
    the columns where reportlab looks for the finder-like pattern (it stops one short of the last)."""
    def columns(last: int) -> int:
        row = (1 << (last + 1)) - 1
        return sum(row << (r * n) for r in range(n))
    full = (1 << (n * n)) - 1
    return full, columns(n - 5), columns(n - 2) & ((1 << ((n - 1) * n)) - 1), columns(n - 12)


def _penalty(m: int, n: int) -> int:
    """reportlab's ``QRUtil.getLostPoint`` (the penalty a mask is chosen by) of the matrix ``m``
    (see :func:`_grid_masks`), the same number computed with whole-matrix bit operations instead of
    module by module. Its rules as reportlab counts them:
    1. every run of 5 or more like modules in a row or a column: length - 2 (a run of L has L - 4
       windows of 5 and one first window);
    2. every 2x2 block of like modules: 3;
    3. 1:1:3:1:1 followed by four light modules, left to right in rows only, not starting at the
       last place it fits: 40 each (the pattern cannot overlap itself, so every match counts;
       reportlab compares a column, a tuple, with its pattern, a list: never equal, so columns
       count nothing);
    4. 10 for every 5 % the dark share is away from 50 %."""
    full, fit5, blocks, fit_finder = _grid_masks(n)
    light = ~m & full
    score = 0
    for x in (m, light):
        h = x & (x >> 1) & (x >> 2) & (x >> 3) & (x >> 4) & fit5
        v = x & (x >> n) & (x >> 2 * n) & (x >> 3 * n) & (x >> 4 * n)
        score += h.bit_count() + 2 * (h & ~(h << 1)).bit_count() + v.bit_count() + 2 * (v & ~(v << n)).bit_count()
    across = ~(m ^ (m >> 1))
    down = ~(m ^ (m >> n))
    score += 3 * (across & down & (down >> 1) & blocks).bit_count()
    finder = fit_finder
    for j, ch in enumerate(_FINDER_LIKE):
        finder &= (m if ch == "1" else light) >> j
    score += 40 * finder.bit_count()
    dark = m.bit_count()
    return score + 10 * (abs(100 * dark // (n * n) - 50) // 5)


def _as_bits(modules: Sequence[Sequence[object]]) -> int:
    n = len(modules)
    return sum(int("".join("1" if x else "0" for x in reversed(row)), 2) << (r * n) for r, row in enumerate(modules))


def _lost_point(modules: Sequence[Sequence[object]]) -> int:
    """:func:`_penalty` of a matrix given as rows of modules."""
    return _penalty(_as_bits(modules), len(modules))


@lru_cache(maxsize=8)
def _data_layout(version: int, n: int, positions: tuple[tuple[int, int], ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The bit of each data position (in ``dataPosIterator`` order), and each of the 8 masks at
    them (every sheet of a township has the same version, so this is computed once)."""
    bits = tuple(1 << (row * n + col) for col, row in positions)
    masks = tuple(sum(b for b, (col, row) in zip(bits, positions, strict=True) if QRUtil.getMask(i)(row, col))
                  for i in range(8))
    return bits, masks


def _make(qr: Any) -> None:
    """``QRCode.make``: the same matrix in ``qr.modules``, built once.

    reportlab builds each of the 8 trial matrices from scratch (``makeImpl(True, i)``), placing
    the data module by module, and then the chosen one again (``makeImpl(False, best)``). The
    trials leave the type information blank, so they differ only in the data modules. Here the
    fixed patterns are built once without data, each mask is applied to the data bits held as one
    integer, as ``mapData`` places them (the bits in ``dataPosIterator`` order, light modules after
    the last bit), the first of the 8 with the lowest :func:`_penalty` is kept, and the type
    information (and from version 7 the version number) is written as ``makeImpl`` writes it."""
    if qr.version is None:
        qr.version = qr.calculate_version()
    qr.mapData = lambda data, mask: None  # the fixed patterns only: data bits are placed below
    try:
        qr.makeImpl(True, 0)  # also encodes the data (``dataCache``)
    finally:
        del qr.mapData
    n = qr.moduleCount
    positions = qr.dataPosIterator()
    bits, masks = _data_layout(qr.version, n, tuple(positions))
    fixed = _as_bits(qr.modules)  # finder, timing and alignment patterns; blank type information
    placed = sum(b for b, dark in zip(bits, qr.dataBitIterator(qr.dataCache), strict=False) if dark)
    best, pattern = 0, 0
    for i, mask in enumerate(masks):
        lost = _penalty(fixed | (placed ^ mask), n)
        if i == 0 or best > lost:
            best, pattern = lost, i
    final = fixed | (placed ^ masks[pattern])
    full_row = (1 << n) - 1
    qr.modules = [[ch == "1" for ch in reversed(f"{(final >> (r * n)) & full_row:0{n}b}")] for r in range(n)]
    qr.setupTypeInfo(False, pattern)
    if qr.version >= 7:
        qr.setupTypeNumber(False)




@lru_cache(maxsize=256)
def _qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    qr = QrCodeWidget(payload, barLevel="M").qr
    _make(qr)  # picks the version and the best of the 8 masks (what costs the time)
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR matrix (error correction M, smallest version that fits) of ``payload``; remembered,
    since preview, export and print of the same sheet draw the same code."""
    return [list(row) for row in _qr_matrix(payload)]


def _qr_form(c: Canvas, payload: str, size: float) -> str:
    """Draw the QR code once as a form XObject (runs of dark modules as rectangles); no fonts."""
    name = "qr" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    modules = qr_modules(payload)
    border = 2
    box = size / (len(modules) + 2 * border)
    c.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
    c.setFillGray(0)
    path = c.beginPath()
    for r, row in enumerate(modules):
        col = 0
        for dark, run in itertools.groupby(row):
            n = len(list(run))
            if dark:
                path.rect((col + border) * box, size - (r + border + 1) * box, n * box, box)
            col += n
    c.drawPath(path, stroke=0, fill=1)
    c.endForm()
    return name


HINT = "扫描右侧二维码或在阳光台账中输入校验码，可核对本表是否与账目一致"


@dataclass(frozen=True)
class _FrameText:
    """Where the page frame of one sheet set puts its text (the same on every page but page x/y):
    (x, baseline, text, size, align, bold)."""

    items: tuple[tuple[float, float, str, float, str, bool], ...]
    signed_items: tuple[tuple[float, float, str, float, str, bool], ...]  # on a page with sign-off lines


def _fit_lines(text: str, size: float, width: float, floor: float, most: int = 2) -> tuple[list[str], float]:
    """``fit``, in ``most`` lines: smaller than ``floor`` only if the text would need more lines."""
    lines, size = fit(text, size, width, floor)
    while len(lines) > most:
        size *= 0.95
        lines = wrap(text, size, width)
    return lines, size


def _frame_text(fmt: PageFormat, sheet: SheetSet) -> _FrameText:
    """The title and organisation line are set smaller to fit (never below a floor) and wrapped
    beyond it; the check code is wrapped left of the QR code: nothing is cut."""
    s, m, w, h = fmt.scale, fmt.margin, fmt.width, fmt.height
    items: list[tuple[float, float, str, float, str, bool]] = []
    # header: title, then organisation line and unit
    title_lines, title_size = _fit_lines(sheet.title, 15 * s, fmt.usable_width, 10 * s)
    for i, line in enumerate(title_lines):
        items.append((w / 2, h - m - title_size - i * title_size * 1.15, line, title_size, "c", True))
    small = 8.5 * s
    y = h - m - 15 * s - 6.5 * mm * s
    right = text_width(sheet.right_line, small)
    org_lines, org_size = _fit_lines(sheet.org_line, small, fmt.usable_width - right - 4 * mm, small * MIN_SHRINK)
    step = org_size * 1.2  # two lines sit about the one line's baseline
    first = y + step / 2 if len(org_lines) > 1 else y
    for i, line in enumerate(org_lines):
        items.append((m, first - i * step, line, org_size, "l", False))
    items.append((w - m, y, sheet.right_line, small, "r", False))
    # footer, lowest band: check code above the hint; page x/y (drawn per page) beside the hint
    code_size = 6.0 * s
    codes = find_codes(sheet.payload)  # the QR reads the whole phone text; the page prints the code to type
    code_text = "校验码：" + (codes[0] if codes else sheet.payload)
    code, code_size = _fit_lines(code_text, code_size, fmt.footer_text_width, code_size)
    base = m + 1.2 * mm * s
    footer = [(m, base, HINT, code_size, "l", False)]
    for i, line in enumerate(reversed(code)):
        footer.append((m, base + (4.4 + 2.5 * i) * mm * s, line, code_size, "l", False))
    # without sign-off lines (a layout not given any): the supervision line above the code
    (line,), line_size = _fit_lines(sheet.footer_line, small, fmt.footer_text_width, small * MIN_SHRINK, most=1)
    unsigned = [(m, m + fmt.footer_h - 6.5 * mm * s, line, line_size, "l", False)]
    return _FrameText(tuple(items + footer + unsigned), tuple(items + footer))


def _frame(c: Canvas, font: str, fmt: PageFormat, frame: _FrameText, qr: str, n: int, total: int,
           signed: bool, drawn: _Drawn | None = None) -> None:
    s, m, w, h = fmt.scale, fmt.margin, fmt.width, fmt.height
    for x, y, text, size, align, bold in (frame.signed_items if signed else frame.items):
        _text(c, font, x, y, text, size, align, bold, drawn)
    c.setLineWidth(0.8 * s)
    rule = h - m - 15 * s - 6.5 * mm * s - 2.2 * mm * s
    c.line(m, rule, w - m, rule)
    if not signed:
        c.setLineWidth(0.5 * s)
        c.line(m, m + fmt.footer_h - 1.5 * mm, w - m, m + fmt.footer_h - 1.5 * mm)
    _text(c, font, w / 2, m + 1.2 * mm * s, f"第 {n} 页 / 共 {total} 页", 9 * s, "c", False, drawn)
    c.saveState()
    c.translate(w - m - fmt.qr_size, m)
    c.doForm(qr)
    c.restoreState()


def _signed(ops: Sequence[Op]) -> bool:
    """Whether the layout drew sign-off lines in this page's footer (its last marks say so)."""
    return any(op[0] == "k" and op[1] == "signoff" for op in reversed(ops))


def render_pdf(sheets: Sequence[SheetSet], fmt: PageFormat, *, title: str, subject: str = "") -> bytes:
    """One PDF holding every sheet set; page x/y counts within each sheet set."""
    font = register_cjk_font()
    a85 = rl_config.useA85
    rl_config.useA85 = 0  # binary (zlib) streams: ASCII85 in pure Python costs a third of the time
    try:
        return _render(sheets, fmt, font, title, subject)
    finally:
        rl_config.useA85 = a85


def _render(sheets: Sequence[SheetSet], fmt: PageFormat, font: str, title: str, subject: str) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(fmt.width, fmt.height), invariant=True, pageCompression=1,
               initialFontName=font, initialFontSize=10)
    c.setTitle(title)
    c.setAuthor("阳光台账")
    c.setSubject(subject or title)
    c.setCreator("阳光台账 财务公开")
    c.setProducer("阳光台账（reportlab）")
    memo: _Formatted = {}  # one document: its own glyph codes
    drawn: _Drawn = {}
    for sheet in sheets:
        qr = _qr_form(c, sheet.payload, fmt.qr_size)
        frame = _frame_text(fmt, sheet)
        total = len(sheet.pages)
        for n, ops in enumerate(sheet.pages, start=1):
            _draw_ops(c, font, ops, 0.3 * fmt.scale, memo)
            _frame(c, font, fmt, frame, qr, n, total, _signed(ops), drawn)
            c.showPage()
    c.save()
    return buf.getvalue()


# The phone images (phone_render.py) draw their pages with the same text and QR code drawing.
draw_ops = _draw_ops
qr_form = _qr_form
