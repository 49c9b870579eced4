"""记账凭证 printed on the classic form, 2 or 3 to an A4 sheet (cut along the dashed line).

Each form: title 记账凭证 (double rule), 单位, date, 记字第 N 号, 附单据 N 张, the lines (摘要 / 总账科目 /
明细科目 / 借方金额 / 贷方金额), 合计 with the 大写 amount, and the 会计主管 / 记账 / 审核 / 出纳 / 制单
line with the names the voucher records. A voucher with more lines than a form holds goes on to
further forms (记-0005 1/2, 2/2); the 合计 is on its last. Voided vouchers are not printed.

A 红字 (reversal) voucher is printed as on paper: its negative figures in red ink without a minus
sign, 红字 beside the title, and the 大写 line filled with the amount marked "（红字）" — REFERENCE
§8.1: vouchers carry no negative 大写, and the mark keeps a black-and-white copy unambiguous.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from desktop_app.core.errors import ValidationError
from desktop_app.core.money import amount_in_words, format_amount
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row
from desktop_app.core.services.statements import statement_owner
from desktop_app.core.services.vouchers import get_voucher, list_vouchers
from desktop_app.reports.disclosure.layout import fit
from desktop_app.reports.fonts import register_cjk_font

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

PER_PAGE = (2, 3)
CHECK_HINT = "在阳光台账中输入校验码（verify-sheet），可核对所印凭证是否与账目一致"
MARGIN = 12 * mm
RED = (0.8, 0.0, 0.0)
RED_MARK = "（红字）"
# 摘要, 总账科目, 明细科目, 借方金额, 贷方金额; the 附单据 column stands right of the table
WIDTHS = [50 * mm, 34 * mm, 40 * mm, 27 * mm, 27 * mm]
HEADS = ["摘　　要", "总账科目", "明细科目", "借方金额", "贷方金额"]


@dataclass(frozen=True)
class FormLine:
    summary: str
    account: str  # 总账科目: "102 银行存款"
    detail: str  # 明细科目: "10201 农商行" ("" for a first-level account)
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class VoucherForm:
    number: int
    voucher_date: date
    attachments: int
    status: str
    lines: tuple[FormLine, ...]
    total: Decimal
    words: str
    maker: str
    reviewer: str
    poster: str

    @property
    def code(self) -> str:
        return f"记-{self.number:04d}"

    @property
    def red(self) -> bool:
        """A 红字 voucher (a reversal): its total is negative."""
        return self.total < 0


@dataclass(frozen=True)
class VoucherForms:
    organisation: str
    book_name: str
    period_from: str
    period_to: str
    vouchers: tuple[VoucherForm, ...]


def _account_names(accounts: dict[str, AccountInfo], code: str, leaf_name: str) -> tuple[str, str]:
    by_id = {a.id: a for a in accounts.values()}
    acc = accounts.get(code)
    if acc is None:
        return f"{code} {leaf_name}", ""
    chain = [acc]
    while chain[-1].parent_id is not None and chain[-1].parent_id in by_id:
        chain.append(by_id[chain[-1].parent_id])
    top = chain[-1]
    if top is acc:
        return f"{top.code} {top.name}", ""
    return f"{top.code} {top.name}", f"{acc.code} " + "—".join(a.name for a in reversed(chain[:-1]))


def build_voucher_forms(session: Session, book_id: uuid.UUID, first: str, last: str,
                        voucher_ids: Sequence[uuid.UUID] | None = None) -> VoucherForms:
    """The vouchers of the months (or those of ``voucher_ids``, in month and number order), voided left out."""
    book = get_book_row(session, book_id)
    org, _code = statement_owner(session, book_id)
    rows = [r for r in list_vouchers(session, book_id, first, last) if r.status != "作废"]
    if voucher_ids is not None:
        wanted = set(voucher_ids)
        rows = [r for r in rows if r.id in wanted]
    accounts = book_accounts(session, book_id)
    forms = []
    for r in rows:
        d = get_voucher(session, r.id)
        lines = tuple(FormLine(ln.summary or r.summary, *_account_names(accounts, ln.account_code, ln.account_name),
                               ln.debit, ln.credit) for ln in d.lines)
        forms.append(VoucherForm(r.number, r.voucher_date, r.attachments, r.status, lines, r.total,
                                 _words(r.total), r.maker_name,
                                 r.reviewer_name or "", r.poster_name or ""))
    return VoucherForms(org, book.name, first, last, tuple(forms))


def _words(total: Decimal) -> str:
    """The 合计 大写: a red voucher's amount with the 红字 mark, never a negative 大写."""
    return RED_MARK + amount_in_words(-total) if total < 0 else amount_in_words(total)


