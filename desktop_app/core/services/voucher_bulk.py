"""The bulk path for many posted vouchers at once (demo data, benchmarks, migrations of old books).

DBAPI executemany through ``db.changelog.bulk_insert`` (rows and change log, values converted
once), then the month summaries (``account_period_total``) added in one upsert of the batch's
totals, never a rebuild of the whole book. Lines are checked exactly like ``create_voucher``
(balanced, leaf accounts, two decimals, open months); the audit trail gets ONE entry per batch
that names how many vouchers it posted: a deliberate trade-off for speed, used only by trusted
generators, never by user input.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert, driver_cursor, paused_gc
from db.models import Entry, Period, Voucher
from db.types import utcnow, uuid7, uuid7_hex_stream
from desktop_app.core.errors import ValidationError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.entry_tuples import (
    ACCOUNT,
    CREDIT,
    DEBIT,
    ENTRY_COLUMNS,
    ENTRY_STORED,
    FenLines,
    entry_tuples,
    quick_entry_tuples,
    quick_fen_tuples,
)
from desktop_app.core.services.funds_base import (
    YEAR_END_KIND,
    book_accounts,
    get_book_row,
    period_label,
    period_of,
)
from desktop_app.core.services.period_seals import compute_period_seals
from desktop_app.core.services.periods import OpenPeriods
from desktop_app.core.services.permissions import CLOSE_PERIOD, MAKE_VOUCHER
from desktop_app.core.services.voucher_lines import (
    LineInput,
    check_flags,
    check_lines,
    entry_rows,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BulkVoucher:
    voucher_date: date
    summary: str
    lines: Sequence[LineInput]
    source_kind: str | None = None
    source_id: uuid.UUID | None = None
    flags: Sequence[str] = field(default_factory=tuple)
    attachments: int = 1


def bulk_post_vouchers(session: Session, book_id: uuid.UUID, vouchers: Iterable[BulkVoucher], *, maker: UserRow,
                       reviewer: UserRow | None = None, audit_summary: str = "批量记账",
                       progress: Progress | None = None, batch: int = 20000,
                       posted: dict[uuid.UUID, tuple[uuid.UUID, str, int]] | None = None, post: bool = True) -> int:
    """Insert and post vouchers (numbered after the existing ones of each month); returns how many.

    ``posted``, when given, receives each voucher with a source: source id → (voucher id, month, number).
    ``post=False``: the vouchers are only inserted (填制), to be reviewed and posted by people
    (a module's batch when the book's 自动凭证 setting says so); no month totals change."""
    require_role(session, maker, *MAKE_VOUCHER, book_id=book_id)
    with paused_gc():
        writer = _Writer(session, maker, batch, posted)
        count = writer.add_book(book_id, vouchers, reviewer if post else None, post, audit_summary, progress)
        writer.finish()
        return count


def bulk_post_books(session: Session, books: Mapping[uuid.UUID, Sequence[BulkVoucher]], *, maker: UserRow,
                    reviewer: UserRow | None = None, audit_summary: str = "批量记账",
                    post: bool | Mapping[uuid.UUID, bool] = True, batch: int = 20000,
                    posted: dict[uuid.UUID, tuple[uuid.UUID, str, int]] | None = None) -> int:
    """:func:`bulk_post_vouchers` for many books at once (a month's business of a township): each
    book's vouchers checked, numbered and audited exactly as there (one audit entry per book, in
    the order given), the rows of all books written together (one ``bulk_insert`` per table, one
    month-totals upsert, one audit write, one query for the months' last numbers) instead of once
    per book. ``post``: for all books, or per book. Returns how many vouchers."""
    for book_id in books:
        require_role(session, maker, *MAKE_VOUCHER, book_id=book_id)
    with paused_gc():
        writer = _Writer(session, maker, batch, posted)
        writer.last_numbers({(book_id, period_of(bv.voucher_date)) for book_id, vs in books.items() for bv in vs})
        count = 0
        for book_id, vouchers in books.items():
            p = post if isinstance(post, bool) else post[book_id]
            count += writer.add_book(book_id, vouchers, reviewer if p else None, p, audit_summary)
        writer.finish()
        return count


# (month, closing) -> account id (hex) -> [account id (hex), debit 分, credit 分, lines]
Totals = dict[tuple[str, bool], dict[str, list[Any]]]

_LAST_NUMBERS = (select(Voucher.book_id, Voucher.period, func.max(Voucher.number))
                 .where(Voucher.book_id.in_(bindparam("books", expanding=True)),
                        Voucher.period.in_(bindparam("periods", expanding=True)))
                 .group_by(Voucher.book_id, Voucher.period))


class _Writer:
    """Rows of one or many books' vouchers, written with one ``bulk_insert`` per table (every
    ``batch`` entry lines), their month totals and audit entries at :meth:`finish`."""

    def __init__(self, session: Session, maker: UserRow, batch: int,
                 posted: dict[uuid.UUID, tuple[uuid.UUID, str, int]] | None) -> None:
        self.session, self.maker, self.batch, self.posted = session, maker, batch, posted
        self.now = utcnow()
        self.v_rows: list[dict[str, object]] = []
        self.e_rows: list[tuple[Any, ...]] = []  # stored forms (entry_tuples)
        self.ids = uuid7_hex_stream()
        self.totals: dict[uuid.UUID, Totals] = {}
        self.audits: list[AuditRecord] = []
        self.known: dict[tuple[uuid.UUID, str], int] = {}  # (book, month) -> last number, read ahead
        self.open_periods = OpenPeriods(session, ())  # the months' records, read ahead with the numbers

    def last_numbers(self, pairs: set[tuple[uuid.UUID, str]]) -> None:
        """Read the last voucher number of these (book, month)s in one query (0 where none)."""
        if not pairs:
            return
        self.known = dict.fromkeys(pairs, 0)
        self.open_periods = OpenPeriods(self.session, pairs)
        rows = self.session.execute(_LAST_NUMBERS, {"books": sorted({b for b, _ in pairs}),
                                                    "periods": sorted({p for _, p in pairs})})
        for book_id, period, number in rows:
            if (book_id, period) in self.known:
                self.known[(book_id, period)] = number or 0

    def flush(self) -> None:
        bulk_insert(self.session, Voucher, self.v_rows)
        bulk_insert(self.session, Entry, self.e_rows, columns=ENTRY_COLUMNS, stored=ENTRY_STORED)
        self.v_rows.clear()
        self.e_rows.clear()

    def add_book(self, book_id: uuid.UUID, vouchers: Iterable[BulkVoucher], reviewer: UserRow | None, post: bool,
                 audit_summary: str, progress: Progress | None = None) -> int:
        session, maker, v_rows, e_rows = self.session, self.maker, self.v_rows, self.e_rows
        book = get_book_row(session, book_id)
        accounts = book_accounts(session, book_id)
        numbers: dict[str, int] = {}
        now = self.now
        reviewer_name = reviewer.display_name if reviewer else "系统（批量）" if post else None
        done_at, poster = (now, maker.display_name) if post else (None, None)
        status, reviewer_id = "记账" if post else "填制", reviewer.id if reviewer else None
        posted = self.posted
        count = 0
        totals = self.totals.setdefault(book_id, {})
        book_hex, ids = book_id.hex, self.ids
        for i, bv in enumerate(vouchers, start=1):
            period = period_of(bv.voucher_date)
            if period not in numbers:
                self.open_periods.ensure(book_id, period)
                known = self.known.get((book_id, period))
                numbers[period] = known if known is not None else session.scalar(select(func.max(Voucher.number)).where(
                    Voucher.book_id == book_id, Voucher.period == period)) or 0
            vid = uuid7()
            lines = bv.lines
            rows = (quick_fen_tuples(accounts, lines, vid.hex, book_hex, period, ids) if type(lines) is FenLines
                    else quick_entry_tuples(accounts, lines, vid.hex, book_hex, period, ids))
            if rows is None:  # not the common case: the full check words the refusal (or accepts it all the same)
                try:
                    rows = entry_tuples(entry_rows(vid, book_id, period, check_lines(accounts, bv.lines)), ids)
                except ValidationError as exc:
                    raise ValidationError(f"第{i}张凭证（{bv.summary}）：{exc}") from None
            number = numbers[period] = numbers[period] + 1
            v_rows.append({
                "id": vid, "book_id": book_id, "period": period, "number": number,
                "voucher_date": bv.voucher_date, "summary": bv.summary[:200], "attachments": bv.attachments,
                "status": status, "maker_id": maker.id, "maker_name": maker.display_name,
                "reviewer_id": reviewer_id, "reviewer_name": reviewer_name, "reviewed_at": done_at,
                "poster_name": poster, "posted_at": done_at, "source_kind": bv.source_kind,
                "source_id": bv.source_id, "flags": check_flags(bv.flags) if bv.flags else "", "reversal_of_id": None,
                "void_reason": None,
            })
            if posted is not None and bv.source_id is not None:
                posted[bv.source_id] = (vid, period, number)
            month = totals.get((period, bv.source_kind == YEAR_END_KIND)) if post else {}
            if month is None:
                month = totals[(period, bv.source_kind == YEAR_END_KIND)] = {}
            for row in rows:
                account = row[ACCOUNT]
                t = month.get(account)
                if t is None:
                    month[account] = [account, row[DEBIT], row[CREDIT], 1]
                else:
                    t[1] += row[DEBIT]
                    t[2] += row[CREDIT]
                    t[3] += 1
            e_rows.extend(rows)
            count += 1
            if len(e_rows) >= self.batch:
                self.flush()
                if progress is not None:
                    progress.report(i, 0, f"已写入 {i} 张凭证")
                    progress.check()
        # 批量记账 when posted; only made (填制, to be reviewed and posted by people): 批量填制
        self.audits.append(AuditRecord("bulk_post" if post else "bulk_make", "voucher", str(book_id),
                                       f"{book.name}：{audit_summary}，共 {count} 张凭证（批量写入，本批一条审计记录）"
                                       + ("" if post else "，待审核、记账"),
                                       None, {"count": count, "periods": sorted(numbers)}))
        return count

    def finish(self) -> None:
        self.flush()
        _add_totals(self.session, [(book_id, t) for book_id, t in self.totals.items() if t])  # empty unless posted
        record_audit(self.session, self.audits)


def add_totals(session: Session, book_id: uuid.UUID, totals: Totals) -> None:
    """Add posted (month, account, closing) sums and line counts to the summary: one upsert per summary row."""
    _add_totals(session, [(book_id, totals)])


def _add_totals(session: Session, books: Sequence[tuple[uuid.UUID, Totals]]) -> None:
    """:func:`add_totals` of many books in one executemany through the driver's cursor (the summary
    has no ORM hooks; a month of a township is thousands of rows), values in their stored forms."""
    rows = [(book_id.hex, p, a, 1 if c else 0, d, cr, n)  # already stored forms: hex ids, 分
            for book_id, totals in books
            for (p, c), accounts in sorted(totals.items())
            for a, d, cr, n in sorted(accounts.values(), key=lambda t: str(t[0]))]
    if rows:
        cursor = driver_cursor(session)
        try:
            cursor.executemany(_UPSERT_TOTALS, rows)
        finally:
            cursor.close()


_UPSERT_TOTALS = ("INSERT INTO account_period_total (book_id, period, account_id, closing, debit, credit, lines) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (book_id, period, account_id, closing) DO UPDATE SET "
                  "debit = account_period_total.debit + excluded.debit, "
                  "credit = account_period_total.credit + excluded.credit, "
                  "lines = account_period_total.lines + excluded.lines")


def bulk_close_periods(session: Session, book_id: uuid.UUID, periods: Sequence[str], *, user: UserRow) -> None:
    """Seal months that a trusted generator just filled (demo): one audit entry for the batch."""
    closed_by = require_role(session, user, *CLOSE_PERIOD, book_id=book_id).display_name
    if not periods:
        return
    now = utcnow()
    seals = compute_period_seals(session, book_id, list(periods))
    rows: list[dict[str, object]] = [{
        "id": uuid7(), "book_id": book_id, "period": p, "status": "closed",
        "seal_hash": seals[p], "closed_by": closed_by, "closed_at": now,
        "reopen_count": 0, "last_reopen_reason": None, "last_reopened_by": None, "last_reopened_at": None,
    } for p in periods]
    bulk_insert(session, Period, rows)
    record_audit(session, AuditRecord("close", "period", str(book_id),
                                      f"批量结账 {period_label(periods[0])}至{period_label(periods[-1])}（共{len(periods)}个月）",
                                      None, {"periods": list(periods)}))
