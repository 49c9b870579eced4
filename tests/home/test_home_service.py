"""首页 service on a real two-year demo database (3 villages, 2025-01 … last month): the due items
appear and disappear as the books change, and the income figures are the district's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.migrate import open_database
from db.models import Book, Organisation, Voucher
from desktop_app.cli import main
from desktop_app.core.periods import next_period, period_start
from desktop_app.core.services.contract_warnings import list_unrefunded_deposits
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.disclosure import mark_disclosure_posted
from desktop_app.core.services.district_settings import get_settings
from desktop_app.core.services.district_stats import village_income, village_monthly_income
from desktop_app.core.services.home import HomeScope, home_overview, home_scopes
from desktop_app.core.services.periods import close_period
from desktop_app.core.services.receipts import record_deposit
from desktop_app.core.services.statements import income_figures
from desktop_app.core.services.users import authenticate
from tests.acting import keeper
from tests.conftest import copy_of


@pytest.fixture
def demo(two_year_demo: Path, tmp_path: Path) -> Iterator[Database]:
    database = open_database(copy_of(two_year_demo, tmp_path))
    yield database
    database.close()


def _as_of(db: Database) -> date:
    """The 2nd of the month after the demo's last month of vouchers (the demo ends last month)."""
    with db.read() as s:
        last = s.execute(select(func.max(Voucher.period))).scalar_one()
    return period_start(next_period(last)) + timedelta(days=1)


def _overview(db: Database, scope: HomeScope | None = None, as_of: date | None = None):
    with db.read() as s:
        scope = scope or home_scopes(s)[0]
        return home_overview(s, scope, as_of or _as_of(db))


def test_scopes_are_the_township_then_each_village_and_respect_a_users_organisations(demo: Database) -> None:
    with demo.read() as s:
        scopes = home_scopes(s)
        town, villages = scopes[0], [x for x in scopes if x.kind == "village"]
        assert town.kind == "township" and "全部 3 个村" in town.name
        assert len(villages) == 3 and {v.organisation_ids[0] for v in villages} <= set(town.organisation_ids)
        only = home_scopes(s, only=[villages[1].organisation_ids[0]])
    assert [x.kind for x in only] == ["township", "village"] and only[1] == villages[1]
    assert only[0].organisation_ids == villages[1].organisation_ids and "全部 1 个村" in only[0].name


def test_every_due_item_is_there_with_the_page_that_deals_with_it(demo: Database) -> None:
    o = _overview(demo)
    assert [(i.key, i.page) for i in o.due] == [
        ("close", "vouchers"), ("disclosure", "disclosure"), ("distribution", "members"), ("expiring", "contracts"),
        ("arrears", "contracts"), ("deposits", "contracts"), ("depreciation", "assets")]
    disclosure = o.item("disclosure")
    month = o.as_of.replace(day=1) - timedelta(days=1)
    assert f"{month.year}年{month.month}月财务公开" in disclosure.summary
    assert f"应于{o.as_of.month}月10日前公开" in disclosure.summary  # REFERENCE: by the 10th of the next month
    assert not disclosure.overdue  # the 2nd: not yet late
    late = _overview(demo, as_of=o.as_of.replace(day=11)).item("disclosure")
    assert late.overdue and f"已逾期 {late.count} 个" in late.summary
    assert len(o.months) == 12 and o.months[-1].period == f"{o.as_of:%Y-%m}"


