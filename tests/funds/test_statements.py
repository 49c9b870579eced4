"""Statements tie out: on the demo data for every village and month, on random vouchers, on a 2004 book."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.demo import DemoContext
from desktop_app.core.demo.funds import seed_vouchers
from desktop_app.core.demo.orgs import seed_organisations
from desktop_app.core.demo.users import seed_users
from desktop_app.core.services.balances import period_totals
from desktop_app.core.services.funds_base import book_accounts, periods_between
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.ledgers import cash_journal, general_ledger, trial_balance, trial_balance_total
from desktop_app.core.services.orgs import create_book, list_books
from desktop_app.core.services.periods import list_periods, year_end_leftovers
from desktop_app.core.services.statement_layouts import (
    ASSETS_TOTAL_KEY,
    BALANCE_SHEET,
    INCOME_DISTRIBUTION,
    LIABILITIES_EQUITY_TOTAL_KEY,
    NET_INCOME_KEY,
)
from desktop_app.core.services.statements import (
    balance_sheet_values,
    income_distribution_values,
    income_expense_statement,
    income_figures,
)
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env, make_env

D = Decimal
ZERO = D("0.00")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("demo") / "demo.db")
    with db.begin("demo") as s:  # only the seeders funds depends on (not the other areas')
        ctx = DemoContext(rng=random.Random(7), villages=4, years=3)
        for seeder in (seed_users, seed_organisations, seed_vouchers):
            seeder(s, ctx)
    yield db
    db.close()


def pl_net(session: object, book_id: object, first: str, last: str) -> Decimal:
    """Credit-positive net of every 损益 account over the months, closing vouchers left out."""
    accounts = book_accounts(session, book_id)  # type: ignore[arg-type]
    pl = {a.id for a in accounts.values() if a.category == "损益"}
    totals = period_totals(session, book_id, first, last, include_closing=False)  # type: ignore[arg-type]
    return sum((c - d for a, (d, c) in totals.items() if a in pl), ZERO)


def check_book(s: object, book_id: object, version: str, months: list[str]) -> None:
    for p in months:
        rows = trial_balance(s, book_id, p, p)  # type: ignore[arg-type]
        t = trial_balance_total(rows)
        assert t.opening_debit == t.opening_credit and t.period_debit == t.period_credit
        assert t.closing_debit == t.closing_credit
        start, end = balance_sheet_values(s, book_id, p)  # type: ignore[arg-type]
        for values in (start, end):
            assert values[ASSETS_TOTAL_KEY[version]] == values[LIABILITIES_EQUITY_TOTAL_KEY]
        ytd = (f"{p[:4]}-01", p)
        dist = income_distribution_values(s, book_id, *ytd)  # type: ignore[arg-type]
        net = pl_net(s, book_id, *ytd)
        assert dist[NET_INCOME_KEY[version]] == net
        assert dist["i20"] == end["e3"], f"{p}: 年末未分配收益 = 资产负债表未分配收益"
        fig = income_figures(s, book_id, *ytd)  # type: ignore[arg-type]
        assert fig.net_income == net
        ie = income_expense_statement(s, book_id, p, p)  # type: ignore[arg-type]
        assert ie.lines[-1].values[1] == net
        cash = {r.code: r for r in rows}.get("101")
        journal = cash_journal(s, book_id, p, p)  # type: ignore[arg-type]
        assert journal.closing == (cash.closing if cash else journal.opening)


def test_demo_statements_tie_out_for_every_village_and_month(demo_db: Database) -> None:
    with demo_db.begin() as s:
        books = list_books(s)
        for b in books:  # the 联合社's book, empty in the demo, has its months closed like the villages'
            closed = [p.period for p in list_periods(s, b.id)]
            assert (closed[0], closed[-1], len(closed)) == ("2024-01", "2026-10", 34)
        village_books = [b for b in books if b.kind != "经济联合社"]
        assert len(village_books) == 5  # 4 villages, one with a separate 村委会 book
        for b in village_books:
            closed = [p.period for p in list_periods(s, b.id)]
            assert closed[0] == "2024-01" and closed[-1] == "2026-10"
            check_book(s, b.id, b.chart_version, periods_between("2024-01", "2026-11"))
            fig = income_figures(s, b.id, "2025-01", "2025-12")
            assert fig.operating_income > 0 and fig.total_income > fig.operating_income
            gl = general_ledger(s, b.id, "2026-01", "2026-11", "102")
            assert gl[-1].closing == {r.code: r for r in trial_balance(s, b.id, "2026-11", "2026-11")}["102"].closing
    with demo_db.engine.connect() as conn:
        assert all(r.ok for r in verify_database(conn)), [r for r in verify_database(conn) if not r.ok]


def test_layouts_cover_every_account_once() -> None:
    from desktop_app.core import charts

    for version in ("2004", "2023"):
        chart = [a for a in charts.load_chart(version) if a.parent_code is None]
        covered: list[str] = []
        for _k, _l, _kind, terms in BALANCE_SHEET[version]:
            for t in terms:
                if t.startswith("r:"):
                    covered += charts.account_roles(version, t[2:])
                elif t.startswith("c:"):
                    covered.append(t[2:])
                elif t == "internal+":
                    covered += charts.account_roles(version, "internal_accounts")
        for _k, _l, kind, terms in INCOME_DISTRIBUTION[version]:
            if kind in ("C", "D") and not any(x in t for t in terms for x in ("distribution", "undistributed", "transfers")):
                covered += [c for t in terms for c in charts.account_roles(version, t[2:])]
        expected = sorted(a.code for a in chart)
        assert sorted(c for c in covered if len(c) == 3) == expected, version


amount = st.integers(min_value=1, max_value=5_000_000).map(lambda f: D(f).scaleb(-2))


@st.composite
def vouchers(draw: st.DrawFn, leaves: list[str]) -> list[tuple[date, list[LineInput]]]:
    out = []
    for _ in range(draw(st.integers(1, 8))):
        day = date(2026, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        lines, net = [], ZERO
        for _ in range(draw(st.integers(1, 3))):
            code, a, debit = draw(st.sampled_from(leaves)), draw(amount), draw(st.booleans())
            lines.append(LineInput(code, debit=a) if debit else LineInput(code, credit=a))
            net += a if debit else -a
        code = draw(st.sampled_from(leaves))
        if net != 0:
            lines.append(LineInput(code, credit=net) if net > 0 else LineInput(code, debit=-net))
        if len(lines) >= 2:
            out.append((day, lines))
    return out


@pytest.fixture(scope="module")
def prop_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    env = make_env(tmp_path_factory.mktemp("prop") / "p.db")
    yield env
    env.db.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_random_vouchers_tie_out(prop_env: Env, data: st.DataObject) -> None:
    env = prop_env
    with env.db.begin() as s:
        org_id = env.book.organisation_id
        book = create_book(s, organisation_id=org_id, name="随机账套", kind="其他", start_period="2026-01", user=env.maker)
        leaves = [a.code for a in book_accounts(s, book.id).values() if a.is_leaf]
    drawn = data.draw(vouchers(leaves))
    with env.db.begin() as s:
        for day, lines in drawn:
            v = create_voucher(s, book_id=book.id, voucher_date=day, summary="随机", lines=lines, user=env.maker)
            review_voucher(s, v.id, user=env.reviewer)
            post_voucher(s, v.id, user=env.maker)
        check_book(s, book.id, "2023", ["2026-03", "2026-12"])
        if year_end_leftovers(s, book.id, "2026-12"):  # nothing to carry is refused
            close_year(s, book.id, 2026, user=env.maker)
        assert year_end_leftovers(s, book.id, "2026-12") == []
        check_book(s, book.id, "2023", ["2026-12"])
        _, end = balance_sheet_values(s, book.id, "2026-12")
        assert end["a23"] == end["e5"]


def test_2004_book_by_roles(tmp_path: Path) -> None:
    env = make_env(tmp_path / "old.db", chart_version="2004", start="2023-01")
    env.vouch(date(2023, 2, 1), "收承包金", ("102", "20000.00", "0"), ("51101", "0", "20000.00"))
    env.vouch(date(2023, 3, 1), "收厂房租金", ("102", "5000.00", "0"), ("50103", "0", "5000.00"))
    env.vouch(date(2023, 4, 1), "村办企业上交利润", ("102", "3000.00", "0"), ("561", "0", "3000.00"))
    env.vouch(date(2023, 5, 1), "补助", ("102", "10000.00", "0"), ("522", "0", "10000.00"))
    env.vouch(date(2023, 6, 1), "管理费用", ("541", "4000.00", "0"), ("102", "0", "4000.00"))
    env.vouch(date(2023, 7, 1), "应付成员款", ("102", "700.00", "0"), ("113", "0", "700.00"))
    with env.db.begin() as s:
        fig = income_figures(s, env.book.id, "2023-01", "2023-12")
        assert fig.operating_income == D("28000.00") and fig.total_income == D("38000.00")
        assert fig.net_income == D("34000.00")
        check_book(s, env.book.id, "2004", ["2023-07", "2023-12"])
        _, end = balance_sheet_values(s, env.book.id, "2023-12")
        assert end["l2"] == D("700.00")  # credit balance of 内部往来 shows under 应付款项
        close_year(s, env.book.id, 2023, user=env.maker)
        check_book(s, env.book.id, "2004", ["2023-12", "2024-01"])
    env.db.close()
