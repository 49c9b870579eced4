"""Distribution outputs as PDF (reportlab canvas; fixed column widths and row heights):
收益分配方案 (for 公示), 分红花名册 (with the 签领 column), household slips and 股权证.

Every page carries the organisation, the year, 单位：元 and page x/y; tables repeat their header
on every page; the last page has the totals and the sign-off lines. Public copies mask ID
numbers (first 6 + last 4). Deterministic: ``invariant=True`` and fixed metadata, so the same
data gives the same bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.core.ids import mask_ric
from desktop_app.core.money import amount_in_words, format_amount
from desktop_app.core.rows_members import CertificateRow, PlanRoster, PlanRow, RosterLine
from desktop_app.reports.canvas_text import clip_text
from desktop_app.reports.fonts import register_cjk_font

__all__ = ["certificates_pdf", "household_slips_pdf", "plan_pdf", "roster_pdf"]

MARGIN = 12 * mm
ROW_H = 7.0 * mm
SIZE = 8.0
SIGN_OFF = ("单位负责人：__________　　监事会（村务监督委员会）：__________　　会计：__________　　"
            "制表：__________　　日期：______年____月____日")
Cell = str | Decimal | int | None
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


def _row(c: Canvas, font: str, cells: Sequence[Cell], widths: Sequence[float], right: Sequence[bool], x0: float,
         y: float, size: float = SIZE) -> None:
    x = x0
    c.setFont(font, size)
    for value, w, r in zip(cells, widths, right, strict=True):
        text = clip_text(c, _cell_text(value), font, size, w)
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
    x = x0
    for w in [0.0, *widths]:
        x += w
        c.line(x, top, x, bottom)


def _table_pages(c: Canvas, font: str, *, page: tuple[float, float], title: str, subtitle: str, left: str,
                 headers: Sequence[str], rel_widths: Sequence[float], right: Sequence[bool], rows: Sequence[Sequence[Cell]],
                 totals: Sequence[Cell] | None, notes: Sequence[str]) -> int:
    """Draw a table over as many pages as needed; returns the page count."""
    w, h = page
    usable = w - 2 * MARGIN
    widths = [rw / sum(rel_widths) * usable for rw in rel_widths]
    top_of_table = h - MARGIN - 26 * mm
    footer = 22 * mm + 5 * mm * len(notes)
    per_page = max(1, int((top_of_table - MARGIN) // ROW_H) - 1)
    per_last = max(1, int((top_of_table - MARGIN - footer) // ROW_H) - 1)  # the last page keeps the sign-off
    body = list(rows) + ([list(totals)] if totals is not None else [])
    chunks = [body[i:i + per_page] for i in range(0, len(body), per_page)] or [[]]
    if len(chunks[-1]) > per_last:  # move the tail to a page of its own with the sign-off
        last, k = chunks[-1], len(chunks[-1]) - per_last
        chunks[-1:] = [last[:k], last[k:]]
    for n, chunk in enumerate(chunks, start=1):
        c.setFont(font, 15)
        c.drawCentredString(w / 2, h - MARGIN - 6 * mm, title)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, h - MARGIN - 12 * mm, subtitle)
        c.drawString(MARGIN, h - MARGIN - 20 * mm, left)
        c.drawRightString(w - MARGIN, h - MARGIN - 20 * mm, f"第 {n} 页 / 共 {len(chunks)} 页　　单位：元")
        y = top_of_table
        _row(c, font, headers, widths, [False] * len(headers), MARGIN, y - ROW_H)
        for i, values in enumerate(chunk, start=2):
            _row(c, font, values, widths, right, MARGIN, y - i * ROW_H)
        bottom = y - (len(chunk) + 1) * ROW_H
        _grid(c, widths, MARGIN, y, bottom, len(chunk) + 1)
        if n == len(chunks):
            c.setFont(font, 8)
            for i, note in enumerate(notes):
                c.drawString(MARGIN, bottom - (6 + 5 * i) * mm, note)
            c.setFont(font, 9)
            c.drawString(MARGIN, bottom - (14 + 5 * len(notes)) * mm, SIGN_OFF)
        c.showPage()
    return len(chunks)


def _status_line(p: PlanRow) -> str:
    parts = [f"方案状态：{p.status}"]
    if p.publicised_on:
        parts.append(f"公示日期：{p.publicised_on:%Y年%m月%d日}")
    if p.approved_on:
        parts.append(f"批准日期：{p.approved_on:%Y年%m月%d日}（{p.resolution_no}）")
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
        f"分红尾差 {format_amount(plan.remainder)} 元不发放，留存未分配收益。",
        _status_line(plan),
    ]
    if plan.exclusion_note:
        notes.append(f"不参与当年分配的收入说明：{plan.exclusion_note}")
    if plan.resolution_text:
        notes.append(f"决议：{plan.resolution_text}")
    notes.extend(f"注意：{v}" for v in violations)
    if supervision_phone:
        notes.append(f"监督电话：{supervision_phone}")
    _table_pages(c, font, page=A4, title=f"{plan.year}年度收益分配方案", subtitle=plan.organisation_name,
                 left=f"编制单位：{plan.organisation_name}", headers=("行次", "项目", "金额"),
                 rel_widths=(12, 110, 40), right=(True, False, True), rows=rows, totals=None, notes=notes)
    c.save()
    return buf.getvalue()


def _roster_rows(roster: PlanRoster, public: bool) -> list[list[Cell]]:
    per = roster.plan.per_share
    return [[ln.seq, ln.group_name, ln.household_number, ln.head_name, ln.name,
             mask_ric(ln.ric) if public else ln.ric, ln.relation, *[_shares(s) for s in ln.by_type],
             _shares(ln.shares), per, ln.amount, ln.deduction if ln.deduction else None, ln.net, ""]
            for ln in roster.lines]


def roster_pdf(roster: PlanRoster, *, public: bool = False) -> bytes:
    """分红花名册 (landscape A4): one line per member with the 签领 column for signatures."""
    font = register_cjk_font()
    page = landscape(A4)
    p = roster.plan
    buf = io.BytesIO()
    kind = "公示稿" if public else "发放稿"
    c = _canvas(buf, page, f"{p.organisation_name}{p.year}年度分红花名册（{kind}）", "分红花名册")
    types = list(roster.type_names)
    headers = ["序号", "组别", "户号", "户主", "成员", "身份证号", "关系", *types, "合计股数", "每股金额", "应分",
               "扣减", "实发", "签领"]
    widths = [10, 22, 14, 15, 15, 36, 10, *[12] * len(types), 14, 15, 18, 14, 18, 22]
    right = [True, False, False, False, False, False, False, *[True] * len(types), True, True, True, True, True, False]
    totals: list[Cell] = ["", "合计", "", "", f"{len(roster.lines)}人", "", "",
                          *[_shares(sum((ln.by_type[i] for ln in roster.lines), Decimal(0))) for i in range(len(types))],
                          _shares(p.total_shares), None, p.roster_total, p.deductions or None,
                          p.roster_total - p.deductions, ""]
    notes = [f"每股分红 {format_amount(p.per_share)} 元；应分 = 合计股数 {TIMES} 每股分红（小数股四舍五入到分）；"
             f"批准用于成员分配 {format_amount(p.members_amount)} 元，尾差 {format_amount(p.remainder)} 元留存未分配收益。"]
    if public:
        notes.append("公示稿：身份证号只显示前6位和后4位。")
    _table_pages(c, font, page=page, title=f"{p.year}年度成员分红花名册", subtitle=f"{p.organisation_name}（{kind}）",
                 left=f"编制单位：{p.organisation_name}　　{_status_line(p)}", headers=headers, rel_widths=widths,
                 right=right, rows=_roster_rows(roster, public), totals=totals, notes=notes)
    c.save()
    return buf.getvalue()


def household_slips_pdf(roster: PlanRoster, *, slips_per_page: int = 3) -> bytes:
    """One slip per household (户主签领): its members, shares and amounts; three to an A4 page."""
    font = register_cjk_font()
    p = roster.plan
    buf = io.BytesIO()
    c = _canvas(buf, A4, f"{p.organisation_name}{p.year}年度分红到户通知单", "分红到户通知单")
    w, h = A4
    by_household: dict[uuid.UUID, list[RosterLine]] = {}
    for ln in roster.lines:
        by_household.setdefault(ln.household_id, []).append(ln)
    slot_h = (h - 2 * MARGIN) / slips_per_page
    widths = [40 * mm, 40 * mm, 30 * mm, 30 * mm, 46 * mm]
    for i, hh in enumerate(roster.households):
        slot = i % slips_per_page
        top = h - MARGIN - slot * slot_h
        c.setFont(font, 12)
        c.drawCentredString(w / 2, top - 7 * mm, f"{p.organisation_name}{p.year}年度分红到户通知单")
        c.setFont(font, 9)
        c.drawString(MARGIN, top - 14 * mm, f"户号：{hh.household_number}　　户主：{hh.head_name}　　{hh.group_name}"
                                          f"　　每股分红：{format_amount(p.per_share)} 元")
        y = top - 16 * mm
        _row(c, font, ("成员", "关系", "股数", "应分", "实发"), widths, [False] * 5, MARGIN, y - ROW_H, 9)
        lines = by_household.get(hh.household_id, [])[:6]
        for j, ln in enumerate(lines, start=2):
            _row(c, font, (ln.name, ln.relation, _shares(ln.shares), ln.amount, ln.net),
                 widths, [False, False, True, True, True], MARGIN, y - j * ROW_H, 9)
        _grid(c, widths, MARGIN, y, y - (len(lines) + 1) * ROW_H, len(lines) + 1)
        yb = y - (len(lines) + 1) * ROW_H - 6 * mm
        c.setFont(font, 9)
        c.drawString(MARGIN, yb, f"全户合计：{_shares(hh.shares)} 股，应分 {format_amount(hh.amount)} 元，扣减 "
                                 f"{format_amount(hh.deduction)} 元，实发 {format_amount(hh.net)} 元"
                                 f"（{amount_in_words(hh.net) if hh.net > 0 else '零元整'}）")
        c.drawString(MARGIN, yb - 7 * mm, "户主（代领人）签字：______________　　领取日期：______年____月____日")
        c.setDash(3, 3)
        c.line(MARGIN, top - slot_h + 2 * mm, w - MARGIN, top - slot_h + 2 * mm)
        c.setDash()
        if slot == slips_per_page - 1 or i == len(roster.households) - 1:
            c.showPage()
    if not roster.households:
        c.showPage()
    c.save()
    return buf.getvalue()


def certificates_pdf(certificates: Sequence[CertificateRow], *, issued_on: date) -> bytes:
    """股权证, one household per A5 landscape page (ID numbers masked)."""
    font = register_cjk_font()
    page = (210 * mm, 148 * mm)  # A5 landscape
    buf = io.BytesIO()
    c = _canvas(buf, page, "股权证", "股权证")
    w, h = page
    for cert in certificates:
        hh = cert.household
        c.setLineWidth(2)
        c.rect(8 * mm, 8 * mm, w - 16 * mm, h - 16 * mm)
        c.setLineWidth(0.5)
        c.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
        c.setFont(font, 20)
        c.drawCentredString(w / 2, h - 24 * mm, "股 权 证")
        c.setFont(font, 10)
        c.drawCentredString(w / 2, h - 31 * mm, cert.organisation_name)
        c.drawString(16 * mm, h - 40 * mm, f"证号：{hh.certificate_no or '（未编号）'}　　户号：{hh.number}　　"
                                           f"户主：{hh.head_name}　　{hh.group_name}")
        types = list(cert.type_names)
        widths = [30 * mm, 50 * mm, *[22 * mm] * len(types), 24 * mm]
        y = h - 44 * mm
        _row(c, font, ("成员", "身份证号", *types, "合计"), widths, [False] * (3 + len(types)), 16 * mm, y - ROW_H, 9)
        holders = cert.holders[:9]
        for j, holder in enumerate(holders, start=2):
            _row(c, font, (holder.name, mask_ric(holder.ric), *[_shares(v) for _, v in holder.by_type],
                           _shares(holder.total)), widths, [False, False, *[True] * (len(types) + 1)],
                 16 * mm, y - j * ROW_H, 9)
        _grid(c, widths, 16 * mm, y, y - (len(holders) + 1) * ROW_H, len(holders) + 1)
        c.setFont(font, 10)
        c.drawString(16 * mm, 22 * mm, f"全户持股合计：{_shares(cert.total)} 股（静态管理：生不增、死不减）")
        c.drawRightString(w - 16 * mm, 22 * mm, f"发证单位（盖章）　　{issued_on:%Y年%m月%d日}")
        c.showPage()
    if not certificates:
        c.showPage()
    c.save()
    return buf.getvalue()