def _figure(amount: Decimal, symbol: str = "") -> tuple[str, bool]:
    """A printed amount and whether it is in red ink: a negative figure is red, without its minus sign."""
    return f"{symbol}{format_amount(abs(amount))}", amount < 0


@dataclass(frozen=True)
class _Geometry:
    rows: int  # entry lines a form holds
    row_h: float
    title: float  # title size


_GEOMETRY = {2: _Geometry(8, 9.5 * mm, 18), 3: _Geometry(5, 7.2 * mm, 15)}


def form_sheets(forms: VoucherForms, per_page: int) -> list[tuple[VoucherForm, tuple[FormLine, ...], int, int]]:
    """Each printed form: (voucher, its lines on this form, form k, of n)."""
    rows = _GEOMETRY[per_page].rows
    out: list[tuple[VoucherForm, tuple[FormLine, ...], int, int]] = []
    for v in forms.vouchers:
        chunks = [v.lines[i:i + rows] for i in range(0, max(len(v.lines), 1), rows)]
        out.extend((v, chunk, k, len(chunks)) for k, chunk in enumerate(chunks, start=1))
    return out


def _cell(c: canvas.Canvas, font: str, text: str, x: float, y: float, w: float, h: float, size: float, *,
          align: str = "left", red: bool = False) -> None:
    lines, s = fit(text, size, w - 2.4 * mm, 7.0)
    c.setFont(font, s)
    c.setFillColorRGB(*(RED if red else (0, 0, 0)))
    lead = s * 1.15
    base = y + h / 2 + (len(lines) - 1) * lead / 2 - s * 0.35
    for k, part in enumerate(lines):
        ty = base - k * lead
        if align == "right":
            c.drawRightString(x + w - 1.5 * mm, ty, part)
        elif align == "center":
            c.drawCentredString(x + w / 2, ty, part)
        else:
            c.drawString(x + 1.5 * mm, ty, part)
    c.setFillColorRGB(0, 0, 0)


