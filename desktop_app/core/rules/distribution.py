"""Dividend and distribution-plan arithmetic (pure: no Qt, no database).

Decisions (REFERENCE.md "Our decisions"):

* 每股分红 = amount approved for members ÷ total shares, rounded **down** to the plan's precision
  (分, 角 or 元), so the roster never pays more than was approved;
* a member's amount = shares * 每股分红, ROUND_HALF_UP to 分 (only fractional shares need it);
* the remainder (approved − Σ roster) is shown on the plan and stays in 未分配收益.

One more step the decisions imply: with half-up rounding of fractional holdings the roster can
overshoot by half a 分 per holding (two members of 0.5 shares and 1.01 元: 每股 1.01, each
0.505 → 0.51, Σ 1.02). Then 每股分红 steps down by one precision unit until Σ ≤ approved; the
result says so (``stepped_down``) and the remainder may then reach one more precision unit per share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from desktop_app.core.money import format_amount

__all__ = [
    "PRECISIONS",
    "DividendResult",
    "PlanFigures",
    "PlanLineFigure",
    "PlanRules",
    "RuleViolation",
    "check_plan",
    "compute_dividends",
    "lines_add_up",
    "member_amount",
    "per_share_amount",
    "plan_lines",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SHARE_QUANTUM = Decimal("0.0001")
PRECISIONS: dict[str, Decimal] = {"分": Decimal("0.01"), "角": Decimal("0.10"), "元": Decimal("1.00")}


def _step(precision: str) -> Decimal:
    try:
        return PRECISIONS[precision]
    except KeyError:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {precision!r}") from None


def _exact(value: Decimal, quantum: Decimal, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if value != value.quantize(quantum):
        raise ValueError(f"{what} {value} has more decimals than {quantum}")
    return value.quantize(quantum)


def per_share_amount(amount: Decimal, total_shares: Decimal, precision: str = "分") -> Decimal:
    """amount ÷ total shares, rounded down to the precision (returned with 2 places)."""
    step = _step(precision)
    amount = _exact(amount, CENT, "amount")
    total_shares = _exact(total_shares, SHARE_QUANTUM, "total_shares")
    if total_shares <= 0 or amount <= 0:
        return ZERO
    units = (amount / total_shares / step).to_integral_value(rounding=ROUND_DOWN)
    return (units * step).quantize(CENT)


def member_amount(shares: Decimal, per_share: Decimal) -> Decimal:
    """shares * 每股分红, half-up to 分."""
    return (_exact(shares, SHARE_QUANTUM, "shares") * per_share).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DividendResult:
    precision: str
    approved: Decimal  # amount approved for members
    total_shares: Decimal
    per_share: Decimal  # 每股分红
    amounts: tuple[Decimal, ...]  # one per holding, in the order given
    total: Decimal  # Σ amounts
    remainder: Decimal  # approved − total (≥ 0), stays in 未分配收益
    stepped_down: bool  # per-share lowered below the plain rounding to keep Σ ≤ approved


def compute_dividends(approved: Decimal, shares: Sequence[Decimal], precision: str = "分") -> DividendResult:
    """The roster amounts for holdings ``shares`` (each ≥ 0, at most 4 decimals)."""
    step = _step(precision)
    approved = _exact(approved, CENT, "approved")
    if approved < 0:
        raise ValueError("approved amount must not be negative")
    holdings = [_exact(s, SHARE_QUANTUM, "shares") for s in shares]
    if any(s < 0 for s in holdings):
        raise ValueError("a holding must not be negative")
    total_shares = sum(holdings, Decimal("0.0000"))
    per_share = per_share_amount(approved, total_shares, precision)
    stepped = False
    while True:
        amounts = tuple((s * per_share).quantize(CENT, rounding=ROUND_HALF_UP) for s in holdings)
        total = sum(amounts, ZERO)
        if total <= approved or per_share <= 0:
            break
        per_share, stepped = (per_share - step).quantize(CENT), True
    return DividendResult(precision, approved, total_shares, per_share, amounts, total,
                          (approved - total).quantize(CENT), stepped)


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFigures:
    """What the books say and what the plan proposes (all Decimal 元)."""

    current_year_income: Decimal  # 本年收益
    opening_undistributed: Decimal  # 年初未分配收益 (negative: 未弥补亏损)
    distributable: Decimal  # 可分配收益 after exclusions
    reserve: Decimal  # 提取公积公益金
    welfare: Decimal  # 提取福利费
    members: Decimal  # 成员分配
    other: Decimal  # 其他
    cash_available: Decimal  # 货币资金


@dataclass(frozen=True)
class PlanRules:
    """An organisation's rules: 章程 rate and local floors/caps (percent; None = no such rule)."""

    reserve_rate: Decimal = Decimal("10")
    reserve_floor: Decimal | None = None
    members_cap: Decimal | None = None
    welfare_rate: Decimal = Decimal("0")
    forbid_borrowing: bool = True


@dataclass(frozen=True)
class RuleViolation:
    rule: str  # the rule's name as the user knows it
    message: str


