"""``straight_month`` (a straight-line card's month without the whole schedule) answers what the
schedule answers: the month's charge, and whether a charged month from the book's start is missing
from the posted months — over many cards: short and long lives, opening depreciation up to and past
the depreciable amount, charges that round to 0 分, disposals, first months before and after
acquisition, and posted months with holes."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

from desktop_app.core.periods import add_months, periods_between
from desktop_app.core.rules.depreciation import Terms, month_of, schedule
from desktop_app.core.services.depreciation_month import straight_month


def _expected(terms: Terms, period: str, start: str, posted: set[str]) -> tuple[D | None, bool]:
    """What the run read from the schedule before (its own words in compute_charges_books)."""
    lines = schedule(terms, (), until=period)
    missing = [ln.period for ln in lines if start <= ln.period < period and ln.period not in posted]
    amount = lines[-1].amount if lines and lines[-1].period == period else None
    return amount, bool(missing)


def _card(rng: random.Random) -> Terms:
    acquired = date(rng.randint(2010, 2026), rng.randint(1, 12), rng.randint(1, 28))
    cost = D(rng.choice([rng.randint(1, 300), rng.randint(100, 10_000_000)])).scaleb(-2)
    rate = rng.choice([D(0), D(3), D(5), D("4.5"), D(10)])
    life = rng.choice([1, 2, 12, 36, 60, 96, 120, 240, 600])
    depreciable = cost - (cost * rate / 100).quantize(D("0.01"))
    opening = rng.choice([D("0.00"), (depreciable * D(rng.random())).quantize(D("0.01")), depreciable,
                          depreciable + D("0.01"), depreciable - D("0.01")])
    first = rng.choice([None, add_months(month_of(acquired), rng.randint(-3, 30))])
    disposal = rng.choice([None, None, add_months(month_of(acquired), rng.randint(0, 40))])
    return Terms(cost=cost, residual_rate=rate, life_months=life, acquired_on=acquired,
                 opening_accumulated=opening, first_period=first, disposal_period=disposal)


def test_straight_month_equals_the_schedule() -> None:
    rng = random.Random(20261203)
    checked = charged = missing = 0
    for _ in range(8000):
        t = _card(rng)
        period = add_months(month_of(t.acquired_on), rng.randint(-2, 60))
        start = add_months(period, -rng.randint(0, 30))
        months = periods_between(add_months(start, -3), period)
        posted = {p for p in months if rng.random() < 0.97} if rng.random() < 0.8 else set()
        disposed = date(int(t.disposal_period[:4]), int(t.disposal_period[5:]), 15) if t.disposal_period else None
        got = straight_month(cost=t.cost, residual_rate=t.residual_rate, life_months=t.life_months,
                             acquired_on=t.acquired_on, opening_accumulated=t.opening_accumulated,
                             first_period=t.first_period, disposed_on=disposed, period=period, start=start,
                             posted=posted or None)
        want = _expected(t, period, start, posted)
        assert got == want, (t, period, start, sorted(posted))
        if want[0] is not None:
            assert want[0].as_tuple().exponent == got[0].as_tuple().exponent == -2  # type: ignore[union-attr]
        checked += 1
        charged += want[0] is not None
        missing += want[1]
    assert checked == 8000 and charged > 600 and missing > 100  # every case was met many times


def test_the_last_month_takes_the_residue_and_tiny_charges_wait_for_it() -> None:
    # 1.00 over 36 months rounds to 0.03 a month: 33 months of 0.03, then 0.01 in month 34, none after
    t = Terms(cost=D("1.00"), residual_rate=D(0), life_months=36, acquired_on=date(2025, 12, 5))
    assert schedule(t, (), until="2029-12")[-1].period == "2028-10"
    for period in periods_between("2026-01", "2029-12"):
        want = _expected(t, period, period, set())
        got = straight_month(cost=t.cost, residual_rate=t.residual_rate, life_months=t.life_months,
                             acquired_on=t.acquired_on, opening_accumulated=D("0.00"), first_period=None,
                             disposed_on=None, period=period, start=period, posted=None)
        assert got == want
    # 0.10 over 240 months rounds to 0.00: only the life's last month charges
    t = Terms(cost=D("0.10"), residual_rate=D(0), life_months=240, acquired_on=date(2025, 12, 5))
    assert [ln.period for ln in schedule(t, (), until="2046-12")] == ["2045-12"]
    got = straight_month(cost=t.cost, residual_rate=t.residual_rate, life_months=240, acquired_on=t.acquired_on,
                         opening_accumulated=D("0.00"), first_period=None, disposed_on=None, period="2045-12",
                         start="2026-01", posted=None)
    assert got == (D("0.10"), False)
