"""收益分配公开: the year's distribution plan (publicised, approved or paid) — its lines in the
legal order, 每股分红, and household totals (户号, 户主, 股数, 应分, 扣减, 实发; never ID numbers).

Shown for the plan of the disclosure period's year and of the year before (last year's plan is
publicised and paid in spring). Data: ``core.services.distribution_query.disclosure_distribution_section``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.core.rows_members import DisclosureDistributionSection
from desktop_app.core.services.distribution_query import disclosure_distribution_section
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
PLAN_COLUMNS = (Column("行次", 12, "center"), Column("项目", 120), Column("金额", 48, "right"))
HOUSEHOLD_COLUMNS = (Column("组别", 28), Column("户号", 20, "center"), Column("户主", 22), Column("人数", 12, "right"),
                     Column("股数", 18, "right"), Column("应分", 28, "right"), Column("扣减", 22, "right"),
                     Column("实发", 28, "right"))


def _blocks(sec: DisclosureDistributionSection) -> list[Block]:
    status = sec.status + (f"（{sec.approved_on:%Y年%m月%d日}批准，{sec.resolution_no}）" if sec.approved_on else "")
    rows: list[list[Cell]] = [[ln.seq, ln.label, ln.amount] for ln in sec.lines]
    households: list[list[Cell]] = [
        [h.group_name, h.household_number, h.head_name, h.members, f"{h.shares.normalize():f}", h.amount,
         h.deduction, h.net] for h in sec.households]
    totals: list[Cell] = ["合计", "", "", sum(h.members for h in sec.households), f"{sec.total_shares.normalize():f}",
                          sec.roster_total, sum((h.deduction for h in sec.households), ZERO),
                          sum((h.net for h in sec.households), ZERO)]
    return [
        TextBlock(f"{sec.year}年度收益分配方案（{status}）", "heading"),
        TableBlock(f"{sec.year}年度收益分配方案", PLAN_COLUMNS, rows,
                   note=f"每股分红 {money(sec.per_share)} 元，总股数 {sec.total_shares.normalize():f} 股；"
                        f"分红尾差 {money(sec.remainder)} 元留存未分配收益。"),
        TableBlock(f"{sec.year}年度分红到户情况", HOUSEHOLD_COLUMNS, households, totals_row=totals,
                   note="应分 = 股数 \u00d7 每股分红（小数股四舍五入到分）；按户公开，不列身份证号。"),
    ]


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    year = int(ctx.period_to[:4])
    blocks: list[Block] = []
    for y in (year - 1, year):
        sec = disclosure_distribution_section(session, ctx.organisation.id, ctx.book.id, y)
        if sec is not None:
            blocks.extend(_blocks(sec))
    return blocks or None


SECTION = DisclosureSection(id="distribution", title="收益分配公开表", order=70, build=build, new_page=True)
