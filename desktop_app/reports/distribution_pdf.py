"""Distribution outputs as PDF (reportlab canvas; fixed column widths):
收益分配方案 (for 公示), 分红花名册 (the public copy by household; the internal one by member with
the 签领 column), household slips and 股权证.

Every page carries the organisation, the year, 单位：元 and page x/y; tables repeat their header
on every page, long names wrap within their cell (nothing is cut); the last page has the totals,
at least one row, and the sign-off lines. Every total is the sum of the printed rows. Public
copies carry no ID numbers (股权证 masks them: first 6 + last 4). Deterministic: ``invariant=True``
and fixed metadata, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.core.ids import mask_ric
from desktop_app.core.money import amount_in_words, format_amount
from desktop_app.core.rows_members import CertificateRow, PlanRoster, PlanRow, RosterLine
from desktop_app.core.services.personal_data import masked_note
from desktop_app.reports.canvas_text import column_rules, draw_check_code
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.fonts import register_cjk_font

if TYPE_CHECKING:
    from desktop_app.reports.sealing import SealRow

__all__ = ["certificates_pdf", "household_slips_pdf", "plan_pdf", "roster_pdf"]

MARGIN = 12 * mm
ROW_H = 7.0 * mm
LINE_H = 3.6 * mm  # one wrapped line of SIZE-point text
SIZE = 8.0
SIGN_OFF = ("单位负责人：__________　　监事会（村务监督委员会）：__________　　会计：__________　　"
            "制表：__________　　日期：______年____月____日")
Cell = str | Decimal | int | None
QR_SIZE = 18 * mm  # the check-code QR at the foot of every page of a sealed document
ZERO = Decimal("0.00")
TIMES = "\u00d7"  # the multiplication sign, as villagers write it


def _canvas(buf: io.BytesIO, page: tuple[float, float], title: str, subject: str) -> Canvas:
    c = Canvas(buf, pagesize=page, invariant=True, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("阳光台账")
    c.setCreator("阳光台账")
    c.setSubject(subject)
    return c


def _shares(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if value else ""


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    return str(value)


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The font size at which ``text`` fits one line of a cell ``width`` wide (down to 5 pt)."""
    while size > 5 and c.stringWidth(text, font, size) > width - 2 * mm:
        size -= 0.25
    return size


def _row(c: Canvas, font: str, cells: Sequence[Cell], widths: Sequence[float], right: Sequence[bool], x0: float,
         y: float, size: float = SIZE) -> None:
    """One line of cells in a fixed-height row (bottom ``y``); a long value is set smaller, never cut."""
    x = x0
    for value, w, r in zip(cells, widths, right, strict=True):
        text = _cell_text(value)
        c.setFont(font, _fit(c, text, font, size, w))
        if r:
            c.drawRightString(x + w - 1 * mm, y + 2.2 * mm, text)
        else:
            c.drawString(x + 1 * mm, y + 2.2 * mm, text)
        x += w


def _grid(c: Canvas, widths: Sequence[float], x0: float, top: float, bottom: float, rows: int) -> None:
    c.setLineWidth(0.3)
    total = sum(widths)
    for i in range(rows + 1):
        y = top - i * ROW_H
        c.line(x0, y, x0 + total, y)
    column_rules(c, widths, x0, top, bottom)


def _wrapped_row(c: Canvas, font: str, cells: Sequence[Cell], widths: Sequence[float]) -> tuple[list[list[str]], float]:
    """Each cell's lines and the row's height (one line: ROW_H; more: as many lines as the longest)."""
    lines = [wrap(_cell_text(v), SIZE, w - 2 * mm) for v, w in zip(cells, widths, strict=True)]
    return lines, max(ROW_H, max(len(ls) for ls in lines) * LINE_H + 2.4 * mm)


