"""收益分配公开: a distribution plan as it stood on the last day of the disclosed period — its lines in
the legal order (adding up as printed, the rounding remainder its own line), 每股分红, and household
totals (组别, 户号, 户主, 人数, 股数, 应分, 扣减, 实发 and, once approved, 已发放; never ID numbers).

Shown for the plan of the period's year and of the year before (last year's plan is publicised and
paid in spring), from its 公示 date on: as 方案公示 until its approval date, then as approved with
the resolution and the appropriation voucher; never on a period that ended before it was
publicised. Data: ``core.services.distribution_query.disclosure_distribution_section``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.core.rows_members import DisclosureDistributionSection
from desktop_app.core.services.distribution_query import disclosure_distribution_section
from desktop_app.core.services.funds_base import period_end
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import (
    Block,
    Cell,
    Column,
    DisclosureSection,
    TableBlock,
    TextBlock,
    money,
)

ZERO = Decimal("0.00")
PLAN_COLUMNS = (Column("行次", 12, "center"), Column("项目", 120, wrap=True), Column("金额", 48, "right"))
HOUSEHOLD_COLUMNS = (Column("组别", 24, wrap=True), Column("户号", 16, "center"), Column("户主", 22, wrap=True),
                     Column("人数", 10, "right"), Column("股数", 16, "right"), Column("应分", 24, "right"),
                     Column("扣减", 20, "right"), Column("实发", 24, "right"))
PAID_COLUMN = Column("已发放", 24, "right")


def _day(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d is not None else ""


def _heading(sec: DisclosureDistributionSection) -> str:
    if sec.stage == "公示":
        return f"{sec.year}年度收益分配方案（方案公示：{_day(sec.publicised_on)}公示，待成员（代表）大会批准）"
    state = "已发放" if sec.stage == "发放" else "已批准"
    return f"{sec.year}年度收益分配方案（{state}：{_day(sec.approved_on)}批准，{sec.resolution_no}）"


def _shares(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _blocks(sec: DisclosureDistributionSection) -> list[Block]:
    approved = sec.stage != "公示"
    rows: list[list[Cell]] = [[ln.seq, ln.label, ln.amount] for ln in sec.lines]
    households: list[list[Cell]] = [
        [h.group_name, h.household_number, h.head_name, h.members, _shares(h.shares), h.amount, h.deduction, h.net,
         *([paid] if approved else [])] for h, paid in zip(sec.households, sec.paid_net, strict=True)]
    totals: list[Cell] = ["合计", f"{len(sec.households)}户", "", sum(h.members for h in sec.households),
                          _shares(sum((h.shares for h in sec.households), Decimal("0"))),
                          sum((h.amount for h in sec.households), ZERO),
                          sum((h.deduction for h in sec.households), ZERO),
                          sum((h.net for h in sec.households), ZERO), *([sec.paid_total] if approved else [])]
    plan_note = (f"每股分红 {money(sec.per_share)} 元 = 批准用于成员分配 {money(sec.members_amount)} 元 ÷ 总股数 "
                 f"{_shares(sec.total_shares)} 股（向下取整）；按股分配合计 {money(sec.roster_total)} 元，"
                 f"分红尾差 {money(sec.remainder)} 元不发放，留存未分配收益（第{_remainder_seq(sec)}行）。")
    household_note = "应分 = 股数 \u00d7 每股分红（小数股四舍五入到分）；实发 = 应分 − 扣减；按户公开，不列身份证号。"
    if approved:
        paid_households = sum(1 for p in sec.paid_net if p)
        household_note += (f"批准时记账凭证{sec.appropriation_voucher}计提应付成员分红 {money(sec.roster_total)} 元；"
                           f"截至{_day(sec.as_of)}已发放 {paid_households} 户 {money(sec.paid_total)} 元"
                           + (f"（记账凭证{'、'.join(sec.payout_vouchers)}）" if sec.payout_vouchers else "")
                           + (f"，未发放 {len(sec.households) - paid_households} 户。"
                              if paid_households < len(sec.households) else "。"))
    return [
        TextBlock(_heading(sec), "heading"),
        TableBlock(f"{sec.year}年度收益分配方案", PLAN_COLUMNS, rows, note=plan_note),
        TableBlock(f"{sec.year}年度分红到户情况", HOUSEHOLD_COLUMNS + ((PAID_COLUMN,) if approved else ()),
                   households, totals_row=totals, note=household_note),
    ]


def _remainder_seq(sec: DisclosureDistributionSection) -> int:
    return next((ln.seq for ln in sec.lines if ln.kind == "remainder"), 0)


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    year = int(ctx.period_to[:4])
    as_of = period_end(ctx.period_to)
    blocks: list[Block] = []
    for y in (year - 1, year):
        sec = disclosure_distribution_section(session, ctx.organisation.id, ctx.book.id, y, as_of=as_of)
        if sec is not None:
            blocks.extend(_blocks(sec))
    return blocks or None


SECTION = DisclosureSection(id="distribution", title="收益分配公开表", order=70, build=build, new_page=True)
