"""One month of a straight-line card's schedule without building the schedule (a township's run).

``rules.depreciation.schedule`` walks a card month by month from its first chargeable month; the
monthly run needs only two things of it: the month's charge, and whether an earlier month
(from the book's start) was charged in the schedule but never posted. For a 年限平均法 card with
no value changes the walk has a closed form (the rules of ``schedule``/``_straight_charge``):

* ``L`` months are left to charge after the first chargeable month's start (``life − months
  used``), ``R`` = max(cost − residual − opening accumulated, 0) is left to charge, ``monthly`` =
  round half-up(R / L) is fixed (nothing recomputes it without an adjustment);
* before month ``t`` (0 = the first chargeable month) ``min(t · monthly, R)`` has been charged
  (each month charges ``min(monthly, what is left)``), and month ``L − 1`` takes whatever is left;
* so the months with a charge are ``t`` = 0 … min(⌈R / monthly⌉, L) − 1 (only ``L − 1`` when
  ``monthly`` rounds to 0), cut at the disposal month.

:func:`straight_month` answers for such a card: the month's charge and the span of months before
it (from the book's start) that must have been posted — all of them, so the run compares the span
with a count, first and last of the card's posted months instead of reading every one. Anything
else (工作量法, a value change, posted months that do not cover the span exactly: the caller reads
them and builds the schedule, for its message) goes through ``schedule``.
``tests/assets/test_depreciation_month.py`` checks it against ``schedule`` over many cards.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop_app.core.money import from_fen
from desktop_app.core.periods import month_index, period_at

Span = tuple[str, str, int]  # first month, last month, months (every month between)


def straight_month(*, cost: Decimal, residual_rate: Decimal, life_months: int, acquired_on: date,
                   opening_accumulated: Decimal, first_period: str | None, disposed_on: date | None,
                   period: str, start: str) -> tuple[Decimal | None, Span | None]:
    """(the charge of ``period``, or None when the schedule has no line that month; the months
    from ``start`` to the month before ``period`` that the schedule charges, or None when none).

    The same as ``schedule(terms, (), until=period)``'s last line and its lines from ``start``
    before ``period`` (always every month of a span), for a straight-line card with no value
    changes. :func:`straight_month_fen` on the stored forms (分, 万分之一 percent, month indices)."""
    disposed = None if disposed_on is None else disposed_on.year * 12 + disposed_on.month - 1
    fen, span = straight_month_fen(
        int(cost.scaleb(2)), int(residual_rate.scaleb(RATE_PLACES)), life_months,
        acquired_on.year * 12 + acquired_on.month - 1, int(opening_accumulated.scaleb(2)),
        month_index(first_period) if first_period else None, disposed, month_index(period), month_index(start))
    amount = None if fen is None else from_fen(fen)
    return amount, (None if span is None else (period_at(span[0]), period_at(span[1]), span[2]))


RATE_PLACES = 4  # ``residual_rate`` is stored as Mu4: percent times 10⁴
_RESIDUAL_DIV = 100 * 10 ** RATE_PLACES  # 分 times rate units / this = the residual in 分


def half_up(n: int, d: int) -> int:
    """``n / d`` rounded half away from zero (``ROUND_HALF_UP``), ``d`` > 0, in integers."""
    q = (2 * n + d) // (2 * d) if n >= 0 else -((-2 * n + d) // (2 * d))
    return q


IxSpan = tuple[int, int, int]  # first month index, last month index, months


def straight_month_fen(cost: int, rate: int, life_months: int, acquired: int, opening: int, first_ix: int | None,
                       disposed: int | None, now: int, start: int) -> tuple[int | None, IxSpan | None]:
    """:func:`straight_month` on stored forms, for the run's hot loop: ``cost`` and ``opening`` in
    分, ``rate`` the residual percent times 10⁴ (Mu4), months as indices (year · 12 + month − 1:
    ``acquired`` the acquisition month, ``first_ix`` the card's first period or None, ``disposed``
    the disposal month or None, ``now`` the run's month, ``start`` the book's first). Integer
    arithmetic gives exactly the Decimal rounding of ``schedule`` (half up to 分 of an exact
    quotient: ``remaining / left`` has a denominator far below what 28 digits could blur)."""
    first = first_ix if first_ix is not None else acquired + 1
    used0 = first - acquired - 1
    if used0 < 0:
        first, used0 = acquired + 1, 0
    last = now if disposed is None else min(now, disposed)
    if last < first:
        return None, None
    left = life_months - used0
    remaining = cost - half_up(cost * rate, _RESIDUAL_DIV) - opening
    if left <= 0 or remaining <= 0:
        return None, None
    monthly = half_up(remaining, left)
    if monthly > 0:
        whole, part = divmod(remaining, monthly)  # both positive: ⌈R / monthly⌉ = whole (+1 if a part)
        lo, hi = 0, min(whole + (1 if part else 0), left) - 1  # months 0 … hi charge something
    else:
        lo, hi = left - 1, left - 1  # only the life's last month takes the residue
    hi = min(hi, last - first)
    if hi < lo:
        return None, None
    t = now - first
    amount: int | None = None
    if lo <= t <= hi:  # t ≤ hi ≤ the disposal month: this month is charged
        before = min(t * monthly, remaining)
        amount = remaining - before if t == left - 1 else min(monthly, remaining - before)
    a, b = max(lo, start - first), min(hi, t - 1)
    return amount, ((first + a, first + b, b - a + 1) if a <= b else None)
