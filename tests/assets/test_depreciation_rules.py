"""Depreciation schedules against figures computed by hand (to the 分)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from desktop_app.core.rules.depreciation import (
    UNITS,
    Adjustment,
    Terms,
    accumulated_at,
    charge_for,
    schedule,
    with_disposal,
)


def amounts(lines: list) -> dict[str, D]:
    return {ln.period: ln.amount for ln in lines}


def test_acquired_mid_month_straight_line_last_month_takes_residue() -> None:
    # Cost 10,000.00, residual 4 % = 400.00, depreciable 9,600.00 over 36 months.
    # 9,600 / 36 = 266.666… → 266.67 (half-up). Acquired 2026-01-20: nothing in January,
    # first charge February 2026; months 1–35 charge 266.67 = 9,333.45; month 36 (2029-01)
    # takes 9,600.00 − 9,333.45 = 266.55. Total exactly 9,600.00; net value = residual 400.00.
    t = Terms(cost=D("10000.00"), residual_rate=D(4), life_months=36, acquired_on=date(2026, 1, 20))
    lines = schedule(t, until="2030-12")
    assert lines[0].period == "2026-02" and lines[0].amount == D("266.67")
    assert charge_for(t, [], "2026-01") == D("0.00")
    assert len(lines) == 36
    assert all(ln.amount == D("266.67") for ln in lines[:35])
    assert lines[-1].period == "2029-01" and lines[-1].amount == D("266.55")
    assert sum(ln.amount for ln in lines) == D("9600.00")
    assert lines[-1].net_value == D("400.00")


def test_fully_depreciated_asset_stops_at_residual() -> None:
    # Cost 5,000.00, residual 5 % = 250.00, depreciable 4,750.00, life 60 months, acquired
    # 2021-06-10, taken over on 2026-01 with 4,700.00 already charged. Months used before
    # 2026-01: 2021-07 … 2025-12 = 54, so 6 months remain for 50.00:
    # 50.00 / 6 = 8.333… → 8.33 for Jan–May (41.65), June (month 60) takes 50.00 − 41.65 = 8.35.
    # From July on nothing: accumulated 4,750.00, net value 250.00 = residual, never below.
    t = Terms(cost=D("5000.00"), residual_rate=D(5), life_months=60, acquired_on=date(2021, 6, 10),
              opening_accumulated=D("4700.00"), first_period="2026-01")
    got = amounts(schedule(t, until="2026-12"))
    assert got == {"2026-01": D("8.33"), "2026-02": D("8.33"), "2026-03": D("8.33"), "2026-04": D("8.33"),
                   "2026-05": D("8.33"), "2026-06": D("8.35")}
    assert accumulated_at(t, [], "2026-12") == D("4750.00")
    # an asset already at its limit charges nothing at all
    done = Terms(cost=D("5000.00"), residual_rate=D(5), life_months=60, acquired_on=date(2021, 6, 10),
                 opening_accumulated=D("4750.00"), first_period="2026-01")
    assert schedule(done, until="2027-12") == []


def test_value_adjusted_mid_life_recomputes_remaining_schedule() -> None:
    # Cost 12,000.00, no residual, 24 months, acquired 2026-01-05: 500.00 a month from February.
    # Improvement of +3,000.00 in June 2026: June is still charged on the old basis (500.00), so
    # Feb–Jun = 5 * 500.00 = 2,500.00. From July: cost 15,000.00 − 2,500.00 = 12,500.00 over the
    # 19 months left: 12,500 / 19 = 657.894… → 657.89 for 18 months = 11,842.02; the 24th month
    # (2028-01) takes 12,500.00 − 11,842.02 = 657.98. Total 15,000.00: nothing charged twice,
    # nothing lost.
    t = Terms(cost=D("12000.00"), residual_rate=D(0), life_months=24, acquired_on=date(2026, 1, 5))
    adj = [Adjustment(period="2026-06", delta_cost=D("3000.00"))]
    lines = schedule(t, adj, until="2029-12")
    got = amounts(lines)
    assert [got[p] for p in ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06")] == [D("500.00")] * 5
    assert got["2026-07"] == D("657.89") and got["2027-12"] == D("657.89")
    assert got["2028-01"] == D("657.98")
    assert len(lines) == 24 and sum(got.values()) == D("15000.00")
    assert lines[-1].net_value == D("0.00")


def test_partial_disposal_mid_life() -> None:
    # Cost 12,000.00, no residual, 24 months from Feb 2026 (500.00 a month). Half of it is sold in
    # April 2026: April still charged 500.00 (accumulated 1,500.00); the half disposed of takes
    # 6,000.00 of cost and 750.00 of accumulated depreciation. From May: 6,000.00 − 750.00 =
    # 5,250.00 over 21 months = 250.00 a month, which is exactly half the old charge.
    t = Terms(cost=D("12000.00"), residual_rate=D(0), life_months=24, acquired_on=date(2026, 1, 5))
    adj = [Adjustment(period="2026-04", delta_cost=D("-6000.00"), delta_accumulated=D("-750.00"))]
    got = amounts(schedule(t, adj, until="2028-12"))
    assert got["2026-04"] == D("500.00") and got["2026-05"] == D("250.00") and got["2028-01"] == D("250.00")
    assert accumulated_at(t, adj, "2028-12") == D("6000.00")


def test_disposed_mid_year_charges_the_disposal_month_then_stops() -> None:
    # Cost 36,000.00, residual 5 % = 1,800.00, depreciable 34,200.00 over 120 months = 285.00.
    # Acquired 2025-11-10: first charge December 2025. Disposed 2026-07-20: July is charged in
    # full, nothing after. 2026: January–July = 7 * 285.00 = 1,995.00; in all 8 * 285.00 = 2,280.00.
    t = with_disposal(Terms(cost=D("36000.00"), residual_rate=D(5), life_months=120,
                            acquired_on=date(2025, 11, 10)), "2026-07")
    lines = schedule(t, until="2026-12")
    assert lines[0].period == "2025-12" and lines[-1].period == "2026-07"
    assert sum(ln.amount for ln in lines if ln.period.startswith("2026")) == D("1995.00")
    assert lines[-1].accumulated == D("2280.00")
    assert charge_for(t, [], "2026-08") == D("0.00")


def test_units_of_production_with_exact_total() -> None:
    # Cost 1,000.00, no residual, 3 units of work: 333.333… a unit (kept exact).
    # Month 1: 1 unit → 333.33; month 2: 1 unit → 333.33; month 3 uses up the work → 1,000 − 666.66 = 333.34.
    t = Terms(cost=D("1000.00"), residual_rate=D(0), life_months=60, acquired_on=date(2026, 1, 2),
              method=UNITS, total_workload=D(3))
    work = {"2026-02": D(1), "2026-03": D(0), "2026-04": D(1), "2026-05": D(1), "2026-06": D(1)}
    got = amounts(schedule(t, until="2026-12", workloads=work))
    assert got == {"2026-02": D("333.33"), "2026-04": D("333.33"), "2026-05": D("333.34")}
    # a tractor: 95,000.00 depreciable over 200,000 km = 0.475 a km; 2,333 km → 1,108.175 → 1,108.18
    tr = Terms(cost=D("100000.00"), residual_rate=D(5), life_months=96, acquired_on=date(2026, 1, 2),
               method=UNITS, total_workload=D(200000))
    assert charge_for(tr, [], "2026-02", workloads={"2026-02": D(2333)}) == D("1108.18")
