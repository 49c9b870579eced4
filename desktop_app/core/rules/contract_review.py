"""Compliance review (合同清理) of contracts: data-driven rules, pure functions.

Every rule has a code, a Chinese name, the rule it enforces (``basis``) and parameters. The
defaults below are the national/"our decisions" values of REFERENCE.md §4; a district
(settings with no organisation) or an organisation may switch a rule off or change its
parameters (stored as JSON in ``contract_rule_setting``), so thresholds are data, not code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from desktop_app.core.rules.contract_schedule import add_years


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    basis: str
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True


DEFAULT_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("lease_over_limit", "租赁期限超过法定上限", "《民法典》第七百零五条：租赁期限不得超过二十年",
             {"max_years": 20, "kinds": ["资产租赁"]}),
    RuleSpec("farmland_beyond_extension", "耕地发包超过二轮延包期", "二轮承包到期（耕地延包至2028年底），超期部分无效",
             {"land_classes": ["耕地"], "last_day": "2028-12-31"}),
    RuleSpec("four_wastes_over_50y", "四荒地发包超过50年", "四荒地承包（1994年2月21日后签订）期限不得超过50年",
             {"land_classes": ["四荒地"], "max_years": 50, "signed_after": "1994-02-21"}),
    RuleSpec("forest_over_70y", "林地发包超过70年", "林地承包期最长70年", {"land_classes": ["林地"], "max_years": 70}),
    RuleSpec("no_written_contract", "无书面合同", "《农村集体经济组织财务制度》第二十三条：杜绝口头协议，必须签订书面合同", {}),
    RuleSpec("no_democratic_procedure", "未履行民主程序", "“四议两公开”：须有村民（代表）会议决议",
             {"kinds": ["资产租赁", "资源发包", "工程", "投资/合作"]}),
    RuleSpec("not_filed", "未在乡镇备案", "合同须经乡镇（街道）备案后生效（地方规定）", {}),
    RuleSpec("price_below_reference", "价格明显偏低", "低于本组织该地类参考价（元/亩·年）超过规定比例，显失公平",
             {"max_below_pct": 30}),
    RuleSpec("lump_sum_multi_year", "一次性收取多年租金", "跨年租金、承包费应按所属年度分摊，不得一次性计入当年收益分配",
             {"max_years_in_one_payment": 1}),
    RuleSpec("arrears", "拖欠租金（承包费）", "应收未收的租金、承包费须清收（合同清理）",
             {"min_amount": "0.01", "min_days": 1}),
)


@dataclass(frozen=True)
class ContractFacts:
    """What the rules look at, read from the database by the service."""

    kind: str
    land_class: str | None
    start: date
    end: date
    signed_on: date | None
    written: bool
    has_procedure: bool
    filed: bool
    area_mu: Decimal | None
    annual_rent: Decimal
    payment_mode: str
    installment_years: Decimal  # the most years one installment (一次性) or one receipt pays ahead
    reference_price: Decimal | None  # the organisation's 元/亩·年 for this land class
    overdue_amount: Decimal
    oldest_overdue_days: int


@dataclass(frozen=True)
class RuleFinding:
    rule_code: str
    rule_name: str
    basis: str
    message: str


def merge_rules(overrides: Mapping[str, tuple[bool, Mapping[str, Any]]]) -> list[RuleSpec]:
    """Defaults with overrides applied (later overrides win: pass district then organisation)."""
    out = []
    for spec in DEFAULT_RULES:
        if spec.code in overrides:
            enabled, params = overrides[spec.code]
            out.append(RuleSpec(spec.code, spec.name, spec.basis, {**spec.params, **params}, enabled))
        else:
            out.append(spec)
    return out


def _years_over(start: date, end: date, max_years: int) -> bool:
    return end > add_years(start, max_years) - timedelta(days=1)


def _in(value: str | None, allowed: Any) -> bool:
    return value is not None and value in list(allowed)


def _lease(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    n = int(p["max_years"])
    if _in(f.kind, p["kinds"]) and _years_over(f.start, f.end, n):
        return f"租期 {f.start:%Y-%m-%d} 至 {f.end:%Y-%m-%d}，超过{n}年，超过部分无效"
    return None


def _farmland(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    last = date.fromisoformat(str(p["last_day"]))
    if _in(f.land_class, p["land_classes"]) and f.end > last:
        return f"{f.land_class}合同到期日 {f.end:%Y-%m-%d} 晚于二轮延包期末 {last:%Y-%m-%d}"
    return None


def _long_land(label: str) -> Callable[[ContractFacts, Mapping[str, Any]], str | None]:
    def check(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
        n = int(p["max_years"])
        after = p.get("signed_after")
        if after and (f.signed_on or f.start) <= date.fromisoformat(str(after)):
            return None
        if _in(f.land_class, p["land_classes"]) and _years_over(f.start, f.end, n):
            return f"{label}发包期限 {f.start:%Y-%m-%d} 至 {f.end:%Y-%m-%d}，超过{n}年"
        return None
    return check


def _written(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    return None if f.written else "未签订书面合同（口头协议）"


def _procedure(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    if _in(f.kind, p["kinds"]) and not f.has_procedure:
        return "没有“四议两公开”民主程序记录（会议日期、决议编号）"
    return None


def _filed(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    return None if f.filed else "未在乡镇（街道）备案"


def _price(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    if f.reference_price is None or not f.area_mu or f.area_mu <= 0 or f.reference_price <= 0:
        return None
    per_mu = f.annual_rent / f.area_mu
    pct = Decimal(str(p["max_below_pct"]))
    floor = f.reference_price * (Decimal(100) - pct) / Decimal(100)
    if per_mu < floor:
        below = ((f.reference_price - per_mu) / f.reference_price * 100).quantize(Decimal("0.1"))
        return (f"单价 {per_mu.quantize(Decimal('0.01'))} 元/亩·年，低于参考价 {f.reference_price} 元/亩·年 "
                f"{below}%（允许 {pct}%）")
    return None


def _lump(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    n = Decimal(str(p["max_years_in_one_payment"]))
    if f.installment_years > n:
        return f"一次性收取（预收）{f.installment_years} 年的租金，应按年度分摊确认收入"
    return None


def _arrears(f: ContractFacts, p: Mapping[str, Any]) -> str | None:
    if f.overdue_amount >= Decimal(str(p["min_amount"])) and f.oldest_overdue_days >= int(p["min_days"]):
        return f"拖欠 {f.overdue_amount} 元，最早一期已逾期 {f.oldest_overdue_days} 天"
    return None


CHECKS: dict[str, Callable[[ContractFacts, Mapping[str, Any]], str | None]] = {
    "lease_over_limit": _lease,
    "farmland_beyond_extension": _farmland,
    "four_wastes_over_50y": _long_land("四荒地"),
    "forest_over_70y": _long_land("林地"),
    "no_written_contract": _written,
    "no_democratic_procedure": _procedure,
    "not_filed": _filed,
    "price_below_reference": _price,
    "lump_sum_multi_year": _lump,
    "arrears": _arrears,
}


def review(facts: ContractFacts, rules: list[RuleSpec] | None = None) -> list[RuleFinding]:
    """Findings for one contract, one per rule it breaks, in rule order."""
    out = []
    for spec in rules if rules is not None else list(DEFAULT_RULES):
        if not spec.enabled:
            continue
        message = CHECKS[spec.code](facts, spec.params)
        if message:
            out.append(RuleFinding(spec.code, spec.name, spec.basis, message))
    return out


def rule_by_code(code: str) -> RuleSpec:
    for spec in DEFAULT_RULES:
        if spec.code == code:
            return spec
    raise KeyError(code)
