"""``straight_month`` (a straight-line card's month without the whole schedule) answers what the
schedule answers: the month's charge, and the months from the book's start before it that the
schedule charges (always a span, every month between) — over many cards: short and long lives,
opening depreciation up to and past the depreciable amount, charges that round to 0 分, disposals,
first months before and after acquisition, books started before and after the card."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

from desktop_app.core.periods import add_months, periods_between
from desktop_app.core.rules.depreciation import Terms, month_of, schedule
from desktop_app.core.services.depreciation_month import straight_month


def _expected(terms: Terms, period: str, start: str) -> tuple[D | None, tuple[str, str, int] | None]:
    """What the run reads from the schedule: the month's charge and the months charged from the
    book's start before it (``straight_month`` says they are a span: every month between)."""
    lines = schedule(terms, (), until=period)
    before = [ln.period for ln in lines if start <= ln.period < period]
    amount = lines[-1].amount if lines and lines[-1].period == period else None
    if before:
        assert before == periods_between(before[0], before[-1])  # no month skipped: a span
    return amount, ((before[0], before[-1], len(before)) if before else None)


def _got(t: Terms, period: str, start: str) -> tuple[D | None, tuple[str, str, int] | None]:
    disposed = date(int(t.disposal_period[:4]), int(t.disposal_period[5:]), 15) if t.disposal_period else None
    return straight_month(cost=t.cost, residual_rate=t.residual_rate, life_months=t.life_months,
                          acquired_on=t.acquired_on, opening_accumulated=t.opening_accumulated,
                          first_period=t.first_period, disposed_on=disposed, period=period, start=start)


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
    charged = spans = 0
    for _ in range(8000):
        t = _card(rng)
        period = add_months(month_of(t.acquired_on), rng.randint(-2, 60))
        start = add_months(period, -rng.randint(0, 30))
        got, want = _got(t, period, start), _expected(t, period, start)
        assert got == want, (t, period, start)
        if want[0] is not None:
            assert want[0].as_tuple().exponent == got[0].as_tuple().exponent == -2  # type: ignore[union-attr]
        charged += want[0] is not None
        spans += want[1] is not None
    assert charged > 600 and spans > 600  # every case was met many times


def test_the_last_month_takes_the_residue_and_tiny_charges_wait_for_it() -> None:
    # 1.00 over 36 months rounds to 0.03 a month: 33 months of 0.03, then 0.01 in month 34, none after
    t = Terms(cost=D("1.00"), residual_rate=D(0), life_months=36, acquired_on=date(2025, 12, 5))
    assert schedule(t, (), until="2029-12")[-1].period == "2028-10"
    for period in periods_between("2026-01", "2029-12"):
        assert _got(t, period, "2026-01") == _expected(t, period, "2026-01")
    # 0.10 over 240 months rounds to 0.00: only the life's last month charges
    t = Terms(cost=D("0.10"), residual_rate=D(0), life_months=240, acquired_on=date(2025, 12, 5))
    assert [ln.period for ln in schedule(t, (), until="2046-12")] == ["2045-12"]
    assert _got(t, "2045-12", "2026-01") == (D("0.10"), None)
    assert _got(t, "2046-01", "2026-01") == (None, ("2045-12", "2045-12", 1))