def _draw_wrapped(c: Canvas, font: str, lines: Sequence[Sequence[str]], widths: Sequence[float],
                  right: Sequence[bool], x0: float, top: float, height: float) -> None:
    c.setFont(font, SIZE)
    x = x0
    for cell, w, r in zip(lines, widths, right, strict=True):
        first = top - (height - len(cell) * LINE_H) / 2 - LINE_H + 0.9 * mm
        for i, text in enumerate(cell):
            if r:
                c.drawRightString(x + w - 1 * mm, first - i * LINE_H, text)
            else:
                c.drawString(x + 1 * mm, first - i * LINE_H, text)
        x += w


def _draw_seal(c: Canvas, font: str, seal: SealRow, page_width: float) -> None:
    draw_check_code(c, font, seal, page_width, MARGIN, qr_size=QR_SIZE, code_y=MARGIN + 2 * mm)


def _sign_off_lines(c: Canvas, font: str, width: float) -> list[str]:
    """The sign-off fields on as few lines as fit the width, never breaking inside a field."""
    lines: list[str] = []
    for part in SIGN_OFF.split("　　"):
        if lines and c.stringWidth(f"{lines[-1]}　　{part}", font, 9) <= width:
            lines[-1] = f"{lines[-1]}　　{part}"
        else:
            lines.append(part)
    return lines


def _paginate(heights: Sequence[float], room: float, room_last: float) -> list[list[int]]:
    """Row indexes per page: pages filled in order; the last page keeps at least one row and room
    for the notes and sign-off below it (never a page with only the sign-off)."""
    pages: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if pages[-1] and used + h > room:
            pages.append([])
            used = 0.0
        pages[-1].append(i)
        used += h
    tail: list[int] = []
    while sum(heights[i] for i in pages[-1]) > room_last and len(pages[-1]) > 1:
        tail.insert(0, pages[-1].pop())
    if tail:
        pages.append(tail)
    while len(pages) > 1 and len(pages[-1]) < 2:  # the totals never stand alone on the last page
        pages[-1].insert(0, pages[-2].pop())
        if not pages[-2]:
            pages.pop(-2)
    return pages


def _table_pages(c: Canvas, font: str, *, page: tuple[float, float], title: str, subtitle: str, left: str,
                 headers: Sequence[str], rel_widths: Sequence[float], right: Sequence[bool], rows: Sequence[Sequence[Cell]],
                 totals: Sequence[Cell] | None, notes: Sequence[str], status: str = "",
                 seal: SealRow | None = None) -> int:
    """Draw a table over as many pages as needed (the header repeated, long values wrapped within
    their cell, never cut); returns the page count."""
    w, h = page
    usable = w - 2 * MARGIN
    widths = [rw / sum(rel_widths) * usable for rw in rel_widths]
    top_of_table = h - MARGIN - 27 * mm
    note_lines = [ln for note in notes for ln in wrap(note, 8, usable)]
    footer = 28 * mm + 4.2 * mm * len(note_lines)
    head_lines, head_h = _wrapped_row(c, font, headers, widths)
    body = [list(r) for r in rows] + ([list(totals)] if totals is not None else [])
    laid = [_wrapped_row(c, font, r, widths) for r in body]
    room = top_of_table - MARGIN - head_h - (QR_SIZE + 2 * mm if seal is not None else 0)
    pages = _paginate([rh for _, rh in laid], room, room - footer)
    for n, chunk in enumerate(pages, start=1):
        c.setFont(font, 15)
        c.drawCentredString(w / 2, h - MARGIN - 6 * mm, title)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, h - MARGIN - 12 * mm, subtitle)
        if status:
            c.setFont(font, 8)
            c.drawCentredString(w / 2, h - MARGIN - 17 * mm, status)
            c.setFont(font, 9)
        c.drawString(MARGIN, h - MARGIN - 23 * mm, left)
        c.drawRightString(w - MARGIN, h - MARGIN - 23 * mm, f"第 {n} 页 / 共 {len(pages)} 页　　单位：元")
        y = top_of_table
        c.setLineWidth(0.3)
        c.line(MARGIN, y, MARGIN + usable, y)
        _draw_wrapped(c, font, head_lines, widths, [False] * len(headers), MARGIN, y, head_h)
        y -= head_h
        c.line(MARGIN, y, MARGIN + usable, y)
        for i in chunk:
            cells, rh = laid[i]
            _draw_wrapped(c, font, cells, widths, right, MARGIN, y, rh)
            y -= rh
            c.line(MARGIN, y, MARGIN + usable, y)
        column_rules(c, widths, MARGIN, top_of_table, y)
        if n == len(pages):
            c.setFont(font, 8)
            for i, note in enumerate(note_lines):
                c.drawString(MARGIN, y - (6 + 4.2 * i) * mm, note)
            c.setFont(font, 9)
            for i, line in enumerate(_sign_off_lines(c, font, usable)):
                c.drawString(MARGIN, y - (14 + 4.2 * len(note_lines) + 6 * i) * mm, line)
        if seal is not None:
            _draw_seal(c, font, seal, w)
        c.showPage()
    return len(pages)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _seq(plan: PlanRow, kind: str) -> int:
    return next((ln.seq for ln in plan.lines if ln.kind == kind), 0)


