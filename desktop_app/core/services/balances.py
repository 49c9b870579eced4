"""Balances from the per-(book, account, month) summary of posted entries.

``account_period_total`` is kept in step when a voucher is posted (``apply_voucher_totals``)
and can be recomputed from the journal (``rebuild_totals``: bulk posting, sync apply).
Every balance and statement reads it, never the journal (DESIGN §4).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Connection, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from db.models import AccountPeriodTotal, Entry, OpeningBalance, Voucher
from desktop_app.core.services.funds_base import YEAR_END_KIND

ZERO = Decimal("0.00")
Totals = dict[uuid.UUID, tuple[Decimal, Decimal]]  # account_id -> (debit, credit)


def apply_voucher_totals(session: Session, voucher_id: uuid.UUID) -> None:
    """Add a just-posted voucher's entries to the summary."""
    v = session.execute(select(Voucher.book_id, Voucher.period, Voucher.source_kind)
                        .where(Voucher.id == voucher_id)).one()
    closing = v.source_kind == YEAR_END_KIND
    rows = session.execute(
        select(Entry.account_id, func.sum(Entry.debit), func.sum(Entry.credit))
        .where(Entry.voucher_id == voucher_id, Entry.deleted.is_(False)).group_by(Entry.account_id)
    ).all()
    t = AccountPeriodTotal
    for account_id, debit, credit in rows:
        key = and_(t.book_id == v.book_id, t.period == v.period, t.account_id == account_id, t.closing == closing)
        found = session.execute(select(t.debit, t.credit).where(key)).first()
        if found is None:
            session.execute(insert(t).values(book_id=v.book_id, period=v.period, account_id=account_id,
                                             closing=closing, debit=debit, credit=credit))
        else:
            session.execute(update(t).where(key).values(debit=found[0] + debit, credit=found[1] + credit))


def rebuild_totals(session: Session, book_id: uuid.UUID) -> None:
    """Recompute a book's summary from its posted entries (one INSERT … SELECT)."""
    t = AccountPeriodTotal
    session.execute(delete(t).where(t.book_id == book_id))
    closing = case((Voucher.source_kind == YEAR_END_KIND, literal(True)), else_=literal(False))
    src = (
        select(Entry.book_id, Entry.period, Entry.account_id, closing.label("closing"),
               func.sum(Entry.debit), func.sum(Entry.credit))
        .join(Voucher, Voucher.id == Entry.voucher_id)
        .where(Entry.book_id == book_id, Voucher.status == "记账", Entry.deleted.is_(False),
               Voucher.deleted.is_(False))
        .group_by(Entry.book_id, Entry.period, Entry.account_id, closing)
    )
    session.execute(insert(t).from_select(["book_id", "period", "account_id", "closing", "debit", "credit"], src))


def period_totals(conn: Session | Connection, book_id: uuid.UUID, first: str | None, last: str, *,
                  include_closing: bool = True) -> Totals:
    """Posted debit/credit per account over months ``first`` … ``last`` (``first=None``: from the start)."""
    t = AccountPeriodTotal
    q = (select(t.account_id, func.sum(t.debit), func.sum(t.credit))
         .where(t.book_id == book_id, t.period <= last).group_by(t.account_id))
    if first is not None:
        q = q.where(t.period >= first)
    if not include_closing:
        q = q.where(t.closing.is_(False))
    return {a: (d or ZERO, c or ZERO) for a, d, c in conn.execute(q)}


def opening_totals(conn: Session | Connection, book_id: uuid.UUID) -> Totals:
    ob = OpeningBalance
    rows = conn.execute(select(ob.account_id, ob.debit, ob.credit)
                        .where(ob.book_id == book_id, ob.deleted.is_(False)))
    return {a: (d, c) for a, d, c in rows}


def balances_before(conn: Session | Connection, book_id: uuid.UUID, period: str) -> dict[uuid.UUID, Decimal]:
    """Debit-positive balance per account at the start of ``period`` (opening + everything before)."""
    out: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for a, (d, c) in opening_totals(conn, book_id).items():
        out[a] += d - c
    t = AccountPeriodTotal
    rows = conn.execute(select(t.account_id, func.sum(t.debit), func.sum(t.credit))
                        .where(t.book_id == book_id, t.period < period).group_by(t.account_id))
    for a, d, c in rows:
        out[a] += (d or ZERO) - (c or ZERO)
    return dict(out)


def balances_at_end(conn: Session | Connection, book_id: uuid.UUID, period: str) -> dict[uuid.UUID, Decimal]:
    """Debit-positive balance per account at the end of ``period``."""
    out = balances_before(conn, book_id, period)
    for a, (d, c) in period_totals(conn, book_id, period, period).items():
        out[a] = out.get(a, ZERO) + d - c
    return out
