"""Statements for any period of the demo (``demo --villages 3 --years 2``): the 收益及收益分配表 of
every month, quarter and year, for every book, ends on the balance sheet's 未分配收益 of the same
date; 上年数 is the same months of the year before; labels say month, quarter or year rightly."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.migrate import open_database
from db.models import Voucher
from desktop_app.core.errors import ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import BookRow
from desktop_app.core.services.funds_base import period_label, periods_between
from desktop_app.core.services.orgs import list_books
from desktop_app.core.services.statement_layouts import NET_INCOME_KEY, UNDISTRIBUTED_KEY
from desktop_app.core.services.statements import (
    balance_sheet,
    balance_sheet_values,
    build_statement,
    income_distribution_statement,
    income_expense_statement,
)
from desktop_app.reports.statements_pdf import statement_pdf_bytes
from tests.conftest import copy_of
from tests.funds.test_statements import pl_net

ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def demo3(two_year_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The database ``python -m desktop_app demo --villages 3 --years 2`` builds (a copy)."""
    db = open_database(copy_of(two_year_demo, tmp_path_factory.mktemp("statements_demo")))
    yield db
    db.close()


def _books(s: object) -> list[BookRow]:
    return list_books(s)  # type: ignore[arg-type]


def _last_year(s: object) -> int:
    """The last year the demo wrote vouchers for (the demo counts its years back from today)."""
    return int(str(s.execute(select(func.max(Voucher.period))).scalar_one())[:4])  # type: ignore[attr-defined]


def _spans(book: BookRow, last_year: int) -> list[tuple[str, str]]:
    """Every month, quarter and year from the book's first year to ``last_year``."""
    out: list[tuple[str, str]] = []
    for y in range(int(book.start_period[:4]), last_year + 1):
        out += [(p, p) for p in periods_between(f"{y}-01", f"{y}-12")]
        out += [(f"{y}-{m:02d}", f"{y}-{m + 2:02d}") for m in (1, 4, 7, 10)]
        out.append((f"{y}-01", f"{y}-12"))
    return [(a, b) for a, b in out if b >= book.start_period]


def _value(st: object, label: str, col: int) -> Decimal | None:
    line = next(ln for ln in st.lines if ln.label == label)  # type: ignore[attr-defined]
    return line.values[col]  # type: ignore[no-any-return]


def test_income_distribution_ties_to_balance_sheet_for_every_month_quarter_and_year(demo3: Database) -> None:
    checked = 0
    with demo3.begin() as s:
        books = _books(s)
        assert len(books) == 5  # the township's own, 3 villages, one 村委会 book
        last_year = _last_year(s)
        expected = sum(len(_spans(b, last_year)) for b in books)
        assert all(b.start_period <= f"{last_year - 1}-01" for b in books)  # two years or more each
        for book in books:
            for first, last in _spans(book, last_year):
                st = income_distribution_statement(s, book.id, first, last)
                year_end = last.endswith("-12")
                closing_label = "年末未分配收益" if year_end else "期末未分配收益"
                assert st.columns == (("本年数", "上年数") if year_end else ("本年累计数", "上年同期累计数"))
                assert st.lines[-1].label == closing_label
                assert "年末未分配收益" not in [ln.label for ln in st.lines] or year_end
                _, end = balance_sheet_values(s, book.id, last)
                assert st.lines[-1].values[0] == end[UNDISTRIBUTED_KEY], (book.name, first, last)
                # 本年数 = the year to date through the period's end
                net_label = st.lines[int(NET_INCOME_KEY[book.chart_version][1:]) - 1].label
                assert net_label == "本年收益"
                assert _value(st, "本年收益", 0) == pl_net(s, book.id, f"{last[:4]}-01", last)
                # 上年数 = the same span a year before, blank before the book was kept
                prev_last = f"{int(last[:4]) - 1}{last[4:]}"
                if prev_last >= book.start_period:
                    _, prev_end = balance_sheet_values(s, book.id, prev_last)
                    assert st.lines[-1].values[1] == prev_end[UNDISTRIBUTED_KEY], (book.name, first, last)
                    assert _value(st, "本年收益", 1) == pl_net(s, book.id, f"{prev_last[:4]}-01", prev_last)
                else:
                    assert all(ln.values[1] is None for ln in st.lines), (book.name, first, last)
                    assert st.notes[0].endswith(f"启用，{st.columns[1]}不填。")
                # the CLI/UI entry point gives the same statement
                assert build_statement(s, book.id, "income-distribution", first, last).lines == st.lines
                checked += 1
    assert checked == expected >= 5 * 2 * (12 + 4 + 1)


