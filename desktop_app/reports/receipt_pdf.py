"""收款收据 PDF: the three-part receipt (第一联 存根 / 第二联 收据 / 第三联 记账) of each slip.

Layouts (``LAYOUTS``):

* ``a4`` (default): one A4 sheet per slip, its three parts stacked a third of the page each
  (210 x 99 mm, the size of a 三联 receipt-book page) with cut lines between. Any office laser
  printer takes plain A4, and a slip's three parts never end up on different sheets.
* ``a5``: one part per A5 landscape page (three pages a slip), for offices that print on A5
  stock or pre-cut receipt paper.

Each part: organisation, title, number in red, date, payer, purpose, amount in figures (¥) and
大写 (``core.money.amount_in_words``), method, contract and voucher numbers, and the sign-off line
(收款单位盖章, 会计, 出纳, 经手人 = the collector, 交款人). A voided slip prints 作废 across every
part with the reason; a slip printed before prints 补打 (and which print it is) beside its number.
Output is deterministic (reportlab ``invariant``).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from desktop_app.core.errors import ValidationError
from desktop_app.core.money import amount_in_words, format_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.services.receipt_slips import LAYOUTS, SlipPrint, print_slips
from desktop_app.reports.disclosure.layout import fit
from desktop_app.reports.fonts import register_cjk_font

PARTS = (("第一联", "存根"), ("第二联", "收据"), ("第三联", "记账"))
PART_NOTES = {"存根": "收款单位留存", "收据": "交付款人", "记账": "会计记账"}
METHOD_TEXT = {"现金": "现金", "银行": "银行转账"}
RED = (0.78, 0.08, 0.08)
INK = (0.1, 0.1, 0.1)


def _date(d: object) -> str:
    from datetime import date

    assert isinstance(d, date)
    return f"{d.year}年{d.month}月{d.day}日"


def _cell(c: Canvas, font: str, text: str, x: float, y: float, w: float, h: float, size: float, *,
          centred: bool = False) -> None:
    """``text`` inside the box (x, y bottom-left, w x h), set smaller or wrapped to fit."""
    lines, s = fit(text, size, w - 3 * mm, size * 0.7)
    c.setFont(font, s)
    lead = s * 1.15
    top = y + h / 2 + (len(lines) * lead) / 2 - s * 0.85
    for i, line in enumerate(lines):
        if centred:
            c.drawCentredString(x + w / 2, top - i * lead, line)
        else:
            c.drawString(x + 1.5 * mm, top - i * lead, line)


def draw_part(c: Canvas, font: str, p: SlipPrint, part: int, x0: float, y0: float, w: float, h: float) -> None:
    """One 联 of a slip in the box (x0, y0) w x h (h from 99 mm up)."""
    s = p.slip
    k = h / (99 * mm)  # taller boxes (A5) spread the same rows out
    left, right = x0 + 12 * mm, x0 + w - 18 * mm  # the right strip carries the part's name
    top = y0 + h - 8 * mm * k
    # title with its double rule, organisation and number
    c.setFillColorRGB(*INK)
    c.setFont(font, 19)
    c.drawCentredString((left + right) / 2, top - 8 * mm, "收 款 收 据")
    c.setLineWidth(0.7)
    c.line((left + right) / 2 - 26 * mm, top - 10 * mm, (left + right) / 2 + 26 * mm, top - 10 * mm)
    c.line((left + right) / 2 - 26 * mm, top - 11 * mm, (left + right) / 2 + 26 * mm, top - 11 * mm)
    c.setFillColorRGB(*RED)
    c.setFont(font, 14)
    c.drawRightString(right, top - 7 * mm, f"No.{s.number}")
    if p.reprint:
        c.setFont(font, 9)
        c.drawRightString(right, top - 12 * mm, f"补打（第{s.print_count}次打印）")
    c.setFillColorRGB(*INK)
    c.setFont(font, 9.5)
    org = p.book.removesuffix("账套").strip() or p.organisation  # the book's unit: 村民委员会 books are its own
    c.drawString(left, top - 17 * mm * k, f"收款单位：{org}")
    c.drawRightString(right, top - 17 * mm * k, _date(s.received_on))
    # the table: four rows
    row_h = 10.5 * mm * k
    t_top = top - 20 * mm * k
    widths = [27 * mm, 0.0, 22 * mm, 42 * mm]
    widths[1] = right - left - sum(widths)
    xs = [left]
    for cw in widths:
        xs.append(xs[-1] + cw)
    c.setLineWidth(0.9)
    c.rect(left, t_top - 4 * row_h, right - left, 4 * row_h)
    c.setLineWidth(0.4)
    for i in range(1, 4):
        c.line(left, t_top - i * row_h, right, t_top - i * row_h)
    words = amount_in_words(s.amount)
    rows: list[tuple[str, str, str, str]] = [
        ("交款单位（人）", s.payer, "收款方式", METHOD_TEXT.get(s.method, s.method)),
        ("收款事由", s.purpose, "", ""),
        ("人民币（大写）", words, "小写", f"¥{format_amount(s.amount)}"),
        ("合同编号", s.contract_number or "—", "记账凭证", s.voucher_label or "—"),
    ]
    for i, (a, b, cc, d) in enumerate(rows):
        y = t_top - (i + 1) * row_h
        span = cc == ""  # 收款事由 runs across
        for j in (1, 2, 3) if not span else (1,):
            c.line(xs[j], y, xs[j], y + row_h)
        _cell(c, font, a, xs[0], y, widths[0], row_h, 9.5, centred=True)
        _cell(c, font, b, xs[1], y, (xs[4] - xs[1]) if span else widths[1], row_h, 11 if i == 2 else 10)
        if not span:
            _cell(c, font, cc, xs[2], y, widths[2], row_h, 9.5, centred=True)
            _cell(c, font, d, xs[3], y, widths[3], row_h, 11 if i == 2 else 9.5, centred=True)
    # sign-off line
    c.setFont(font, 9)
    sign_y = t_top - 4 * row_h - 7 * mm * k
    c.drawString(left, sign_y, "收款单位（盖章）：")
    c.drawString(left + 52 * mm, sign_y, "会计：________")
    c.drawString(left + 84 * mm, sign_y, "出纳：________")
    c.drawString(left + 116 * mm, sign_y, f"经手人：{s.collector}")
    c.drawRightString(right, sign_y, "交款人：________")
    c.setFont(font, 7)
    c.setFillColorRGB(0.35, 0.35, 0.35)
    made = f"开具日期 {_date(s.issued_on)}（补开）" if s.issued_on != s.received_on else ""
    c.drawString(left, sign_y - 5 * mm * k, f"{made}　本收据连号使用，涂改无效".strip("　"))
    # the part's name down the right edge, one character a line
    number, name = PARTS[part]
    c.setFillColorRGB(*INK)
    c.setFont(font, 9)
    label, note = number + name, PART_NOTES[name]  # upright characters, top to bottom
    step = min(4.4 * mm, (h - 12 * mm) / (len(label) + len(note) + 1))
    ly = y0 + h / 2 + step * (len(label) + len(note) + 1) / 2 - step
    for i, ch in enumerate(label):
        c.drawCentredString(x0 + w - 9 * mm, ly - i * step, ch)
    c.setFont(font, 7)
    c.setFillColorRGB(0.35, 0.35, 0.35)
    for i, ch in enumerate(note, start=len(label) + 1):
        c.drawCentredString(x0 + w - 9 * mm, ly - i * step * 0.85 - step * 0.15 * len(label), ch)
    c.setFillColorRGB(*INK)
    if s.status == "作废":
        _draw_void(c, font, p, (left + right) / 2, t_top - 2 * row_h, sign_y)


def _draw_void(c: Canvas, font: str, p: SlipPrint, cx: float, cy: float, sign_y: float) -> None:
    c.saveState()
    c.setFillColorRGB(*RED)
    c.setStrokeColorRGB(*RED)
    c.setFillAlpha(0.55)
    c.setStrokeAlpha(0.55)
    c.translate(cx, cy)
    c.rotate(12)
    c.setLineWidth(2.2)
    c.roundRect(-34 * mm, -11 * mm, 68 * mm, 22 * mm, 3 * mm)
    c.setFont(font, 44)
    c.drawCentredString(0, -6.5 * mm, "作废")
    c.restoreState()
    c.setFillColorRGB(*RED)
    c.setFont(font, 8)
    c.drawString(cx + 4 * mm, sign_y - 5 * mm, f"作废原因：{p.slip.void_reason or ''}"[:40])
    c.setFillColorRGB(*INK)


def _cut_line(c: Canvas, font: str, y: float, w: float) -> None:
    c.saveState()
    c.setStrokeColorRGB(0.5, 0.5, 0.5)
    c.setLineWidth(0.4)
    c.setDash(3, 2)
    c.line(4 * mm, y, w - 4 * mm, y)
    c.restoreState()
    c.setFont(font, 6)
    c.setFillColorRGB(0.5, 0.5, 0.5)
    c.drawString(6 * mm, y + 1 * mm, "沿虚线裁开")
    c.setFillColorRGB(*INK)


def receipt_pdf_bytes(prints: Sequence[SlipPrint], *, layout: str = "a4") -> tuple[bytes, int]:
    """The PDF of these slips as printed, and its page count."""
    if layout not in LAYOUTS:
        raise ValidationError(f"收据版式应为 {' / '.join(LAYOUTS)}", field="版式")
    if not prints:
        raise ValidationError("没有要打印的收据", field="收据")
    font = register_cjk_font()
    page = A4 if layout == "a4" else landscape(A5)
    w, h = page
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    first, last = prints[0].slip.number, prints[-1].slip.number
    c.setTitle(f"收款收据 No.{first}" + (f"–{last}" if last != first else ""))
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject("收款收据")
    pages = 0
    for p in prints:
        if layout == "a4":
            third = h / 3
            for part in range(3):
                draw_part(c, font, p, part, 0, h - (part + 1) * third, w, third)
            _cut_line(c, font, third, w)
            _cut_line(c, font, 2 * third, w)
            c.showPage()
            pages += 1
        else:
            for part in range(3):
                draw_part(c, font, p, part, 0, 0, w, h)
                c.showPage()
                pages += 1
    c.save()
    return buf.getvalue(), pages


def write_receipt_pdf(session: Session, slip_ids: Sequence[uuid.UUID], path: Path | str, *, user: UserRow,
                      layout: str = "a4") -> tuple[list[SlipPrint], int]:
    """Print these slips (each print counted and audited; the later ones say 补打) to ``path``."""
    if layout not in LAYOUTS:
        raise ValidationError(f"收据版式应为 {' / '.join(LAYOUTS)}", field="版式")
    prints = print_slips(session, slip_ids, user=user)
    data, pages = receipt_pdf_bytes(prints, layout=layout)
    Path(path).write_bytes(data)
    return prints, pages
