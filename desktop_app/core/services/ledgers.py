"""Journals and ledgers: 现金/银行存款日记账, 明细账, 总账 and the 科目余额表 (trial balance).

Balances come from the per-month summary (``balances``); only the journals that list single
entries read the entry table, through the (book, account, period) index.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, literal, select, tuple_, type_coerce
from sqlalchemy.orm import Session

from db.models import Account, AccountPeriodTotal, Entry, Voucher
from db.types import Fen
from desktop_app.core import charts
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.periods import (
    check_period,
    next_period,
    period_label,
    period_start,
    periods_between,
    prev_period,
)
from desktop_app.core.progress import Progress
from desktop_app.core.rows_funds import (
    BalanceRow,
    GeneralLedgerLine,
    Journal,
    JournalLine,
    balance_direction,
    balance_sides,
)
from desktop_app.core.services.balances import balances_before, period_totals
from desktop_app.core.services.funds_base import (
    AccountInfo,
    book_accounts,
    get_book_row,
    read_cache,
    reads,
    subtree,
)

ZERO = Decimal("0.00")


def _range(period_from: str, period_to: str) -> tuple[str, str]:
    a, b = check_period(period_from, "起始期间"), check_period(period_to, "截止期间")
    if a > b:
        raise ValidationError("起始期间不能晚于截止期间", field="起始期间")
    return a, b


def _roll_up(accounts: dict[str, AccountInfo], leaf: dict[uuid.UUID, Decimal]) -> dict[uuid.UUID, Decimal]:
    """Add every account's own amount to all its ancestors."""
    by_id = {a.id: a for a in accounts.values()}
    out: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for acc_id, amount in leaf.items():
        node: uuid.UUID | None = acc_id
        while node is not None and node in by_id:
            out[node] += amount
            node = by_id[node].parent_id
    return out


def trial_balance(session: Session, book_id: uuid.UUID, period_from: str, period_to: str, *,
                  include_zero: bool = False, max_level: int | None = None,
                  progress: Progress | None = None) -> list[BalanceRow]:
    """科目余额表: opening, period debit/credit and closing per account, parents summed from children.

    Balances are shown on their own side (a negative debit balance is a credit balance).
    """
    first, last = _range(period_from, period_to)
    get_book_row(session, book_id)
    accounts = book_accounts(session, book_id)
    opening = _roll_up(accounts, balances_before(session, book_id, first))
    totals = period_totals(session, book_id, first, last)
    debit = _roll_up(accounts, {a: d for a, (d, _) in totals.items()})
    credit = _roll_up(accounts, {a: c for a, (_, c) in totals.items()})
    rows: list[BalanceRow] = []
    for acc in accounts.values():
        if max_level is not None and acc.level > max_level:
            continue
        o, d, c = opening.get(acc.id, ZERO), debit.get(acc.id, ZERO), credit.get(acc.id, ZERO)
        if not include_zero and o == 0 and d == 0 and c == 0:
            continue
        od, oc = balance_sides(o)
        cd, cc = balance_sides(o + d - c)
        rows.append(BalanceRow(acc.id, acc.code, acc.name, acc.level, acc.category, acc.is_leaf,
                               od, oc, d, c, cd, cc))
    return rows


def trial_balance_total(rows: list[BalanceRow]) -> BalanceRow:
    """The 合计 line: sums of the first-level rows (debits equal credits in a balanced book)."""
    top = [r for r in rows if r.level == 1]

    def s(attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in top), ZERO)

    return BalanceRow(None, "", "合计", 0, "", False, s("opening_debit"), s("opening_credit"), s("period_debit"),
                      s("period_credit"), s("closing_debit"), s("closing_credit"))


_JOURNAL_ORDER = (Voucher.voucher_date, Voucher.number, Entry.line_no)