def _status_line(p: PlanRow) -> str:
    parts = [f"方案状态：{p.status}"]
    if p.publicised_on:
        parts.append(f"公示日期：{_day(p.publicised_on)}")
    if p.approved_on:
        parts.append(f"批准日期：{_day(p.approved_on)}（{p.resolution_no}）")
    if p.paid_on:
        parts.append(f"发放日期：{_day(p.paid_on)}")
    return "　　".join(parts)


def plan_pdf(plan: PlanRow, *, violations: Sequence[str] = (), supervision_phone: str = "") -> bytes:
    """收益分配方案 for 公示: the lines in the legal order, 每股分红, totals, the remainder."""
    font = register_cjk_font()
    buf = io.BytesIO()
    c = _canvas(buf, A4, f"{plan.organisation_name}{plan.year}年度收益分配方案", "收益分配方案")
    rows: list[list[Cell]] = [[ln.seq, ln.label, ln.amount] for ln in plan.lines]
    notes = [
        f"总股数 {_shares(plan.total_shares)} 股；每股分红 = {format_amount(plan.members_amount)} 元 ÷ "
        f"{_shares(plan.total_shares)} 股，按“{plan.precision}”向下取整 = {format_amount(plan.per_share)} 元/股"
        + ("（为使花名册合计不超过批准额，已再下调一档）" if plan.stepped_down else ""),
        f"成员应分 = 持股数 {TIMES} 每股分红（小数股四舍五入到分）；花名册合计 {format_amount(plan.roster_total)} 元"
        f"（{amount_in_words(plan.roster_total)}），{plan.members} 人、{plan.households} 户。",
        f"批准用于成员分配 {format_amount(plan.members_amount)} 元，按股分配合计 {format_amount(plan.roster_total)} 元"
        f"（第{_seq(plan, 'members')}行），分红尾差 {format_amount(plan.remainder)} 元不发放，留存未分配收益"
        f"（第{_seq(plan, 'remainder')}行）。",
    ]
    amounts = {ln.kind: ln.amount for ln in plan.lines}
    recovered = min(-amounts.get("opening", ZERO), amounts.get("income", ZERO))
    if recovered > 0:
        notes.append(f"年初未弥补亏损 {format_amount(-amounts['opening'])} 元先由本年收益弥补 {format_amount(recovered)} 元"
                     "（分配顺序：弥补亏损 → 提取公积公益金 → 向成员分配 → 其他）。")
    if plan.exclusion_note:
        notes.append(f"不参与当年分配的收入说明：{plan.exclusion_note}")
    if plan.resolution_text:
        notes.append(f"决议：{plan.resolution_text}")
    notes.extend(f"注意：{v}" for v in violations)
    if supervision_phone:
        notes.append(f"监督电话：{supervision_phone}")
    _table_pages(c, font, page=A4, title=f"{plan.year}年度收益分配方案", subtitle=plan.organisation_name,
                 left=f"编制单位：{plan.organisation_name}", status=_status_line(plan), headers=("行次", "项目", "金额"),
                 rel_widths=(12, 110, 40), right=(True, False, True), rows=rows, totals=None, notes=notes)
    c.save()
    return buf.getvalue()


