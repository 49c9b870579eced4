"""Balances from the per-(book, account, month) summary of posted entries.

``account_period_total`` is kept in step when a voucher is posted (``apply_voucher_totals``)
and can be recomputed from the journal (``rebuild_totals``: bulk posting, sync apply).
Every balance and statement reads it, never the journal (DESIGN §4).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from db.models import Account, AccountPeriodTotal, Book, Entry, OpeningBalance, Voucher
from db.types import Fen
from desktop_app.core.services.funds_base import YEAR_END_KIND, cached, reads

ZERO = Decimal("0.00")
Totals = dict[uuid.UUID, tuple[Decimal, Decimal]]  # account_id -> (debit, credit)


def apply_voucher_totals(session: Session, voucher_id: uuid.UUID) -> None:
    """Add a just-posted voucher's entries (sums and line counts) to the summary."""
    v = session.execute(select(Voucher.book_id, Voucher.period, Voucher.source_kind)
                        .where(Voucher.id == voucher_id)).one()
    closing = v.source_kind == YEAR_END_KIND
    rows = session.execute(
        select(Entry.account_id, func.sum(Entry.debit), func.sum(Entry.credit), func.count())
        .where(Entry.voucher_id == voucher_id, Entry.deleted.is_(False)).group_by(Entry.account_id)
    ).all()
    t = AccountPeriodTotal
    for account_id, debit, credit, lines in rows:
        key = and_(t.book_id == v.book_id, t.period == v.period, t.account_id == account_id, t.closing == closing)
        found = session.execute(select(t.debit, t.credit, t.lines).where(key)).first()
        if found is None:
            session.execute(insert(t).values(book_id=v.book_id, period=v.period, account_id=account_id,
                                             closing=closing, debit=debit, credit=credit, lines=lines))
        else:
            session.execute(update(t).where(key).values(debit=found[0] + debit, credit=found[1] + credit,
                                                        lines=found[2] + lines))


def _posted_totals(book_id: uuid.UUID | None = None) -> Select[Any]:
    """What ``account_period_total`` must hold: posted entries (sums and count) grouped by book, month,
    account and whether they belong to the year-end closing (one grouped query; every book when
    ``book_id`` is None)."""
    closing = case((Voucher.source_kind == YEAR_END_KIND, literal(True)), else_=literal(False))
    q = (
        select(Entry.book_id, Entry.period, Entry.account_id, closing.label("closing"),
               func.sum(Entry.debit).label("debit"), func.sum(Entry.credit).label("credit"),
               func.count().label("lines"))
        .join(Voucher, Voucher.id == Entry.voucher_id)
        .where(Voucher.status == "记账", Entry.deleted.is_(False), Voucher.deleted.is_(False))
        .group_by(Entry.book_id, Entry.period, Entry.account_id, closing)
    )
    return q if book_id is None else q.where(Entry.book_id == book_id)


def rebuild_totals(session: Session, book_id: uuid.UUID, periods: Iterable[str] | None = None) -> None:
    """Recompute a book's summary from its posted entries (one INSERT … SELECT): the whole book, or
    only the months ``periods`` (``YYYY-MM``; their year-end closing rows included: they carry the
    month too), so that a sync package's rebuild costs the months it touched."""
    t = AccountPeriodTotal
    if periods is None:
        session.execute(delete(t).where(t.book_id == book_id))
        session.execute(insert(t).from_select(_TOTAL_COLUMNS, _posted_totals(book_id)))
        return
    months = sorted(set(periods))
    remove, add = _month_rebuild()
    for i in range(0, len(months), 500):
        params = {"book_id": book_id, "periods": months[i:i + 500]}
        session.execute(remove, params)
        session.execute(add, params)


_TOTAL_COLUMNS = ["book_id", "period", "account_id", "closing", "debit", "credit", "lines"]


@cache
def _month_rebuild() -> tuple[Any, Any]:
    """The DELETE and INSERT … SELECT of some months of a book, built once (building them per book
    cost SQLAlchemy more than running them)."""
    t: Table = AccountPeriodTotal.__table__  # type: ignore[assignment]  # Core: an ORM insert takes the parameters for rows
    remove = delete(t).where(t.c.book_id == bindparam("book_id"), t.c.period.in_(bindparam("periods", expanding=True)))
    months: BindParameter[str] = bindparam("periods", expanding=True)
    # driven by the voucher's (book, month) key and the lines' voucher key: entry's own index
    # (book, account, month) would scan every line of the book (a line's month is its voucher's)
    add = insert(t).from_select(_TOTAL_COLUMNS, _posted_totals().where(
        Voucher.book_id == bindparam("book_id"), Voucher.period.in_(months), Entry.period.in_(months)))
    return remove, add


