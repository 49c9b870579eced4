"""Each compliance rule has a passing and a failing case; thresholds are data; findings keep notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from desktop_app.core.errors import ValidationError
from desktop_app.core.rules.contract_review import DEFAULT_RULES, ContractFacts, merge_rules, review
from desktop_app.core.services.contract_records import add_filing, add_procedure
from desktop_app.core.services.contract_review import (
    list_findings,
    list_review_rules,
    review_contracts,
    set_reference_price,
    set_review_rule,
    update_finding,
)
from desktop_app.core.services.receipts import record_receipt
from tests.contracts.conftest import Env

CLEAN = ContractFacts(
    kind="资源发包", land_class="耕地", start=date(2024, 1, 1), end=date(2028, 12, 31), signed_on=date(2023, 12, 1),
    written=True, has_procedure=True, filed=True, area_mu=D("10"), annual_rent=D("8000.00"), payment_mode="年付",
    installment_years=D("1.00"), reference_price=D("900.00"), overdue_amount=D("0.00"), oldest_overdue_days=0,
)

CASES = {  # rule code: (passing facts, failing facts)
    "lease_over_limit": (replace(CLEAN, kind="资产租赁", land_class=None, end=date(2043, 12, 31)),
                         replace(CLEAN, kind="资产租赁", land_class=None, end=date(2044, 1, 1))),
    "farmland_beyond_extension": (CLEAN, replace(CLEAN, end=date(2029, 1, 1))),
    "four_wastes_over_50y": (replace(CLEAN, land_class="四荒地", end=date(2073, 12, 31)),
                             replace(CLEAN, land_class="四荒地", end=date(2074, 1, 1))),
    "forest_over_70y": (replace(CLEAN, land_class="林地", end=date(2093, 12, 31)),
                        replace(CLEAN, land_class="林地", end=date(2094, 1, 1))),
    "no_written_contract": (CLEAN, replace(CLEAN, written=False)),
    "no_democratic_procedure": (CLEAN, replace(CLEAN, has_procedure=False)),
    "not_filed": (CLEAN, replace(CLEAN, filed=False)),
    # reference 900/亩, 30% allowed: floor 630/亩 → 6,300 for 10 亩
    "price_below_reference": (replace(CLEAN, annual_rent=D("6300.00")), replace(CLEAN, annual_rent=D("6299.99"))),
    "lump_sum_multi_year": (replace(CLEAN, payment_mode="一次性", installment_years=D("1.00")),
                            replace(CLEAN, payment_mode="一次性", installment_years=D("5.00"))),
    "arrears": (CLEAN, replace(CLEAN, overdue_amount=D("0.01"), oldest_overdue_days=1)),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.code for r in DEFAULT_RULES}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_passes_and_fails(code: str) -> None:
    good, bad = CASES[code]
    assert code not in {f.rule_code for f in review(good)}
    hits = [f for f in review(bad) if f.rule_code == code]
    assert len(hits) == 1
    assert hits[0].basis and hits[0].rule_name and hits[0].message  # names the rule it breaks


def test_clean_contract_has_no_findings() -> None:
    assert review(CLEAN) == []


def test_thresholds_are_data() -> None:
    _, bad = CASES["lease_over_limit"]
    relaxed = merge_rules({"lease_over_limit": (True, {"max_years": 30})})
    assert not [f for f in review(bad, relaxed) if f.rule_code == "lease_over_limit"]
    off = merge_rules({"not_filed": (False, {})})
    assert review(replace(CLEAN, filed=False), off) == []


def test_review_service_saves_findings_keeps_notes(env: Env) -> None:
    good = env.create(number="G-1", land_class="耕地", area_mu="10", annual_rent=D("8000.00"),
                      start_date=date(2026, 1, 1), end_date=date(2028, 12, 31))
    bad = env.create(number="B-1", land_class="耕地", area_mu="10", annual_rent=D("5000.00"), written=False,
                     start_date=date(2026, 1, 1), end_date=date(2035, 12, 31))
    with env.db.begin() as s:
        for cid in (good, bad):
            add_procedure(s, cid, step="村民代表会议决议", meeting_date=date(2025, 12, 1), resolution_no="决1", user=env.user)
        add_filing(s, good, filed_on=date(2025, 12, 20), user=env.user)
        set_reference_price(s, env.org.id, "耕地", "900", user=env.user)
        found = review_contracts(s, env.org.id, as_of=date(2026, 3, 1), user=env.user)
    by = {(f.contract_number, f.rule_code) for f in found}
    # B-1: beyond 2028, no written contract, not filed, 500/亩 < 630/亩, and 2026's rent overdue
    assert by == {("B-1", "farmland_beyond_extension"), ("B-1", "no_written_contract"), ("B-1", "not_filed"),
                  ("B-1", "price_below_reference"), ("B-1", "arrears"), ("G-1", "arrears")}
    target = next(f for f in found if f.rule_code == "not_filed")
    with env.db.begin() as s:
        with pytest.raises(ValidationError, match="整改说明"):
            update_finding(s, target.id, status="已整改", note="", user=env.user)  # type: ignore[arg-type]
    with env.db.begin() as s:
        update_finding(s, target.id, status="整改中", note="已报乡镇经管站，待盖备案章", user=env.user)  # type: ignore[arg-type]
        # the district relaxes the arrears rule: under 30 days overdue is not a finding
        set_review_rule(s, organisation_id=None, rule_code="arrears", enabled=True, params={"min_days": 90}, user=env.user)
        again = review_contracts(s, env.org.id, as_of=date(2026, 3, 1), user=env.user)
        saved = list_findings(s, env.org.id)
        rules = {r.code: r for r in list_review_rules(s, env.org.id)}
    assert not [f for f in again if f.rule_code == "arrears"]
    kept = next(f for f in again if f.rule_code == "not_filed")
    assert (kept.id, kept.status, kept.rectification_note) == (target.id, "整改中", "已报乡镇经管站，待盖备案章")
    assert {f.status for f in saved if f.rule_code == "arrears"} == {"已消除"}
    assert '"min_days": 90' in rules["arrears"].params
    assert not [f for f in again if f.rule_code == "lump_sum_multi_year"]
    with env.db.begin() as s:  # G-1's tenant pays 2026 (overdue) to 2028 on 2026-03-05: 2 years + 302 days = 2.83 years ahead
        record_receipt(s, good, received_on=date(2026, 3, 5), amount="24000", method="银行", user=env.user)
        hits = [f for f in review_contracts(s, env.org.id, as_of=date(2026, 3, 5), user=env.user) if f.rule_code == "lump_sum_multi_year"]
    assert [(f.contract_number, f.message) for f in hits] == [("G-1", "一次性收取（预收）2.83 年的租金，应按年度分摊确认收入")]
    with env.db.begin() as s, pytest.raises(ValidationError, match="没有参数"):
        set_review_rule(s, organisation_id=None, rule_code="arrears", enabled=True, params={"bogus": 1}, user=env.user)
