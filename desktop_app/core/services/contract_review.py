"""Compliance review (合同清理) of one organisation's or all contracts, rule settings, reference
prices per 亩, and the 整改 notes kept on each finding.

Rules and their defaults live in ``rules.contract_review``; a district (settings without an
organisation) or an organisation can switch rules off or change thresholds here. Findings are
saved per (contract, rule): re-running the review updates them, keeps their 整改 notes, and
marks findings that no longer apply 已消除.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import row_image
from db.models import (
    Contract,
    ContractAllocation,
    ContractCounterparty,
    ContractFiling,
    ContractFinding,
    ContractInstallment,
    ContractProcedure,
    ContractReceipt,
    ContractReferencePrice,
    ContractRuleSetting,
    Organisation,
)
from db.models.contract import FINDING_STATUSES, LAND_CLASSES
from db.types import uuid7
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.money import parse_amount
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_contracts import FindingRow, RuleSettingRow
from desktop_app.core.rules.contract_review import DEFAULT_RULES, ContractFacts, RuleSpec, merge_rules, review
from desktop_app.core.rules.contract_schedule import MONTHS, term_years
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.contract_queries import ZERO, overdue_query
from desktop_app.core.services.permissions import ENTER_RECORDS

__all__ = ["contract_findings", "current_findings", "list_findings", "list_review_rules", "review_contracts", "set_reference_price", "set_review_rule",
           "update_finding"]

_RULE_INFO = {r.code: r for r in DEFAULT_RULES}


def _overrides(session: Session, organisation_id: uuid.UUID | None) -> dict[str, tuple[bool, dict[str, Any]]]:
    rows = session.execute(select(ContractRuleSetting.organisation_id, ContractRuleSetting.rule_code,
                                  ContractRuleSetting.enabled, ContractRuleSetting.params_json)
                           .where(ContractRuleSetting.deleted.is_(False),
                                  (ContractRuleSetting.organisation_id.is_(None))
                                  | (ContractRuleSetting.organisation_id == organisation_id))).all()
    merged: dict[str, tuple[bool, dict[str, Any]]] = {}
    for _org, code, enabled, params in sorted(rows, key=lambda r: r[0] is not None):  # district first
        base = merged.get(code, (True, {}))[1]
        merged[code] = (enabled, {**base, **json.loads(params or "{}")})
    return merged


def effective_rules(session: Session, organisation_id: uuid.UUID | None) -> list[RuleSpec]:
    return merge_rules(_overrides(session, organisation_id))


def list_review_rules(session: Session, organisation_id: uuid.UUID | None) -> list[RuleSettingRow]:
    return [RuleSettingRow(r.code, r.name, r.basis, r.enabled, json.dumps(dict(r.params), ensure_ascii=False))
            for r in effective_rules(session, organisation_id)]


def set_review_rule(session: Session, *, organisation_id: uuid.UUID | None, rule_code: str, enabled: bool,
                    user: UserRow, params: dict[str, Any] | None = None) -> RuleSettingRow:
    """Switch a rule on/off or change its parameters for the district (``organisation_id`` None)
    or one organisation."""
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    if rule_code not in _RULE_INFO:
        raise ValidationError(f"没有规则“{rule_code}”", field="规则")
    params = params or {}
    unknown = set(params) - set(_RULE_INFO[rule_code].params)
    if unknown:
        raise ValidationError(f"规则“{_RULE_INFO[rule_code].name}”没有参数：{'、'.join(sorted(unknown))}", field="参数")
    s = session.execute(select(ContractRuleSetting).where(ContractRuleSetting.rule_code == rule_code,
                                                          ContractRuleSetting.organisation_id.is_(None)
                                                          if organisation_id is None else
                                                          ContractRuleSetting.organisation_id == organisation_id)).scalar()
    before = row_image(s) if s else None
    text = json.dumps(params, ensure_ascii=False, sort_keys=True)
    if s is None:
        s = ContractRuleSetting(organisation_id=organisation_id, rule_code=rule_code, enabled=enabled, params_json=text)
        session.add(s)
    else:
        s.enabled, s.params_json, s.deleted = enabled, text, False
    session.flush()
    scope = "全区" if organisation_id is None else "本组织"
    record_audit(session, AuditRecord("update", "contract_rule_setting", str(s.id),
                                      f"{scope}合同审查规则“{_RULE_INFO[rule_code].name}”：{'启用' if enabled else '停用'} {text}",
                                      before, row_image(s)))
    return next(r for r in list_review_rules(session, organisation_id) if r.code == rule_code)


def set_reference_price(session: Session, organisation_id: uuid.UUID, land_class: str, price: Decimal | str, *,
                        user: UserRow) -> Decimal:
    """The organisation's reference price (元/亩·年) of a land class."""
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    if land_class not in LAND_CLASSES:
        raise ValidationError(f"地类应为：{'、'.join(LAND_CLASSES)}", field="地类")
    amount = parse_amount(price, field="参考价（元/亩·年）", allow_zero=False)
    p = session.execute(select(ContractReferencePrice).where(ContractReferencePrice.organisation_id == organisation_id,
                                                             ContractReferencePrice.land_class == land_class)).scalar()
    before = row_image(p) if p else None
    if p is None:
        p = ContractReferencePrice(organisation_id=organisation_id, land_class=land_class, price_per_mu=amount)
        session.add(p)
    else:
        p.price_per_mu, p.deleted = amount, False
    session.flush()
    record_audit(session, AuditRecord("update", "contract_reference_price", str(p.id),
                                      f"{land_class}参考价设为 {amount} 元/亩·年", before, row_image(p)))
    return amount