def test_close_disclosure_and_depreciation_disappear_when_done(demo: Database, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    as_of = _as_of(demo)
    last_month = f"{as_of.replace(day=1) - timedelta(days=1):%Y-%m}"
    before = _overview(demo, as_of=as_of)
    with demo.read() as s:
        town = home_scopes(s)[0]
        village = next(x for x in home_scopes(s) if x.kind == "village")
        org = village.organisation_ids[0]
        book_id, uscc = s.execute(select(Book.id, Organisation.uscc).join(Organisation)
                                  .where(Book.organisation_id == org, Book.code == "01")).one()
    close, disclosure, depreciation = (before.item(k) for k in ("close", "disclosure", "depreciation"))
    month_label = f"{int(last_month[:4])}年{int(last_month[5:])}月未结账"
    assert close.count >= 1 and any(d.endswith(month_label) for d in close.details)
    assert disclosure.count >= 1 and depreciation.count >= 1

    with demo.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
        close_period(s, book_id, last_month, user=user)
    assert _overview(demo, town, as_of).item("close").count == close.count - 1

    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    assert main(["--user", "kuaiji", "disclose", "--db", str(demo.path), "--org", uscc, "--book", "01",
                 "--period", last_month, "--out", str(tmp_path / "sheet.pdf")]) == 0
    with demo.begin() as s:
        mark_disclosure_posted(s, book_id=book_id, period_code=last_month, posted_on=as_of, user=keeper(s))
    assert _overview(demo, town, as_of).item("disclosure").count == disclosure.count - 1

    this_month = f"{as_of:%Y-%m}"
    mine = _overview(demo, village, as_of).item("depreciation")
    assert mine.count >= 1 and "尚未计提折旧" in mine.summary
    with demo.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
        for (bid,) in s.execute(select(Book.id).where(Book.organisation_id == org)).all():
            run_depreciation(s, book_id=bid, period=this_month, user=user)
    assert _overview(demo, village, as_of).item("depreciation").count == 0
    assert _overview(demo, town, as_of).item("depreciation").count == depreciation.count - mine.count


def test_a_refunded_deposit_leaves_the_list(demo: Database) -> None:
    as_of = _as_of(demo)
    far = as_of + timedelta(days=3 * 365)  # every demo contract has ended by then
    deposits = _overview(demo, as_of=far).item("deposits")
    assert deposits.count >= 1 and "押金未退" in deposits.summary
    with demo.read() as s:
        town = home_scopes(s)[0]
        held = list_unrefunded_deposits(s, None, far)[0]  # the contract area's own list
    with demo.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
        record_deposit(s, held.contract_id, kind="退还", on_date=as_of, amount=held.held, method="现金", user=user)
    assert _overview(demo, town, far).item("deposits").count == deposits.count - 1


def test_income_tier_and_months_are_the_districts_and_the_books_figures(demo: Database) -> None:
    as_of = _as_of(demo)
    with demo.read() as s:
        scopes = home_scopes(s)
        village = next(x for x in scopes if x.kind == "village")
        org = village.organisation_ids[0]
        settings = get_settings(s)
        now = next(r for r in village_income(s, as_of.year, as_of.month) if r.village.organisation_id == org)
        last = next(r for r in village_income(s, as_of.year - 1, None) if r.village.organisation_id == org)
        monthly = village_monthly_income(s, org, as_of.year)
        own_books = s.execute(select(Book.id).where(Book.organisation_id == org, Book.kind != "村民委员会")).scalars().all()
        o = home_overview(s, village, as_of)
        expense = {m.period: sum(income_figures(s, b, m.period, m.period).total_expense for b in own_books)
                   for m in o.months}
        town = home_overview(s, scopes[0], as_of)
    inc = o.income
    assert inc.operating == now.operating and inc.total == now.total and inc.last_year_operating == last.operating
    labels = settings.labels("operating")
    assert inc.tier == labels[settings.tier_of(now.operating)]
    assert inc.last_year_tier == labels[settings.tier_of(last.operating)]
    by_month = {m.period: m.total for m in monthly.months}
    for m in o.months:
        if m.period in by_month:
            assert m.income == by_month[m.period], m.period
        assert m.expense == expense[m.period], m.period
    assert any(m.income > 0 for m in o.months) and any(m.expense > 0 for m in o.months)
    assert sum(t.this_year for t in town.income.tiers) == town.income.villages == 3
    assert town.income.operating >= inc.operating and town.income.tier is None
