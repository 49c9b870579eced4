"""收支公开表: income and expense summarised by category (as the 收支明细表 groups them), then item by
item (逐项逐笔): every posted voucher of the period with its date, number, summary, amount and
counterparty. Vouchers that are neither income nor expense (transfers, loans, receipts of
receivables) are listed too, in the 其他收付 column, so every voucher of the period appears."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.core.services.funds_base import YEAR_END_KIND
from desktop_app.core.services.statements import income_expense_statement
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.data import PostedLine, sheet_lines
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

ZERO = Decimal("0.00")

DETAIL_COLUMNS = (
    Column("日期", 15, "center"), Column("凭证号", 15, "center"), Column("摘要", 40, wrap=True),
    Column("收支项目", 26, wrap=True), Column("收入", 20, "right"), Column("支出", 20, "right"),
    Column("其他收付", 20, "right"), Column("往来单位或个人", 28, wrap=True),
)


def summary_block(session: Session, ctx: DisclosureContext) -> TableBlock:
    """The 收支明细表's lines with its own columns (本月数/本季数 and 本年累计数; a year: 本年数 and
    上年数, or 本年数 alone when the book was not kept the year before)."""
    st = income_expense_statement(session, ctx.book.id, ctx.period_from, ctx.period_to)
    keep = [i for i in range(len(st.columns))
            if i == 0 or any(ln.values[i] is not None for ln in st.lines if not ln.is_heading)]
    rows: list[list[Cell]] = []
    bold: set[int] = set()
    for line in st.lines:
        if line.is_heading or line.is_total:
            bold.add(len(rows))
        label = ("　" * line.indent + line.label) if not line.is_heading else f"【{line.label}】"
        rows.append([label, *(None if line.is_heading else line.values[i] for i in keep)])
    columns = (Column("项目", 90 if len(keep) > 1 else 135), *(Column(st.columns[i], 45, "right") for i in keep))
    notes = "收入、支出按会计科目分类汇总；年终结转凭证不计入收支。" + "".join(
        n for n in st.notes if len(keep) == len(st.columns))
    return TableBlock(f"收支汇总（按类别，{ctx.period.label}）", columns, rows, bold_rows=frozenset(bold), note=notes)


def _day(line: PostedLine, ctx: DisclosureContext) -> str:
    d = line.voucher_date
    return f"{d.month}月{d.day}日" if ctx.period_from[:4] == ctx.period_to[:4] else d.isoformat()


def _number(line: PostedLine, ctx: DisclosureContext) -> str:
    return line.code if ctx.period_from == ctx.period_to else f"{int(line.period[5:])}月{line.number}号"


def _parties(lines: list[PostedLine]) -> str | None:
    names = list(dict.fromkeys(ln.counterparty.strip() for ln in lines if ln.counterparty and ln.counterparty.strip()))
    return "、".join(names) or None


def detail_rows(lines: list[PostedLine], ctx: DisclosureContext) -> tuple[list[list[Cell]], tuple[Decimal, ...]]:
    """One row per income or expense account and counterparty of each voucher (a voucher whose
    income lines name different payers prints a row for each), else one 其他收付 row. The
    counterparty is the P&L line's own; a line without one takes the names on the voucher's
    other lines (the cash line of a receipt often carries the payer)."""
    by_id = {a.id: a for a in ctx.accounts.values()}
    cash = ctx.account_ids("monetary_funds")
    vouchers: dict[object, list[PostedLine]] = defaultdict(list)
    for ln in lines:
        vouchers[ln.voucher_id].append(ln)
    rows: list[list[Cell]] = []
    tin = tout = tother = ZERO
    for vlines in vouchers.values():
        head = vlines[0]
        pl: dict[tuple[object, str | None], Decimal] = defaultdict(lambda: ZERO)  # income(+)/expense(+)
        summaries: dict[tuple[object, str | None], str] = {}
        pl_lines: list[PostedLine] = []
        if head.source_kind != YEAR_END_KIND:
            pl_lines = [ln for ln in vlines if (a := by_id.get(ln.account_id)) is not None and a.category == "损益"]
        in_pl = {ln.line_no for ln in pl_lines}
        others = _parties([ln for ln in vlines if ln.line_no not in in_pl])
        for ln in pl_lines:
            acc = by_id[ln.account_id]
            key = (ln.account_id, (ln.counterparty or "").strip() or others)
            pl[key] += (ln.credit - ln.debit) if acc.normal_side == "贷" else (ln.debit - ln.credit)
            summaries.setdefault(key, ln.summary or "")
        if pl:
            for (acc_id, party), amount in pl.items():
                acc = by_id[acc_id]  # type: ignore[index]
                income = acc.normal_side == "贷"
                tin, tout = (tin + amount, tout) if income else (tin, tout + amount)
                rows.append([_day(head, ctx), _number(head, ctx), summaries[(acc_id, party)] or head.voucher_summary,
                             acc.name, amount if income else None, None if income else amount, None, party])
            continue
        total = sum((ln.debit for ln in vlines), ZERO)
        other = next((ln for ln in vlines if ln.account_id not in cash), head)
        other_acc = by_id.get(other.account_id)
        what = "年终结转" if head.source_kind == YEAR_END_KIND else (other_acc.name if other_acc else "")
        tother += total
        party = None if head.source_kind == YEAR_END_KIND else _parties([ln for ln in vlines if ln.account_id not in cash])
        rows.append([_day(head, ctx), _number(head, ctx), head.voucher_summary, what, None, None, total,
                     party or _parties(vlines)])
    return rows, (tin, tout, tother)


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    lines = sheet_lines(session, ctx, ctx.period_from)
    rows, (tin, tout, tother) = detail_rows(lines, ctx)
    blocks: list[Block] = [summary_block(session, ctx)]
    totals: list[Cell] = ["", "", f"合计（{len({ln.voucher_id for ln in lines})}张凭证）", "", tin, tout, tother, ""]
    blocks.append(TableBlock("收支明细（逐项逐笔）", DETAIL_COLUMNS, rows or [["", "", "本期无已记账凭证", "", None,
                                                                                None, None, ""]],
                             totals_row=totals,
                             note="“其他收付”为不影响收支的资金往来（提取现金、借还款、收回欠款、年终结转等），按凭证金额列示。"))
    return blocks


SECTION = DisclosureSection(id="income_expense", title="收支公开表", order=10, build=build)
