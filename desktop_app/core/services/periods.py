"""Accounting periods (会计期间): open/closed, month close with a seal, reopening with a reason.

A month without a ``period`` row is open. Closing checks that every voucher is posted, cash is
not negative and the trial balance balances (December: every account the year-end close carries
is at zero), then seals the month: SHA-256 over the canonical JSON of what its statements read:
its vouchers (with maker, reviewer and poster) and entries, the book's opening balances, and the
account tree (code, parent, category, normal side, level) of every account used so far.
``period_seals.verify_period_seals`` recomputes every seal, so a closed month edited behind the program's back
is reported by ``python -m desktop_app verify``. Closing is sequential (a month closes after the
one before it); reopening goes backwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import Account, AccountPeriodTotal, Book, OpeningBalance, Period, Voucher
from db.types import utcnow, uuid7
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.money import from_fen
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_funds import PeriodReopenInfo, PeriodRow
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.funds_base import (
    AccountInfo,
    book_accounts,
    check_period,
    get_book_row,
    next_period,
    period_label,
    period_of,
    prev_period,
    read_cache,
    reads,
    subtree,
)
from desktop_app.core.services.period_audit import audit_says_closed
from desktop_app.core.services.period_seals import (
    BOOKS,
    as_stored_fen,
    as_stored_text,
    compute_period_seal,
    compute_period_seals_of,
)
from desktop_app.core.services.users import require_role

ZERO = Decimal("0.00")


# Statements the disclosure sheets run for every book are built once: building one costs
# SQLAlchemy more than running it.
_PERIOD_ROW = (select(Period.status, Period.seal_hash, Period.closed_by, Period.closed_at, Period.reopen_count,
                      Period.last_reopen_reason)
               .where(Period.book_id == bindparam("book_id"), Period.period == bindparam("period")))


def period_row(session: Session | Connection, book_id: uuid.UUID, period: str) -> PeriodRow:
    r = reads(session).execute(_PERIOD_ROW, {"book_id": book_id, "period": period}).first()
    if r is None:
        return PeriodRow(book_id, period, "open", None, None, None, 0, None)
    return PeriodRow(book_id, period, *r)


def period_status(session: Session, book_id: uuid.UUID, period: str) -> PeriodRow:
    return period_row(session, book_id, check_period(period))


def list_periods(session: Session, book_id: uuid.UUID) -> list[PeriodRow]:
    """Every month that has a period record (closed now or once), oldest first."""
    rows = session.execute(select(Period.period).where(Period.book_id == book_id).order_by(Period.period))
    return [period_row(session, book_id, p) for (p,) in rows]


def last_closed_period(session: Session | Connection, book_id: uuid.UUID) -> str | None:
    return session.execute(select(func.max(Period.period))
                           .where(Period.book_id == book_id, Period.status == "closed")).scalar()


_PERIOD_STATUS = select(Period.status, Period.id).where(Period.book_id == bindparam("book_id"),
                                                        Period.period == bindparam("period"))


def ensure_period_open(session: Session, book_id: uuid.UUID, on: date | str) -> None:
    """Refuse (ConflictError) any write dated in a closed month; every module calls this first.

    ``on`` is a ``date`` or a ``YYYY-MM`` string.
    """
    period = check_period(on, "日期") if isinstance(on, str) else period_of(on)
    _ensure_open(session, book_id, period, _period_status_row(session, book_id, period))


class OpenPeriods:
    """:func:`ensure_period_open` for a batch writer (many books' vouchers of a month): the period
    rows of the (book, month) pairs it will write are read in one query, and each pair is then
    checked where the batch meets it, with the same refusals in the same order as one call each."""

    def __init__(self, session: Session, pairs: Iterable[tuple[uuid.UUID, str]]) -> None:
        self.session = session
        pairs = set(pairs)
        self.rows: dict[tuple[uuid.UUID, str], Any] = dict.fromkeys(pairs)
        if pairs:
            found = reads(session).execute(_PERIOD_STATUS_MANY, {"books": sorted({b for b, _ in pairs}),
                                                                 "periods": sorted({p for _, p in pairs})})
            for book_id, period, status, period_id in found:
                if (book_id, period) in self.rows:
                    self.rows[(book_id, period)] = (status, period_id)

    def ensure(self, book_id: uuid.UUID, period: str) -> None:
        key = (book_id, period)
        found = self.rows[key] if key in self.rows else _period_status_row(self.session, book_id, period)
        _ensure_open(self.session, book_id, period, found)


def _period_status_row(session: Session, book_id: uuid.UUID, period: str) -> Any:
    return reads(session).execute(_PERIOD_STATUS, {"book_id": book_id, "period": period}).first()


_PERIOD_STATUS_MANY = (select(Period.book_id, Period.period, Period.status, Period.id)
                       .where(Period.book_id.in_(bindparam("books", expanding=True)),
                              Period.period.in_(bindparam("periods", expanding=True))))


def _ensure_open(session: Session, book_id: uuid.UUID, period: str, found: Any) -> None:
    """ensure_period_open's rule, given the month's (status, id) row (None: no record)."""
    book = get_book_row(session, book_id)
    if period < book.start_period:
        raise ConflictError(f"{period_label(period)}早于账套启用期间{period_label(book.start_period)}，不能记账",
                            field="日期")
    if found is not None and found[0] == "closed":
        raise ConflictError(f"{period_label(period)}已结账，不能修改。如需更正，请在未结账的月份填制更正凭证，"
                            "或由审核员反结账", field="日期")
    _refuse_reopened_behind(session, book_id, period, "拒绝写入", field="日期", found=found)


_NOT_READ: Any = object()


def _refuse_reopened_behind(session: Session, book_id: uuid.UUID, period: str, refused: str, *, field: str,
                            found: Any = _NOT_READ) -> None:
    """A month the audit log says is closed, whose row was set back to open behind the program's
    back, takes no write — not even a new 结账, which would seal over the evidence. ``found``: the
    month's (status, id) row when the caller has just read it."""
    if found is _NOT_READ:
        found = _period_status_row(session, book_id, period)
    if found is not None and found[0] != "closed" and audit_says_closed(reads(session), book_id, period, found[1]):
        raise ConflictError(f"{period_label(period)}按审计日志已结账，但期间记录被改为未结账且没有反结账记录"
                            f"（已被程序以外的方式修改），{refused}。请告知系统管理员：在“备份与恢复”页从此前的备份恢复"
                            "（命令 verify 列出所有被改动之处）", field=field)


def year_end_accounts(accounts: dict[str, AccountInfo], chart_version: str) -> list[AccountInfo]:
    """The accounts the year-end close brings to zero: every 损益 account, 本年收益 and 各项分配."""
    scope = subtree(accounts, [*charts.account_roles(chart_version, "current_year_income"),
                               *charts.account_roles(chart_version, "distributions")])
    ids = {a.id for a in scope}
    return [a for a in accounts.values() if a.category == "损益" or a.id in ids]


def year_end_leftovers(conn: Session | Connection, book_id: uuid.UUID, period: str) -> list[tuple[AccountInfo, Decimal]]:
    """Each account the year-end close carries that still has a balance at the end of ``period``
    (each account on its own: an income and an expense that cancel out are both listed)."""
    book = conn.execute(select(Book.chart_version).where(Book.id == book_id)).scalar_one()
    bal = balances_at_end(conn, book_id, period)
    return [(a, bal[a.id]) for a in year_end_accounts(book_accounts(conn, book_id), book)
            if bal.get(a.id, ZERO) != 0]


def describe_balances(items: list[tuple[AccountInfo, Decimal]], limit: int = 8) -> str:
    """``50101 出租收入 贷方 1000.00、51302 办公费 借方 1000.00`` (at most ``limit``, then 等N个科目)."""
    text = "、".join(f"{a.code} {a.name} {'借' if b > 0 else '贷'}方 {abs(b)}" for a, b in items[:limit])
    return text + (f" 等{len(items)}个科目" if len(items) > limit else "")


def close_checks(session: Session, book_id: uuid.UUID, period: str) -> list[str]:
    """Why ``period`` cannot be closed (empty: it can)."""
    problems: list[str] = []
    open_ = session.execute(select(Voucher.number, Voucher.status).where(
        Voucher.book_id == book_id, Voucher.period == period, Voucher.status.in_(("填制", "审核")),
        Voucher.deleted.is_(False)).order_by(Voucher.number)).all()
    if open_:
        nums = "、".join(f"第{n}号（{s}）" for n, s in open_[:10])
        problems.append(f"有 {len(open_)} 张凭证尚未记账：{nums}")
    accounts = book_accounts(session, book_id)
    bal = balances_at_end(session, book_id, period)
    book = get_book_row(session, book_id)
    cash_codes = charts.account_roles(book.chart_version, "cash")
    cash = sum((bal.get(a.id, ZERO) for a in subtree(accounts, cash_codes)), ZERO)
    if cash < 0:
        problems.append(f"库存现金期末余额为负数（{cash}），请检查是否漏记收入或重复记支出")
    total = sum(bal.values(), ZERO)
    if total != 0:
        problems.append(f"试算不平衡：借方余额合计与贷方余额合计相差 {total}")
    if period.endswith("-12"):
        left = [(a, bal[a.id]) for a in year_end_accounts(accounts, book.chart_version) if bal.get(a.id, ZERO) != 0]
        if left:
            problems.append("12月结账前须先进行年终结转（损益类科目、本年收益和各项分配的每个科目都应无余额），"
                            f"仍有余额的科目：{describe_balances(left)}")
    return problems


_OPEN_VOUCHERS_OF = (select(Voucher.book_id, Voucher.period, Voucher.number, Voucher.status)
                     .where(Voucher.book_id.in_(BOOKS), Voucher.period.in_(bindparam("periods", expanding=True)),
                            Voucher.status.in_(("填制", "审核")), Voucher.deleted.is_(False))
                     .order_by(Voucher.number))
_CHECK_ACCOUNTS = (select(as_stored_text(Account.book_id), as_stored_text(Account.id), Account.code)
                   .where(Account.book_id.in_(BOOKS), Account.deleted.is_(False)))
_CHECK_OPENING = (select(as_stored_text(OpeningBalance.book_id), as_stored_text(OpeningBalance.account_id), as_stored_fen(OpeningBalance.debit),
                         as_stored_fen(OpeningBalance.credit))
                  .where(OpeningBalance.book_id.in_(BOOKS), OpeningBalance.deleted.is_(False)))
_CHECK_TOTALS = (select(as_stored_text(AccountPeriodTotal.book_id), as_stored_text(AccountPeriodTotal.account_id),
                        func.sum(as_stored_fen(AccountPeriodTotal.debit)), func.sum(as_stored_fen(AccountPeriodTotal.credit)))
                 .where(AccountPeriodTotal.book_id.in_(BOOKS), AccountPeriodTotal.period <= bindparam("period"))
                 .group_by(AccountPeriodTotal.book_id, AccountPeriodTotal.account_id))


def close_checks_of(session: Session, wanted: Sequence[tuple[uuid.UUID, str]]) -> dict[tuple[uuid.UUID, str], list[str]]:
    """:func:`close_checks` of many (book, month) pairs in a handful of queries: the same
    problems, in the same words. December (the year-end carry-forward check lists accounts by
    name) goes through :func:`close_checks` itself. A book that does not exist is left out (the
    caller refuses it when it comes to it)."""
    out: dict[tuple[uuid.UUID, str], list[str]] = {}
    months: dict[str, list[uuid.UUID]] = {}
    versions: dict[uuid.UUID, str] = {}
    for book_id, period in wanted:
        try:
            versions[book_id] = get_book_row(session, book_id).chart_version
        except NotFoundError:
            continue
        if period.endswith("-12"):
            out[(book_id, period)] = close_checks(session, book_id, period)
        else:
            months.setdefault(period, []).append(book_id)
    if not months:
        return out
    conn = reads(session)
    books = sorted({b for bs in months.values() for b in bs})
    book_of = {b.hex: b for b in books}
    open_: dict[tuple[uuid.UUID, str], list[tuple[int, str]]] = {}
    for b, p, number, status in conn.execute(_OPEN_VOUCHERS_OF, {"books": books, "periods": sorted(months)}):
        open_.setdefault((b, p), []).append((number, status))
    codes: dict[uuid.UUID, dict[str, str]] = {b: {} for b in books}  # book -> account (stored text) -> code
    for b, a, code in conn.execute(_CHECK_ACCOUNTS, {"books": books}):
        codes[book_of[b]][a] = code
    opening: dict[uuid.UUID, dict[str, int]] = {b: {} for b in books}
    for b, a, d, c in conn.execute(_CHECK_OPENING, {"books": books}):
        acc = opening[book_of[b]]
        acc[a] = acc.get(a, 0) + d - c
    for period, ids in months.items():
        bal = {b: dict(opening[b]) for b in ids}
        for b, a, d, c in conn.execute(_CHECK_TOTALS, {"books": ids, "period": period}):
            acc = bal[book_of[b]]
            acc[a] = acc.get(a, 0) + (d or 0) - (c or 0)
        for book_id in ids:
            problems: list[str] = []
            found = open_.get((book_id, period), [])
            if found:
                nums = "、".join(f"第{n}号（{st}）" for n, st in found[:10])
                problems.append(f"有 {len(found)} 张凭证尚未记账：{nums}")
            cash_codes = tuple(charts.account_roles(versions[book_id], "cash"))
            b_bal = bal[book_id]
            cash = sum(b_bal.get(a, 0) for a, code in codes[book_id].items() if code.startswith(cash_codes))
            if cash < 0:
                problems.append(f"库存现金期末余额为负数（{from_fen(cash)}），请检查是否漏记收入或重复记支出")
            total = sum(b_bal.values())
            if total != 0:
                problems.append(f"试算不平衡：借方余额合计与贷方余额合计相差 {from_fen(total)}")
            out[(book_id, period)] = problems
    return out


def close_period(session: Session, book_id: uuid.UUID, period: str, *, user: UserRow,
                 progress: Progress | None = None) -> PeriodRow:
    """结账: check, then seal. The month before (if the book was open then) must be closed first."""
    require_role(session, user, "bookkeeper", "reviewer", book_id=book_id)
    period = check_period(period)
    book = get_book_row(session, book_id)
    if period < book.start_period:
        raise ValidationError(f"{period_label(period)}早于账套启用期间", field="会计期间")
    current = period_row(session, book_id, period)
    if current.is_closed:
        raise ConflictError(f"{period_label(period)}已经结账", field="会计期间")
    _refuse_reopened_behind(session, book_id, period, "不能再结账", field="会计期间")
    if period > book.start_period and not period_row(session, book_id, prev_period(period)).is_closed:
        raise ConflictError(f"请先结账{period_label(prev_period(period))}，再结账{period_label(period)}",
                            field="会计期间")
    problems = close_checks(session, book_id, period)
    if problems:
        raise ConflictError(f"{period_label(period)}不能结账：" + "；".join(problems), field="会计期间")
    seal = compute_period_seal(session, book_id, period)
    p = session.execute(select(Period).where(Period.book_id == book_id, Period.period == period)).scalar()
    before = None
    if p is None:
        p = Period(book_id=book_id, period=period, reopen_count=0)
        session.add(p)
    else:
        before = {"status": p.status, "seal_hash": p.seal_hash}
    p.status, p.seal_hash, p.closed_by, p.closed_at = "closed", seal, user.display_name, utcnow()
    session.flush()
    record_audit(session, AuditRecord("close", "period", str(p.id), f"{book.name} {period_label(period)} 结账",
                                      before, {"status": "closed", "seal_hash": seal}))
    return period_row(session, book_id, period)


def close_periods(session: Session, items: Sequence[tuple[uuid.UUID, str]], *, user: UserRow) -> list[PeriodRow]:
    """结账 many (book, month) pairs at once (a township's month end; a book's months in order).

    Each is checked exactly as :func:`close_period` checks one (the month before closed or closed
    earlier in ``items``, every voucher posted, cash not negative, the trial balance balanced,
    December carried forward), all of them before anything is written; then each is sealed with
    its own audit entry. The checks read each book's chart and balances once (``read_cache``)."""
    require_role(session, user, "bookkeeper", "reviewer")
    wanted = [(book_id, check_period(period)) for book_id, period in items]
    closing: set[tuple[uuid.UUID, str]] = set()
    names: dict[uuid.UUID, str] = {}
    by_book: dict[uuid.UUID, list[str]] = {}
    with read_cache(session):
        checks = close_checks_of(session, wanted)
        for book_id, period in wanted:
            book = get_book_row(session, book_id)
            names[book_id] = book.name
            label = f"{book.name} {period_label(period)}"
            if period < book.start_period:
                raise ValidationError(f"{label}早于账套启用期间", field="会计期间")
            if (book_id, period) in closing or period_row(session, book_id, period).is_closed:
                raise ConflictError(f"{label}已经结账", field="会计期间")
            _refuse_reopened_behind(session, book_id, period, "不能再结账", field="会计期间")
            before = prev_period(period)
            if period > book.start_period and (book_id, before) not in closing \
                    and not period_row(session, book_id, before).is_closed:
                raise ConflictError(f"{book.name}：请先结账{period_label(before)}，再结账{period_label(period)}",
                                    field="会计期间")
            problems = checks[(book_id, period)]
            if problems:
                raise ConflictError(f"{label}不能结账：" + "；".join(problems), field="会计期间")
            closing.add((book_id, period))
            by_book.setdefault(book_id, []).append(period)
        seals = compute_period_seals_of(session, by_book)
    if not wanted:
        return []
    found = {(p.book_id, p.period): p for p in session.scalars(select(Period).where(
        Period.book_id.in_(list(by_book)), Period.period.in_(sorted({p for _, p in wanted}))))}
    now, new_rows, out = utcnow(), [], []
    audits: list[AuditRecord] = []
    for book_id, period in wanted:
        seal, p = seals[(book_id, period)], found.get((book_id, period))
        what = f"{names[book_id]} {period_label(period)} 结账"
        after = {"status": "closed", "seal_hash": seal}
        if p is None:
            pid = uuid7()
            new_rows.append({"id": pid, "book_id": book_id, "period": period, "status": "closed", "seal_hash": seal,
                             "closed_by": user.display_name, "closed_at": now, "reopen_count": 0,
                             "last_reopen_reason": None, "last_reopened_by": None, "last_reopened_at": None})
            audits.append(AuditRecord("close", "period", str(pid), what, None, after))
            out.append(PeriodRow(book_id, period, "closed", seal, user.display_name, now, 0, None))
        else:
            audits.append(AuditRecord("close", "period", str(p.id), what,
                                      {"status": p.status, "seal_hash": p.seal_hash}, after))
            p.status, p.seal_hash, p.closed_by, p.closed_at = "closed", seal, user.display_name, now
            out.append(PeriodRow(book_id, period, "closed", seal, user.display_name, now, p.reopen_count,
                                 p.last_reopen_reason))
    session.flush()
    bulk_insert(session, Period, new_rows)
    record_audit(session, audits)  # one chained append for all of them, each its own entry
    return out


def reopen_period(session: Session, book_id: uuid.UUID, period: str, *, user: UserRow, reason: str) -> PeriodRow:
    """反结账: reviewer role and a reason; only the latest closed month; recorded for disclosure."""
    require_role(session, user, "reviewer", book_id=book_id)
    period = check_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("反结账必须填写原因", field="原因")
    book = get_book_row(session, book_id)
    p = session.execute(select(Period).where(Period.book_id == book_id, Period.period == period)).scalar()
    if p is None or p.status != "closed":
        raise ConflictError(f"{period_label(period)}尚未结账，无需反结账", field="会计期间")
    if period_row(session, book_id, next_period(period)).is_closed:
        raise ConflictError(f"{period_label(next_period(period))}已结账，请先反结账以后的月份", field="会计期间")
    before = {"status": p.status, "seal_hash": p.seal_hash, "reopen_count": p.reopen_count}
    p.status = "open"
    p.reopen_count += 1
    p.last_reopen_reason, p.last_reopened_by, p.last_reopened_at = reason, user.display_name, utcnow()
    session.flush()
    record_audit(session, AuditRecord(
        "reopen", "period", str(p.id), f"{book.name} {period_label(period)} 反结账（第{p.reopen_count}次）：{reason}",
        before, {"status": "open", "reopen_count": p.reopen_count, "reason": reason}))
    return period_row(session, book_id, period)


_REOPEN_INFO = (select(Period.reopen_count, Period.last_reopen_reason, Period.last_reopened_by,
                       Period.last_reopened_at, Period.status)
                .where(Period.book_id == bindparam("book_id"), Period.period == bindparam("period")))


def period_reopen_info(session: Session, book_id: uuid.UUID, period: str) -> PeriodReopenInfo | None:
    """For disclosure: was this month ever reopened after closing? (None if never.)"""
    r = reads(session).execute(_REOPEN_INFO, {"book_id": book_id, "period": check_period(period)}).first()
    if r is None or not r.reopen_count:
        return None
    return PeriodReopenInfo(period, r.reopen_count, r.last_reopen_reason or "", r.last_reopened_by,
                            r.last_reopened_at, r.status == "closed")
