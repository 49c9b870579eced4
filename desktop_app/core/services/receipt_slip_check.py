"""The month-close check of 收款收据 against the receipts the books hold (issue #20).

A month's receipts are its contract receipts, 保证金 收取 and cash other-income vouchers (a
voucher made by hand, neither void nor reversed, that debits 库存现金 and credits an income
account: money taken at the counter), plus any voucher a slip was issued from (income received
at the bank has the bank's 回单 and gets a slip only when asked for). Each should hold exactly one 正常 slip of the
same amount, and no 正常 slip should acknowledge a receipt since cancelled. A warning: the month
may still be closed (a slip forgotten is issued later by 补开, dated then).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Contract, ContractDeposit, ContractReceipt, ReceiptSlip, Voucher
from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_end, period_label, period_start
from desktop_app.core.services.close_checklist import ChecklistItem
from desktop_app.core.services.receipt_slip_sources import (
    DEPOSIT,
    RECEIPT,
    VOUCHER,
    Source,
    read_sources,
    reversed_vouchers,
    voucher_money,
)
from desktop_app.core.services.receipt_slips import slip_number

TITLE = "收款收据与收款凭证核对"
ZERO = Decimal("0.00")
SHOWN = 8  # differences listed in the item; the rest are counted


def month_receipts(session: Session, book_id: uuid.UUID, period: str) -> list[Source]:
    """Every receipt of the month that should hold a slip, by date."""
    first, last = period_start(period), period_end(period)
    receipts = list(session.scalars(select(ContractReceipt.id).join(Contract, Contract.id == ContractReceipt.contract_id)
                                    .where(Contract.book_id == book_id, ContractReceipt.deleted.is_(False),
                                           ContractReceipt.received_on.between(first, last))))
    deposits = list(session.scalars(select(ContractDeposit.id).join(Contract, Contract.id == ContractDeposit.contract_id)
                                    .where(Contract.book_id == book_id, ContractDeposit.deleted.is_(False),
                                           ContractDeposit.kind == "收取", ContractDeposit.on_date.between(first, last))))
    manual = list(session.scalars(select(Voucher.id).where(
        Voucher.book_id == book_id, Voucher.period == period, Voucher.deleted.is_(False), Voucher.status != "作废",
        Voucher.source_kind.is_(None), Voucher.reversal_of_id.is_(None))))
    gone = reversed_vouchers(session, manual)
    money = voucher_money(session, [v for v in manual if v not in gone], book_id)
    # cash at the counter: income received through the bank has the bank's 回单 as its evidence,
    # so a slip for it is optional (issued on request, then checked like any other)
    vouchers = {vid for vid, (paid, method, income, _p) in money.items() if paid > 0 and income > 0 and method == "现金"}
    vouchers.update(session.scalars(select(ReceiptSlip.source_id).where(  # issued from any other voucher too
        ReceiptSlip.book_id == book_id, ReceiptSlip.source_kind == VOUCHER, ReceiptSlip.status == "正常",
        ReceiptSlip.deleted.is_(False), ReceiptSlip.received_on.between(first, last))))
    out = [*read_sources(session, RECEIPT, receipts).values(), *read_sources(session, DEPOSIT, deposits).values()]
    out += [s for v in sorted(vouchers) for s in _one_voucher(session, v)]  # a few a month
    return sorted(out, key=lambda s: (s.received_on, s.label))


def _one_voucher(session: Session, voucher_id: uuid.UUID) -> list[Source]:
    """The voucher as a live receipt, or nothing (void, reversed, or edited to no cash/bank debit:
    then a slip issued from it is reported as acknowledging a cancelled receipt)."""
    try:
        return [s for s in read_sources(session, VOUCHER, [voucher_id]).values() if s.live]
    except UserError:
        return []


def reconcile_month(session: Session, book_id: uuid.UUID, period: str) -> tuple[int, Decimal, int, Decimal, list[str]]:
    """(receipts, their sum, 正常 slips, their sum, differences) of the month."""
    first, last = period_start(period), period_end(period)
    expected = month_receipts(session, book_id, period)
    slips = session.execute(select(ReceiptSlip.year, ReceiptSlip.seq, ReceiptSlip.source_kind, ReceiptSlip.source_id,
                                   ReceiptSlip.amount, ReceiptSlip.payer)
                            .where(ReceiptSlip.book_id == book_id, ReceiptSlip.status == "正常",
                                   ReceiptSlip.deleted.is_(False), ReceiptSlip.received_on.between(first, last))
                            .order_by(ReceiptSlip.year, ReceiptSlip.seq)).all()
    by_source: dict[tuple[str, uuid.UUID], list[tuple[str, Decimal]]] = {}
    for year, seq, kind, sid, amount, _payer in slips:
        by_source.setdefault((kind, sid), []).append((slip_number(year, seq), amount))
    problems: list[str] = []
    seen: set[tuple[str, uuid.UUID]] = set()
    for src in expected:
        key = (src.kind, src.id)
        seen.add(key)
        found = by_source.get(key, [])
        if not found:
            problems.append(f"{src.label} 未开收据")
        elif len(found) > 1:
            problems.append(f"{src.label} 开了 {len(found)} 张收据（No.{'、'.join(n for n, _ in found)}）")
        elif found[0][1] != src.amount:
            problems.append(f"收据 No.{found[0][0]} 金额 {format_amount(found[0][1])} 元与{src.label}不符")
    for year, seq, kind, sid, amount, payer in slips:
        if (kind, sid) not in seen:
            problems.append(f"收据 No.{slip_number(year, seq)}（{payer} {format_amount(amount)} 元）对应的收款已撤销，"
                            "应作废")
    return (len(expected), sum((s.amount for s in expected), ZERO), len(slips),
            sum((s[4] for s in slips), ZERO), problems)


def close_checklist_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """One warning item: the month's slips against its receipts (count and sum; the differences)."""
    n, total, m, slipped, problems = reconcile_month(session, book_id, period)
    if n == 0 and m == 0:
        return [ChecklistItem(TITLE, True, f"{period_label(period)}没有收款", blocking=False)]
    figures = f"收款 {n} 笔 {format_amount(total)} 元，正常收据 {m} 张 {format_amount(slipped)} 元"
    if not problems:
        return [ChecklistItem(TITLE, True, f"{figures}，一致", blocking=False)]
    listed = "；".join(problems[:SHOWN]) + (f"；等共 {len(problems)} 处" if len(problems) > SHOWN else "")
    return [ChecklistItem(TITLE, False, f"{figures}。{listed}", blocking=False)]


def receipts_without_slip(session: Session, book_id: uuid.UUID, period: str) -> list[Source]:
    """The month's receipts that hold no 正常 slip (for 补开 all at once), by date."""
    first, last = period_start(period), period_end(period)
    have = {(k, i) for k, i in session.execute(select(ReceiptSlip.source_kind, ReceiptSlip.source_id).where(
        ReceiptSlip.book_id == book_id, ReceiptSlip.status == "正常", ReceiptSlip.deleted.is_(False),
        ReceiptSlip.received_on.between(first, last)))}
    return [s for s in month_receipts(session, book_id, period) if (s.kind, s.id) not in have]