def verify_account_totals(conn: Connection) -> list[str]:
    """``verify``: rebuild ``account_period_total`` from the posted entries of every book (in SQL,
    grouped) and name each (book, account, month) whose stored figures (sums, line count) differ."""
    t = AccountPeriodTotal
    exp = _posted_totals().cte("expected")  # every posted row counts at least one line
    sto = select(t.book_id, t.period, t.account_id, t.closing, t.debit, t.credit, t.lines).where(
        (t.debit != 0) | (t.credit != 0) | (t.lines != 0)).cte("stored")  # an empty row = no row
    key = and_(sto.c.book_id == exp.c.book_id, sto.c.period == exp.c.period,
               sto.c.account_id == exp.c.account_id, sto.c.closing == exp.c.closing)
    # the expected sums are NULL where nothing is posted: read back as 0.00 through the one money type
    exp_d, exp_c = (type_coerce(func.coalesce(c, 0), Fen()) for c in (exp.c.debit, exp.c.credit))
    changed = (select(exp.c.book_id, exp.c.period, exp.c.account_id, exp.c.closing, sto.c.debit, sto.c.credit,
                      sto.c.lines, exp_d, exp_c, exp.c.lines)
               .select_from(exp.outerjoin(sto, key))
               .where(sto.c.book_id.is_(None) | (sto.c.debit != exp.c.debit) | (sto.c.credit != exp.c.credit)
                      | (sto.c.lines != exp.c.lines)))
    extra = (select(sto.c.book_id, sto.c.period, sto.c.account_id, sto.c.closing, sto.c.debit, sto.c.credit,
                    sto.c.lines, exp_d, exp_c, exp.c.lines)  # no posted entries here: 0.00, 0.00, NULL
             .select_from(sto.outerjoin(exp, key)).where(exp.c.book_id.is_(None)))
    rows = conn.execute(union_all(changed, extra).limit(101)).all()
    if not rows:
        return []
    books = dict(conn.execute(select(Book.id, Book.name).where(Book.id.in_({r[0] for r in rows}))).all())
    accounts = {r[0]: (r[1], r[2]) for r in conn.execute(
        select(Account.id, Account.code, Account.name).where(Account.id.in_({r[2] for r in rows})))}
    problems = []
    for book_id, period, account_id, closing, sd, sc, sn, ed, ec, en in rows[:100]:
        code, name = accounts.get(account_id, ("?", str(account_id)))
        what = "（年终结转）" if closing else ""
        stored = f"借 {sd}，贷 {sc}" if sd is not None else "无此汇总记录"
        expected = f"借 {ed}，贷 {ec}"
        if sd is not None and int(sn) != int(en or 0):  # the line counts only when they are what differs
            stored, expected = f"{stored}，{int(sn)} 行", f"{expected}，{int(en or 0)} 行"
        problems.append(f"账套“{books.get(book_id, book_id)}”{period[:4]}年{int(period[5:7])}月 科目 {code} {name}"
                        f"{what}的汇总发生额（{stored}）与已记账分录合计（{expected}）不符："
                        "科目汇总表已被程序以外的方式修改，报表数字不可信")
    if len(rows) > 100:
        problems.append("……不符的汇总记录超过100条，其余从略")
    return problems


def period_totals(conn: Session | Connection, book_id: uuid.UUID, first: str | None, last: str, *,
                  include_closing: bool = True) -> Totals:
    """Posted debit/credit per account over months ``first`` … ``last`` (``first=None``: from the start)."""
    key = ("period_totals", book_id, first, last, include_closing)
    return dict(cached(conn, key, lambda: _period_totals(conn, book_id, first, last, include_closing)))


@cache
def _period_totals_query(from_first: bool, include_closing: bool) -> Select[uuid.UUID, Decimal, Decimal]:
    """Built once per variant: a statement built afresh costs SQLAlchemy more than running it."""
    t = AccountPeriodTotal
    q = (select(t.account_id, func.sum(t.debit), func.sum(t.credit))
         .where(t.book_id == bindparam("book_id"), t.period <= bindparam("last")).group_by(t.account_id))
    if from_first:
        q = q.where(t.period >= bindparam("first"))
    if not include_closing:
        q = q.where(t.closing.is_(False))
    return q


def _period_totals(conn: Session | Connection, book_id: uuid.UUID, first: str | None, last: str,
                   include_closing: bool) -> Totals:
    q = _period_totals_query(first is not None, include_closing)
    params = {"book_id": book_id, "last": last, **({} if first is None else {"first": first})}
    return {a: (d or ZERO, c or ZERO) for a, d, c in reads(conn).execute(q, params)}


_OPENING_TOTALS = (select(OpeningBalance.account_id, OpeningBalance.debit, OpeningBalance.credit)
                   .where(OpeningBalance.book_id == bindparam("book_id"), OpeningBalance.deleted.is_(False)))
_TOTALS_BEFORE = (select(AccountPeriodTotal.account_id, func.sum(AccountPeriodTotal.debit),
                         func.sum(AccountPeriodTotal.credit))
                  .where(AccountPeriodTotal.book_id == bindparam("book_id"),
                         AccountPeriodTotal.period < bindparam("period"))
                  .group_by(AccountPeriodTotal.account_id))


def opening_totals(conn: Session | Connection, book_id: uuid.UUID) -> Totals:
    return dict(cached(conn, ("opening_totals", book_id), lambda: _opening_totals(conn, book_id)))


def _opening_totals(conn: Session | Connection, book_id: uuid.UUID) -> Totals:
    return {a: (d, c) for a, d, c in reads(conn).execute(_OPENING_TOTALS, {"book_id": book_id})}


def balances_before(conn: Session | Connection, book_id: uuid.UUID, period: str) -> dict[uuid.UUID, Decimal]:
    """Debit-positive balance per account at the start of ``period`` (opening + everything before)."""
    return dict(cached(conn, ("balances_before", book_id, period), lambda: _balances_before(conn, book_id, period)))


def _balances_before(conn: Session | Connection, book_id: uuid.UUID, period: str) -> dict[uuid.UUID, Decimal]:
    out: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for a, (d, c) in opening_totals(conn, book_id).items():
        out[a] += d - c
    for a, d, c in reads(conn).execute(_TOTALS_BEFORE, {"book_id": book_id, "period": period}):
        out[a] += (d or ZERO) - (c or ZERO)
    return dict(out)


def balances_at_end(conn: Session | Connection, book_id: uuid.UUID, period: str) -> dict[uuid.UUID, Decimal]:
    """Debit-positive balance per account at the end of ``period``."""
    out = balances_before(conn, book_id, period)
    for a, (d, c) in period_totals(conn, book_id, period, period).items():
        out[a] = out.get(a, ZERO) + d - c
    return out
