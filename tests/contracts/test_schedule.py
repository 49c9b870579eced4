"""Billing schedules against installments computed by hand, to the 分."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from desktop_app.core.rules.contract_schedule import (
    Terms,
    add_years,
    ageing_bucket,
    build_schedule,
    step_rates,
    term_years,
)


def amounts(terms: Terms) -> list[tuple[date, date, D]]:
    return [(i.period_start, i.period_end, i.amount) for i in build_schedule(terms)]


def test_annual_with_partial_first_and_last_year() -> None:
    # 12,000 元/年, 2026-07-01 .. 2029-06-30, billed by calendar year.
    # 2026: Jul 1 – Dec 31 = 31+31+30+31+30+31 = 184 days of 365: 12000 * 184 / 365 = 6049.3150… → 6049.32
    # 2027, 2028: whole years at one rate → 12000.00 each (2028 has 366 days, still a whole year)
    # 2029: Jan 1 – Jun 30 = 31+28+31+30+31+30 = 181 days of 365: 12000 * 181 / 365 = 5950.6849… → 5950.68
    t = Terms(date(2026, 7, 1), date(2029, 6, 30), D("12000.00"), "年付", due_days=30)
    assert amounts(t) == [
        (date(2026, 7, 1), date(2026, 12, 31), D("6049.32")),
        (date(2027, 1, 1), date(2027, 12, 31), D("12000.00")),
        (date(2028, 1, 1), date(2028, 12, 31), D("12000.00")),
        (date(2029, 1, 1), date(2029, 6, 30), D("5950.68")),
    ]
    first = build_schedule(t)[0]
    assert first.partial and first.due_date == date(2026, 7, 31)  # start + 30 days
    assert sum(i.amount for i in build_schedule(t)) == D("36000.00")


def test_quarterly_with_partial_first_quarter() -> None:
    # 10,000 元/年 → 2,500.00 a whole quarter. Start 2026-02-10: Q1 is Jan 1 – Mar 31 = 90 days,
    # covered Feb 10 – Mar 31 = 19 + 31 = 50 days: 2500 * 50 / 90 = 1388.888… → 1388.89
    t = Terms(date(2026, 2, 10), date(2026, 12, 31), D("10000.00"), "季付")
    assert [a for _, _, a in amounts(t)] == [D("1388.89"), D("2500.00"), D("2500.00"), D("2500.00")]
    assert build_schedule(t)[0].period_start == date(2026, 2, 10)


def test_half_yearly_contract_aligned() -> None:
    # Aligned to the contract: 2026-04-01 .. 2027-09-30 → three whole half-years of 3,000.00
    t = Terms(date(2026, 4, 1), date(2027, 9, 30), D("6000.00"), "半年付", align="contract")
    assert amounts(t) == [
        (date(2026, 4, 1), date(2026, 9, 30), D("3000.00")),
        (date(2026, 10, 1), date(2027, 3, 31), D("3000.00")),
        (date(2027, 4, 1), date(2027, 9, 30), D("3000.00")),
    ]


def test_one_off_with_partial_first_year_recognised_by_year() -> None:
    # The lump sum is the sum of the calendar-year amounts (see the annual test above):
    # 6049.32 + 12000.00 + 12000.00 + 5950.68 = 36000.00, recognised in 2026, 2027, 2028, 2029.
    t = Terms(date(2026, 7, 1), date(2029, 6, 30), D("12000.00"), "一次性")
    [only] = build_schedule(t)
    assert only.amount == D("36000.00") and only.due_date == date(2026, 7, 1)
    assert only.recognition == ((2026, D("6049.32")), (2027, D("12000.00")), (2028, D("12000.00")),
                                (2029, D("5950.68")))


def test_five_year_lump_sum_is_one_fifth_per_year() -> None:
    t = Terms(date(2026, 1, 1), date(2030, 12, 31), D("10000.00"), "一次性")
    [only] = build_schedule(t)
    assert only.amount == D("50000.00")
    assert dict(only.recognition) == {y: D("10000.00") for y in range(2026, 2031)}


def test_escalation_every_three_years_with_partial_first_year() -> None:
    # 10,000 元/年 from 2026-07-01 to 2032-06-30, +5% every 3 contract years:
    # step 0 = 10000.00, step 1 (from 2029-07-01) = 10000 * 1.05 = 10500.00
    # 2026: 184/365 * 10000 = 5041.0958… → 5041.10
    # 2027, 2028: 10000.00
    # 2029: 181 days at 10000 + 184 days at 10500, of 365:
    #       (181 * 10000 + 184 * 10500) / 365 = (1,810,000 + 1,932,000) / 365 = 10252.0547… → 10252.05
    # 2030, 2031: 10500.00
    # 2032: Jan 1 – Jun 30 of a leap year = 31+29+31+30+31+30 = 182 days of 366:
    #       10500 * 182 / 366 = 5221.3114… → 5221.31
    t = Terms(date(2026, 7, 1), date(2032, 6, 30), D("10000.00"), "年付", D("5"), 3)
    assert step_rates(t)[:2] == [D("10000.00"), D("10500.00")]
    assert [a for _, _, a in amounts(t)] == [D("5041.10"), D("10000.00"), D("10000.00"), D("10252.05"),
                                             D("10500.00"), D("10500.00"), D("5221.31")]


def test_escalation_steps_are_rounded_each_step() -> None:
    # 3,333.33 * 1.05 = 3499.9965 → 3500.00; 3500.00 * 1.05 = 3675.00
    t = Terms(date(2020, 1, 1), date(2029, 12, 31), D("3333.33"), "年付", D("5"), 3)
    assert step_rates(t)[:3] == [D("3333.33"), D("3500.00"), D("3675.00")]
    assert [i.amount for i in build_schedule(t)][2:4] == [D("3333.33"), D("3500.00")]


def test_quarterly_ten_years_sums_to_the_term_rent() -> None:
    t = Terms(date(2020, 1, 1), date(2029, 12, 31), D("8000.00"), "季付")
    items = build_schedule(t)
    assert len(items) == 40 and sum(i.amount for i in items) == D("80000.00")


def test_bad_terms_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        build_schedule(Terms(date(2026, 2, 1), date(2026, 1, 1), D("1.00"), "年付"))
    with pytest.raises(ValueError):
        build_schedule(Terms(date(2026, 1, 1), date(2026, 12, 31), D("-1.00"), "年付"))


def test_term_years_and_leap_day_anniversary() -> None:
    assert term_years(date(2026, 1, 1), date(2045, 12, 31)) == D("20.00")
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


@pytest.mark.parametrize(("as_of", "bucket"), [
    (date(2025, 2, 28), None),  # not due yet
    (date(2025, 3, 1), "≤1年"),  # due that day and unpaid at its end (截至 that day)
    (date(2025, 3, 2), "≤1年"),
    (date(2026, 3, 1), "≤1年"),  # exactly one year
    (date(2026, 3, 2), "1–3年"),
    (date(2028, 3, 1), "1–3年"),  # exactly three years
    (date(2028, 3, 2), ">3年"),
])
def test_ageing_bucket_boundaries(as_of: date, bucket: str | None) -> None:
    assert ageing_bucket(date(2025, 3, 1), as_of) == bucket