def _posted(book_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[ColumnElement[bool]]:
    return [Entry.book_id == book_id, Entry.account_id.in_(ids), Entry.deleted.is_(False),
            Voucher.status == "记账", Voucher.deleted.is_(False)]


def _entry_lines(book_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> Select[*tuple[Any, ...]]:
    """Posted lines of the accounts ``ids``: what a journal lists (order and period range added by callers)."""
    return (select(Entry.voucher_id, Voucher.voucher_date, Entry.period, Voucher.number,
                   Entry.summary, Voucher.summary, Account.code, Entry.counterparty, Entry.debit, Entry.credit,
                   Entry.line_no)
            .join(Voucher, Voucher.id == Entry.voucher_id).join(Account, Account.id == Entry.account_id)
            .where(*_posted(book_id, ids)))


def _entry_line(r: Any, balance: Decimal) -> JournalLine:
    return JournalLine(r[0], r[1], r[2], r[3], r[4] or r[5], r[6], r[7], r[8], r[9], balance, "entry",
                       *balance_direction(balance))


def _journal(session: Session, book_id: uuid.UUID, code: str, first: str, last: str) -> Journal:
    accounts = book_accounts(session, book_id)
    acc = accounts.get(code)
    if acc is None:
        raise NotFoundError(f"科目 {code} 不存在", field="科目")
    ids = [a.id for a in subtree(accounts, [code])]
    before = balances_before(session, book_id, first)
    balance = sum((before.get(i, ZERO) for i in ids), ZERO)
    opening = balance
    rows = session.execute(
        _entry_lines(book_id, ids).where(Entry.period >= first, Entry.period <= last).order_by(*_JOURNAL_ORDER)
    ).all()
    by_period: dict[str, list[JournalLine]] = defaultdict(list)
    for r in rows:
        balance += r[8] - r[9]
        by_period[r[2]].append(_entry_line(r, balance))
    lines = [JournalLine(None, None, first, None, "期初余额", code, None, ZERO, ZERO, opening, "opening",
                         *balance_direction(opening))]
    running = opening
    year_d = year_c = ZERO
    if not first.endswith("-01"):  # 本年累计 counts from January even when the journal starts later
        before_year = period_totals(session, book_id, f"{first[:4]}-01", prev_period(first))
        year_d = sum((before_year.get(i, (ZERO, ZERO))[0] for i in ids), ZERO)
        year_c = sum((before_year.get(i, (ZERO, ZERO))[1] for i in ids), ZERO)
    total_d = total_c = ZERO
    for p in periods_between(first, last):
        month = by_period.get(p, [])
        md = sum((x.debit for x in month), ZERO)
        mc = sum((x.credit for x in month), ZERO)
        running += md - mc
        lines.extend(month)
        if p.endswith("-01"):
            year_d = year_c = ZERO
        year_d, year_c = year_d + md, year_c + mc
        total_d, total_c = total_d + md, total_c + mc
        side = balance_direction(running)
        lines.append(JournalLine(None, None, p, None, f"{period_label(p)} 本月合计", code, None, md, mc, running,
                                 "month_total", *side))
        lines.append(JournalLine(None, None, p, None, "本年累计", code, None, year_d, year_c, running, "year_total",
                                 *side))
    return Journal(code, acc.name, first, last, opening, total_d, total_c, running, tuple(lines))


def account_ledger(session: Session, book_id: uuid.UUID, account_code: str, period_from: str,
                   period_to: str) -> Journal:
    """明细账 of one account (its sub-accounts included), with running balance and month totals."""
    first, last = _range(period_from, period_to)
    return _journal(session, book_id, account_code, first, last)


def cash_journal(session: Session, book_id: uuid.UUID, period_from: str, period_to: str) -> Journal:
    """现金日记账."""
    book = get_book_row(session, book_id)
    first, last = _range(period_from, period_to)
    return _journal(session, book_id, charts.account_role(book.chart_version, "cash"), first, last)


def bank_journal(session: Session, book_id: uuid.UUID, period_from: str, period_to: str) -> Journal:
    """银行存款日记账 (all bank sub-accounts together)."""
    book = get_book_row(session, book_id)
    first, last = _range(period_from, period_to)
    return _journal(session, book_id, charts.account_role(book.chart_version, "bank"), first, last)


def general_ledger(session: Session, book_id: uuid.UUID, period_from: str, period_to: str,
                   account_code: str | None = None) -> list[GeneralLedgerLine]:
    """总账: per first-level account (or the one named) and month, opening, debit, credit, closing."""
    first, last = _range(period_from, period_to)
    accounts = book_accounts(session, book_id)
    tops = [a for a in accounts.values() if a.level == 1 and (account_code is None or a.code == account_code)]
    if account_code is not None and not tops:
        raise NotFoundError(f"一级科目 {account_code} 不存在", field="科目")
    balance = _roll_up(accounts, balances_before(session, book_id, first))
    out: list[GeneralLedgerLine] = []
    months = periods_between(first, last)
    monthly = [(p, period_totals(session, book_id, p, p)) for p in months]
    rolled = [(p, _roll_up(accounts, {a: d for a, (d, _) in t.items()}),
               _roll_up(accounts, {a: c for a, (_, c) in t.items()})) for p, t in monthly]
    for acc in tops:
        running = balance.get(acc.id, ZERO)
        for p, debit, credit in rolled:
            d, c = debit.get(acc.id, ZERO), credit.get(acc.id, ZERO)
            out.append(GeneralLedgerLine(acc.code, acc.name, p, running, d, c, running + d - c,
                                         *balance_direction(running), *balance_direction(running + d - c)))
            running += d - c
    return out


# -- a journal read a page at a time (明细账 / 日记账 of ~50k lines and more) ----------------------------

@dataclass(frozen=True)
class JournalMonth:
    """One month of a paged journal: its posted lines (count, sums) and its two total lines."""

    period: str
    count: int
    start_balance: Decimal  # the running balance before the month's first line
    month_total: JournalLine
    year_total: JournalLine


@dataclass(frozen=True)
class JournalOutline:
    """Everything of a journal but its entry lines: opening line, months, accounts read.

    ``journal_page`` reads the entry lines of one month by keyset; together they give exactly
    the lines of ``account_ledger`` / ``cash_journal`` / ``bank_journal``.
    """

    account_code: str
    account_name: str
    period_from: str
    period_to: str
    account_ids: tuple[uuid.UUID, ...]
    opening: JournalLine
    months: tuple[JournalMonth, ...]
    closing: Decimal

    @property
    def entry_count(self) -> int:
        return sum(m.count for m in self.months)


@dataclass(frozen=True)
class JournalPage:
    """Entry lines of one month in journal order; ``last_key`` continues after the last of them."""

    lines: tuple[JournalLine, ...]
    last_key: tuple[Any, ...] | None


def journal_outline(session: Session, book_id: uuid.UUID, period_from: str, period_to: str, *,
                    account_code: str | None = None, role: str | None = None) -> JournalOutline:
    """The outline of a 明细账 (``account_code``) or a 现金/银行存款日记账 (``role`` "cash" / "bank").

    Each month's line count and sums come from the month summaries (``account_period_total``,
    one grouped query over a few rows per month, never the journal; the month totals are those
    sums, as in the whole journal); the lines themselves are read by ``journal_page``.
    """
    first, last = _range(period_from, period_to)
    with read_cache(session):  # the chart, book and balances read once, on the session's connection
        return _journal_outline(session, book_id, first, last, account_code, role)


def _journal_outline(session: Session, book_id: uuid.UUID, first: str, last: str, account_code: str | None,
                     role: str | None) -> JournalOutline:
    if role is not None:
        code = charts.account_role(get_book_row(session, book_id).chart_version, role)
    elif account_code:
        code = account_code
    else:
        raise ValidationError("请输入科目编码", field="科目")
    found = reads(session).execute(  # the account and its sub-accounts (``subtree``), not the whole chart
        select(Account.id, Account.code, Account.name)
        .where(Account.book_id == book_id, Account.deleted.is_(False), func.substr(Account.code, 1, len(code)) == code)
        .order_by(Account.code)).all()
    name = next((n for _, c, n in found if c == code), None)
    if name is None:
        raise NotFoundError(f"科目 {code} 不存在", field="科目")
    ids = tuple(i for i, _, _ in found)
    before = balances_before(session, book_id, first)
    opening = sum((before.get(i, ZERO) for i in ids), ZERO)
    t = AccountPeriodTotal
    grouped = reads(session).execute(
        select(t.period, func.sum(t.lines), type_coerce(func.coalesce(func.sum(t.debit), 0), Fen()),
               type_coerce(func.coalesce(func.sum(t.credit), 0), Fen()))
        .where(t.book_id == book_id, t.account_id.in_(ids), t.period >= first, t.period <= last)
        .group_by(t.period)
    ).all()
    per_month = {p: (int(n or 0), d, c) for p, n, d, c in grouped}
    year_d = year_c = ZERO
    if not first.endswith("-01"):  # 本年累计 counts from January even when the journal starts later
        before_year = period_totals(session, book_id, f"{first[:4]}-01", prev_period(first))
        year_d = sum((before_year.get(i, (ZERO, ZERO))[0] for i in ids), ZERO)
        year_c = sum((before_year.get(i, (ZERO, ZERO))[1] for i in ids), ZERO)
    running = opening
    months: list[JournalMonth] = []
    for p in periods_between(first, last):
        n, md, mc = per_month.get(p, (0, ZERO, ZERO))
        start = running
        running += md - mc
        if p.endswith("-01"):
            year_d = year_c = ZERO
        year_d, year_c = year_d + md, year_c + mc
        side = balance_direction(running)
        months.append(JournalMonth(
            p, n, start,
            JournalLine(None, None, p, None, f"{period_label(p)} 本月合计", code, None, md, mc, running,
                        "month_total", *side),
            JournalLine(None, None, p, None, "本年累计", code, None, year_d, year_c, running, "year_total", *side)))
    opening_line = JournalLine(None, None, first, None, "期初余额", code, None, ZERO, ZERO, opening, "opening",
                               *balance_direction(opening))
    return JournalOutline(code, name, first, last, ids, opening_line, tuple(months), running)


def journal_page(session: Session, book_id: uuid.UUID, account_ids: Sequence[uuid.UUID], period: str, *,
                 start_balance: Decimal, after: tuple[Any, ...] | None = None, offset: int = 0,
                 limit: int = 500) -> JournalPage:
    """Up to ``limit`` entry lines of ``period`` with their running balance.

    ``after`` (a ``last_key`` of an earlier page) continues by keyset, the running balance going on
    from ``start_balance`` (the balance after that key's line). Without it the page starts at line
    ``offset`` of the month and ``start_balance`` is the month's; the lines skipped are summed in SQL.
    """
    if limit < 1 or offset < 0:
        raise ValidationError("分页参数无效")
    with read_cache(session):  # column selects on the session's connection: no ORM execute per query
        return _journal_page(reads(session), book_id, account_ids, period, start_balance, after, offset, limit)


def _journal_page(conn: Session | Connection, book_id: uuid.UUID, account_ids: Sequence[uuid.UUID], period: str,
                  start_balance: Decimal, after: tuple[Any, ...] | None, offset: int, limit: int) -> JournalPage:
    codes: dict[uuid.UUID, str] = {i: c for i, c in conn.execute(select(Account.id, Account.code)
                                                                 .where(Account.id.in_(account_ids)))}
    base = _month_lines(book_id, account_ids, period)
    balance = start_balance
    if after is not None:
        date, number, line_no = after
        query = base.where(Voucher.voucher_date >= date,
                           tuple_(*_JOURNAL_ORDER) > tuple_(literal(date, Voucher.voucher_date.type), number, line_no))
    else:
        query = base
        if offset:
            skipped = base.order_by(*_JOURNAL_ORDER).limit(offset).subquery()
            d, c = conn.execute(select(type_coerce(func.coalesce(func.sum(skipped.c.debit), 0), Fen()),
                                       type_coerce(func.coalesce(func.sum(skipped.c.credit), 0), Fen()))).one()
            balance += d - c
            query = base.offset(offset)
    rows = conn.execute(query.order_by(*_JOURNAL_ORDER).limit(limit)).all()
    lines = []
    for r in rows:
        balance += r.debit - r.credit
        lines.append(JournalLine(r.voucher_id, r.voucher_date, r.period, r.number, r.summary or r.voucher_summary,
                                 codes[r.account_id], r.counterparty, r.debit, r.credit, balance, "entry",
                                 *balance_direction(balance)))
    last_key = (rows[-1].voucher_date, rows[-1].number, rows[-1].line_no) if rows else None
    return JournalPage(tuple(lines), last_key)


def _month_lines(book_id: uuid.UUID, ids: Sequence[uuid.UUID], period: str) -> Select[*tuple[Any, ...]]:
    """One month's posted lines of accounts ``ids``, read from the voucher side.

    SQLite walks the month's vouchers in journal order (``ix_voucher_book_date_number``) and each voucher's
    lines by ``(voucher_id, line_no)``, so a page in journal order costs its own rows, not the
    month's. The entry conditions are on columns no entry index leads with, on purpose: the
    (book, account, period) index would make SQLite sort the whole month for every page.
    """
    first_day, next_first = period_start(period), period_start(next_period(period))
    return (select(Entry.voucher_id, Voucher.voucher_date, Voucher.period, Voucher.number, Entry.summary,
                   Voucher.summary.label("voucher_summary"), Entry.account_id, Entry.counterparty, Entry.debit,
                   Entry.credit, Entry.line_no)
            .select_from(Voucher).join(Entry, Entry.voucher_id == Voucher.id)
            .where(Voucher.book_id == book_id, Voucher.voucher_date >= first_day, Voucher.voucher_date < next_first,
                   Voucher.period == period, Voucher.status == "记账", Voucher.deleted.is_(False),
                   Entry.account_id.in_(ids), Entry.deleted.is_(False)))
