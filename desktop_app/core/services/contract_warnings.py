"""Contract warnings on an as-of date: expiry (90 / 30 / 0 days), overdue installments aged
≤1年 / 1–3年 / >3年, deposits still held after a contract ended; per-organisation counts for
the dashboard and the district; and the contracts section of the financial disclosure.

Everything is computed from the as-of date given (never "today" inside the service), so the
same data and date always give the same answer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db.models import (
    Contract,
    ContractCounterparty,
    ContractDeposit,
    ContractInstallment,
    ContractReceipt,
    Organisation,
)
from desktop_app.core.ids import mask_ric
from desktop_app.core.progress import Progress
from desktop_app.core.rows_contracts import (
    ArrearsRow,
    ContractWarnings,
    DepositWarningRow,
    DisclosureContractRow,
    ExpiryRow,
    WarningCounts,
)
from desktop_app.core.rules.contract_schedule import ageing_bucket
from desktop_app.core.services.contract_queries import ZERO, overdue_query
from desktop_app.core.services.funds_base import reads

EXPIRY_DAYS = (90, 30, 0)

__all__ = ["EXPIRY_DAYS", "contract_warnings", "disclosure_contracts_section", "list_arrears",
           "list_expiring", "list_unrefunded_deposits", "warning_counts"]


def _org_filter(organisation_id: uuid.UUID | None) -> list[uuid.UUID] | None:
    return None if organisation_id is None else [organisation_id]


def list_arrears(session: Session, organisation_id: uuid.UUID | None, as_of: date, *,
                 progress: Progress | None = None) -> list[ArrearsRow]:
    """Installments overdue on ``as_of`` (due before it, not fully received by it), with ageing."""
    out = []
    for r in session.execute(overdue_query(as_of, _org_filter(organisation_id))):
        received = r[9] or ZERO
        bucket = ageing_bucket(r[7], as_of)
        assert bucket is not None
        out.append(ArrearsRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], received, r[8] - received,
                              (as_of - r[7]).days, bucket))
    if progress is not None:
        progress.report(1, 1, "欠款账龄已计算")
    return out


def _expiry_bucket(days_left: int) -> str | None:
    if days_left <= 0:
        return "已到期"
    if days_left <= 30:
        return "30天内"
    if days_left <= 90:
        return "90天内"
    return None


def list_expiring(session: Session, organisation_id: uuid.UUID | None, as_of: date,
                  horizon_days: int = 90) -> list[ExpiryRow]:
    """Contracts in force (履行中/纠纷) whose end date is within ``horizon_days`` of ``as_of`` or has
    passed without the contract being closed (到期/终止)."""
    q = (select(Contract.organisation_id, Contract.id, Contract.number, Contract.name, ContractCounterparty.name,
                Contract.end_date)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .where(Contract.deleted.is_(False), Contract.status.in_(("履行中", "纠纷")),
                Contract.end_date <= date.fromordinal(as_of.toordinal() + horizon_days)))
    if organisation_id is not None:
        q = q.where(Contract.organisation_id == organisation_id)
    out = []
    for org_id, cid, number, name, cp, end in session.execute(q.order_by(Contract.end_date, Contract.number)):
        days = (end - as_of).days
        bucket = _expiry_bucket(days)
        if bucket:
            out.append(ExpiryRow(org_id, cid, number, name, cp, end, days, bucket))
    return out


def list_unrefunded_deposits(session: Session, organisation_id: uuid.UUID | None, as_of: date) -> list[DepositWarningRow]:
    """Deposits still held on ``as_of`` for contracts terminated or past their end date."""
    held = (select(ContractDeposit.contract_id,
                   func.sum(ContractDeposit.amount).filter(ContractDeposit.kind == "收取").label("inn"),
                   func.sum(ContractDeposit.amount).filter(ContractDeposit.kind == "退还").label("out"))
            .where(ContractDeposit.deleted.is_(False), ContractDeposit.on_date <= as_of)
            .group_by(ContractDeposit.contract_id).subquery())
    q = (select(Contract.organisation_id, Contract.id, Contract.number, ContractCounterparty.name, Contract.status,
                Contract.end_date, Contract.terminated_on, held.c.inn, held.c.out)
         .join(held, held.c.contract_id == Contract.id)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .where(Contract.deleted.is_(False)))
    if organisation_id is not None:
        q = q.where(Contract.organisation_id == organisation_id)
    out = []
    for org_id, cid, number, cp, status, end, term, inn, outv in session.execute(q.order_by(Contract.number)):
        ended = term if status == "终止" and term else end
        amount = (inn or ZERO) - (outv or ZERO)
        if amount > 0 and (status == "终止" or ended < as_of) and ended <= as_of:
            out.append(DepositWarningRow(org_id, cid, number, cp, status, ended, amount))
    return out


def contract_warnings(session: Session, organisation_id: uuid.UUID | None, as_of: date) -> ContractWarnings:
    return ContractWarnings(as_of, tuple(list_expiring(session, organisation_id, as_of)),
                            tuple(list_arrears(session, organisation_id, as_of)),
                            tuple(list_unrefunded_deposits(session, organisation_id, as_of)))


def warning_counts(session: Session, organisation_ids: list[uuid.UUID] | None, as_of: date) -> list[WarningCounts]:
    """Per organisation: contracts expiring within 90/30 days or expired, overdue installments and
    amounts by age, deposits not refunded. Organisations without contracts are included (zeros)."""
    q = select(Organisation.id, Organisation.name).where(Organisation.deleted.is_(False))
    if organisation_ids is not None:
        q = q.where(Organisation.id.in_(organisation_ids))
    orgs: dict[uuid.UUID, str] = {r[0]: r[1] for r in session.execute(q.order_by(Organisation.name))}
    exp: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in list_expiring(session, None, as_of):
        exp[e.organisation_id][("90天内", "30天内", "已到期").index(e.bucket)] += 1
    arr: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [Decimal(0), ZERO, ZERO, ZERO])
    for a in list_arrears(session, None, as_of):
        v = arr[a.organisation_id]
        v[0] += 1
        v[("≤1年", "1–3年", ">3年").index(a.bucket) + 1] += a.outstanding
    dep: dict[uuid.UUID, int] = defaultdict(int)
    for d in list_unrefunded_deposits(session, None, as_of):
        dep[d.organisation_id] += 1
    out = []
    for oid, name in orgs.items():
        ex, ar = exp[oid], arr[oid]
        out.append(WarningCounts(oid, name, ex[0] + ex[1], ex[1], ex[2], int(ar[0]), ar[1] + ar[2] + ar[3], ar[1],
                                 ar[2], ar[3], dep[oid]))
    return out


# The disclosure section's statements, built once: building one costs SQLAlchemy more than running it.
_SECTION_CONTRACTS = (
    select(Contract.id, Contract.number, Contract.name, Contract.kind, Contract.subject, ContractCounterparty.name,
           ContractCounterparty.kind, ContractCounterparty.id_number, Contract.start_date, Contract.end_date,
           Contract.annual_rent)
    .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
    .where(Contract.organisation_id == bindparam("org_id"), Contract.book_id == bindparam("book_id"),
           Contract.deleted.is_(False), Contract.status != "草拟", Contract.start_date <= bindparam("to"),
           Contract.end_date >= bindparam("from"))
    .order_by(Contract.number))
_SECTION_DUE = (select(ContractInstallment.contract_id, ContractInstallment.amount)
                .where(ContractInstallment.contract_id.in_(bindparam("ids", expanding=True)),
                       ContractInstallment.deleted.is_(False), ContractInstallment.due_date >= bindparam("from"),
                       ContractInstallment.due_date <= bindparam("to")))
_SECTION_RECEIVED = (select(ContractReceipt.contract_id, ContractReceipt.amount)
                     .where(ContractReceipt.contract_id.in_(bindparam("ids", expanding=True)),
                            ContractReceipt.deleted.is_(False), ContractReceipt.received_on >= bindparam("from"),
                            ContractReceipt.received_on <= bindparam("to")))
_SECTION_OWED = overdue_query(bindparam("after")).where(
    Contract.organisation_id == bindparam("org_id"), ContractInstallment.contract_id.in_(bindparam("ids", expanding=True)))


def disclosure_contracts_section(session: Session, org_id: uuid.UUID, book_id: uuid.UUID, period_from: date,
                                 period_to: date) -> tuple[DisclosureContractRow, ...]:
    """Contracts of the book in force during [period_from, period_to]: rent due in the period,
    received in the period and in arrears at its end. Names shown, personal ID numbers masked."""
    conn = reads(session)
    span = {"from": period_from, "to": period_to}
    contracts = conn.execute(_SECTION_CONTRACTS, {"org_id": org_id, "book_id": book_id, **span}).all()
    ids = [c[0] for c in contracts]
    due: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for cid, amount in conn.execute(_SECTION_DUE, {"ids": ids, **span}):
        due[cid] += amount
    got: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for cid, amount in conn.execute(_SECTION_RECEIVED, {"ids": ids, **span}):
        got[cid] += amount
    owed: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    after = date.fromordinal(period_to.toordinal() + 1)
    for r in conn.execute(_SECTION_OWED, {"after": after, "org_id": org_id, "ids": ids}):
        owed[r[2]] += r[8] - (r[9] or ZERO)
    return tuple(
        DisclosureContractRow(number, name, kind, subject, cp, (mask_ric(idn) if cp_kind == "个人" and idn else (idn or "")),
                              start, end, rent, due[cid], got[cid], owed[cid])
        for cid, number, name, kind, subject, cp, cp_kind, idn, start, end, rent in contracts)
