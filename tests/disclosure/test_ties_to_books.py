"""Every figure the 财务公开 sheets print ties to the books (issue #14).

The demo township (3 villages, 2 years: 2025-01 … 2026-11) is disclosed for every month, quarter and
year of every book; each sheet's figures are compared with queries written here in plain SQL on the
same file (sqlite3, not our services), and every printed table must add up as printed. A sample of
months is also rendered to a real PDF and read back, so what is compared is what is printed.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.migrate import open_database
from tests.acting import keeper
from tests.conftest import copy_of
from tests.disclosure.conftest import codes_in, pdf_lines

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
YEAR_END = "year_end_close"


@dataclass(frozen=True)
class BookRef:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    start: str


@pytest.fixture(scope="module")
def township(two_year_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of(two_year_demo, tmp_path_factory.mktemp("ties"))


@pytest.fixture(scope="module")
def raw(township: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{township}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def books(raw: sqlite3.Connection) -> list[BookRef]:
    rows = raw.execute("SELECT id, organisation_id, name, start_period FROM book WHERE deleted = 0 ORDER BY name")
    return [BookRef(uuid.UUID(i), uuid.UUID(o), n, s) for i, o, n, s in rows]


def _fen(v: int | None) -> Decimal:
    return (Decimal(v or 0) / 100).quantize(FEN)


def _months(raw: sqlite3.Connection, book: BookRef) -> list[str]:
    rows = raw.execute("SELECT DISTINCT period FROM voucher WHERE book_id = ? AND deleted = 0 ORDER BY period",
                       (book.id.hex,))
    return [r[0] for r in rows]


def _subtree(raw: sqlite3.Connection, book: BookRef, *codes: str) -> list[str]:
    """Account ids (hex) of the book whose code starts with one of the first-level codes."""
    out: list[str] = []
    for code in codes:
        out += [r[0] for r in raw.execute("SELECT id FROM account WHERE book_id = ? AND code LIKE ?",
                                          (book.id.hex, code + "%"))]
    return out


def _posted(raw: sqlite3.Connection, book: BookRef, accounts: list[str], first: str, last: str, *,
            year_end: bool = True) -> tuple[Decimal, Decimal]:
    """Σ debit, Σ credit of posted, live entries on the accounts in [first, last]."""
    if not accounts:
        return ZERO, ZERO
    marks = ",".join("?" * len(accounts))
    sql = (f"SELECT sum(e.debit), sum(e.credit) FROM entry e JOIN voucher v ON v.id = e.voucher_id "
           f"WHERE v.book_id = ? AND v.status = '记账' AND v.deleted = 0 AND e.deleted = 0 "
           f"AND e.period BETWEEN ? AND ? AND e.account_id IN ({marks})")
    if not year_end:
        sql += f" AND coalesce(v.source_kind, '') != '{YEAR_END}'"
    d, c = raw.execute(sql, (book.id.hex, first, last, *accounts)).fetchone()
    return _fen(d), _fen(c)


def _balance(raw: sqlite3.Connection, book: BookRef, codes: tuple[str, ...], last: str) -> Decimal:
    """Debit balance of the accounts at the end of ``last``: opening balances plus every posted entry."""
    ids = _subtree(raw, book, *codes)
    if not ids:
        return ZERO
    marks = ",".join("?" * len(ids))
    od, oc = raw.execute(f"SELECT sum(debit), sum(credit) FROM opening_balance WHERE book_id = ? AND deleted = 0 "
                         f"AND account_id IN ({marks})", (book.id.hex, *ids)).fetchone()
    d, c = _posted(raw, book, ids, "0000-00", last)
    return _fen(od) - _fen(oc) + d - c


def _income_expense(raw: sqlite3.Connection, book: BookRef, first: str, last: str) -> tuple[Decimal, Decimal]:
    """(收入, 支出) of the period from the 损益 accounts, year-end closing vouchers left out."""
    income = [r[0] for r in raw.execute("SELECT id FROM account WHERE book_id = ? AND category = '损益' "
                                        "AND normal_side = '贷'", (book.id.hex,))]
    expense = [r[0] for r in raw.execute("SELECT id FROM account WHERE book_id = ? AND category = '损益' "
                                         "AND normal_side = '借'", (book.id.hex,))]
    # only leaf postings exist, so parents and children are never counted twice
    di, ci = _posted(raw, book, income, first, last, year_end=False)
    de, ce = _posted(raw, book, expense, first, last, year_end=False)
    return ci - di, de - ce


# a draft bills nothing, and nothing is billed for periods from a termination date on
_BILLED = ("c.status != '草拟' AND NOT (c.status = '终止' AND c.terminated_on IS NOT NULL "
           "AND i.period_start >= c.terminated_on)")


def _arrears(raw: sqlite3.Connection, book: BookRef, as_of: date) -> Decimal:
    """Rent due on or before ``as_of`` and not received by then, over the book's contracts."""
    due = raw.execute(
        "SELECT sum(i.amount) FROM contract_installment i JOIN contract c ON c.id = i.contract_id "
        f"WHERE c.book_id = ? AND c.deleted = 0 AND i.deleted = 0 AND i.due_date <= ? AND {_BILLED}",
        (book.id.hex, as_of.isoformat())).fetchone()[0]
    paid = raw.execute(
        "SELECT sum(a.amount) FROM contract_allocation a JOIN contract_installment i ON i.id = a.installment_id "
        "JOIN contract c ON c.id = i.contract_id JOIN contract_receipt r ON r.id = a.receipt_id "
        "WHERE c.book_id = ? AND c.deleted = 0 AND i.deleted = 0 AND a.deleted = 0 AND r.deleted = 0 "
        f"AND i.due_date <= ? AND a.allocated_on <= ? AND {_BILLED}",
        (book.id.hex, as_of.isoformat(), as_of.isoformat())).fetchone()[0]
    return _fen(due) - _fen(paid)