def _member_rows(roster: PlanRoster) -> list[list[Cell]]:
    per = roster.plan.per_share
    return [[ln.seq, ln.group_name, ln.household_number, ln.head_name, ln.name, ln.ric, ln.relation,
             *[_shares(s) for s in ln.by_type], _shares(ln.shares), per, ln.amount,
             ln.deduction if ln.deduction else None, ln.net, ""]
            for ln in roster.lines]


def _plan_note(p: PlanRow) -> str:
    return (f"每股分红 {format_amount(p.per_share)} 元 = 批准用于成员分配 {format_amount(p.members_amount)} 元 ÷ "
            f"{_shares(p.total_shares)} 股（按“{p.precision}”向下取整）；应分 = 股数 {TIMES} 每股分红（小数股四舍五入到分）；"
            f"按股分配合计 {format_amount(p.roster_total)} 元，尾差 {format_amount(p.remainder)} 元不发放，留存未分配收益。")


@dataclass(frozen=True)
class RosterTable:
    """The roster's table as printed: the PDF draws it, and its sealed content is made of it."""

    headers: list[str]
    widths: list[float]
    right: list[bool]
    rows: list[list[Cell]]
    totals: list[Cell]
    notes: list[str]


def roster_table(roster: PlanRoster, *, public: bool) -> RosterTable:
    """The public copy lists households (no ID numbers, no 签领); the full copy lists members."""
    p = roster.plan
    notes: list[str] = []
    if public:
        households = roster.households
        headers: list[str] = ["组别", "户号", "户主", "人数", "股数", "每股", "应分", "扣减", "实发"]
        widths: list[float] = [24, 20, 22, 9, 12, 14, 18, 15, 18]
        right = [False, False, False, True, True, True, True, True, True]
        rows: list[list[Cell]] = [[h.group_name, h.household_number, h.head_name, h.members, _shares(h.shares),
                                   p.per_share, h.amount, h.deduction, h.net] for h in households]
        totals: list[Cell] = ["合计", f"{len(households)}户", "", sum(h.members for h in households),
                              _shares(sum((h.shares for h in households), Decimal(0))), None,
                              sum((h.amount for h in households), Decimal("0.00")),
                              sum((h.deduction for h in households), Decimal("0.00")),
                              sum((h.net for h in households), Decimal("0.00"))]
        notes.append("公示稿按户公开合计，不列成员身份证号；成员明细见发放稿。")
    else:
        types = list(roster.type_names)
        lines = roster.lines
        headers = ["序号", "组别", "户号", "户主", "成员", "身份证号", "关系", *types, "合计股数", "每股金额", "应分",
                   "扣减", "实发", "签领"]
        widths = [10, 22, 16, 16, 16, 36, 10, *[12] * len(types), 14, 15, 18, 14, 18, 22]
        right = [True, False, False, False, False, False, False, *[True] * len(types), True, True, True, True, True,
                 False]
        rows = _member_rows(roster)
        notes.extend(n for n in [masked_note(ln.ric for ln in lines)] if n)  # personal_data.IdRule.roster
        totals = ["", "合计", f"{len({ln.household_id for ln in lines})}户", "", f"{len(lines)}人", "", "",
                  *[_shares(sum((ln.by_type[i] for ln in lines), Decimal(0))) for i in range(len(types))],
                  _shares(sum((ln.shares for ln in lines), Decimal(0))), None,
                  sum((ln.amount for ln in lines), Decimal("0.00")),
                  sum((ln.deduction for ln in lines), Decimal("0.00")) or None,
                  sum((ln.net for ln in lines), Decimal("0.00")), ""]
    return RosterTable(headers, widths, right, rows, totals, notes)


