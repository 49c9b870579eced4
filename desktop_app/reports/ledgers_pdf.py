"""日记账 / 明细账 / 总账 as PDF: reportlab canvas, fixed column widths, the bundled CJK font.

A journal prints like the bound book: every page but the last ends with a 过次页 line and every
page but the first starts with 承前页, carrying the debits and credits from the start of the month
to the foot of the page and the balance (会计基础工作规范 第六十条: accounts that total per month
carry the month's sums). Every page: title, 科目, organisation, book, period, 单位：元, page x/y,
sign-off line and the QR code with the check code ``verify-sheet`` checks. Same data, same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import fit
from desktop_app.reports.fonts import register_cjk_font
from desktop_app.reports.ledger_docs import (
    GENERAL_HEADERS,
    JOURNAL_HEADERS,
    LedgerSheet,
    amount_text,
    general_cells,
    journal_cells,
)

if TYPE_CHECKING:
    from desktop_app.core.rows_funds import JournalLine
    from desktop_app.reports.sealing import SealRow

MARGIN = 12 * mm
ROW_H = 5.6 * mm
LEADING = 3.4 * mm
SIZE = 8.5
FLOOR = 7.0
HEADER_H = 33 * mm
FOOTER_H = 22 * mm
ZERO = Decimal("0.00")
# 日期 凭证号 摘要 科目 借方 贷方 方向 余额 (摘要 takes what is left)
JOURNAL_WIDTHS = [20 * mm, 16 * mm, 0.0, 17 * mm, 27 * mm, 27 * mm, 8 * mm, 28 * mm]
GENERAL_WIDTHS = [20 * mm, 0.0, 18 * mm, 9 * mm, 32 * mm, 32 * mm, 32 * mm, 9 * mm, 32 * mm]
NUMERIC = {"借方", "贷方", "余额", "期初余额", "本期借方", "本期贷方", "期末余额"}
CENTRED = {"日期", "凭证号", "方向", "期间", "科目", "科目编码"}


@dataclass(frozen=True)
class Row:
    cells: list[str]
    lines: list[list[str]]  # each cell's lines (a long 摘要 wraps; nothing is cut)
    size: float
    height: float
    bold: bool = False
    rule_above: bool = False


def _widths(page: tuple[float, float], widths: list[float]) -> list[float]:
    usable = page[0] - 2 * MARGIN
    return [w if w else usable - sum(widths) for w in widths]


def _row(cells: list[str], widths: list[float], *, bold: bool = False, rule_above: bool = False) -> Row:
    parts, size = [], SIZE
    for text, w in zip(cells, widths, strict=True):
        lines, s = fit(text, SIZE, w - 2.5 * mm, FLOOR)
        parts.append(lines)
        size = min(size, s)
    n = max(len(p) for p in parts)
    return Row(cells, parts, size, ROW_H + (n - 1) * LEADING, bold, rule_above)


@dataclass(frozen=True)
class Carry:
    """What a page carries to the next: month-to-date debit and credit, and the balance."""

    debit: Decimal
    credit: Decimal
    direction: str
    balance: Decimal

    def cells(self, label: str) -> list[str]:
        return ["", "", label, "", amount_text(self.debit), amount_text(self.credit), self.direction,
                format_amount(self.balance)]


def journal_pages(lines: tuple[JournalLine, ...], room: float, widths: list[float]
                  ) -> list[tuple[Carry | None, list[Row], Carry | None]]:
    """The journal cut into pages: (承前页 carried in, the rows, 过次页 carried out) each."""
    rows = [_row(journal_cells(x), widths, bold=x.kind in ("month_total", "year_total"),
                 rule_above=x.kind == "month_total") for x in lines]
    carries: list[Carry] = []  # the carry after each line
    d = c = ZERO
    for x in lines:
        if x.kind == "entry":
            d, c = d + x.debit, c + x.credit
        carries.append(Carry(d, c, x.direction, x.balance_amount))
        if x.kind == "month_total":
            d = c = ZERO
    pages: list[tuple[Carry | None, list[Row], Carry | None]] = []
    i = 0
    while i < len(rows) or not pages:
        carried_in = carries[i - 1] if pages else None
        cap = room - (ROW_H if pages else 0)
        if sum(r.height for r in rows[i:]) <= cap:
            pages.append((carried_in, rows[i:], None))
            break
        cap -= ROW_H  # the 过次页 line
        chunk: list[Row] = []
        used = 0.0
        while i < len(rows) and (not chunk or used + rows[i].height <= cap):
            chunk.append(rows[i])
            used += rows[i].height
            i += 1
        pages.append((carried_in, chunk, carries[i - 1]))
    return pages


def _header(c: canvas.Canvas, sheet: LedgerSheet, font: str, page: tuple[float, float], widths: list[float],
            heads: tuple[str, ...], n: int, total: int) -> float:
    w, h = page
    top = h - MARGIN
    c.setFont(font, 17)
    title = "　".join(sheet.title) if len(sheet.title) <= 4 else sheet.title
    c.drawCentredString(w / 2, top - 7 * mm, title)
    tw = c.stringWidth(title, font, 17)
    c.setLineWidth(0.6)
    c.line(w / 2 - tw / 2 - 4 * mm, top - 8.8 * mm, w / 2 + tw / 2 + 4 * mm, top - 8.8 * mm)
    c.line(w / 2 - tw / 2 - 4 * mm, top - 9.6 * mm, w / 2 + tw / 2 + 4 * mm, top - 9.6 * mm)
    c.setFont(font, 9)
    c.drawCentredString(w / 2, top - 14.5 * mm, sheet.period_label)
    if sheet.account:
        c.setFont(font, 10)
        c.drawString(MARGIN, top - 14.5 * mm, f"科目：{sheet.account}")
    c.setFont(font, 9 if c.stringWidth(sheet.owner_line, font, 9) < w - 2 * MARGIN - 40 * mm else 7.5)
    c.drawString(MARGIN, top - 20 * mm, sheet.owner_line)
    c.setFont(font, 9)
    c.drawString(MARGIN, top - 25 * mm, f"账套：{sheet.book_name}")
    c.drawRightString(w - MARGIN, top - 20 * mm, f"第 {n} 页 / 共 {total} 页")
    c.drawRightString(w - MARGIN, top - 25 * mm, "单位：元")
    y = top - HEADER_H
    c.setLineWidth(0.8)
    c.line(MARGIN, y + ROW_H, w - MARGIN, y + ROW_H)
    x = MARGIN
    for head, cw in zip(heads, widths, strict=True):
        c.drawCentredString(x + cw / 2, y + 1.8 * mm, head)
        x += cw
    c.setLineWidth(0.5)
    c.line(MARGIN, y, w - MARGIN, y)
    return float(y)


def _text(c: canvas.Canvas, font: str, size: float, x: float, y: float, text: str, *, bold: bool) -> None:
    """Text at (x, y); a total line's text is filled and stroked (the font has no bold face)."""
    if not bold:
        c.drawString(x, y, text)
        return
    c.saveState()  # the render mode is graphics state: restored with it, so it never leaks onwards
    c.setLineWidth(0.25)
    t = c.beginText(x, y)
    t.setFont(font, size)
    t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def _draw_row(c: canvas.Canvas, row: Row, heads: tuple[str, ...], font: str, widths: list[float], y: float,
              right: float) -> None:
    """``row`` with its bottom at ``y``: text cells top-aligned, amounts on the last line."""
    if row.rule_above:
        c.setLineWidth(0.6)
        c.line(MARGIN, y + row.height, right, y + row.height)
    c.setFont(font, row.size)
    x = MARGIN
    for head, lines, cw in zip(heads, row.lines, widths, strict=True):
        for k, part in enumerate(lines):
            ty = y + 1.6 * mm + (len(lines) - 1 - k) * LEADING
            tw = c.stringWidth(part, font, row.size)
            tx = x + cw - 1.2 * mm - tw if head in NUMERIC else (
                x + (cw - tw) / 2 if head in CENTRED else x + 1.2 * mm)
            _text(c, font, row.size, tx, ty, part, bold=row.bold)
        x += cw
    c.setLineWidth(0.5 if row.bold else 0.2)
    c.line(MARGIN, y, right, y)


