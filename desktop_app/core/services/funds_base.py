"""Shared helpers of the funds services: period ranges and a book's accounts.

Period arithmetic lives in desktop_app/core/periods.py; its functions are re-exported here for the
modules that import them from us."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, object_session

from db.models import Account, Book
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.periods import check_period as check_period
from desktop_app.core.periods import next_period as next_period
from desktop_app.core.periods import period_end as period_end
from desktop_app.core.periods import period_label as period_label
from desktop_app.core.periods import period_of as period_of
from desktop_app.core.periods import period_start as period_start
from desktop_app.core.periods import periods_between as periods_between
from desktop_app.core.periods import prev_period as prev_period
from desktop_app.core.rows import BookRow

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
YEAR_END_KIND = "year_end_close"  # source_kind of the year-end closing vouchers


def parse_period_range(text: str) -> tuple[str, str]:
    """``2026-10`` → a month, ``2026-Q3`` → a quarter, ``2026`` → a year; returns (first, last)."""
    text = (text or "").strip()
    if _MONTH_RE.match(text):
        return text, text
    if m := _QUARTER_RE.match(text):
        y, q = int(m.group(1)), int(m.group(2))
        return f"{y:04d}-{3 * q - 2:02d}", f"{y:04d}-{3 * q:02d}"
    if m := _YEAR_RE.match(text):
        return f"{text}-01", f"{text}-12"
    raise ValidationError(f"期间“{text}”无法识别：应为 2026-10（月）、2026-Q3（季度）或 2026（年度）", field="期间")


def range_label(first: str, last: str) -> str:
    if first == last:
        return period_label(first)
    y1, m1, y2, m2 = int(first[:4]), int(first[5:]), int(last[:4]), int(last[5:])
    if y1 == y2 and m1 == 1 and m2 == 12:
        return f"{y1}年度"
    if y1 == y2 and m2 == m1 + 2 and m1 % 3 == 1:
        return f"{y1}年第{(m1 + 2) // 3}季度"
    return f"{period_label(first)}至{period_label(last)}"


@dataclass(frozen=True)
class AccountInfo:
    id: uuid.UUID
    code: str
    name: str
    category: str
    normal_side: str
    parent_id: uuid.UUID | None
    level: int
    is_leaf: bool
    active: bool


_READ_CACHE = "funds_read_cache"
T = TypeVar("T")


@contextmanager
def read_cache(session: Session) -> Iterator[None]:
    """Within the block, what is read through :func:`cached` is read once per key: each book's
    chart and book row, balance sums, statement headers.

    For read-only work that asks for the same figures many times (the 财务公开 sheets: the cover,
    every statement and section read the chart, the balances and the month's totals again); the
    caller must not write in the block, or the answers could be stale. Nested blocks share the
    outer cache."""
    if _READ_CACHE in session.info:
        yield
        return
    session.flush()  # what :func:`reads` runs on the Connection sees the session's changes made before
    session.info[_READ_CACHE] = {}
    try:
        yield
    finally:
        del session.info[_READ_CACHE]


def cached(conn: Session | Connection, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per ``key`` inside :func:`read_cache`, every call outside it. The value is
    shared: hand out copies of anything a caller may change."""
    cache = conn.info.get(_READ_CACHE) if isinstance(conn, Session) else None
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    value: T = cache[key]
    return value


def reads(conn: Session | Connection) -> Session | Connection:
    """Where to run a column select: inside :func:`read_cache` the session's Connection, which
    skips the ORM's execute (about a third of the cost of a small query); the block writes
    nothing and starts with a flush, so there is nothing to autoflush. Elsewhere ``conn`` itself."""
    if isinstance(conn, Session) and _READ_CACHE in conn.info:
        return conn.connection()
    return conn


def book_accounts(conn: Session | Connection, book_id: uuid.UUID) -> dict[str, AccountInfo]:
    """All (non-deleted) accounts of a book keyed by code, in code order.

    A session keeps each book's chart (``session.info``) until an Account is added, changed or
    deleted through it, or its transaction ends (listeners below); a write that bypasses the ORM
    (``bulk_insert``, raw SQL) calls :func:`forget_charts`. Callers own the copy they get."""
    if not isinstance(conn, Session):
        return _book_accounts(conn, book_id)
    chart = conn.info.get(_CHARTS, {}).get(book_id)
    if chart is None:
        chart = _book_accounts(conn, book_id)  # its autoflush may forget the charts: store after it
        conn.info.setdefault(_CHARTS, {})[book_id] = chart
    return dict(chart)


_CHARTS = "book_charts"  # session.info: book id -> its chart as book_accounts read it


def forget_charts(session: Session) -> None:
    """Drop the charts a session keeps (after writing accounts other than through the ORM)."""
    session.info.pop(_CHARTS, None)


def _forget_if_account(session: Session, instance: object) -> None:
    if isinstance(instance, Account):
        session.info.pop(_CHARTS, None)


def _account_set(target: Account, value: object, old: object, initiator: object) -> None:
    session = object_session(target)
    if session is not None:
        session.info.pop(_CHARTS, None)


def _account_statement(state: ORMExecuteState) -> None:
    if (_CHARTS in state.session.info and not state.is_select and state.bind_mapper is not None
            and state.bind_mapper.class_ is Account):
        state.session.info.pop(_CHARTS, None)


event.listen(Session, "transient_to_pending", _forget_if_account)
event.listen(Session, "persistent_to_deleted", _forget_if_account)
event.listen(Session, "do_orm_execute", _account_statement)
for _end in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _end, lambda session, *_: session.info.pop(_CHARTS, None))
for _column in Account.__mapper__.column_attrs:
    event.listen(getattr(Account, _column.key), "set", _account_set)


_BOOK_ACCOUNTS = (select(Account.id, Account.code, Account.name, Account.category, Account.normal_side,
                         Account.parent_id, Account.level, Account.active)
                  .where(Account.book_id == bindparam("book_id"), Account.deleted.is_(False)).order_by(Account.code))


def _book_accounts(conn: Session | Connection, book_id: uuid.UUID) -> dict[str, AccountInfo]:
    rows = reads(conn).execute(_BOOK_ACCOUNTS, {"book_id": book_id}).all()
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return {r.code: AccountInfo(r.id, r.code, r.name, r.category, r.normal_side, r.parent_id, r.level,
                                r.id not in parents, r.active) for r in rows}


def get_book_row(session: Session, book_id: uuid.UUID) -> BookRow:
    return cached(session, ("book", book_id), lambda: _get_book_row(session, book_id))


def _get_book_row(session: Session, book_id: uuid.UUID) -> BookRow:
    b = session.get(Book, book_id)
    if b is None or b.deleted:
        raise NotFoundError("找不到该账套", field="账套")
    return BookRow(b.id, b.organisation_id, b.code, b.name, b.kind, b.chart_version, b.start_period, b.credit_code)


def subtree(accounts: dict[str, AccountInfo], codes: tuple[str, ...] | list[str]) -> list[AccountInfo]:
    """The accounts whose code starts with any of ``codes`` (each account once)."""
    prefixes = tuple(codes)
    return [a for a in accounts.values() if a.code.startswith(prefixes)]