def _facts(session: Session, org_ids: list[uuid.UUID] | None, as_of: date) -> list[tuple[Any, ContractFacts]]:
    q = (select(Contract.id, Contract.organisation_id, Organisation.name, Contract.number, Contract.name,
                ContractCounterparty.name, Contract.kind, Contract.land_class, Contract.start_date, Contract.end_date,
                Contract.signed_on, Contract.written, Contract.area_mu, Contract.annual_rent, Contract.payment_mode)
         .join(Organisation, Contract.organisation_id == Organisation.id)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .where(Contract.deleted.is_(False), Contract.status != "草拟"))
    if org_ids is not None:
        q = q.where(Contract.organisation_id.in_(org_ids))
    contracts = session.execute(q.order_by(Organisation.name, Contract.number)).all()
    spans: dict[uuid.UUID, Decimal] = {}  # the most years ahead one receipt paid for, per contract
    for cid, received, last in session.execute(
            select(ContractInstallment.contract_id, ContractReceipt.received_on, func.max(ContractInstallment.period_end))
            .join(ContractAllocation, ContractAllocation.installment_id == ContractInstallment.id)
            .join(ContractReceipt, ContractAllocation.receipt_id == ContractReceipt.id)
            .where(ContractAllocation.deleted.is_(False), ContractInstallment.deleted.is_(False),
                   ContractInstallment.period_start > ContractReceipt.received_on)  # paid ahead (few rows)
            .group_by(ContractReceipt.id, ContractInstallment.contract_id, ContractReceipt.received_on)):
        if last > received:
            spans[cid] = max(spans.get(cid, Decimal(0)), term_years(received, last))
    procs = set(session.scalars(select(ContractProcedure.contract_id).where(ContractProcedure.deleted.is_(False))))
    filed = set(session.scalars(select(ContractFiling.contract_id).where(ContractFiling.deleted.is_(False))))
    prices = {(o, c): p for o, c, p in session.execute(select(
        ContractReferencePrice.organisation_id, ContractReferencePrice.land_class, ContractReferencePrice.price_per_mu)
        .where(ContractReferencePrice.deleted.is_(False)))}
    owed: dict[uuid.UUID, list[Any]] = defaultdict(lambda: [ZERO, 0])
    for r in session.execute(overdue_query(as_of, org_ids)):
        v = owed[r[2]]
        v[0] += r[8] - (r[9] or ZERO)
        v[1] = max(v[1], (as_of - r[7]).days)
    out = []
    for c in contracts:
        years = term_years(c[8], c[9]) if c[14] == "一次性" else Decimal(MONTHS[c[14]]) / 12
        years = max(years, spans.get(c[0], Decimal(0)))
        o = owed.get(c[0], [ZERO, 0])
        out.append((c, ContractFacts(c[6], c[7], c[8], c[9], c[10], c[11], c[0] in procs, c[0] in filed, c[12], c[13],
                                     c[14], years, prices.get((c[1], c[7] or "")), o[0], o[1])))
    return out


def review_contracts(session: Session, organisation_id: uuid.UUID | None, *, as_of: date, user: UserRow,
                     progress: Progress | None = None) -> list[FindingRow]:
    """Check every contract (of one organisation, or all) against the effective rules and save
    the findings. A review is a check, open to every role (监督 included) on its villages."""
    require_role(session, user, organisation_id=organisation_id)
    return _save(session, None if organisation_id is None else [organisation_id],
                 contract_findings(session, organisation_id, as_of=as_of, progress=progress), as_of)


def contract_findings(session: Session, organisation_id: uuid.UUID | None, *, as_of: date,
                      progress: Progress | None = None) -> list[FindingRow]:
    """What a review finds as of ``as_of``, saving nothing."""
    org_ids = None if organisation_id is None else [organisation_id]
    rules_by_org: dict[uuid.UUID, list[RuleSpec]] = {}
    results: list[FindingRow] = []
    facts = _facts(session, org_ids, as_of)
    for i, (c, f) in enumerate(facts):
        if progress is not None and i % 500 == 0:
            progress.report(i, len(facts), "正在审查合同")
        rules = rules_by_org.get(c[1])
        if rules is None:
            rules = rules_by_org[c[1]] = effective_rules(session, c[1])
        for hit in review(f, rules):
            results.append(FindingRow(None, c[1], c[2], c[0], c[3], c[4], c[5], hit.rule_code, hit.rule_name,
                                      hit.basis, hit.message, as_of, "未整改", None))
    return results


