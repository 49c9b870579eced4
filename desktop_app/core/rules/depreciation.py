"""Depreciation schedules (pure math; no Qt, no database).

Rules (财会〔2004〕12号, REFERENCE §2.5):

* no charge in the month of acquisition: the first charge is the next month;
* a full charge in the month of disposal (the schedule simply ends after that month);
* no charge once fully depreciated: accumulated never exceeds cost − residual value;
* 年限平均法: monthly = remaining depreciable amount ÷ remaining months, rounded half-up to 分;
  the last month of the life takes whatever is left, so the total is exact;
* 工作量法: per-unit rate = depreciable amount ÷ total workload (kept exact, recomputed only when
  the value changes); monthly = rate * the month's units, half-up to 分; the month that uses up the workload (or
  would pass the limit) takes exactly what is left.

Value changes (改良, 部分处置, 重估, 盘盈入账 …) are ``Adjustment`` events. The month of the change is
charged on the old basis (当月增加当月不提、当月减少当月照提, as for acquisitions and disposals);
from the next month the schedule is *recomputed* from the new cost, the accumulated depreciation
after the change and the months (or units) still left, so nothing charged before is re-charged
and nothing left is lost (ERPNext's schedule-after-adjustment bugs did both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from desktop_app.core.periods import add_months as add_months
from desktop_app.core.periods import months_between as months_between
from desktop_app.core.periods import period_of

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
STRAIGHT_LINE = "年限平均法"
UNITS = "工作量法"
METHODS = (STRAIGHT_LINE, UNITS)
month_of = period_of  # the month a date falls in (core/periods.py holds the arithmetic)


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """What the card says. ``residual_rate`` is a percentage (5 means 5 %).

    ``opening_accumulated``/``opening_workload`` are what was charged before ``first_period``
    (an asset taken over from an old ledger); ``first_period`` defaults to the month after
    acquisition."""

    cost: Decimal
    residual_rate: Decimal
    life_months: int
    acquired_on: date
    method: str = STRAIGHT_LINE
    total_workload: Decimal | None = None
    opening_accumulated: Decimal = ZERO
    opening_workload: Decimal = Decimal(0)
    first_period: str | None = None
    disposal_period: str | None = None


@dataclass(frozen=True)
class Adjustment:
    period: str  # month of the change
    delta_cost: Decimal = ZERO
    delta_accumulated: Decimal = ZERO  # e.g. the part of accumulated depreciation disposed of
    new_life_months: int | None = None  # total life (months from acquisition), if re-estimated
    new_residual_rate: Decimal | None = None
    delta_workload: Decimal | None = None  # change of the total workload (工作量法)


@dataclass(frozen=True)
class ScheduleLine:
    period: str
    amount: Decimal
    accumulated: Decimal  # after this month's charge
    cost: Decimal
    net_value: Decimal  # cost − accumulated


@dataclass
class _State:
    cost: Decimal
    rate: Decimal
    life: int
    accumulated: Decimal
    months_used: int
    workload_total: Decimal
    workload_used: Decimal
    monthly: Decimal = ZERO
    unit_rate: Decimal = Decimal(0)  # exact (not rounded) charge per unit of work

    def residual(self) -> Decimal:
        return round_fen(self.cost * self.rate / HUNDRED)

    def remaining(self) -> Decimal:
        return max(self.cost - self.residual() - self.accumulated, ZERO)


def residual_value(cost: Decimal, residual_rate: Decimal) -> Decimal:
    return round_fen(cost * residual_rate / HUNDRED)


def _recompute(st: _State) -> None:
    months_left = st.life - st.months_used
    st.monthly = round_fen(st.remaining() / months_left) if months_left > 0 else ZERO
    units_left = st.workload_total - st.workload_used
    st.unit_rate = st.remaining() / units_left if units_left > 0 else Decimal(0)


def _apply(st: _State, adj: Adjustment) -> None:
    st.cost += adj.delta_cost
    st.accumulated += adj.delta_accumulated
    if adj.new_life_months is not None:
        st.life = adj.new_life_months
    if adj.new_residual_rate is not None:
        st.rate = adj.new_residual_rate
    if adj.delta_workload is not None:
        st.workload_total += adj.delta_workload


def schedule(terms: Terms, adjustments: Sequence[Adjustment] = (), *, until: str,
             workloads: Mapping[str, Decimal] | None = None) -> list[ScheduleLine]:
    """Every month's charge from the first chargeable month through ``until`` (inclusive).

    Months with nothing to charge (fully depreciated, no units worked) are omitted.
    """
    acquired = month_of(terms.acquired_on)
    first = terms.first_period or add_months(acquired, 1)
    if months_between(acquired, first) < 1:
        first = add_months(acquired, 1)
    last = until
    if terms.disposal_period is not None and terms.disposal_period < last:
        last = terms.disposal_period
    st = _State(cost=terms.cost, rate=terms.residual_rate, life=terms.life_months,
                accumulated=terms.opening_accumulated, months_used=months_between(acquired, first) - 1,
                workload_total=terms.total_workload or Decimal(0), workload_used=terms.opening_workload)
    events = sorted(adjustments, key=lambda a: a.period)
    for adj in [a for a in events if a.period < first]:  # changes before charging starts
        _apply(st, adj)
    pending = [a for a in events if a.period >= first]
    _recompute(st)
    out: list[ScheduleLine] = []
    period = first
    units = workloads or {}
    while period <= last:
        if terms.method == UNITS:
            amount = _units_charge(st, units.get(period, Decimal(0)))
        else:
            amount = _straight_charge(st)
        st.accumulated += amount
        st.months_used += 1
        if amount:
            out.append(ScheduleLine(period, amount, st.accumulated, st.cost, st.cost - st.accumulated))
        todays = [a for a in pending if a.period == period]
        if todays:
            for adj in todays:
                _apply(st, adj)
            _recompute(st)
        period = add_months(period, 1)
    return out


def _straight_charge(st: _State) -> Decimal:
    remaining = st.remaining()
    if remaining <= 0 or st.months_used >= st.life:
        return ZERO
    if st.months_used + 1 == st.life:
        return remaining  # the last month takes the residue
    return min(st.monthly, remaining)


def _units_charge(st: _State, worked: Decimal) -> Decimal:
    remaining = st.remaining()
    left = st.workload_total - st.workload_used
    if remaining <= 0 or worked <= 0 or left <= 0:
        return ZERO
    st.workload_used += worked
    if worked >= left:
        return remaining
    return min(round_fen(st.unit_rate * worked), remaining)


def charge_for(terms: Terms, adjustments: Sequence[Adjustment], period: str, *,
               workloads: Mapping[str, Decimal] | None = None) -> Decimal:
    """The charge for one month (zero if none)."""
    lines = schedule(terms, adjustments, until=period, workloads=workloads)
    return lines[-1].amount if lines and lines[-1].period == period else ZERO


def accumulated_at(terms: Terms, adjustments: Sequence[Adjustment], period: str, *,
                   workloads: Mapping[str, Decimal] | None = None) -> Decimal:
    """Accumulated depreciation after ``period``'s charge (adjustments' own deltas included)."""
    acc = terms.opening_accumulated + sum((a.delta_accumulated for a in adjustments if a.period <= period), ZERO)
    return acc + sum((ln.amount for ln in schedule(terms, adjustments, until=period, workloads=workloads)), ZERO)


def with_disposal(terms: Terms, period: str) -> Terms:
    return replace(terms, disposal_period=period)


__all__ = [
    "METHODS", "STRAIGHT_LINE", "UNITS", "Adjustment", "ScheduleLine", "Terms", "accumulated_at",
    "add_months", "charge_for", "month_of", "months_between", "residual_value", "round_fen", "schedule",
    "with_disposal",
]
