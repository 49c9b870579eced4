"""The demo's 合同及租金收缴 tables, every month, quarter and year of every book, against independent
SQL over the raw file: 本期实收 equals the cash and bank lines of the receipt vouchers posted in
the period; 期末欠缴 equals what was due by the period's end and not received by then, in total
and contract by contract (and the arrears report says the same); every contract owing rent at the
end or with rent due in the period is listed."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.migrate import open_database
from desktop_app.core.services.contract_warnings import disclosure_contracts_section, list_arrears
from desktop_app.core.services.funds_base import period_end
from tests.conftest import copy_of

ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def demo(two_year_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of(two_year_demo, tmp_path_factory.mktemp("contracts_ties"))


@pytest.fixture(scope="module")
def raw(demo: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo)
    yield con
    con.close()


def _fen(v: int | None) -> Decimal:
    return (Decimal(v or 0) / 100).quantize(Decimal("0.01"))


def _booked(raw: sqlite3.Connection, book: str, first: date, last: date) -> Decimal:
    """Cash and bank debits of the receipt vouchers posted in the span (red reversals negative)."""
    v = raw.execute(
        "SELECT sum(e.debit) FROM entry e JOIN voucher v ON v.id = e.voucher_id JOIN account a ON a.id = e.account_id "
        "WHERE v.book_id = ? AND v.source_kind = 'contract_receipt' AND v.status = '记账' AND v.deleted = 0 "
        "AND (a.code LIKE '101%' OR a.code LIKE '102%') AND v.voucher_date BETWEEN ? AND ?",
        (book, first.isoformat(), last.isoformat())).fetchone()[0]
    return _fen(v)


def _owed(raw: sqlite3.Connection, book: str, as_of: date) -> dict[str, Decimal]:
    """Per contract number: installments due by ``as_of`` (not of a draft, not for a period after a
    termination) less what was applied to them by then."""
    rows = raw.execute(
        "SELECT c.number, i.amount, (SELECT coalesce(sum(a.amount), 0) FROM contract_allocation a "
        "  WHERE a.installment_id = i.id AND a.deleted = 0 AND a.allocated_on <= ?) "
        "FROM contract_installment i JOIN contract c ON c.id = i.contract_id "
        "WHERE c.book_id = ? AND c.deleted = 0 AND i.deleted = 0 AND c.status != '草拟' AND i.due_date <= ? "
        "AND NOT (c.status = '终止' AND c.terminated_on IS NOT NULL AND i.period_start >= c.terminated_on)",
        (as_of.isoformat(), book, as_of.isoformat())).fetchall()
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for number, amount, got in rows:
        if amount > got:
            out[number] += _fen(amount - got)
    return {k: v for k, v in out.items() if v}


def _due(raw: sqlite3.Connection, book: str, first: date, last: date) -> set[str]:
    return {r[0] for r in raw.execute(
        "SELECT DISTINCT c.number FROM contract_installment i JOIN contract c ON c.id = i.contract_id "
        "WHERE c.book_id = ? AND c.deleted = 0 AND i.deleted = 0 AND c.status != '草拟' "
        "AND i.due_date BETWEEN ? AND ?", (book, first.isoformat(), last.isoformat()))}


def test_every_period_of_the_demo_ties_to_the_books(demo: Path, raw: sqlite3.Connection) -> None:
    import uuid

    books = raw.execute("SELECT DISTINCT c.book_id, b.organisation_id FROM contract c JOIN book b ON b.id = c.book_id "
                        "WHERE c.deleted = 0").fetchall()
    assert books
    database = open_database(demo)
    checked = 0
    try:
        with database.read() as s:
            for book_hex, org_hex in books:
                book_id, org_id = uuid.UUID(hex=book_hex), uuid.UUID(hex=org_hex)
                months = [r[0] for r in raw.execute(
                    "SELECT DISTINCT period FROM voucher WHERE book_id = ? ORDER BY period", (book_hex,))]
                years = sorted({m[:4] for m in months})
                spans = [(f"{m}-01", m) for m in months]
                spans += [(f"{y}-{3 * q - 2:02d}-01", f"{y}-{3 * q:02d}") for y in years for q in (1, 2, 3, 4)]
                spans += [(f"{y}-01-01", f"{y}-12") for y in years]
                for first_text, last_month in spans:
                    first, last = date.fromisoformat(first_text), period_end(last_month)
                    where = f"{book_hex[:8]} {first}–{last}"
                    section = disclosure_contracts_section(s, org_id, book_id, first, last)
                    printed = {r.contract_number: r for r in section.rows}
                    assert sum((r.received_in_period for r in section.rows), ZERO) == \
                        _booked(raw, book_hex, first, last), where
                    owed = _owed(raw, book_hex, last)
                    assert {k: v.arrears_at_end for k, v in printed.items() if v.arrears_at_end} == owed, where
                    report = defaultdict(lambda: ZERO)
                    for a in list_arrears(s, org_id, last):
                        if a.contract_number in printed or a.contract_number in owed:
                            report[a.contract_number] += a.outstanding
                    assert dict(report) == owed, where
                    assert _due(raw, book_hex, first, last) <= set(printed), where
                    checked += 1
    finally:
        database.close()
    assert checked >= 3 * (20 + 8 + 2)