def _periods(months: list[str]) -> list[str]:
    years = sorted({m[:4] for m in months})
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) + 2) // 3}" for m in months})
    return months + quarters + years


def _tables(blocks: list[object]) -> list[object]:
    from desktop_app.reports.disclosure.registry import TableBlock

    return [b for b in blocks if isinstance(b, TableBlock)]


def _row(table: object, label: str) -> list[Decimal]:
    """The amounts printed on the row whose first cell is ``label`` (blanks left out)."""
    for r in table.rows:  # type: ignore[attr-defined]
        if str(r[0]).strip("　 【】") == label:
            return [c for c in r if isinstance(c, Decimal)]
    raise AssertionError(f"{table.title}: no row {label!r}")  # type: ignore[attr-defined]


def _check_adds_up(where: str, table: object) -> None:
    """A totals row's every amount is the sum of the amounts printed above it."""
    totals = table.totals_row  # type: ignore[attr-defined]
    if totals is None:
        return
    for i, total in enumerate(totals):
        if not isinstance(total, Decimal):
            continue
        cells = [r[i] for r in table.rows if i < len(r) and isinstance(r[i], Decimal)]  # type: ignore[attr-defined]
        assert sum(cells, ZERO) == total, f"{where} {table.title} 第{i + 1}列：合计 {total} ≠ Σ {sum(cells, ZERO)}"  # type: ignore[attr-defined]