def _form(c: canvas.Canvas, font: str, forms: VoucherForms, v: VoucherForm, lines: tuple[FormLine, ...], k: int,
          n: int, top: float, height: float, g: _Geometry) -> None:
    w = A4[0]
    table_w = sum(WIDTHS)
    left = MARGIN
    y = top - 6 * mm
    title = "记 账 凭 证"
    c.setFont(font, g.title)
    c.drawCentredString(w / 2, y - g.title * 0.8, title)
    tw = c.stringWidth(title, font, g.title)
    rule_y = y - g.title * 0.8 - 1.8 * mm
    c.setLineWidth(0.7)
    c.line(w / 2 - tw / 2 - 5 * mm, rule_y, w / 2 + tw / 2 + 5 * mm, rule_y)
    c.line(w / 2 - tw / 2 - 5 * mm, rule_y - 0.9 * mm, w / 2 + tw / 2 + 5 * mm, rule_y - 0.9 * mm)
    if v.red:
        c.setFont(font, 11)
        c.setFillColorRGB(*RED)
        c.drawString(w / 2 + tw / 2 + 7 * mm, y - g.title * 0.8, "红字")
        c.setFillColorRGB(0, 0, 0)
    info_y = rule_y - 5.5 * mm
    c.setFont(font, 9)
    c.drawString(left, info_y, f"单位：{forms.organisation}")
    c.drawCentredString(w / 2, info_y, f"{v.voucher_date.year}年{v.voucher_date.month:02d}月{v.voucher_date.day:02d}日")
    part = f"　{k}/{n}" if n > 1 else ""
    c.drawRightString(left + table_w, info_y, f"记字第 {v.number:04d} 号{part}")
    head_top = info_y - 2.5 * mm
    row_h = g.row_h
    # header, the entry rows, the 合计 row
    y = head_top - row_h
    x = left
    for head, cw in zip(HEADS, WIDTHS, strict=True):
        _cell(c, font, head, x, y, cw, row_h, 9.5, align="center")
        x += cw
    body_top = y
    for i in range(g.rows):
        y -= row_h
        if i < len(lines):
            ln = lines[i]
            cells = [(ln.summary, False), (ln.account, False), (ln.detail, False),
                     ("", False) if ln.debit == 0 else _figure(ln.debit),
                     ("", False) if ln.credit == 0 else _figure(ln.credit)]
            x = left
            for j, ((text, red), cw) in enumerate(zip(cells, WIDTHS, strict=True)):
                _cell(c, font, text, x, y, cw, row_h, 9, align="right" if j >= 3 else "left", red=red)
                x += cw
        c.setLineWidth(0.25)
        c.line(left, y, left + table_w, y)
    y -= row_h
    words_w = sum(WIDTHS[:3])
    if k == n:
        total, red = _figure(v.total, "¥")
        _cell(c, font, f"合　计　（大写）{v.words}", left, y, words_w, row_h, 9.5)
        _cell(c, font, total, left + words_w, y, WIDTHS[3], row_h, 9, align="right", red=red)
        _cell(c, font, total, left + words_w + WIDTHS[3], y, WIDTHS[4], row_h, 9, align="right", red=red)
    else:
        _cell(c, font, "（转下张）", left, y, words_w, row_h, 9.5)
    c.setLineWidth(1.0)
    c.rect(left, y, table_w, head_top - y)
    c.setLineWidth(0.6)
    c.line(left, body_top, left + table_w, body_top)
    c.line(left, y + row_h, left + table_w, y + row_h)
    x = left
    c.setLineWidth(0.4)
    for cw in WIDTHS[:-1]:
        x += cw
        c.line(x, head_top, x, y if x > left + words_w - 0.1 else y + row_h)
    # 附单据 N 张 down the right edge of the table
    c.setFont(font, 9)
    ax = left + table_w + 4 * mm
    for i, ch in enumerate(["附", "单", "据", str(v.attachments), "张"]):
        c.drawCentredString(ax, head_top - 6 * mm - i * 4.6 * mm, ch)
    sign_y = y - 5.5 * mm
    c.setFont(font, 9)
    sign = (f"会计主管：　　　　　记账：{v.poster or '　　　'}　　　审核：{v.reviewer or '　　　'}　　　"
            f"出纳：　　　　　制单：{v.maker}")
    c.drawString(left, sign_y, sign)
    if v.status != "记账":
        c.setFont(font, 7)
        c.drawRightString(left + table_w, sign_y, f"（{v.status}）")


def vouchers_pdf_bytes(forms: VoucherForms, *, per_page: int = 2, seal: SealRow | None = None) -> bytes:
    """The forms, ``per_page`` to an A4; with ``seal`` its check code at each page's foot (and in
    the file's subject, where ``verify-sheet FILE.pdf`` reads it)."""
    if per_page not in PER_PAGE:
        raise ValidationError("每页凭证数应为 2 或 3", field="每页张数")
    font = register_cjk_font()
    g = _GEOMETRY[per_page]
    sheets = form_sheets(forms, per_page)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(f"{forms.organisation} 记账凭证")
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(f"记账凭证 {seal.payload}" if seal is not None else "记账凭证")
    slot = A4[1] / per_page
    for start in range(0, len(sheets), per_page):
        for i, (v, lines, k, n) in enumerate(sheets[start:start + per_page]):
            top = A4[1] - i * slot
            _form(c, font, forms, v, lines, k, n, top, slot, g)
            if i:  # the cut line between two forms
                c.setDash(3, 3)
                c.setLineWidth(0.3)
                c.line(6 * mm, top, A4[0] - 6 * mm, top)
                c.setDash()
        if seal is not None:  # no room for a QR beside three forms: the code, which verify-sheet takes
            c.setFont(font, 6.5)
            c.drawRightString(A4[0] - MARGIN, 4 * mm, f"校验码 {seal.code}　{CHECK_HINT}")
        c.showPage()
    c.save()
    return buf.getvalue()
