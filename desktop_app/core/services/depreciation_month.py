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

from desktop_app.core.periods import month_index, period_at
from desktop_app.core.rules.depreciation import ZERO, round_fen

HUNDRED = Decimal(100)


Span = tuple[str, str, int]  # first month, last month, months (every month between)


def straight_month(*, cost: Decimal, residual_rate: Decimal, life_months: int, acquired_on: date,
                   opening_accumulated: Decimal, first_period: str | None, disposed_on: date | None,
                   period: str, start: str) -> tuple[Decimal | None, Span | None]:
    """(the charge of ``period``, or None when the schedule has no line that month; the months
    from ``start`` to the month before ``period`` that the schedule charges, or None when none).

    The same as ``schedule(terms, (), until=period)``'s last line and its lines from ``start``
    before ``period`` (always every month of a span), for a straight-line card with no value
    changes."""
    # months as indices (year · 12 + month − 1): the periods module's arithmetic, once per card
    acquired = acquired_on.year * 12 + acquired_on.month - 1
    first = month_index(first_period) if first_period else acquired + 1
    used0 = first - acquired - 1
    if used0 < 0:
        first, used0 = acquired + 1, 0
    now = last = month_index(period)
    if disposed_on is not None:
        last = min(last, disposed_on.year * 12 + disposed_on.month - 1)
    if last < first:
        return None, None
    left = life_months - used0
    remaining = max(cost - round_fen(cost * residual_rate / HUNDRED) - opening_accumulated, ZERO)
    if left <= 0 or remaining <= 0:
        return None, None
    monthly = round_fen(remaining / left)
    if monthly > 0:
        whole, part = divmod(remaining, monthly)  # both positive: ⌈R / monthly⌉ = whole (+1 if a part)
        lo, hi = 0, min(int(whole) + (1 if part else 0), left) - 1  # months 0 … hi charge something
    else:
        lo, hi = left - 1, left - 1  # only the life's last month takes the residue
    hi = min(hi, last - first)
    if hi < lo:
        return None, None
    t = now - first
    amount: Decimal | None = None
    if lo <= t <= hi:  # t ≤ hi ≤ the disposal month: this month is charged
        before = min(t * monthly, remaining)
        amount = remaining - before if t == left - 1 else min(monthly, remaining - before)
    a, b = max(lo, month_index(start) - first), min(hi, t - 1)
    return amount, ((period_at(first + a), period_at(first + b), b - a + 1) if a <= b else None)
