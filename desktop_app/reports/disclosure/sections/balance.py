"""资产、负债和所有者权益情况: the balance sheet's lines (年初数, 期末数) as a short summary —
货币资金, 应收款项, 存货, 固定资产净值, 负债 … — lines that are zero in both columns left out."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop_app.core.services.statements import balance_sheet
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

KEEP_TOTALS = {"资产总计", "负债合计", "所有者权益合计", "负债和所有者权益总计"}
COLUMNS = (Column("项目", 90), Column("年初数", 45, "right"), Column("期末数", 45, "right"))


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    st = ctx.memo("balance_sheet", lambda: balance_sheet(session, ctx.book.id, ctx.period_to))
    rows: list[list[Cell]] = []
    bold: set[int] = set()
    for line in st.lines:
        if line.is_heading:
            bold.add(len(rows))
            rows.append([f"【{line.label}】", None, None])
            continue
        if all(not v for v in line.values) and (not line.is_total or line.label not in KEEP_TOTALS):
            continue
        if line.is_total:
            bold.add(len(rows))
        rows.append([("" if line.is_total else "　") + line.label, *line.values])
    return [TableBlock("资产、负债和所有者权益", COLUMNS, rows, bold_rows=frozenset(bold),
                       note=f"期末数为{ctx.period.label}末余额；年初数为本年年初（或账套启用时）余额。")]


SECTION = DisclosureSection(id="balance", title="资产负债情况", order=20, build=build)
