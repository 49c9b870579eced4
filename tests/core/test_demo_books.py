"""The demo township is written through the services a user's actions use, so every figure is in
the books: each contract receipt and 保证金 has its voucher, each contract's arrears are its
schedule minus its receipts, every 往来 and income line names its counterparty, the year's
distribution is approved in the spring and paid, the months are closed in order, and the
database verifies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db.migrate import Database, open_database
from db.models import (
    Account,
    AssetDisposal,
    Contract,
    ContractDeposit,
    ContractInstallment,
    ContractReceipt,
    Entry,
    Voucher,
)
from desktop_app.core import charts
from desktop_app.core.demo import build_demo
from desktop_app.core.demo.funds import CURRENT_PERIOD, TODAY
from desktop_app.core.services.contract_warnings import list_arrears
from desktop_app.core.services.distribution_query import list_plans
from desktop_app.core.services.funds_base import YEAR_END_KIND, periods_between, prev_period
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.periods import list_periods
from tests.conftest import TWO_YEAR_DEMO, copy_of

ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def demo(two_year_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(copy_of(two_year_demo, tmp_path_factory.mktemp("demo_books")))
    yield db
    db.close()


def test_every_receipt_and_deposit_is_a_posted_voucher_of_its_amount(demo: Database) -> None:
    with demo.begin() as s:
        money = [*s.execute(select(ContractReceipt.id, ContractReceipt.amount, ContractReceipt.received_on,
                                   ContractReceipt.voucher_id, Contract.id)
                            .join(Contract, Contract.id == ContractReceipt.contract_id)
                            .where(ContractReceipt.deleted.is_(False))),
                 *s.execute(select(ContractDeposit.id, ContractDeposit.amount, ContractDeposit.on_date,
                                   ContractDeposit.voucher_id, Contract.id)
                            .join(Contract, Contract.id == ContractDeposit.contract_id)
                            .where(ContractDeposit.deleted.is_(False)))]
        kinds = {k for (k,) in s.execute(select(ContractDeposit.kind))}
        assert len(money) > 50 and kinds == {"收取", "退还"}
        for rid, amount, on, voucher_id, contract_id in money:
            assert voucher_id is not None, f"收款/保证金 {rid} 没有凭证"
            v = s.get(Voucher, voucher_id)
            assert v is not None and v.status == "记账" and v.voucher_date == on and v.source_id == rid
            lines = s.execute(select(Entry.debit, Entry.credit, Entry.contract_id)
                              .where(Entry.voucher_id == voucher_id, Entry.deleted.is_(False))).all()
            assert sum((d for d, _, _ in lines), ZERO) == amount
            assert all(c == contract_id for _, _, c in lines)


def test_arrears_of_each_contract_are_its_schedule_minus_its_receipts(demo: Database) -> None:
    with demo.begin() as s:
        received: dict[object, Decimal] = defaultdict(lambda: ZERO)
        for cid, amount in s.execute(select(ContractReceipt.contract_id, ContractReceipt.amount)
                                     .where(ContractReceipt.deleted.is_(False))):
            received[cid] += amount
        expected: dict[object, Decimal] = defaultdict(lambda: ZERO)
        contracts = s.execute(select(Contract.id, Contract.status, Contract.terminated_on, Contract.end_date)).all()
        for cid, status, terminated_on, _ in contracts:
            left = received[cid]  # receipts fill the installments in due order
            for due, amount, start in s.execute(
                    select(ContractInstallment.due_date, ContractInstallment.amount, ContractInstallment.period_start)
                    .where(ContractInstallment.contract_id == cid, ContractInstallment.deleted.is_(False))
                    .order_by(ContractInstallment.due_date, ContractInstallment.seq)):
                take = min(left, amount)
                left -= take
                billed = not (status == "终止" and terminated_on is not None and start >= terminated_on)
                if billed and due <= TODAY:
                    expected[cid] += amount - take
        reported: dict[object, Decimal] = defaultdict(lambda: ZERO)
        for row in list_arrears(s, None, TODAY):
            reported[row.contract_id] += row.outstanding
        assert {k: v for k, v in expected.items() if v} == dict(reported)
        owing = {cid for cid, v in expected.items() if v}
        expired_owing = [cid for cid, status, _, end in contracts if cid in owing and end < TODAY and status == "到期"]
        assert 0 < len(owing) < len(contracts) and expired_owing  # a few tenants owe, one past its end date


def test_every_counterparty_account_and_income_line_names_its_counterparty(demo: Database) -> None:
    with demo.begin() as s:
        books = [b for b in list_books(s) if b.start_period <= prev_period(CURRENT_PERIOD)]
        missing = []
        for b in books:
            roles = ("receivables", "payables", "internal_accounts", "total_income")
            roots = tuple(c for r in roles for c in charts.account_roles(b.chart_version, r))
            for code, name, summary, vsum, source in s.execute(
                    select(Account.code, Account.name, Entry.summary, Voucher.summary, Voucher.source_kind)
                    .join(Account, Account.id == Entry.account_id).join(Voucher, Voucher.id == Entry.voucher_id)
                    .where(Entry.book_id == b.id, Entry.deleted.is_(False), Voucher.status == "记账",
                           Entry.counterparty.is_(None) | (Entry.counterparty == ""))):
                if code.startswith(roots) and source != YEAR_END_KIND:
                    missing.append(f"{b.name} {code} {name}：{vsum}（{summary}，来源 {source}）")
        assert not missing, f"{len(missing)} 行没有往来单位或个人：" + "；".join(sorted(set(missing))[:12])


def test_months_closed_in_order_plans_paid_assets_moved_and_database_verifies(demo: Database) -> None:
    with demo.begin() as s:
        villages = {o.id for o in list_organisations(s) if o.level == "村"}
        books = [b for b in list_books(s) if b.organisation_id in villages]
        assert books and {b.start_period for b in books} == {"2025-01"}
        for b in books:
            closed = [p.period for p in list_periods(s, b.id) if p.is_closed]
            assert closed == periods_between(b.start_period, prev_period(CURRENT_PERIOD))
            kinds = {k for (k,) in s.execute(select(Voucher.source_kind).where(Voucher.book_id == b.id))}
            assert {"depreciation", YEAR_END_KIND} <= kinds
        plans = [p for p in list_plans(s) if p.status != "作废"]
        assert {p.year for p in plans} == {2025} and len(plans) == len(villages)
        for p in plans:  # approved in the spring after the year, paid in April, both vouchers posted
            assert p.status == "发放" and p.approved_on == date(2026, 3, 25) and p.paid_on == date(2026, 4, 10)
            assert p.appropriation_voucher_id is not None
        disposals = s.execute(select(AssetDisposal.voucher_id)).scalars().all()
        assert disposals and all(v is not None for v in disposals)
        assert s.scalar(select(Voucher.id).where(Voucher.source_kind == "asset_acquisition")) is not None
    with demo.engine.connect() as conn:
        problems = [(r.name, r.problems) for r in verify_database(conn) if not r.ok]
    assert not problems


def test_the_same_seed_gives_the_same_books(tmp_path: Path, demo: Database) -> None:
    other = open_database(tmp_path / "again.db")
    with other.begin("demo") as s:
        build_demo(s, **TWO_YEAR_DEMO)

    def figures(db: Database) -> list[tuple[object, ...]]:
        with db.begin() as s:
            return [tuple(r) for r in s.execute(
                select(Voucher.period, Voucher.number, Voucher.summary, Entry.line_no, Entry.debit, Entry.credit,
                       Entry.counterparty).join(Entry, Entry.voucher_id == Voucher.id)
                .order_by(Voucher.book_id, Voucher.period, Voucher.number, Entry.line_no))]

    assert figures(other) == figures(demo)
    other.close()


def test_cash_and_bank_never_go_negative(demo: Database) -> None:
    """库存现金 + 银行存款 at the end of every month of every book is positive: a 村民委员会 that pays
    more than it receives is funded by 上级专项补助, not by an overdrawn account."""
    from desktop_app.core.services.balances import balances_at_end
    from desktop_app.core.services.funds_base import book_accounts

    with demo.read() as s:
        for book in list_books(s):
            cash = {a.id for code, a in book_accounts(s, book.id).items() if code[:3] in ("101", "102")}
            for period in periods_between(book.start_period, CURRENT_PERIOD):
                total = sum((v for a, v in balances_at_end(s, book.id, period).items() if a in cash), ZERO)
                assert total >= 0, f"{book.name} {period}: 货币资金 {total}"
