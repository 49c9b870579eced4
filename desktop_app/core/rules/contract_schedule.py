"""Billing schedules (应收期次) of a contract: pure date and money arithmetic, no database.

Conventions (a contract's terms give ``start``/``end`` inclusive, a base annual rent, an
optional escalation and a payment mode):

* **Billing periods.** 年付 = 12 months, 半年付 = 6, 季付 = 3. With ``align="calendar"`` (the
  default) periods follow the calendar (years; Jan–Jun / Jul–Dec; quarters); with
  ``align="contract"`` they run from the start date (anniversaries). Each installment covers
  the part of one period that lies inside the contract, so the first and last installments
  may be partial.
* **Escalation.** ``escalation_pct`` every ``escalation_years`` contract years, counted from the
  start date (anniversaries; a 29 February start has its anniversary on 28 February in common
  years). The rate of step *k* is the rate of step *k-1* * (1 + pct/100) rounded half-up to
  分 (each step is rounded, so the printed 年租金 of every step is exact).
* **Amounts.** A whole period at one rate costs ``rate * months/12`` (rounded half-up to 分).
  Otherwise the covered days are split where the rate changes and each piece costs
  ``rate * months/12 * piece_days / days_in_the_whole_period``; the pieces are added exactly
  and the sum rounded half-up to 分 once. Days are actual days (a leap year's period has
  one more), so 184 days of a 365-day year at 12,000 元/年 cost 6,049.32 元.
* **一次性 (lump sum).** One installment, due at the start, for the whole term: the sum of the
  calendar-year amounts an annual, calendar-aligned schedule would bill. Its income is
  recognised year by year with exactly those amounts (:func:`recognition_years`), never all
  in the year it is received.
* **Due date** = first day the installment covers + ``due_days``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
MONTHS = {"年付": 12, "半年付": 6, "季付": 3}
_SHARE = {m: Decimal(m) / Decimal(12) for m in MONTHS.values()}  # a period's part of a year
PAYMENT_MODES = ("年付", "半年付", "季付", "一次性")


@dataclass(frozen=True)
class Terms:
    start: date
    end: date
    annual_rent: Decimal
    payment_mode: str
    escalation_pct: Decimal = Decimal(0)
    escalation_years: int = 0
    due_days: int = 0
    align: str = "calendar"


@dataclass(frozen=True)
class ScheduledInstallment:
    seq: int
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal
    partial: bool
    recognition: tuple[tuple[int, Decimal], ...]  # (calendar year, amount), sums to ``amount``


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


@lru_cache(maxsize=4096)
def term_years(start: date, end: date) -> Decimal:
    """The term in years: whole anniversaries plus the rest as a fraction of 365 days (2 dp)."""
    whole = 0
    while add_years(start, whole + 1) <= end + timedelta(days=1):
        whole += 1
    rest = (end + timedelta(days=1) - add_years(start, whole)).days
    return (Decimal(whole) + Decimal(rest) / Decimal(365)).quantize(CENT, ROUND_HALF_UP)


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def step_rates(terms: Terms) -> list[Decimal]:
    """年租金 of each escalation step (step 0 = the base rent)."""
    rates = [round_fen(terms.annual_rent)]
    if terms.escalation_years > 0 and terms.escalation_pct:
        years = int(term_years(terms.start, terms.end)) + 1
        factor = Decimal(1) + terms.escalation_pct / Decimal(100)
        for _ in range(years // terms.escalation_years + 1):
            rates.append(round_fen(rates[-1] * factor))
    return rates


def _step_boundaries(terms: Terms) -> list[date]:
    """First day of escalation steps 1, 2, … (inside or just past the term)."""
    if terms.escalation_years <= 0 or not terms.escalation_pct:
        return []
    return list(_bounds_of(terms.start, terms.end, terms.escalation_years))


@lru_cache(maxsize=4096)
def _bounds_of(start: date, end: date, every: int) -> tuple[date, ...]:
    out: list[date] = []
    k = 1
    while True:
        day = add_years(start, k * every)
        if day > end:
            return tuple(out)
        out.append(day)
        k += 1


def _pieces(first: date, last: date, bounds: Sequence[date]) -> list[tuple[date, date, int]]:
    """Split [first, last] at escalation boundaries: (from, to, step)."""
    pieces: list[tuple[date, date, int]] = []
    cur = first
    step = sum(1 for b in bounds if b <= first)
    for b in bounds:
        if first < b <= last:
            pieces.append((cur, b - timedelta(days=1), step))
            cur, step = b, step + 1
    pieces.append((cur, last, step))
    return pieces


# a period of a schedule as far as its dates decide it: (covered first day, covered last day, partial,
# the step when the whole period is at one rate else None, (step, days, days of the whole period) pieces)
_Slot = tuple[date, date, bool, "int | None", tuple[tuple[int, Decimal, Decimal], ...]]


@lru_cache(maxsize=4096)  # an import's contracts share a few terms' dates: each worked out once, the rents differ
def _slots(start: date, end: date, align: str, months: int, bounds: tuple[date, ...]) -> tuple[_Slot, ...]:
    """Every period touching the term (``_periods``) cut at the escalation ``bounds`` (``_pieces``)."""
    out: list[_Slot] = []
    for nominal, covered in _periods_of(start, end, align, months):
        pieces = _pieces(covered[0], covered[1], bounds)
        if covered == nominal and len(pieces) == 1:
            out.append((covered[0], covered[1], False, pieces[0][2], ()))
        else:
            days_total = Decimal((nominal[1] - nominal[0]).days + 1)
            out.append((covered[0], covered[1], covered != nominal, None,
                        tuple((s, Decimal((b - a).days + 1), days_total) for a, b, s in pieces)))
    return tuple(out)


def _amount(rates: list[Decimal], share: Decimal, step: int | None,
            pieces: tuple[tuple[int, Decimal, Decimal], ...]) -> Decimal:
    """A period's amount: a whole period at one rate costs ``rate * share``; otherwise each piece
    ``rate * share * days / days of the period``, added exactly and rounded once."""
    if step is not None:
        return round_fen(rates[step] * share)
    return round_fen(sum((rates[s] * share * days / days_total for s, days, days_total in pieces), Decimal(0)))


def _periods(terms: Terms, months: int) -> tuple[tuple[tuple[date, date], tuple[date, date]], ...]:
    """(nominal period, covered part) for every period touching the term."""
    return _periods_of(terms.start, terms.end, terms.align, months)


@lru_cache(maxsize=4096)  # an import's contracts share a few terms: each set of bounds worked out once
def _periods_of(start: date, end: date, align: str, months: int) -> tuple[tuple[tuple[date, date], tuple[date, date]], ...]:
    anchor = start if align == "contract" else date(start.year, ((start.month - 1) // months) * months + 1, 1)
    out: list[tuple[tuple[date, date], tuple[date, date]]] = []
    k = 0
    while True:
        p_start = add_months(anchor, k * months)
        if p_start > end:
            return tuple(out)
        p_end = add_months(anchor, (k + 1) * months) - timedelta(days=1)
        covered = (max(p_start, start), min(p_end, end))
        if covered[0] <= covered[1]:
            out.append(((p_start, p_end), covered))
        k += 1


def check_terms(terms: Terms) -> None:
    """Raise ValueError (English, for programmers) on terms the services should have refused."""
    if terms.end < terms.start:
        raise ValueError("end before start")
    if terms.annual_rent < 0:
        raise ValueError("negative rent")
    if terms.payment_mode not in PAYMENT_MODES:
        raise ValueError(f"unknown payment mode {terms.payment_mode!r}")
    if terms.align not in ("calendar", "contract"):
        raise ValueError(f"unknown alignment {terms.align!r}")


def calendar_year_amounts(terms: Terms) -> list[tuple[int, Decimal]]:
    """The rent of each calendar year of the term (an annual, calendar-aligned schedule)."""
    annual = Terms(terms.start, terms.end, terms.annual_rent, "年付", terms.escalation_pct,
                   terms.escalation_years, 0, "calendar")
    rates, share = step_rates(annual), _SHARE[12]
    return [(first.year, _amount(rates, share, step, pieces))
            for first, _, _, step, pieces in _slots(annual.start, annual.end, "calendar", 12,
                                                    tuple(_step_boundaries(annual)))]


# an installment as ``schedule_parts`` gives it: ScheduledInstallment's fields in their order
Part = tuple[int, date, date, date, Decimal, bool, tuple[tuple[int, Decimal], ...]]


def build_schedule(terms: Terms) -> list[ScheduledInstallment]:
    """The installments of a contract, in order (see the module docstring for the conventions)."""
    return [ScheduledInstallment(*part) for part in schedule_parts(terms)]


def schedule_parts(terms: Terms) -> list[Part]:
    """``build_schedule``'s installments as plain tuples of their fields (a bulk writer of 100,000s
    of installments makes no object per installment)."""
    check_terms(terms)
    due = timedelta(days=terms.due_days)
    if terms.payment_mode == "一次性":
        years = tuple(calendar_year_amounts(terms))
        total = sum((a for _, a in years), Decimal("0.00"))
        return [(1, terms.start, terms.end, terms.start + due, total, False, years)]
    months = MONTHS[terms.payment_mode]
    rates, share = step_rates(terms), _SHARE[months]
    out: list[Part] = []
    for i, (first, last, partial, step, pieces) in enumerate(
            _slots(terms.start, terms.end, terms.align, months, tuple(_step_boundaries(terms))), start=1):
        amount = _amount(rates, share, step, pieces)
        out.append((i, first, last, first + due, amount, partial, ((first.year, amount),)))
    return out


def recognition_years(item: ScheduledInstallment) -> dict[int, Decimal]:
    return dict(item.recognition)


def ageing_bucket(due: date, as_of: date) -> str | None:
    """Arrears age of an installment due on ``due`` seen at the end of ``as_of`` (截至 that day):
    None if not yet overdue (due after as_of), else ``≤1年`` (up to and including one year after
    the due date; an installment due that very day and unpaid by its end included), ``1–3年`` (up
    to and including three years) or ``>3年``."""
    if due > as_of:
        return None
    if as_of <= add_years(due, 1):
        return "≤1年"
    if as_of <= add_years(due, 3):
        return "1–3年"
    return ">3年"


AGEING_BUCKETS = ("≤1年", "1–3年", ">3年")


CONTRACT_STATES = ("草拟", "未生效", "履行中", "纠纷", "已到期", "已终止")


def contract_state(status: str, start: date, end: date, terminated_on: date | None, as_of: date) -> str:
    """The status a contract has on ``as_of``, from its dates: what every list, sheet and page shows.

    The stored status records only what the user decided (草拟, 终止 with its date, 纠纷, 到期 on
    renewal, which the end date decides alike); time does the rest. 草拟 stays 草拟 (never signed); 终止 reads 已终止 from its
    termination date on (履行中 before it, if it was entered ahead); otherwise before the start
    date 未生效, after the end date 已到期 (a dispute included: the term is over), else 履行中 or
    纠纷 (a dispute during the term)."""
    if status == "草拟":
        return "草拟"
    if status == "终止" and (terminated_on is None or terminated_on <= as_of):
        return "已终止"
    if as_of < start:
        return "未生效"
    if as_of > end:
        return "已到期"
    return "纠纷" if status == "纠纷" else "履行中"