def test_every_sheet_of_two_years_ties_to_the_books(township: Path, raw: sqlite3.Connection,
                                                    books: list[BookRef]) -> None:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.core.services.funds_base import period_end, read_cache
    from desktop_app.reports.disclosure.context import make_context
    from desktop_app.reports.disclosure.registry import registered_sections

    database = open_database(township)
    checked = 0
    try:
        with database.read() as s, read_cache(s):
            for book in books:
                months = _months(raw, book)
                if not months:  # the township's own book keeps no demo vouchers
                    continue
                assert len(months) >= 23, f"{book.name}: the demo should cover two years, has {months}"
                for code in _periods(months):
                    p = parse_disclosure_period(code)
                    ctx = make_context(s, book.id, p)
                    where = f"{book.name} {p.label}"
                    sections = {sec.id: sec.build(s, ctx) or [] for sec in registered_sections()}
                    for blocks in sections.values():
                        for table in _tables(blocks):
                            _check_adds_up(where, table)

                    # 收支: the period's income and expense, and the year to date
                    income, expense = _income_expense(raw, book, p.first, p.last)
                    ytd_income, ytd_expense = _income_expense(raw, book, f"{p.last[:4]}-01", p.last)
                    summary, detail = _tables(sections["income_expense"])[:2]
                    got_in, got_out = _row(summary, "收入合计"), _row(summary, "支出合计")
                    assert got_in[0] == income and got_out[0] == expense, where
                    if len(p.months) < 12 and len(got_in) > 1:
                        assert got_in[1] == ytd_income and got_out[1] == ytd_expense, where
                    assert detail.totals_row[4] == income and detail.totals_row[5] == expense, where  # type: ignore[attr-defined]

                    # 资产负债: cash at the end of the period; the two sides balance
                    bs = _tables(sections["balance"])[0]
                    cash = _balance(raw, book, ("101", "102"), p.last)
                    assert _row(bs, "货币资金")[-1] == cash, where
                    assert _row(bs, "资产总计")[-1] == _row(bs, "负债和所有者权益总计")[-1], where

                    # 债权: what is owed to the collective on 应收款
                    claims = _tables(sections.get("debts") or [])
                    receivable = _balance(raw, book, ("112",), p.last)
                    if claims:
                        owed = sum((r[-1] for r in claims[0].rows  # type: ignore[attr-defined]
                                    if isinstance(r[-1], Decimal) and str(r[0]).startswith("应收款")), ZERO)
                        assert owed == receivable, f"{where} 应收款 {owed} ≠ 账面 {receivable}"
                    else:
                        assert receivable == ZERO, where

                    # 合同: 期末欠缴 equals rent due and not received by the period's end
                    arrears = _arrears(raw, book, period_end(p.last))
                    contracts = _tables(sections.get("contracts") or [])
                    printed = contracts[0].totals_row[-1] if contracts else ZERO  # type: ignore[attr-defined]
                    assert printed == arrears, f"{where} 期末欠缴 {printed} ≠ 应收未收 {arrears}"
                    checked += 1
    finally:
        database.close()
    assert checked >= 4 * (23 + 8 + 2)


def test_printed_pdf_carries_the_books_figures(township: Path, raw: sqlite3.Connection,
                                               books: list[BookRef]) -> None:
    """The real PDF of a closed month, read back: the cover's income and the contract arrears
    printed are the books' figures, and the check code it prints verifies against the books."""
    from desktop_app.core.money import format_amount
    from desktop_app.core.services.funds_base import period_end
    from desktop_app.reports.disclosure.builder import disclose
    from desktop_app.reports.sealing import verify_pdf

    database = open_database(township)
    try:
        for book in books:
            month = "2026-06"
            if not _months(raw, book):
                continue
            with database.begin("test") as s:
                doc, _ = disclose(s, book.organisation_id, month, book_ids=[book.id], user=keeper(s))
            assert codes_in(doc.pdf), f"{book.name}: no check code printed"
            with database.read() as s:
                checks = verify_pdf(s, doc.pdf)
            assert checks and all(c.ok for c in checks), [c.lines for c in checks]
            text = "\n".join(line for page in pdf_lines(doc.pdf) for line in page)
            income, expense = _income_expense(raw, book, month, month)
            assert format_amount(income) in text and format_amount(expense) in text, book.name
            arrears = _arrears(raw, book, period_end(month))
            if arrears:
                assert format_amount(arrears) in text, f"{book.name}: 期末欠缴 {arrears} not printed"
    finally:
        database.close()