def test_demo_has_income_in_both_years(demo3: Database) -> None:
    """The test above is only worth something if the demo books have a result in each year."""
    with demo3.begin() as s:
        for book in _books(s):
            if book.name.endswith("账套"):
                continue  # the township's own book keeps no vouchers in the demo
            last_year = _last_year(s)
            for year in (str(last_year - 1), str(last_year)):
                st = income_distribution_statement(s, book.id, f"{year}-01", f"{year}-12")
                assert _value(st, "本年收益", 0) != ZERO, (book.name, year)


def test_printed_month_statement_shows_the_balance_sheet_figure(demo3: Database, tmp_path: Path) -> None:
    with demo3.begin() as s:
        book = next(b for b in _books(s) if "李家庄村股份" in b.name)
        y = _last_year(s)
        for first, last in ((f"{y}-07", f"{y}-09"), (f"{y}-11", f"{y}-11"), (f"{y - 1}-01", f"{y - 1}-12")):
            st = build_statement(s, book.id, "income-distribution", first, last)
            _, end = balance_sheet_values(s, book.id, last)
            with pdfplumber.open(io.BytesIO(statement_pdf_bytes(st))) as pdf:
                text = "\n".join(p.extract_text() or "" for p in pdf.pages)
            row = next(t for t in text.splitlines() if "未分配收益" in t and ("期末" in t or "年末" in t))
            assert format_amount(end[UNDISTRIBUTED_KEY]) in row
            assert ("期末未分配收益" if not last.endswith("-12") else "年末未分配收益") in row
            assert st.columns[0] in text and ("本年累计数：" in text or "本年数：" in text)


def test_balance_sheet_is_dated_at_the_periods_end(demo3: Database) -> None:
    with demo3.begin() as s:
        book = _books(s)[1]
        y = _last_year(s)
        nov = balance_sheet(s, book.id, f"{y}-11")
        dec = balance_sheet(s, book.id, f"{y - 1}-12")
        feb = balance_sheet(s, book.id, f"{y}-02")
    assert nov.period_label == f"{y}年11月30日" and nov.columns == ("年初数", "期末数")
    assert dec.period_label == f"{y - 1}年12月31日" and dec.columns == ("年初数", "年末数")
    assert feb.period_label == f"{y}年2月{29 if y % 4 == 0 else 28}日"


def test_income_expense_columns_follow_the_period(demo3: Database) -> None:
    with demo3.begin() as s:
        book = next(b for b in _books(s) if "李家庄村股份" in b.name)
        y, y0 = _last_year(s), int(book.start_period[:4])
        month = income_expense_statement(s, book.id, f"{y}-05", f"{y}-05")
        quarter = income_expense_statement(s, book.id, f"{y}-04", f"{y}-06")
        year = income_expense_statement(s, book.id, f"{y}-01", f"{y}-12")
        last_year = income_expense_statement(s, book.id, f"{y - 1}-01", f"{y - 1}-12")
        first_year = income_expense_statement(s, book.id, f"{y0}-01", f"{y0}-12")
        ytd = income_expense_statement(s, book.id, f"{y}-01", f"{y}-06")
        assert month.columns == ("本月数", "本年累计数")
        assert quarter.columns == ("本季数", "本年累计数")
        assert year.columns == ("本年数", "上年数")
        # 本年累计数 of a quarter is January through its last month
        assert quarter.lines[-1].values[1] == ytd.lines[-1].values[0] == pl_net(s, book.id, f"{y}-01", f"{y}-06")
        assert quarter.lines[-1].values[0] == pl_net(s, book.id, f"{y}-04", f"{y}-06")
        # a year beside the year before, line by line, never the same column twice
        prev = {(ln.code, ln.label): ln.values[0] for ln in last_year.lines}
        for ln in year.lines:
            if not ln.is_heading:
                assert ln.values[1] == prev.get((ln.code, ln.label), ZERO), ln.label
        assert year.lines[-1].values[0] != year.lines[-1].values[1]
        # the book's first year has no year before it: blank, and said so
        assert all(ln.values[1] is None for ln in first_year.lines)
        assert first_year.notes == (f"账套自{period_label(book.start_period)}启用，上年数不填。",)


@pytest.mark.parametrize("kind", ["income-distribution", "income-expense", "balance-sheet"])
def test_a_period_before_the_book_is_refused(demo3: Database, kind: str) -> None:
    with demo3.begin() as s:
        book = _books(s)[1]
        with pytest.raises(ValidationError, match="启用"):
            y0 = int(book.start_period[:4]) - 1
            build_statement(s, book.id, kind, f"{y0}-10", f"{y0}-12")


def test_statements_across_two_years_are_refused(demo3: Database) -> None:
    with demo3.begin() as s:
        book = _books(s)[1]
        for kind in ("income-distribution", "income-expense"):
            with pytest.raises(ValidationError, match="同一年度"):
                y = _last_year(s)
                build_statement(s, book.id, kind, f"{y - 1}-11", f"{y}-02")
