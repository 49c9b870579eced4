"""财务计划执行情况: the book's 年度财务计划 (REFERENCE §1.2 财务计划) against the year to date —
本年预算, 本年累计实际 (the 收支明细表's figures from January to the end of the period), 执行率.
Shown when the book has a plan for the period's year. Detail lines are printed under their
first-level line (其中); the totals are the sums of the first-level lines."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop_app.core.services.plans import has_plan, plan_vs_actual
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

COLUMNS = (Column("项目", 78, wrap=True), Column("本年预算", 36, "right"), Column("本年累计实际", 36, "right"),
           Column("执行率", 24, "right"))


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    year = int(ctx.period_to[:4])
    if not has_plan(session, ctx.book.id, year):
        return None
    report = plan_vs_actual(session, ctx.book.id, year, ctx.period_to)
    rows: list[list[Cell]] = []
    bold: set[int] = set()
    side = ""
    for i, ln in enumerate(report.lines):
        if ln.side != side and ln.side in ("收入", "支出"):
            side = ln.side
            bold.add(len(rows))
            rows.append([f"【{side}】", None, None, ""])
        if ln.is_total:
            bold.add(len(rows))
        label = ln.label
        if ln.indent:  # detail lines under their first-level line: 其中：… on the first
            first_detail = not report.lines[i - 1].indent
            label = "　" * ln.indent + ("其中：" if first_detail else "　　　") + ln.label
        rows.append([label, ln.planned, ln.actual, f"{ln.rate}%" if ln.rate is not None else ""])
    first = max(f"{year}-01", ctx.book.start_period)
    span = f"{first[:4]}年{int(first[5:])}月至{int(ctx.period_to[5:])}月"
    return [TableBlock(f"{year}年度财务收支计划执行情况", COLUMNS, rows, bold_rows=frozenset(bold),
                       note=f"本年预算为经批准的{year}年度财务收支计划；本年累计实际为{span}的收支明细表数（年终结转凭证不计入）；"
                            "执行率为本年累计实际除以本年预算。未编计划但有发生额的科目，预算栏空白。")]


SECTION = DisclosureSection(id="plan", title="财务计划执行情况", order=15, build=build)
