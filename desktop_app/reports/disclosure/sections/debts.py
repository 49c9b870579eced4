"""债权债务: who owes the collective (应收款, 内部往来 debit balances) and whom the collective owes
(借款, 应付款, 应付工资, 内部往来 credit balances …), per account and counterparty."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.data import PartyBalance, counterparty_balances
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

ZERO = Decimal("0.00")
CLAIM_ROLES = ("receivables", "internal_accounts")
DEBT_ROLES = ("short_term_loans", "payables", "wages_payable", "labour_payable", "taxes_payable",
              "long_term_loans_payable", "internal_accounts")
COLUMNS = (Column("科目", 28, wrap=True), Column("单位或个人", 40, wrap=True), Column("期初余额", 28, "right"),
           Column("本期增加", 28, "right"), Column("本期减少", 28, "right"), Column("期末余额", 28, "right"))


def _rows(ctx: DisclosureContext, balances: list[PartyBalance], claims: bool) -> tuple[list[list[Cell]], list[Cell]]:
    by_id = {a.id: a for a in ctx.accounts.values()}
    roles = CLAIM_ROLES if claims else DEBT_ROLES
    ids = ctx.account_ids(*roles)
    internal = ctx.account_ids("internal_accounts")
    sign = Decimal(1) if claims else Decimal(-1)
    rows: list[tuple[str, str, list[Cell]]] = []
    totals = [ZERO, ZERO, ZERO, ZERO]
    for b in balances:
        if b.account_id not in ids:
            continue
        if b.account_id in internal and (b.closing > 0) != claims:  # 内部往来: its side decides
            continue
        opening, closing = b.opening * sign, b.closing * sign
        inc, dec = (b.debit, b.credit) if claims else (b.credit, b.debit)
        if not (opening or closing or inc or dec):
            continue
        acc = by_id[b.account_id]
        party = b.counterparty or (acc.name if acc.level > 1 else "（未注明单位或个人）")
        rows.append((acc.code, party, [acc.name, party, opening, inc, dec, closing]))
        for i, v in enumerate((opening, inc, dec, closing)):
            totals[i] += v
    rows.sort(key=lambda r: (r[0], -(r[2][5] or ZERO) if isinstance(r[2][5], Decimal) else ZERO, r[1]))
    return [r[2] for r in rows], ["合计", f"{len(rows)}户", *totals]


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    ids = ctx.account_ids(*CLAIM_ROLES, *DEBT_ROLES)
    balances = counterparty_balances(session, ctx.book.id, ids, ctx.period_from, ctx.period_to)
    claims, ctot = _rows(ctx, balances, True)
    debts, dtot = _rows(ctx, balances, False)
    if not claims and not debts:
        return None
    empty: list[list[Cell]] = [["", "无", None, None, None, None]]
    return [
        TableBlock("债权明细（应收单位和个人欠款）", COLUMNS, claims or empty, totals_row=ctot),
        TableBlock("债务明细（借款及欠单位和个人款项）", COLUMNS, debts or empty, totals_row=dtot,
                   note="按科目及往来单位（个人）列示；期初余额含账套启用时的年初余额。"),
    ]


SECTION = DisclosureSection(id="debts", title="债权债务", order=30, build=build)
