"""Read-side queries of the contracts area, as tuples (never ORM objects): contract rows,
installments with what was received by a date, and overdue installments."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, and_, func, not_, select, type_coerce
from sqlalchemy.orm import Session

from db.models import (
    Contract,
    ContractAllocation,
    ContractCounterparty,
    ContractFiling,
    ContractInstallment,
    ContractProcedure,
    Organisation,
)
from db.types import Fen
from desktop_app.core.rows_contracts import ContractRow, InstallmentRow
from desktop_app.core.rules.contract_schedule import contract_state, term_years

ZERO = Decimal("0.00")
ACTIVE = ("履行中", "纠纷", "草拟")
RECEIPT_KIND = "contract_receipt"  # the source_kind of a receipt's voucher


def contract_query() -> Any:
    procs = (select(ContractProcedure.contract_id, func.count().label("n"))
             .where(ContractProcedure.deleted.is_(False)).group_by(ContractProcedure.contract_id).subquery())
    filings = (select(ContractFiling.contract_id, func.min(ContractFiling.filed_on).label("filed_on"))
               .where(ContractFiling.deleted.is_(False)).group_by(ContractFiling.contract_id).subquery())
    cp = ContractCounterparty
    return (
        select(Contract.id, Contract.organisation_id, Contract.book_id, Contract.number, Contract.official_code,
               Contract.name, Contract.kind, Contract.subject, Contract.location, Contract.area_mu,
               Contract.quantity, Contract.land_class, Contract.asset_id, Contract.parcel_id,
               Contract.counterparty_id, cp.kind, cp.name, cp.id_number, cp.phone, Contract.signed_on,
               Contract.start_date, Contract.end_date, Contract.written, Contract.price_basis,
               Contract.annual_rent, Contract.unit_price, Contract.escalation_pct, Contract.escalation_years,
               Contract.payment_mode, Contract.billing_align, Contract.due_days, Contract.deposit_required,
               Contract.status, Contract.terminated_on, Contract.renewal_of_id, Contract.notes,
               func.coalesce(procs.c.n, 0), filings.c.filed_on)
        .join(cp, Contract.counterparty_id == cp.id)
        .outerjoin(procs, procs.c.contract_id == Contract.id)
        .outerjoin(filings, filings.c.contract_id == Contract.id)
        .where(Contract.deleted.is_(False))
    )


def contract_rows(session: Session, query: Any, as_of: date) -> list[ContractRow]:
    """Rows of ``contract_query()``, each with its status on ``as_of`` (``state``)."""
    out = []
    for r in session.execute(query):
        v: list[Any] = list(r)
        v.insert(22, term_years(v[20], v[21]))
        v.append(contract_state(v[33], v[20], v[21], v[34], as_of))
        out.append(ContractRow(*v))
    return out


def received_by(as_of: date | BindParameter[date] | None) -> Any:
    """Subquery: installment_id → amount applied to it on or before ``as_of`` (all if None; a bound
    parameter for a statement built once)."""
    q = select(ContractAllocation.installment_id.label("installment_id"),
               func.sum(ContractAllocation.amount).label("received")).where(ContractAllocation.deleted.is_(False))
    if as_of is not None:
        q = q.where(ContractAllocation.allocated_on <= as_of)
    return q.group_by(ContractAllocation.installment_id).subquery()


def billable() -> Any:
    """SQL condition: the installment is owed at all. Not for a draft (草拟, never signed), nor for
    a period starting on or after a terminated contract's 终止 date (nothing is billed after it;
    money already applied to such a period stays shown as received)."""
    return and_(Contract.status != "草拟",
                not_(and_(Contract.status == "终止", Contract.terminated_on.is_not(None),
                          ContractInstallment.period_start >= Contract.terminated_on)))


def installment_status(amount: Decimal, received: Decimal, due: date, as_of: date, owed: bool = True) -> str:
    if not owed:
        return "不计收" if received <= 0 else "已收（不计收）"
    if received >= amount:
        return "已收清"
    if received > 0:
        return "部分收款"
    return "未收" if due <= as_of else "未到期"


def installment_rows(session: Session, contract_ids: Iterable[uuid.UUID] | None, as_of: date,
                     organisation_id: uuid.UUID | None = None) -> list[InstallmentRow]:
    """Installments with what was received by ``as_of``; what is still owed split into 已到期未收
    (``overdue``: due on or before ``as_of`` — 截至 that day's end —, the arrears report's figure)
    and 未到期 (``not_due``)."""
    rec = received_by(as_of)
    received = type_coerce(func.coalesce(rec.c.received, 0), Fen())
    q = (select(ContractInstallment.id, ContractInstallment.contract_id, Contract.number, ContractCounterparty.name,
                ContractInstallment.seq, ContractInstallment.period_start, ContractInstallment.period_end,
                ContractInstallment.due_date, ContractInstallment.amount, received, billable())
         .join(Contract, ContractInstallment.contract_id == Contract.id)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .outerjoin(rec, rec.c.installment_id == ContractInstallment.id)
         .where(ContractInstallment.deleted.is_(False), Contract.deleted.is_(False)))
    if contract_ids is not None:
        q = q.where(ContractInstallment.contract_id.in_(list(contract_ids)))
    if organisation_id is not None:
        q = q.where(Contract.organisation_id == organisation_id)
    out = []
    for r in session.execute(q.order_by(Contract.number, ContractInstallment.seq)):
        got, is_owed = r[9] or ZERO, bool(r[10])
        owed = max(r[8] - got, ZERO) if is_owed else ZERO
        overdue = owed if r[7] <= as_of else ZERO
        out.append(InstallmentRow(*r[:9], got, owed, installment_status(r[8], got, r[7], as_of, is_owed), overdue,
                                  owed - overdue))
    return out


def overdue_query(as_of: date | BindParameter[date], organisation_ids: list[uuid.UUID] | None = None) -> Any:
    """Installments due on or before ``as_of`` with money still owed at the end of that day
    (截至 ``as_of``: what was due by then and not received by then).

    Columns: org id, org name, contract id, number, counterparty, installment id, seq, due date,
    amount, received (as of)."""
    rec = received_by(as_of)
    received = type_coerce(func.coalesce(rec.c.received, 0), Fen())
    q = (select(Contract.organisation_id, Organisation.name, Contract.id, Contract.number, ContractCounterparty.name,
                ContractInstallment.id, ContractInstallment.seq, ContractInstallment.due_date,
                ContractInstallment.amount, received)
         .join(Contract, ContractInstallment.contract_id == Contract.id)
         .join(Organisation, Contract.organisation_id == Organisation.id)
         .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
         .outerjoin(rec, rec.c.installment_id == ContractInstallment.id)
         .where(ContractInstallment.deleted.is_(False), Contract.deleted.is_(False),
                billable(), ContractInstallment.due_date <= as_of,
                ContractInstallment.amount > func.coalesce(rec.c.received, 0)))
    if organisation_ids is not None:
        q = q.where(Contract.organisation_id.in_(organisation_ids))
    return q.order_by(Organisation.name, Contract.number, ContractInstallment.seq)
