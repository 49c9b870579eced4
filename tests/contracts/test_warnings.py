"""Arrears ageing on a fixed as-of date, expiry warnings, unrefunded deposits, counts, disclosure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from desktop_app.core.services.contract_warnings import (
    contract_warnings,
    disclosure_contracts_section,
    list_arrears,
    list_expiring,
    list_unrefunded_deposits,
    warning_counts,
)
from desktop_app.core.services.contracts import set_contract_status
from desktop_app.core.services.receipts import record_deposit, record_receipt
from tests.contracts.conftest import Env


def test_arrears_ageing_on_fixed_dates(env: Env) -> None:
    cid = env.create(number="HT-OLD", start_date=date(2020, 1, 1), end_date=date(2026, 12, 31),
                     annual_rent=D("1000.00"))
    with env.db.begin() as s:
        # 1,500 on 2024-03-01 pays 2020 in full and 500 of 2021 (oldest first)
        record_receipt(s, cid, received_on=date(2024, 3, 1), amount="1500", method="现金", user=env.user)
        # received after the as-of dates below: must not count
        record_receipt(s, cid, received_on=date(2024, 6, 1), amount="500", method="现金", user=env.user)
    with env.db.begin() as s:
        rows = list_arrears(s, env.org.id, date(2024, 4, 1))
    # as of 2024-04-01 (after the first receipt, before the second):
    # 2021: 500 owed, due 2021-01-01 → 1095 + 31 + 29 + 31 = 1186 days; +3y = 2024-01-01 < as_of → >3年
    # 2022: 1000, due 2022-01-01 → +1y 2023-01-01 < as_of ≤ +3y 2025-01-01 → 1–3年, 821 days
    # 2023: 1000, due 2023-01-01 → 1–3年 (2024-01-01 < as_of), 456 days
    # 2024: 1000, due 2024-01-01 → ≤1年, 91 days
    assert [(r.seq, r.outstanding, r.days_overdue, r.bucket) for r in rows] == [
        (2, D("500.00"), 1186, ">3年"), (3, D("1000.00"), 821, "1–3年"), (4, D("1000.00"), 456, "1–3年"),
        (5, D("1000.00"), 91, "≤1年"),
    ]
    with env.db.begin() as s:
        early = list_arrears(s, env.org.id, date(2024, 1, 1))  # before any receipt; 2024 due that day, unpaid
        [counts] = warning_counts(s, [env.org.id], date(2024, 4, 1))
        later = list_arrears(s, env.org.id, date(2024, 6, 2))
    # as of 2024-01-01: 2020 (+3y = 2023-01-01 < as_of) >3年, 1461 days; 2021 (+3y = 2024-01-01 = as_of)
    # 1–3年, 1095 days; 2022 1–3年, 730 days; 2023 (+1y = as_of) ≤1年, 365 days; 2024 due that day and
    # unpaid at its end (截至 2024-01-01): overdue, 0 days
    assert [(r.seq, r.outstanding, r.days_overdue, r.bucket) for r in early] == [
        (1, D("1000.00"), 1461, ">3年"), (2, D("1000.00"), 1095, "1–3年"), (3, D("1000.00"), 730, "1–3年"),
        (4, D("1000.00"), 365, "≤1年"), (5, D("1000.00"), 0, "≤1年"),
    ]
    assert counts.overdue_installments == 4 and counts.overdue_amount == D("3500.00")
    assert (counts.overdue_le1, counts.overdue_1to3, counts.overdue_gt3) == (D("1000.00"), D("2000.00"), D("500.00"))
    assert [r.seq for r in later] == [3, 4, 5]  # the June receipt cleared 2021


def test_expiry_buckets_and_deposits(env: Env) -> None:
    as_of = date(2026, 10, 1)
    a = env.create(number="E-80", end_date=date(2026, 12, 20))  # 80 days → 90天内
    b = env.create(number="E-19", end_date=date(2026, 10, 20))  # 19 days → 30天内
    c = env.create(number="E-0", end_date=date(2026, 10, 1))  # ends today → 已到期
    env.create(number="E-LATE", end_date=date(2027, 6, 30))  # 272 days: no warning
    d = env.create(number="E-DONE", end_date=date(2026, 9, 30))
    with env.db.begin() as s:
        set_contract_status(s, d, "到期", user=env.user)  # closed properly: no expiry warning
        record_deposit(s, d, kind="收取", on_date=date(2026, 1, 10), amount="3000", method="银行", user=env.user)
        record_deposit(s, a, kind="收取", on_date=date(2026, 1, 10), amount="1000", method="银行", user=env.user)
        rows = list_expiring(s, env.org.id, as_of)
        deposits = list_unrefunded_deposits(s, env.org.id, as_of)
    assert [(r.contract_id, r.days_left, r.bucket) for r in rows] == [(c, 0, "已到期"), (b, 19, "30天内"),
                                                                      (a, 80, "90天内")]
    assert [(x.contract_number, x.held) for x in deposits] == [("E-DONE", D("3000.00"))]  # a is still running
    with env.db.begin() as s:
        record_deposit(s, d, kind="退还", on_date=date(2026, 10, 1), amount="3000", method="银行", user=env.user)
        w = contract_warnings(s, env.org.id, as_of)
        [counts] = warning_counts(s, [env.org.id], as_of)
    assert w.deposits == ()
    assert (counts.expiring_90, counts.expiring_30, counts.expired, counts.deposits_unrefunded) == (2, 1, 1, 0)


def test_terminated_contract_deposit_warns(env: Env) -> None:
    cid = env.create(number="T-1")
    with env.db.begin() as s:
        record_deposit(s, cid, kind="收取", on_date=date(2026, 1, 10), amount="500", method="现金", user=env.user)
        set_contract_status(s, cid, "终止", on=date(2026, 5, 31), reason="承包方退出", user=env.user)
        assert list_unrefunded_deposits(s, None, date(2026, 5, 30)) == []
        [row] = list_unrefunded_deposits(s, None, date(2026, 6, 1))
    assert (row.status, row.ended_on, row.held) == ("终止", date(2026, 5, 31), D("500.00"))


def test_disclosure_section_masks_personal_ids(env: Env) -> None:
    person = env.create(number="D-1")  # 张三, 身份证, 12,000 a year due 1 January
    firm = env.create(number="D-2", counterparty_name="东湖水产有限公司", counterparty_kind="单位",
                      counterparty_id_number="91350100M000100Y43", kind="资产租赁")
    env.create(number="D-3", start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))  # not active in 2026-Q1
    with env.db.begin() as s:
        record_receipt(s, person, received_on=date(2026, 2, 3), amount="4000", method="现金", user=env.user)
        rows = disclosure_contracts_section(s, env.org.id, env.book.id, date(2026, 1, 1), date(2026, 3, 31)).rows
    assert [r.contract_number for r in rows] == ["D-1", "D-2"]
    p, f = rows
    assert p.counterparty_name == "张三" and p.counterparty_id_masked == "110105********002X"
    assert (p.due_in_period, p.received_in_period, p.arrears_at_end) == (D("12000.00"), D("4000.00"), D("8000.00"))
    assert f.counterparty_id_masked == "91350100M000100Y43"  # an entity's code is public
    assert (f.due_in_period, f.received_in_period, f.arrears_at_end) == (D("12000.00"), D("0.00"), D("12000.00"))
    assert firm is not None