def roster_pdf(roster: PlanRoster, *, public: bool = False, seal: SealRow | None = None) -> bytes:
    """分红花名册. The internal copy (发放稿, landscape A4) has one line per member with the ID number
    and the 签领 column for signatures; the public copy (公示稿, portrait A4, REFERENCE §3.5) shows
    household totals only — 组别, 户号, 户主, 人数, 股数, 每股, 应分, 扣减, 实发 — with no ID numbers
    and no 签领. Totals are the sums of the printed rows; long names wrap within their cell. With
    ``seal`` (``reports.sealed_kinds.seal_roster``) every page carries its QR code and check code."""
    font = register_cjk_font()
    p = roster.plan
    buf = io.BytesIO()
    kind = "公示稿" if public else "发放稿"
    page = A4 if public else landscape(A4)
    c = _canvas(buf, page, f"{p.organisation_name}{p.year}年度分红花名册（{kind}）", "分红花名册")
    t = roster_table(roster, public=public)
    _table_pages(c, font, page=page, title=f"{p.year}年度成员分红花名册", subtitle=f"{p.organisation_name}（{kind}）",
                 left=f"编制单位：{p.organisation_name}", status=_status_line(p), headers=t.headers, rel_widths=t.widths,
                 right=t.right, rows=t.rows, totals=t.totals, notes=[_plan_note(p), *t.notes], seal=seal)
    c.save()
    return buf.getvalue()


def _fitted(c: Canvas, font: str, size: float, x: float, y: float, text: str, width: float) -> None:
    """One line of text at ``size`` or smaller so that it fits ``width`` (never cut)."""
    c.setFont(font, _fit(c, text, font, size, width + 2 * mm))
    c.drawString(x, y, text)


def household_slips_pdf(roster: PlanRoster) -> bytes:
    """One slip per household (户主签领): every member with shares and amounts, the household's
    合计 row (the sum of the rows above it), and the signature line; slips follow one another down
    A4 pages, a slip never split unless it is taller than a page (then its rows continue, header
    repeated)."""
    font = register_cjk_font()
    p = roster.plan
    buf = io.BytesIO()
    c = _canvas(buf, A4, f"{p.organisation_name}{p.year}年度分红到户通知单", "分红到户通知单")
    w, h = A4
    usable = w - 2 * MARGIN
    by_household: dict[uuid.UUID, list[RosterLine]] = {}
    for ln in roster.lines:
        by_household.setdefault(ln.household_id, []).append(ln)
    widths = [46 * mm, 30 * mm, 30 * mm, 40 * mm, 40 * mm]
    right = [False, False, True, True, True]
    head = ("成员", "关系", "股数", "应分", "实发")
    top = h - MARGIN
    for hh in roster.households:
        lines = by_household.get(hh.household_id, [])
        rows: list[Sequence[Cell]] = [(ln.name, ln.relation, _shares(ln.shares), ln.amount, ln.net) for ln in lines]
        rows.append(("全户合计", f"{len(lines)}人", _shares(sum((ln.shares for ln in lines), Decimal(0))),
                     sum((ln.amount for ln in lines), ZERO), sum((ln.net for ln in lines), ZERO)))
        height = 18 * mm + (len(rows) + 1) * ROW_H + 20 * mm
        if top - height < MARGIN and top < h - MARGIN:
            c.showPage()
            top = h - MARGIN
        _fitted(c, font, 12, MARGIN, top - 7 * mm, f"{p.organisation_name}{p.year}年度分红到户通知单", usable)
        _fitted(c, font, 9, MARGIN, top - 14 * mm, f"户号：{hh.household_number}　　户主：{hh.head_name}　　"
                f"{hh.group_name}　　每股分红：{format_amount(p.per_share)} 元", usable)
        y = top - 16 * mm
        start = y
        _row(c, font, head, widths, [False] * 5, MARGIN, y - ROW_H, 9)
        y -= ROW_H
        for values in rows:
            if y - ROW_H < MARGIN:
                _grid(c, widths, MARGIN, start, y, round((start - y) / ROW_H))
                c.showPage()
                y = start = h - MARGIN
                _row(c, font, head, widths, [False] * 5, MARGIN, y - ROW_H, 9)
                y -= ROW_H
            _row(c, font, values, widths, right, MARGIN, y - ROW_H, 9)
            y -= ROW_H
        _grid(c, widths, MARGIN, start, y, round((start - y) / ROW_H))
        _fitted(c, font, 9, MARGIN, y - 6 * mm, f"扣减 {format_amount(hh.deduction)} 元；实发 {format_amount(hh.net)} 元"
                f"（{amount_in_words(hh.net) if hh.net > 0 else '零元整'}）", usable)
        c.drawString(MARGIN, y - 13 * mm, "户主（代领人）签字：______________　　领取日期：______年____月____日")
        top = y - 17 * mm
        c.setDash(3, 3)
        c.line(MARGIN, top, w - MARGIN, top)
        c.setDash()
        top -= 2 * mm
    c.showPage()
    c.save()
    return buf.getvalue()


