"""Receipts allocate oldest-first, carry overpayment forward and post balanced vouchers; deposits
go to 应付款; a lump-sum 5-year prepayment is income 1/5 per year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from desktop_app.core.errors import ValidationError
from desktop_app.core.services.contract_queries import installment_rows
from desktop_app.core.services.receipts import (
    contract_credit,
    recognise_deferred_rent,
    record_deposit,
    record_receipt,
)
from desktop_app.core.services.vouchers import find_vouchers_by_source, get_voucher
from tests.contracts.conftest import Env, make_env


def lines_of(env: Env, voucher_id: uuid.UUID | None) -> dict[str, tuple[D, D]]:
    assert voucher_id is not None
    with env.db.begin() as s:
        detail = get_voucher(s, voucher_id)
    assert detail.voucher.status == "记账"
    out: dict[str, tuple[D, D]] = {}
    for ln in detail.lines:
        d, c = out.get(ln.account_code, (D(0), D(0)))
        out[ln.account_code] = (d + ln.debit, c + ln.credit)
    assert sum(d for d, _ in out.values()) == sum(c for _, c in out.values())  # balanced
    return out


def test_receipts_allocate_oldest_first_and_carry_credit(env: Env) -> None:
    cid = env.create()  # 资源发包, 12,000 a year 2026–2030, due 1 January
    with env.db.begin() as s:
        r1 = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
    assert [(a.seq, a.amount) for a in r1.allocations] == [(1, D("5000.00"))]
    # 2023 chart: Dr 102 银行存款, Cr 50102 发包收入
    assert lines_of(env, r1.voucher_id) == {"102": (D("5000.00"), D(0)), "50102": (D(0), D("5000.00"))}

    with env.db.begin() as s:
        r2 = record_receipt(s, cid, received_on=date(2026, 4, 10), amount=D("10000.00"), method="现金", user=env.user)
    # 7,000 completes 2026; 3,000 goes to 2027's installment: received before its year → 预收 (211)
    assert [(a.seq, a.amount) for a in r2.allocations] == [(1, D("7000.00")), (2, D("3000.00"))]
    assert lines_of(env, r2.voucher_id) == {"101": (D("10000.00"), D(0)), "50102": (D(0), D("7000.00")),
                                            "211": (D(0), D("3000.00"))}

    with env.db.begin() as s:
        r3 = record_receipt(s, cid, received_on=date(2026, 5, 1), amount="50000", method="银行", user=env.user)
        credit = contract_credit(s, cid)
        insts = installment_rows(s, [cid], date(2026, 5, 1))
    # 9,000 + 12,000 * 3 = 45,000 applied; 5,000 more than the whole contract: credit carried forward
    assert [(a.seq, a.amount) for a in r3.allocations] == [(2, D("9000.00")), (3, D("12000.00")),
                                                           (4, D("12000.00")), (5, D("12000.00"))]
    assert r3.credit_after == credit == D("5000.00")
    assert r3.receipt.credit == D("5000.00") and r3.receipt.allocated == D("45000.00")
    assert lines_of(env, r3.voucher_id) == {"102": (D("50000.00"), D(0)), "211": (D(0), D("50000.00"))}
    assert all(i.status == "已收清" and i.outstanding == 0 for i in insts)


def test_rent_income_account_follows_the_chart_version(tmp_path: Path) -> None:
    env = make_env(tmp_path / "c2004.db", chart_version="2004")
    try:
        lease = env.create(number="ZL-1", kind="资产租赁", start_date=date(2021, 1, 1), end_date=date(2021, 12, 31))
        plot = env.create(number="FB-1", kind="资源发包", start_date=date(2021, 1, 1), end_date=date(2021, 12, 31))
        with env.db.begin() as s:
            a = record_receipt(s, lease, received_on=date(2021, 2, 1), amount="12000", method="银行", user=env.user)
            b = record_receipt(s, plot, received_on=date(2021, 2, 1), amount="12000", method="银行", user=env.user)
        assert "50103" in lines_of(env, a.voucher_id)  # 2004: 租赁收入 (rent_income role)
        assert "51101" in lines_of(env, b.voucher_id)  # 2004: 承包金 (contracting_income role)
    finally:
        env.db.close()


def test_lease_income_2023(env: Env) -> None:
    cid = env.create(kind="资产租赁", end_date=date(2026, 12, 31))
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 1, 20), amount="12000", method="银行", user=env.user)
    assert lines_of(env, r.voucher_id) == {"102": (D("12000.00"), D(0)), "50101": (D(0), D("12000.00"))}


def test_deposit_goes_to_payables_and_refund_is_capped(env: Env) -> None:
    cid = env.create(deposit_required=D("2000.00"))
    with env.db.begin() as s:
        d = record_deposit(s, cid, kind="收取", on_date=date(2026, 1, 5), amount="2000", method="银行", user=env.user)
    assert lines_of(env, d.voucher_id) == {"102": (D("2000.00"), D(0)), "211": (D(0), D("2000.00"))}
    with pytest.raises(ValidationError, match="超过已收保证金") as e, env.db.begin() as s:
        record_deposit(s, cid, kind="退还", on_date=date(2026, 2, 1), amount="2500", method="银行", user=env.user)
    assert e.value.field == "保证金金额"
    with env.db.begin() as s:
        back = record_deposit(s, cid, kind="退还", on_date=date(2026, 2, 1), amount="2000", method="现金", user=env.user)
    assert lines_of(env, back.voucher_id) == {"211": (D("2000.00"), D(0)), "101": (D(0), D("2000.00"))}


def test_five_year_lump_sum_is_recognised_one_fifth_per_year(env: Env) -> None:
    cid = env.create(payment_mode="一次性", annual_rent=D("10000.00"))  # 2026-01-01 .. 2030-12-31
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 1, 5), amount="50000", method="银行", user=env.user)
    # only 2026's fifth is income in the year received; the rest is 预收 (rent_received_in_advance)
    assert lines_of(env, r.voucher_id) == {"102": (D("50000.00"), D(0)), "50102": (D(0), D("10000.00")),
                                           "211": (D(0), D("40000.00"))}
    with env.db.begin() as s:
        assert recognise_deferred_rent(s, env.book.id, 2026, user=env.user).amount == 0  # nothing deferred to 2026
        for year in range(2027, 2031):
            res = recognise_deferred_rent(s, env.book.id, year, user=env.user)
            assert (res.amount, res.contracts) == (D("10000.00"), 1)
            assert recognise_deferred_rent(s, env.book.id, year, user=env.user).amount == 0  # idempotent
    income: dict[int, D] = defaultdict(D)
    advance = D(0)
    with env.db.begin() as s:
        vouchers = find_vouchers_by_source(s, env.book.id, "contract_receipt") + \
            find_vouchers_by_source(s, env.book.id, "contract_recognition")
        ids = [(v.voucher_date.year, v.id) for v in vouchers]
    for year, vid in ids:
        lines = lines_of(env, vid)
        income[year] += lines.get("50102", (D(0), D(0)))[1]
        advance += lines.get("211", (D(0), D(0)))[1] - lines.get("211", (D(0), D(0)))[0]
    assert dict(income) == {y: D("10000.00") for y in range(2026, 2031)}
    assert advance == 0


def test_receipt_refused_without_writing(env: Env) -> None:
    cid = env.create()
    for kwargs, field in (({"amount": "-5"}, "收款金额"), ({"amount": "0"}, "收款金额"),
                          ({"amount": "5", "method": "支票"}, "收款方式"), ({"amount": "5", "received_on": None}, "收款日期")):
        args = {"received_on": date(2026, 1, 2), "method": "银行", **kwargs}
        with pytest.raises(ValidationError) as e, env.db.begin() as s:
            record_receipt(s, cid, user=env.user, **args)  # type: ignore[arg-type]
        assert e.value.field == field
    with env.db.begin() as s:
        assert contract_credit(s, cid) == 0
        assert find_vouchers_by_source(s, env.book.id, "contract_receipt") == []


def test_receipt_in_a_closed_month_or_before_the_book_is_refused(env: Env) -> None:
    from db.models import Period
    from desktop_app.core.errors import ConflictError

    cid = env.create()
    with env.db.begin() as s:
        s.add(Period(book_id=env.book.id, period="2026-01", status="closed", reopen_count=0))
    for day in (date(2026, 1, 20), date(2023, 12, 1)):
        with pytest.raises(ConflictError) as e, env.db.begin() as s:
            record_receipt(s, cid, received_on=day, amount="100", method="银行", user=env.user)
        assert e.value.field == "日期"
    with env.db.begin() as s:
        assert contract_credit(s, cid) == 0 and installment_rows(s, [cid], date(2026, 2, 1))[0].received == 0
