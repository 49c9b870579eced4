"""Over a demo township of two years (the distribution approved in spring and paid through the
services): for every book and every month, quarter and year, the 收益分配 section appears exactly
from the plan's 公示 date on, its rows add up as printed and follow the book's chart, and its 应分
and 已发放 equal the appropriation and payout vouchers of the books (read independently)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from db.backup import backup_file
from db.engine import Database
from db.migrate import open_database
from db.models import Account, Book, DistributionPlan, Entry, Voucher
from desktop_app.core.services.distribution_query import disclosure_distribution_section
from desktop_app.core.services.funds_base import period_end

from .test_distribution_printed import _check_adds_up


@pytest.fixture(scope="module")
def two_year_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from desktop_app.core.demo import build_demo

    path = tmp_path_factory.mktemp("members_demo") / "demo.db"
    database = open_database(path)
    with database.begin("demo") as s:
        build_demo(s, villages=2, years=2, seed=5)
    database.close()
    return path


@pytest.fixture
def demo(two_year_demo: Path, tmp_path: Path) -> Iterator[Database]:
    database = open_database(backup_file(two_year_demo, tmp_path / "demo.db"))
    yield database
    database.close()


def _credits(s, voucher_ids: list, prefixes: tuple[str, ...]) -> D:  # type: ignore[no-untyped-def, type-arg]
    total = D("0.00")
    for code, credit in s.execute(select(Account.code, Entry.credit).join(Account, Account.id == Entry.account_id)
                                  .where(Entry.voucher_id.in_(voucher_ids), Entry.deleted.is_(False))):
        if code.startswith(prefixes):
            total += credit
    return total


def _periods() -> list[tuple[str, date]]:
    out = []
    for year in (2025, 2026):
        out += [(f"{year}-{m:02d}", period_end(f"{year}-{m:02d}")) for m in range(1, 13)]
        out += [(f"{year}-Q{q}", period_end(f"{year}-{3 * q:02d}")) for q in range(1, 5)]
        out.append((str(year), date(year, 12, 31)))
    return out


def test_every_period_of_the_demo_shows_the_plan_from_its_dates_tied_to_the_vouchers(demo: Database) -> None:
    checked = 0
    with demo.begin() as s:
        plans = s.execute(select(DistributionPlan, Book.chart_version).join(Book, Book.id == DistributionPlan.book_id)
                          .where(DistributionPlan.deleted.is_(False), DistributionPlan.status != "作废")).all()
        assert plans, "the two-year demo distributes its first year"
        for plan, version in plans:
            appropriation = [plan.appropriation_voucher_id]
            for code, end in _periods():
                if int(code[:4]) not in (plan.year, plan.year + 1):
                    continue
                sec = disclosure_distribution_section(s, plan.organisation_id, plan.book_id, plan.year, as_of=end)
                if plan.publicised_on is None or end < plan.publicised_on:
                    assert sec is None, (code, plan.publicised_on)
                    continue
                assert sec is not None, code
                rows = [(ln.label, ln.amount) for ln in sec.lines]
                totals = _check_adds_up(rows)
                assert totals["可分配收益"] == plan.distributable
                assert (version == "2004") == any("福利" in label for label, _ in rows)
                approved = plan.approved_on is not None and plan.approved_on <= end
                assert sec.stage == ("公示" if not approved else sec.stage) and (sec.approved_on is not None) == approved
                assert sum(h.amount for h in sec.households) == plan.roster_total
                if approved:
                    assert _credits(s, appropriation, ("113",)) == plan.roster_total
                paid = list(s.scalars(select(Voucher.id).where(
                    Voucher.source_kind == "dividend_payout", Voucher.source_id == plan.id,
                    Voucher.status == "记账", Voucher.voucher_date <= end)))
                assert sec.paid_total == _credits(s, paid, ("101", "102")), code
                assert (sec.stage == "发放") == (sec.paid_total == sum(h.net for h in sec.households) > 0)
                checked += 1
    assert checked > 10