def current_findings(session: Session, organisation_id: uuid.UUID | None, *, as_of: date) -> list[FindingRow]:
    """The review as of ``as_of`` without saving it, each finding carrying the 整改 status and
    note saved for the same contract and rule (what the exports and the review PDF print)."""
    saved = {(f.contract_id, f.rule_code): f for f in list_findings(session, organisation_id)}
    out = []
    for f in contract_findings(session, organisation_id, as_of=as_of):
        old = saved.get((f.contract_id, f.rule_code))
        out.append(f if old is None else replace(f, id=old.id, status=old.status,
                                                 rectification_note=old.rectification_note))
    return out


def _save(session: Session, org_ids: list[uuid.UUID] | None, results: list[FindingRow], as_of: date) -> list[FindingRow]:
    q = select(ContractFinding).where(ContractFinding.deleted.is_(False))
    if org_ids is not None:
        q = q.where(ContractFinding.organisation_id.in_(org_ids))
    old = {(f.contract_id, f.rule_code): f for f in session.scalars(q)}
    new_rows, out = [], []
    for r in results:
        f = old.pop((r.contract_id, r.rule_code), None)
        if f is None:
            fid = uuid7()
            new_rows.append({"id": fid, "organisation_id": r.organisation_id, "contract_id": r.contract_id,
                             "rule_code": r.rule_code, "message": r.message[:300], "found_on": as_of,
                             "status": "未整改", "rectification_note": None})
            out.append(FindingRow(fid, *_tail(r, "未整改", None)))
        else:
            if f.message != r.message[:300] or f.status == "已消除":
                f.message = r.message[:300]
                f.status = "未整改" if f.status == "已消除" else f.status
            out.append(FindingRow(f.id, *_tail(r, f.status, f.rectification_note)))
    for f in old.values():
        if f.status != "已消除":
            f.status = "已消除"
    bulk_insert(session, ContractFinding, new_rows)
    session.flush()
    record_audit(session, AuditRecord("review", "contract_finding", None,
                                      f"合同审查（截至 {as_of:%Y-%m-%d}）：发现问题 {len(out)} 项，新增 {len(new_rows)} 项",
                                      None, {"as_of": as_of, "findings": len(out), "new": len(new_rows)}))
    return out


def _tail(r: FindingRow, status: str, note: str | None) -> tuple[Any, ...]:
    return (r.organisation_id, r.organisation_name, r.contract_id, r.contract_number, r.contract_name,
            r.counterparty_name, r.rule_code, r.rule_name, r.basis, r.message, r.found_on, status, note)


def list_findings(session: Session, organisation_id: uuid.UUID | None, *, status: str | None = None,
                  rule_code: str | None = None) -> list[FindingRow]:
    """Saved findings (the last review), with their 整改 status and notes."""
    q = (select(ContractFinding.id, ContractFinding.organisation_id, Organisation.name, ContractFinding.contract_id,
                Contract.number, Contract.name, ContractCounterparty.name, ContractFinding.rule_code,
                ContractFinding.message, ContractFinding.found_on, ContractFinding.status,
                ContractFinding.rectification_note)
         .join(Contract, ContractFinding.contract_id == Contract.id)
         .join(Organisation, ContractFinding.organisation_id == Organisation.id)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .where(ContractFinding.deleted.is_(False)))
    if organisation_id is not None:
        q = q.where(ContractFinding.organisation_id == organisation_id)
    if status:
        q = q.where(ContractFinding.status == status)
    if rule_code:
        q = q.where(ContractFinding.rule_code == rule_code)
    out = []
    for r in session.execute(q.order_by(Organisation.name, Contract.number, ContractFinding.rule_code)):
        info = _RULE_INFO.get(r[7])
        out.append(FindingRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], info.name if info else r[7],
                              info.basis if info else "", r[8], r[9], r[10], r[11]))
    return out


def update_finding(session: Session, finding_id: uuid.UUID, *, status: str, note: str | None,
                   user: UserRow) -> FindingRow:
    """Record the 整改 (rectification) status and note of a finding."""
    f = session.get(ContractFinding, finding_id)
    if f is None or f.deleted:
        raise NotFoundError("找不到该审查问题", field="问题")
    require_role(session, user, *ENTER_RECORDS, organisation_id=f.organisation_id)
    if status not in FINDING_STATUSES:
        raise ValidationError(f"整改状态应为：{'、'.join(FINDING_STATUSES)}", field="整改状态")
    text = (note or "").strip() or None
    if status == "已整改" and not text:
        raise ValidationError("标记为已整改时须填写整改说明", field="整改说明")
    if text and len(text) > 2000:
        raise ValidationError("整改说明不能超过2000个字", field="整改说明")
    before = row_image(f)
    f.status, f.rectification_note = status, text
    session.flush()
    record_audit(session, AuditRecord("update", "contract_finding", str(f.id), f"合同审查问题整改：{status}",
                                      before, row_image(f)))
    return next(r for r in list_findings(session, f.organisation_id) if r.id == f.id)
