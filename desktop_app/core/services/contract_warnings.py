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

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from db.models import (
    Contract,
    ContractCounterparty,
    ContractDeposit,
    ContractInstallment,
    ContractReceipt,
    Organisation,
    Voucher,
)
from desktop_app.core.ids import mask_ric
from desktop_app.core.progress import Progress
from desktop_app.core.rows_contracts import (
    ArrearsRow,
    ContractWarnings,
    DepositWarningRow,
    DisclosureContractRow,
    DisclosureContracts,
    ExpiryRow,
    WarningCounts,
)
from desktop_app.core.rules.contract_schedule import ageing_bucket, contract_state
from desktop_app.core.services.contract_queries import RECEIPT_KIND, ZERO, billable, overdue_query
from desktop_app.core.services.funds_base import reads

EXPIRY_DAYS = (90, 30, 0)

__all__ = ["EXPIRY_DAYS", "contract_warnings", "disclosure_contracts_section", "list_arrears",
           "list_expiring", "list_unrefunded_deposits", "warning_counts"]


def _org_filter(organisation_id: uuid.UUID | None) -> list[uuid.UUID] | None:
    return None if organisation_id is None else [organisation_id]


def list_arrears(session: Session, organisation_id: uuid.UUID | None, as_of: date, *,
                 progress: Progress | None = None) -> list[ArrearsRow]:
    """Installments overdue at the end of ``as_of`` (due on or before it, not fully received by
    it), with ageing."""
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
           Contract.annual_rent, Contract.status, Contract.terminated_on)
    .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
    .where(Contract.organisation_id == bindparam("org_id"), Contract.book_id == bindparam("book_id"),
           Contract.deleted.is_(False), Contract.status != "草拟")
    .order_by(Contract.number))
_SECTION_DUE = (select(ContractInstallment.contract_id, ContractInstallment.amount)
                .join(Contract, ContractInstallment.contract_id == Contract.id)
                .where(Contract.organisation_id == bindparam("org_id"), Contract.book_id == bindparam("book_id"),
                       Contract.deleted.is_(False), ContractInstallment.deleted.is_(False), billable(),
                       ContractInstallment.due_date >= bindparam("from"),
                       ContractInstallment.due_date <= bindparam("to")))
# Money received as the books have it: the receipt vouchers posted (记账) in the period, a red
# reversal (撤销收款) counting negative in its own period; a receipt cancelled later keeps its
# original voucher, so an earlier period's figure never changes.
_SECTION_BOOKED = (select(ContractReceipt.contract_id, ContractReceipt.amount, Voucher.reversal_of_id)
                   .join(Voucher, Voucher.source_id == ContractReceipt.id)
                   .where(Voucher.book_id == bindparam("book_id"), Voucher.source_kind == RECEIPT_KIND,
                          Voucher.status == "记账", Voucher.deleted.is_(False),
                          Voucher.voucher_date >= bindparam("from"), Voucher.voucher_date <= bindparam("to")))
_SECTION_UNBOOKED = (select(ContractReceipt.contract_id, ContractReceipt.amount)
                     .join(Contract, ContractReceipt.contract_id == Contract.id)
                     .outerjoin(Voucher, Voucher.id == ContractReceipt.voucher_id)
                     .where(Contract.organisation_id == bindparam("org_id"), Contract.book_id == bindparam("book_id"),
                            ContractReceipt.deleted.is_(False), ContractReceipt.received_on >= bindparam("from"),
                            ContractReceipt.received_on <= bindparam("to"),
                            or_(Voucher.id.is_(None), Voucher.status != "记账", Voucher.deleted.is_(True))))
_SECTION_OWED = overdue_query(bindparam("to")).where(Contract.organisation_id == bindparam("org_id"),
                                                     Contract.book_id == bindparam("book_id"))


def disclosure_contracts_section(session: Session, org_id: uuid.UUID, book_id: uuid.UUID, period_from: date,
                                 period_to: date) -> DisclosureContracts:
    """The book's contracts for [period_from, period_to]: every one in force during the period or
    with anything due, received or owed in or at the end of it (an expired or terminated contract
    still owing rent included), with its status at the end of the period.

    本期应收: installments due in the period. 本期实收: the receipt vouchers posted in the period
    (so the table traces to 收支明细); a receipt without a posted voucher is not counted and is
    reported apart (``unbooked_*``). 期末欠缴: exactly the arrears report (``list_arrears``) as of
    ``period_to``: installments due on or before that day and not received by its end. Names are shown,
    personal ID numbers masked."""
    conn = reads(session)
    keys = {"org_id": org_id, "book_id": book_id, "from": period_from, "to": period_to}
    due: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for cid, amount in conn.execute(_SECTION_DUE, keys):
        due[cid] += amount
    got: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for cid, amount, reversal_of in conn.execute(_SECTION_BOOKED, keys):
        got[cid] += -amount if reversal_of is not None else amount
    owed: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for r in conn.execute(_SECTION_OWED, keys):
        owed[r[2]] += r[8] - (r[9] or ZERO)
    unbooked = [amount for _, amount in conn.execute(_SECTION_UNBOOKED, keys)]
    rows = []
    for (cid, number, name, kind, subject, cp, cp_kind, idn, start, end, rent, status,
         terminated) in conn.execute(_SECTION_CONTRACTS, keys):
        ended = terminated if status == "终止" and terminated is not None else end
        in_force = start <= period_to and ended >= period_from and not (status == "终止" and ended < period_from)
        if not (in_force or due[cid] or got[cid] or owed[cid]):
            continue
        rows.append(DisclosureContractRow(
            number, name, kind, subject, cp, mask_ric(idn) if cp_kind == "个人" and idn else (idn or ""),
            start, end, rent, due[cid], got[cid], owed[cid],
            contract_state(status, start, end, terminated, period_to)))
    return DisclosureContracts(tuple(rows), len(unbooked), sum(unbooked, ZERO))