def _pct(base: Decimal, percent: Decimal) -> Decimal:
    return (base * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def loss_recovery(f: PlanFigures) -> Decimal:
    """弥补以前年度亏损: the part of this year's income that covers an earlier loss."""
    if f.opening_undistributed >= 0 or f.current_year_income <= 0:
        return ZERO
    return min(-f.opening_undistributed, f.current_year_income)


def default_reserve(distributable: Decimal, rules: PlanRules) -> Decimal:
    return _pct(max(distributable, ZERO), rules.reserve_rate)


def check_plan(f: PlanFigures, rules: PlanRules) -> list[RuleViolation]:
    """Every rule the proposed plan breaks (empty: it may be approved)."""
    out: list[RuleViolation] = []
    base = f.distributable
    appropriated = f.reserve + f.welfare + f.members + f.other
    if any(x < 0 for x in (f.reserve, f.welfare, f.members, f.other)):
        out.append(RuleViolation("分配金额不得为负", "各项分配金额不能为负数"))
    if base <= 0 and appropriated > 0:
        out.append(RuleViolation("不得从亏损中分配",
                                 f"可分配收益为 {format_amount(base)} 元（亏损或为零），不能提取或分配"))
    elif appropriated > base:
        out.append(RuleViolation("分配总额不得超过可分配收益",
                                 f"各项分配合计 {format_amount(appropriated)} 元，超过可分配收益 {format_amount(base)} 元"))
    if base > 0:
        required = _pct(base, rules.reserve_rate)
        if f.reserve < required:
            out.append(RuleViolation(f"按章程提取公积公益金（{rules.reserve_rate.normalize():f}%）",
                                     f"应先提取公积公益金至少 {required} 元，方案只提取 {f.reserve} 元"))
        if rules.reserve_floor is not None and f.reserve < _pct(base, rules.reserve_floor):
            out.append(RuleViolation(f"公积公益金不低于可分配收益的{rules.reserve_floor.normalize():f}%",
                                     f"至少应提取 {_pct(base, rules.reserve_floor)} 元，方案为 {f.reserve} 元"))
        if rules.members_cap is not None and f.members > _pct(base, rules.members_cap):
            out.append(RuleViolation(f"成员分配不超过可分配收益的{rules.members_cap.normalize():f}%",
                                     f"最多可分配 {_pct(base, rules.members_cap)} 元，方案为 {f.members} 元"))
    if rules.forbid_borrowing and f.members > f.cash_available:
        out.append(RuleViolation("不得举债分配",
                                 f"成员分配 {f.members} 元超过货币资金余额 {f.cash_available} 元"))
    return out


@dataclass(frozen=True)
class PlanLineFigure:
    kind: str
    label: str
    amount: Decimal


def plan_lines(f: PlanFigures, remainder: Decimal, excluded: Decimal = ZERO,
               distributed_in_year: Decimal = ZERO, *, welfare_row: bool = True) -> list[PlanLineFigure]:
    """The plan's lines in the legal order, as printed. They add up as printed: 可分配收益 is the
    sum of the lines above it (加/减 as labelled) and 年末未分配收益 is 可分配收益 less the 减 lines
    between them. 向成员分配 is what the roster pays (Σ 按股分配, the amount the appropriation
    voucher books); the remainder (approved − Σ roster) stays in 年末未分配收益 and is shown as its
    own 其中 line under it, never added back silently. ``welfare_row``: the book's chart has
    应付福利费 (2004 only; the 2023 chart abolished it, so a 2023 plan has no such line)."""
    paid_to_members = f.members - remainder
    retained = f.distributable - f.reserve - f.welfare - paid_to_members - f.other
    lines = [
        PlanLineFigure("income", "本年收益", f.current_year_income),
        PlanLineFigure("opening", "加：年初未分配收益（负数为未弥补亏损）", f.opening_undistributed),
        PlanLineFigure("earlier", "减：年内已分配（以前年度方案）", distributed_in_year),
        PlanLineFigure("excluded", "减：不参与当年分配的收入（征地补偿、跨年租金等）", excluded),
        PlanLineFigure("distributable", "可分配收益", f.distributable),
        PlanLineFigure("reserve", "减：提取公积公益金", f.reserve),
        PlanLineFigure("welfare", "减：提取应付福利费", f.welfare),
        PlanLineFigure("members", "减：向成员分配（按股分配合计）", paid_to_members),
        PlanLineFigure("other", "减：其他分配", f.other),
        PlanLineFigure("retained", "年末未分配收益", retained),
        PlanLineFigure("remainder", "其中：分红尾差（批准额度 − 按股分配合计，留存）", remainder),
    ]
    return [ln for ln in lines if welfare_row or ln.kind != "welfare"]


def lines_add_up(lines: Sequence[PlanLineFigure]) -> bool:
    """The printed arithmetic of ``plan_lines``: each total (a line without 加/减/其中) equals the
    line before the run of 加/减 lines (or the first line) combined with them as labelled; 其中
    lines are parts of the total above them, outside the arithmetic."""
    running: Decimal | None = None
    for ln in lines:
        if ln.label.startswith("加："):
            running = (running or ZERO) + ln.amount
        elif ln.label.startswith("减："):
            running = (running or ZERO) - ln.amount
        elif ln.label.startswith("其中："):
            continue
        elif running is None:
            running = ln.amount
        elif ln.amount != running:
            return False
    return True