CERT_ROWS = 9  # holder rows on one A5 certificate page


def certificates_pdf(certificates: Sequence[CertificateRow], *, issued_on: date) -> bytes:
    """股权证, one household per A5 landscape page (ID numbers masked); a household with more
    holders than a page holds continues on a page marked 续, the total on its last page."""
    font = register_cjk_font()
    page = (210 * mm, 148 * mm)  # A5 landscape
    buf = io.BytesIO()
    c = _canvas(buf, page, "股权证", "股权证")
    w, h = page
    for cert in certificates:
        hh = cert.household
        types = list(cert.type_names)
        widths = [30 * mm, 50 * mm, *[22 * mm] * len(types), 24 * mm]
        chunks = [cert.holders[i:i + CERT_ROWS] for i in range(0, len(cert.holders), CERT_ROWS)] or [()]
        for n, holders in enumerate(chunks, start=1):
            c.setLineWidth(2)
            c.rect(8 * mm, 8 * mm, w - 16 * mm, h - 16 * mm)
            c.setLineWidth(0.5)
            c.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
            c.setFont(font, 20)
            c.drawCentredString(w / 2, h - 24 * mm, "股 权 证" + ("（续）" if n > 1 else ""))
            c.setFont(font, 10)
            c.drawCentredString(w / 2, h - 31 * mm, cert.organisation_name)
            _fitted(c, font, 10, 16 * mm, h - 40 * mm, f"证号：{hh.certificate_no or '（未编号）'}　　户号：{hh.number}"
                    f"　　户主：{hh.head_name}　　{hh.group_name}" + (f"　　第{n}/{len(chunks)}页" if len(chunks) > 1 else ""),
                    w - 32 * mm)
            y = h - 44 * mm
            _row(c, font, ("成员", "身份证号", *types, "合计"), widths, [False] * (3 + len(types)), 16 * mm, y - ROW_H, 9)
            for j, holder in enumerate(holders, start=2):
                _row(c, font, (holder.name, mask_ric(holder.ric), *[_shares(v) for _, v in holder.by_type],
                               _shares(holder.total)), widths, [False, False, *[True] * (len(types) + 1)],
                     16 * mm, y - j * ROW_H, 9)
            _grid(c, widths, 16 * mm, y, y - (len(holders) + 1) * ROW_H, len(holders) + 1)
            if n == len(chunks):
                c.setFont(font, 10)
                c.drawString(16 * mm, 22 * mm, f"全户持股合计：{_shares(cert.total)} 股（静态管理：生不增、死不减）")
                c.drawRightString(w - 16 * mm, 22 * mm,
                                  f"发证单位（盖章）　　{issued_on.year}年{issued_on.month}月{issued_on.day}日")
            c.showPage()
    if not certificates:
        c.showPage()
    c.save()
    return buf.getvalue()