def _footer(c: canvas.Canvas, font: str, sheet: LedgerSheet) -> None:
    c.setFont(font, 9)
    c.drawString(MARGIN, MARGIN + 12 * mm, "会计主管：____________　　记账：____________　　审核：____________")
    if sheet.seal_hash:
        c.setFont(font, 6)
        c.drawString(MARGIN, MARGIN - 4 * mm, f"结账封存码 {sheet.seal_hash[:16]}…")


def ledger_pdf_bytes(sheet: LedgerSheet, seal: SealRow | None = None) -> bytes:
    font = register_cjk_font()
    journal = sheet.journal
    page = A4 if journal is not None else landscape(A4)
    heads = JOURNAL_HEADERS if journal is not None else GENERAL_HEADERS
    widths = _widths(page, JOURNAL_WIDTHS if journal is not None else GENERAL_WIDTHS)
    room = page[1] - 2 * MARGIN - HEADER_H - FOOTER_H
    if journal is not None:
        pages = journal_pages(journal.lines, room, widths)
    else:
        rows = []
        for k, g in enumerate(sheet.general):
            first = k == 0 or sheet.general[k - 1].code != g.code
            cells = general_cells(g)
            if not first:
                cells[0] = cells[1] = ""
            rows.append(_row(cells, widths, rule_above=first and k > 0))
        pages = journal_like(rows, room)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(f"{sheet.organisation} {sheet.title} {sheet.period_label}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(f"{sheet.title} {seal.payload}" if seal is not None else sheet.title)
    right = page[0] - MARGIN
    for n, (carried_in, chunk, carried_out) in enumerate(pages, start=1):
        y = _header(c, sheet, font, page, widths, heads, n, len(pages))
        top = y
        if carried_in is not None:
            y -= ROW_H
            _draw_row(c, _row(carried_in.cells("承前页"), widths, bold=True), heads, font, widths, y, right)
        for row in chunk:
            y -= row.height
            _draw_row(c, row, heads, font, widths, y, right)
        if carried_out is not None:
            y -= ROW_H
            _draw_row(c, _row(carried_out.cells("过次页"), widths, bold=True), heads, font, widths, y, right)
        column_rules(c, widths, MARGIN, top + ROW_H, y)
        _footer(c, font, sheet)
        if seal is not None:
            draw_check_code(c, font, seal, page[0], MARGIN, qr_size=20 * mm, code_y=MARGIN)
        c.showPage()
    c.save()
    return buf.getvalue()


def journal_like(rows: list[Row], room: float) -> list[tuple[Carry | None, list[Row], Carry | None]]:
    """Rows without carried totals (总账) cut into pages."""
    pages: list[tuple[Carry | None, list[Row], Carry | None]] = [(None, [], None)]
    used = 0.0
    for r in rows:
        if pages[-1][1] and used + r.height > room:
            pages.append((None, [], None))
            used = 0.0
        pages[-1][1].append(r)
        used += r.height
    return pages
