"""Demo bank statements: 银行对账 opens on something real.

For each book with a 银行存款 account, the bank's statements of the last two closed months are
made from the posted 银行存款 entries, as the bank would list them, and imported through the
import service (as a file would be): the earlier month with one payment the bank clears only in
the next month (企业已付、银行未付), matched and marked 已对账; the later month with that payment
cleared, the bank's own items the village has not booked yet (结息 or a subsidy paid straight
in, 手续费) and one entry of the books not yet at the bank, imported and auto-matched but not
marked, so its 未达账项 show.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Book, Entry, Voucher
from desktop_app.core import charts
from desktop_app.core.demo.funds import BANK, CURRENT_PERIOD, DISTRICT_FINANCE
from desktop_app.core.periods import add_months, period_end, period_start, prev_period
from desktop_app.core.rows import BookRow, UserRow
from desktop_app.core.services.bank_matching import auto_match
from desktop_app.core.services.bank_reconcile import book_balance, mark_reconciled
from desktop_app.core.services.bank_rows import IN, OUT, StatementInput
from desktop_app.core.services.bank_statements import bank_accounts, import_bank_statement
from desktop_app.core.services.funds_base import book_accounts

if TYPE_CHECKING:
    import random

    from desktop_app.core.demo import DemoContext

TRANSIT_DAYS = 5  # a payment made this many days before month end may reach the bank next month
BANK_SUMMARY = {IN: "转账存入", OUT: "网银转账支出"}
CASH_SUMMARY = {IN: "现金存入", OUT: "现金支取"}


def seed_bank(session: Session, ctx: DemoContext) -> None:
    """Statements of the last two closed months for every book's bank accounts (see the module)."""
    first, second = add_months(CURRENT_PERIOD, -2), add_months(CURRENT_PERIOD, -1)
    user = ctx.users["bookkeeper"]
    books = [b for b in ctx.books if b.start_period <= first]
    # held while seeding, so the services' look-ups of a book find it in the session, not the file
    held = session.scalars(select(Book).where(Book.id.in_([b.id for b in books]))).all()
    banks: dict[uuid.UUID, str] = {}  # account id -> code, of every book's bank accounts
    for book in books:
        try:
            banks.update({book_accounts(session, book.id)[a.code].id: a.code for a in bank_accounts(session, book.id)})
        except charts.ChartError:  # a chart without 银行存款
            continue
    entries = _entries(session, list(banks), (first, second))
    for n, book in enumerate(books):
        for (book_id, account_id), items in entries.items():
            if book_id == book.id:
                _seed_account(session, ctx.rng, book, banks[account_id], first, second, items, user)
        ctx.report(n + 1, len(books), book.name)
    del held


@dataclass(frozen=True)
class _Entry:
    """A posted 银行存款 entry as the bank sees it."""

    period: str
    day: date
    direction: str
    amount: Decimal
    counterparty: str


def _entries(session: Session, account_ids: list[uuid.UUID],
             periods: tuple[str, str]) -> dict[tuple[uuid.UUID, uuid.UUID], list[_Entry]]:
    """(book, bank account) -> its posted entries of ``periods``, in date order (one query for all books)."""
    out: dict[tuple[uuid.UUID, uuid.UUID], list[_Entry]] = {}
    for r in session.execute(
            select(Entry.book_id, Entry.account_id, Entry.period, Voucher.voucher_date, Entry.counterparty,
                   Entry.debit, Entry.credit)
            .join(Voucher, Voucher.id == Entry.voucher_id)
            .where(Entry.account_id.in_(account_ids), Entry.period.in_(periods), Entry.deleted.is_(False),
                   Voucher.status == "记账", Voucher.deleted.is_(False))
            .order_by(Voucher.voucher_date, Voucher.number, Entry.line_no)):
        signed = r.debit - r.credit
        if signed:
            out.setdefault((r.book_id, r.account_id), []).append(
                _Entry(r.period, r.voucher_date, IN if signed > 0 else OUT, abs(signed), r.counterparty or ""))
    return out


def _seed_account(session: Session, rng: random.Random, book: BookRow, code: str, first: str, second: str,
                  items: list[_Entry], user: UserRow) -> None:
    entries = [i for i in items if i.period == first]
    if not entries:
        return
    opening = book_balance(session, book.id, code, prev_period(first))
    # the month's last payment near its end is cleared by the bank on the 2nd of the next month
    late = [i for i in entries if i.direction == OUT and i.day >= period_end(first) - timedelta(days=TRANSIT_DAYS)]
    transit = late[-1] if late else None
    lines = [_as_bank(i, i.day) for i in entries if i is not transit]
    balance = _import(session, book, code, first, opening, lines, user)
    auto_match(session, book.id, code, first, user=user)
    mark_reconciled(session, book.id, code, first, user=user)

    entries = [i for i in items if i.period == second]
    start = period_start(second)
    lines = [_as_bank(transit, start + timedelta(days=1))] if transit is not None else []
    # the month's last receipt near its end (else its last entry) is still on its way to the bank
    near_end = [i for i in entries if i.day >= period_end(second) - timedelta(days=TRANSIT_DAYS)]
    pending = next((i for i in reversed(near_end) if i.direction == IN), entries[-1] if entries else None)
    lines += [_as_bank(i, i.day) for i in entries if i is not pending]
    # the bank's own items, not yet booked (odd cents: unlikely to meet an entry of the same
    # amount within the matching window): money in — the quarter's interest on the 21st of a
    # quarter's last month (the books take it from the bank's 回单), else a subsidy the district
    # paid straight to the account — and a fee
    if int(second[5:]) % 3 == 0:
        lines.append(_bank_own(start + timedelta(days=20), IN, Decimal(rng.randrange(3001, 60000, 2)) / 100,
                               "结息 活期存款利息", BANK))
    else:
        lines.append(_bank_own(start + timedelta(days=20), IN, Decimal(rng.randrange(100001, 800000, 2)) / 100,
                               "财政直达 村级公益事业补助", DISTRICT_FINANCE))
    lines.append(_bank_own(start + timedelta(days=24), OUT, Decimal(rng.randrange(501, 6000, 2)) / 100,
                           "手续费 网银年费及转账手续费", BANK))
    lines.sort(key=lambda ln: ln.line_date)
    _import(session, book, code, second, balance, lines, user)
    auto_match(session, book.id, code, second, user=user)


def _as_bank(item: _Entry, day: date) -> StatementInput:
    party = item.counterparty or BANK
    summary = (CASH_SUMMARY if party == BANK else BANK_SUMMARY)[item.direction]  # the own bank: cash in or out
    return StatementInput(0, day, item.direction, item.amount, None, summary, party)


def _bank_own(day: date, direction: str, amount: Decimal, summary: str, party: str) -> StatementInput:
    return StatementInput(0, day, direction, amount, None, summary, party)


def _import(session: Session, book: BookRow, code: str, period: str, opening: Decimal,
            lines: list[StatementInput], user: UserRow) -> Decimal:
    """Number the rows as the bank's file would (header on row 1), carry the balance down, import;
    returns the closing balance."""
    out, balance = [], opening
    for row, ln in enumerate(lines, start=2):
        balance += ln.amount if ln.direction == IN else -ln.amount
        out.append(replace(ln, row=row, balance=balance))
    text = "\n".join(f"{ln.line_date},{ln.summary},{ln.direction},{ln.amount},{ln.balance},{ln.counterparty}"
                     for ln in out)
    name = f"{BANK}对账单_{book.name}_{code}_{period}.csv"
    import_bank_statement(session, book.id, code, period, out, source_name=name,
                          source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), user=user)
    return balance

