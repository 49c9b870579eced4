"""债权债务, item by item (逐项): who owes the collective (应收款, 内部往来 detail accounts with a
debit balance) and whom it owes (借款, 应付款, 应付工资, 内部往来 detail accounts with a credit
balance …), per account and counterparty with the period's movements.

A 往来 line that names no counterparty is listed under its summary (marked ※), never lumped;
the book's opening balance of an account is one item. 内部往来 is split by the balance of each
detail account, as the balance sheet does, so the 债权 total is the balance sheet's 应收款项 and
the 债务 lines of 应付款/内部往来 add up to its 应付款项 (of the same date).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.core.services.funds_base import AccountInfo
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.data import PartyBalance, counterparty_balances
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock, money

ZERO = Decimal("0.00")
BY_SUMMARY = "※"
OPENING_ITEM = "账套启用时余额（未分户）"
CLAIM_LINES = (("应收款项", ("receivables", "internal_accounts")),)
DEBT_LINES = (("短期借款", ("short_term_loans",)), ("应付款项", ("payables", "internal_accounts")),
              ("应付工资", ("wages_payable",)), ("应付劳务费", ("labour_payable",)), ("应交税费", ("taxes_payable",)),
              ("长期借款及应付款", ("long_term_loans_payable",)))
COLUMNS = (Column("科目", 28, wrap=True), Column("单位或个人（事项）", 40, wrap=True), Column("期初余额", 28, "right"),
           Column("本期增加", 28, "right"), Column("本期减少", 28, "right"), Column("期末余额", 28, "right"))


@dataclass(frozen=True)
class DebtItem:
    line: str  # the balance-sheet line it belongs to (应收款项, 应付款项 …)
    code: str
    account: str
    party: str
    opening: Decimal  # positive = owed (to us for claims, by us for debts)
    increase: Decimal
    decrease: Decimal
    closing: Decimal
    by_summary: bool


def _internal_sides(balances: list[PartyBalance], internal: set[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """内部往来 detail account -> True when it is a claim (debit balance at the end; an account
    that ends at zero goes by its opening side)."""
    closing: dict[uuid.UUID, Decimal] = {}
    opening: dict[uuid.UUID, Decimal] = {}
    for b in balances:
        if b.account_id in internal:
            closing[b.account_id] = closing.get(b.account_id, ZERO) + b.closing
            opening[b.account_id] = opening.get(b.account_id, ZERO) + b.opening
    return {a: (c > 0) or (c == 0 and opening[a] >= 0) for a, c in closing.items()}


def _full_name(acc: AccountInfo, by_id: dict[uuid.UUID, AccountInfo]) -> str:
    """内部往来——一组: a detail account under its first-level name, as the books write it."""
    names = [acc.name]
    while acc.parent_id is not None and acc.parent_id in by_id:
        acc = by_id[acc.parent_id]
        names.append(acc.name)
    return "——".join(reversed(names))


def debt_items(ctx: DisclosureContext, balances: list[PartyBalance], claims: bool) -> list[DebtItem]:
    by_id = {a.id: a for a in ctx.accounts.values()}
    internal = ctx.account_ids("internal_accounts")
    sides = _internal_sides(balances, internal)
    sign = Decimal(1) if claims else Decimal(-1)
    items: list[DebtItem] = []
    for line, roles in (CLAIM_LINES if claims else DEBT_LINES):
        ids = ctx.account_ids(*roles)
        for b in balances:
            if b.account_id not in ids or (b.account_id in internal and sides[b.account_id] != claims):
                continue
            opening, closing = b.opening * sign, b.closing * sign
            inc, dec = (b.debit, b.credit) if claims else (b.credit, b.debit)
            if not (opening or closing or inc or dec):
                continue
            acc = by_id[b.account_id]
            if b.by_summary:
                party = BY_SUMMARY + (b.counterparty or "（无摘要）")
            elif b.counterparty:
                party = b.counterparty
            else:
                party = acc.name if acc.level > 1 else OPENING_ITEM
            items.append(DebtItem(line, acc.code, _full_name(acc, by_id), party, opening, inc, dec, closing,
                                  b.by_summary))
    order = {label: n for n, (label, _) in enumerate(CLAIM_LINES if claims else DEBT_LINES)}
    items.sort(key=lambda i: (order[i.line], i.code, i.by_summary, -i.closing, i.party))  # as the balance sheet
    return items


def _table(items: list[DebtItem]) -> tuple[list[list[Cell]], list[Cell]]:
    rows: list[list[Cell]] = [[i.account, i.party, i.opening, i.increase, i.decrease, i.closing] for i in items]
    totals: list[Cell] = ["合计", f"{len(items)}项", *(sum((getattr(i, f) for i in items), ZERO)
                                                      for f in ("opening", "increase", "decrease", "closing"))]
    return rows, totals


def _breakdown(items: list[DebtItem], lines: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    parts = []
    for label, _roles in lines:
        mine = [i for i in items if i.line == label]
        if mine:
            parts.append(f"{label} {money(sum((i.closing for i in mine), ZERO))} 元")
    return "、".join(parts)


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    ids = ctx.account_ids(*(r for _, roles in CLAIM_LINES + DEBT_LINES for r in roles))
    balances = counterparty_balances(session, ctx.book.id, ids, ctx.period_from, ctx.period_to)
    claims, debts = debt_items(ctx, balances, True), debt_items(ctx, balances, False)
    if not claims and not debts:
        return None
    empty: list[list[Cell]] = [["", "无", None, None, None, None]]
    crows, ctot = _table(claims)
    drows, dtot = _table(debts)
    note = (f"按科目及往来单位（个人）逐项列示，期末余额为{ctx.period.label}末数。"
            f"期末余额合计与资产负债表同日数一致：{_breakdown(claims, CLAIM_LINES) or '应收款项 0.00 元'}"
            f"{'；' + _breakdown(debts, DEBT_LINES) if debts else ''}。内部往来按明细科目余额方向分列债权或债务。")
    if any(i.by_summary for i in claims + debts):
        note += f"标“{BY_SUMMARY}”的项目账上未注明往来单位或个人，按凭证摘要列示（同一单位的借出与收回可能分列两项）。"
    if any(i.party == OPENING_ITEM for i in claims + debts):
        note += f"“{OPENING_ITEM}”为账套启用时录入的科目期初余额，未按单位或个人分户。"
    return [
        TableBlock("债权明细（应收单位和个人欠款）", COLUMNS, crows or empty, totals_row=ctot),
        TableBlock("债务明细（借款及欠单位和个人款项）", COLUMNS, drows or empty, totals_row=dtot, note=note),
    ]


SECTION = DisclosureSection(id="debts", title="债权债务", order=30, build=build)
