"""银行存款余额调节表 as PDF (reportlab canvas, fixed widths, the bundled CJK font embedded).

Page 1 carries the table as it is drawn on paper: the book's side (日记账余额, 加 银行已收企业未收,
减 银行已付企业未付, 调节后余额) beside the bank's (对账单余额, 加 企业已收银行未收, 减 企业已付银行未付,
调节后余额), then the verdict (平衡, or the difference) and, under the detail of every 未达账项 (on
as many pages as it needs), the sign-off lines 会计/出纳/审核. Sealed (``reports.bank_seal``), every
page carries the QR code and the check code in its bottom-right corner, where no row runs.
Deterministic: same data, same seal, same bytes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop_app.core.money import format_amount
from desktop_app.core.services.bank_rows import BankItem, BankReconciliationReport
from desktop_app.core.services.funds_base import period_end, period_label
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.fonts import register_cjk_font
from desktop_app.reports.sealing import SealRow

__all__ = ["reconciliation_pdf_bytes", "summary_rows", "write_reconciliation_pdf"]

PAGE = A4
MARGIN = 15 * mm
ROW_H = 6.5 * mm
SIZE = 9.5
DETAIL_H = 5 * mm
DETAIL_LEADING = 3.6 * mm
FOOT_H = 26 * mm
QR_ROOM = 22 * mm  # the QR code's corner of every page: rows stop above it
DETAIL_WIDTHS = [30 * mm, 20 * mm, 24 * mm, 50 * mm, 32 * mm, 24 * mm]  # 类别 日期 凭证/行 摘要 对方户名 金额
DETAIL_HEADS = ["未达账项", "日期", "凭证号/对账单", "摘要", "对方户名", "金额"]


def _money(value: Decimal | None) -> str:
    return "—" if value is None else format_amount(value)


def summary_rows(r: BankReconciliationReport) -> list[tuple[str, str, str, str]]:
    s = r.sections()
    left = [("银行存款日记账余额", _money(r.book_balance)), (s[0][0], _money(s[0][2])), (s[1][0], _money(s[1][2]))]
    right = [("银行对账单余额", _money(r.bank_balance)), (s[2][0], _money(s[2][2])), (s[3][0], _money(s[3][2]))]
    rows = [(a[0], a[1], b[0], b[1]) for a, b in zip(left, right, strict=True)]
    rows.append(("调节后的存款余额", _money(r.adjusted_book), "调节后的存款余额", _money(r.adjusted_bank)))
    return rows


def _header(c: canvas.Canvas, font: str, r: BankReconciliationReport, n: int, total: int) -> float:
    w, h = PAGE
    top = h - MARGIN
    c.setFont(font, 16)
    c.drawCentredString(w / 2, top - 6 * mm, "银行存款余额调节表")
    c.setFont(font, 9)
    c.drawCentredString(w / 2, top - 12 * mm, f"{period_label(r.period)}（截至 {period_end(r.period).isoformat()}）")
    c.drawString(MARGIN, top - 19 * mm, f"编制单位：{r.organisation}")
    c.drawString(MARGIN, top - 24 * mm, f"账套：{r.book_name}　　银行账户：{r.account_code} {r.account_name}")
    c.drawRightString(w - MARGIN, top - 19 * mm, f"第 {n} 页 / 共 {total} 页")
    c.drawRightString(w - MARGIN, top - 24 * mm, "单位：元")
    return float(top - 30 * mm)


def _summary(c: canvas.Canvas, font: str, r: BankReconciliationReport, top: float) -> float:
    width = PAGE[0] - 2 * MARGIN
    widths = [width * 0.31, width * 0.19, width * 0.31, width * 0.19]
    c.setLineWidth(0.6)
    c.line(MARGIN, top, MARGIN + width, top)
    y = top - ROW_H
    x = MARGIN
    for head, cw in zip(["项目", "金额", "项目", "金额"], widths, strict=True):
        c.setFont(font, SIZE)
        c.drawCentredString(x + cw / 2, y + 2 * mm, head)
        x += cw
    c.line(MARGIN, y, MARGIN + width, y)
    rows = summary_rows(r)
    for i, row in enumerate(rows):
        y -= ROW_H
        x = MARGIN
        for j, (text, cw) in enumerate(zip(row, widths, strict=True)):
            if j % 2:
                c.drawRightString(x + cw - 2 * mm, y + 2 * mm, text)
            else:
                c.drawString(x + 2 * mm, y + 2 * mm, text)
            x += cw
        c.setLineWidth(0.6 if i == len(rows) - 1 else 0.25)
        c.line(MARGIN, y, MARGIN + width, y)
    column_rules(c, widths, MARGIN, top, y)
    y -= 8 * mm
    c.setFont(font, 11)
    c.drawString(MARGIN, y, r.verdict)
    c.setFont(font, 8)
    c.drawString(MARGIN, y - 5 * mm, f"本月对账单 {r.statement_lines} 笔；未达账项 {sum(len(s[3]) for s in r.sections())} 笔，明细如下"
                 if any(s[3] for s in r.sections()) else f"本月对账单 {r.statement_lines} 笔；没有未达账项")
    return float(y - 10 * mm)


Row = tuple[str, BankItem, list[str], list[str]]  # kind, item, summary lines, counterparty lines


def _detail_rows(r: BankReconciliationReport) -> list[Row]:
    out = []
    for heading, _sign, _total, items in r.sections():
        for item in items:
            out.append((heading[2:], item, wrap(item.summary, 8, DETAIL_WIDTHS[3] - 3 * mm),
                        wrap(item.counterparty, 8, DETAIL_WIDTHS[4] - 3 * mm)))
    return out


def _row_h(row: Row) -> float:
    return float(DETAIL_H + (max(1, len(row[2]), len(row[3])) - 1) * DETAIL_LEADING)


def _pages(r: BankReconciliationReport, first_room: float, room: float) -> list[list[Row]]:
    pages: list[list[Row]] = [[]]
    left = first_room
    for row in _detail_rows(r):
        h = _row_h(row)
        if h > left and pages[-1]:
            pages.append([])
            left = room
        pages[-1].append(row)
        left -= h
    if left + QR_ROOM < FOOT_H:  # the sign-off lines need their own room (beside the QR code)
        pages.append([])
    return pages


def _detail(c: canvas.Canvas, font: str, rows: list[Row], top: float) -> None:
    if not rows:
        return
    width = sum(DETAIL_WIDTHS)
    c.setLineWidth(0.5)
    c.line(MARGIN, top, MARGIN + width, top)
    y = top - DETAIL_H
    x = MARGIN
    c.setFont(font, 8)
    for head, cw in zip(DETAIL_HEADS, DETAIL_WIDTHS, strict=True):
        c.drawCentredString(x + cw / 2, y + 1.5 * mm, head)
        x += cw
    c.line(MARGIN, y, MARGIN + width, y)
    for row in rows:
        kind, item, summary, party = row
        h = _row_h(row)
        y -= h
        base = y + 1.5 * mm
        top_line = base + h - DETAIL_H  # wrapped text starts on the row's first line
        cells: list[str | list[str]] = [kind, item.day.isoformat(), item.reference, summary, party,
                                        format_amount(item.amount)]
        x = MARGIN
        for j, (text, cw) in enumerate(zip(cells, DETAIL_WIDTHS, strict=True)):
            if isinstance(text, list):
                for k, part in enumerate(text):
                    c.drawString(x + 1.5 * mm, top_line - k * DETAIL_LEADING, part)
            elif j == 5:
                c.drawRightString(x + cw - 1.5 * mm, base, text)
            else:
                c.drawString(x + 1.5 * mm, base, text)
            x += cw
        c.setLineWidth(0.2)
        c.line(MARGIN, y, MARGIN + width, y)
    column_rules(c, DETAIL_WIDTHS, MARGIN, top, y)


def _footer(c: canvas.Canvas, font: str) -> None:
    y = MARGIN + 10 * mm
    c.setFont(font, 10)
    c.drawString(MARGIN, y, "会计：____________　　出纳：____________　　审核：____________")
    c.drawString(MARGIN, y - 7 * mm, "编制日期：______年____月____日")


def reconciliation_pdf_bytes(r: BankReconciliationReport, seal: SealRow | None = None) -> bytes:
    font = register_cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=PAGE, invariant=True, pageCompression=1)
    c.setTitle(f"{r.organisation} 银行存款余额调节表 {r.account_code} {period_label(r.period)}")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(f"银行存款余额调节表 {seal.payload}" if seal is not None else "银行存款余额调节表")
    first_top = PAGE[1] - MARGIN - 30 * mm - ROW_H * 5 - 18 * mm
    room = PAGE[1] - 2 * MARGIN - 30 * mm - DETAIL_H - QR_ROOM
    pages = _pages(r, first_top - MARGIN - DETAIL_H - QR_ROOM, room)
    for n, rows in enumerate(pages, start=1):
        top = _header(c, font, r, n, len(pages))
        if n == 1:
            top = _summary(c, font, r, top)
        _detail(c, font, rows, top)
        if n == len(pages):
            _footer(c, font)
        if seal is not None:
            draw_check_code(c, font, seal, PAGE[0], MARGIN, qr_size=22 * mm, code_y=MARGIN)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_reconciliation_pdf(r: BankReconciliationReport, path: Path | str, seal: SealRow | None = None) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(reconciliation_pdf_bytes(r, seal))
    return out
