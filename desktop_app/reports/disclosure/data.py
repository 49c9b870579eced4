"""Queries the built-in sections need and the funds services do not offer (read as tuples).

- :func:`posted_lines`: every line of every posted voucher of a book in a range of months, in one
  query (``list_vouchers`` + ``read_lines`` would be one query per voucher); :func:`sheet_lines`
  shares one such read between the sections of a sheet;
- :func:`counterparty_balances`: balances of some accounts per (account, counterparty), for the
  债权债务 list.
Balances and statement figures come from the funds services (balances.py, statements.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, case, func, select, type_coerce
from sqlalchemy.orm import Session

from db.models import Entry, OpeningBalance, Voucher
from db.types import Fen
from desktop_app.core.services.funds_base import reads

if TYPE_CHECKING:
    from desktop_app.reports.disclosure.context import DisclosureContext

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PostedLine:
    voucher_id: uuid.UUID
    period: str
    number: int
    voucher_date: date
    voucher_summary: str
    source_kind: str | None
    flags: str
    line_no: int
    account_id: uuid.UUID
    debit: Decimal
    credit: Decimal
    summary: str | None
    counterparty: str | None

    @property
    def code(self) -> str:
        """The voucher number as the user reads it: 记-0005 (with the month in a longer range)."""
        return f"记-{self.number:04d}"


# Statements built once: building one costs SQLAlchemy more than running it.
_POSTED_LINES = (
    select(Voucher.id, Voucher.period, Voucher.number, Voucher.voucher_date, Voucher.summary,
           Voucher.source_kind, Voucher.flags, Entry.line_no, Entry.account_id, Entry.debit, Entry.credit,
           Entry.summary, Entry.counterparty)
    .join(Entry, Entry.voucher_id == Voucher.id)
    .where(Voucher.book_id == bindparam("book_id"), Voucher.period >= bindparam("first"),
           Voucher.period <= bindparam("last"), Voucher.status == "记账", Voucher.deleted.is_(False),
           Entry.deleted.is_(False))
    .order_by(Voucher.voucher_date, Voucher.period, Voucher.number, Entry.line_no))


def posted_lines(session: Session, book_id: uuid.UUID, first: str, last: str) -> list[PostedLine]:
    rows = reads(session).execute(_POSTED_LINES, {"book_id": book_id, "first": first, "last": last})
    return [PostedLine(*r) for r in rows]


def sheet_lines(session: Session, ctx: DisclosureContext, first: str) -> list[PostedLine]:
    """The posted lines of ``first`` … the end of the period, for a section of one sheet: read once
    per sheet from the earlier of the year's start and the period's start (收支公开表 lists the
    period, 专项公开 the year to date), each section taking its months (the order is kept). The
    list may be the shared one: read it, do not change it."""
    since = min(ctx.year_start, ctx.period_from)
    lines = ctx.memo("posted_lines", lambda: posted_lines(session, ctx.book.id, since, ctx.period_to))
    if first < since:
        raise ValueError(f"posted lines before {since} are not read for this sheet")
    return lines if first == since else [ln for ln in lines if ln.period >= first]


@dataclass(frozen=True)
class PartyBalance:
    """One item of a 往来 account: a counterparty, or — where the books name none — the summary
    of the lines (``by_summary``); the book's opening balance of the account is its own item
    (``counterparty`` None)."""

    account_id: uuid.UUID
    counterparty: str | None
    opening: Decimal  # debit-positive, at the start of ``first``
    debit: Decimal  # posted in first … last
    credit: Decimal
    by_summary: bool = False

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def _party_sums() -> Select[tuple[uuid.UUID, str | None, str | None, Decimal, Decimal, Decimal]]:
    first = bindparam("first")
    before = case((Entry.period < first, Entry.debit - Entry.credit), else_=0)
    in_d = case((Entry.period >= first, Entry.debit), else_=0)
    in_c = case((Entry.period >= first, Entry.credit), else_=0)
    party = func.nullif(func.trim(func.coalesce(Entry.counterparty, "")), "")
    summary = case((party.is_(None), func.coalesce(func.nullif(func.trim(func.coalesce(Entry.summary, "")), ""),
                                                   Voucher.summary)), else_=None)
    sums = (type_coerce(func.sum(x), Fen()) for x in (before, in_d, in_c))  # CASE sums come back as 分
    return (select(Entry.account_id, party, summary, *sums)
            .join(Voucher, Voucher.id == Entry.voucher_id)
            .where(Entry.book_id == bindparam("book_id"), Entry.account_id.in_(bindparam("ids", expanding=True)),
                   Entry.period <= bindparam("last"), Voucher.status == "记账", Voucher.deleted.is_(False),
                   Entry.deleted.is_(False))
            .group_by(Entry.account_id, party, summary))


_PARTY_SUMS = _party_sums()
_PARTY_OPENING = (select(OpeningBalance.account_id, OpeningBalance.debit, OpeningBalance.credit)
                  .where(OpeningBalance.book_id == bindparam("book_id"),
                         OpeningBalance.account_id.in_(bindparam("ids", expanding=True)),
                         OpeningBalance.deleted.is_(False)))


def counterparty_balances(session: Session, book_id: uuid.UUID, account_ids: Iterable[uuid.UUID], first: str,
                          last: str) -> list[PartyBalance]:
    """Per account and item (counterparty, else the lines' summary): the balance before ``first``
    and what was posted in ``first`` … ``last``. The book's opening balance of an account is one
    item without a counterparty (the opening 科目余额表 is kept per account)."""
    ids = list(account_ids)
    if not ids:
        return []
    conn = reads(session)
    rows = conn.execute(_PARTY_SUMS, {"book_id": book_id, "ids": ids, "first": first, "last": last}).all()
    out: dict[tuple[uuid.UUID, str | None, bool], list[Decimal]] = {}
    for acc, who, summary, b, d, c in rows:
        key: tuple[uuid.UUID, str | None, bool]
        key = (acc, who, False) if who is not None else (acc, summary or "", True)
        vals = out.setdefault(key, [ZERO, ZERO, ZERO])
        vals[0] += b
        vals[1] += d
        vals[2] += c
    for acc, d, c in conn.execute(_PARTY_OPENING, {"book_id": book_id, "ids": ids}):
        out.setdefault((acc, None, False), [ZERO, ZERO, ZERO])[0] += d - c
    return [PartyBalance(acc, who, vals[0], vals[1], vals[2], flag) for (acc, who, flag), vals in out.items()]


