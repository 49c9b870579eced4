"""Dividend arithmetic: rounding down per share, half-up per member, the remainder, the rules."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.rules.distribution import (
    PRECISIONS,
    PlanFigures,
    PlanRules,
    check_plan,
    compute_dividends,
    member_amount,
    per_share_amount,
)


def test_published_example_yinggang_village() -> None:
    # 营岗村: 12.1万元 for members, 2,653.5 shares -> 45.60 元/股 (REFERENCE §3.4)
    holdings = [D("1")] * 2652 + [D("0.5"), D("1")]
    assert sum(holdings) == D("2653.5")
    r = compute_dividends(D("121000.00"), holdings)
    assert r.per_share == D("45.60")
    assert r.total <= D("121000.00")
    assert r.total == D("120999.60") and r.remainder == D("0.40")
    assert r.remainder == r.approved - r.total
    assert not r.stepped_down


def test_per_share_rounds_down_to_the_precision() -> None:
    assert per_share_amount(D("100000.00"), D("11111"), "分") == D("9.00")
    assert per_share_amount(D("100000.00"), D("11110"), "分") == D("9.00")  # 9.0009 -> 9.00
    assert per_share_amount(D("98910.00"), D("2041.5"), "分") == D("48.44")  # 塔勒德村 "约48.45": 48.4497 down
    assert per_share_amount(D("98910.00"), D("2041.5"), "角") == D("48.40")
    assert per_share_amount(D("98910.00"), D("2041.5"), "元") == D("48.00")
    assert per_share_amount(D("0.00"), D("10"), "分") == D("0.00")


def test_fractional_shares_round_half_up_per_member() -> None:
    assert member_amount(D("0.5"), D("45.61")) == D("22.81")  # 22.805 -> 22.81
    assert member_amount(D("1.5"), D("0.03")) == D("0.05")  # 0.045 -> 0.05
    assert member_amount(D("0.25"), D("0.05")) == D("0.01")  # 0.0125 -> 0.01
    r = compute_dividends(D("1000.00"), [D("0.5"), D("1"), D("1.5")])
    assert r.per_share == D("333.33")
    assert r.amounts == (D("166.67"), D("333.33"), D("500.00"))  # 166.665 -> 166.67, 499.995 -> 500.00


def test_rounding_overshoot_steps_the_per_share_amount_down() -> None:
    # two members of half a share and 1.01 元: 1.01/share would pay 0.51 + 0.51 = 1.02 > 1.01
    r = compute_dividends(D("1.01"), [D("0.5"), D("0.5")])
    assert r.stepped_down and r.per_share == D("1.00")
    assert r.total == D("1.00") and r.remainder == D("0.01")


holding = st.integers(min_value=0, max_value=40).map(lambda n: D(n) / 2)  # 0, 0.5, 1 … 20 shares


@settings(max_examples=300, deadline=None)
@given(shares=st.lists(holding, min_size=1, max_size=60).filter(lambda xs: sum(xs) > 0),
       fen=st.integers(min_value=0, max_value=10**9), precision=st.sampled_from(list(PRECISIONS)))
def test_property_roster_never_exceeds_the_approved_amount(shares: list[D], fen: int, precision: str) -> None:
    approved = D(fen) / 100
    r = compute_dividends(approved, shares, precision)
    step = PRECISIONS[precision]
    assert r.total == sum(r.amounts) <= approved
    assert r.remainder == approved - r.total >= 0
    for s, amount in zip(shares, r.amounts, strict=True):
        assert amount == member_amount(s, r.per_share)
    assert r.per_share % step == 0
    if not r.stepped_down:
        assert r.remainder < r.total_shares * step
        assert r.per_share == per_share_amount(approved, r.total_shares, precision)
    else:  # stepping down happens only when the plain rounding would overpay
        plain = per_share_amount(approved, r.total_shares, precision)
        assert sum(member_amount(s, plain) for s in shares) > approved
        assert r.remainder < r.total_shares * step * 2 + D("0.005") * len(shares)


@settings(max_examples=200, deadline=None)
@given(shares=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=60).filter(lambda xs: sum(xs) > 0),
       fen=st.integers(min_value=0, max_value=10**9), precision=st.sampled_from(list(PRECISIONS)))
def test_property_whole_shares_remainder_below_one_step_per_share(shares: list[int], fen: int, precision: str) -> None:
    approved = D(fen) / 100
    r = compute_dividends(approved, [D(s) for s in shares], precision)
    assert not r.stepped_down
    assert r.total <= approved
    assert r.remainder < r.total_shares * PRECISIONS[precision]


def _figures(**kw: D) -> PlanFigures:
    base = dict(current_year_income=D("200000.00"), opening_undistributed=D("0.00"), distributable=D("200000.00"),
                reserve=D("60000.00"), welfare=D("0.00"), members=D("120000.00"), other=D("0.00"),
                cash_available=D("500000.00"))
    return PlanFigures(**(base | kw))


RULES = PlanRules(reserve_rate=D("10"), reserve_floor=D("30"), members_cap=D("60"))


def test_a_plan_within_the_rules_passes() -> None:
    assert check_plan(_figures(), RULES) == []


@pytest.mark.parametrize(("changes", "rule"), [
    ({"reserve": D("50000.00")}, "公积公益金不低于可分配收益的30%"),
    ({"members": D("130000.00"), "reserve": D("60000.00")}, "成员分配不超过可分配收益的60%"),
    ({"distributable": D("-100.00"), "reserve": D("0.00")}, "不得从亏损中分配"),
    ({"cash_available": D("100000.00")}, "不得举债分配"),
    ({"reserve": D("90000.00"), "members": D("120000.00")}, "分配总额不得超过可分配收益"),
])
def test_caps_and_floors_name_the_rule(changes: dict[str, D], rule: str) -> None:
    violations = check_plan(_figures(**changes), RULES)
    assert rule in [v.rule for v in violations], violations


def test_charter_rate_is_checked_even_without_local_floors() -> None:
    v = check_plan(_figures(reserve=D("10000.00")), PlanRules(reserve_rate=D("10")))
    assert [x.rule for x in v] == ["按章程提取公积公益金（10%）"]
