"""Receipts (收款) against a contract's installments, deposits (保证金) and the yearly
recognition of rent received in advance.

Allocation is oldest-first: the tenant's earlier unallocated credit, then the new money, go to
the unpaid installments in due-date order; what is left is carried forward as credit.

Accounting (posted through the funds services, accounts named by chart *roles*):

* receipt: Dr 库存现金/银行存款 (``cash``/``bank``); Cr the income account of the contract kind
  for every part that belongs to the receipt's year or earlier (cash basis for arrears); Cr
  ``rent_received_in_advance`` for parts that belong to later years (a lump-sum multi-year
  payment) and for overpayment credit. Credit used later is Dr ``rent_received_in_advance``.
* :func:`recognise_deferred_rent` moves each year's share from ``rent_received_in_advance`` to
  income in that year: a 5-year lump sum is income 1/5 per year, never all at once.
* deposit: 收取 Dr cash/bank, Cr ``payables`` (应付款); 退还 the reverse.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import (
    Contract,
    ContractAllocation,
    ContractCounterparty,
    ContractDeposit,
    ContractInstallment,
    ContractReceipt,
    ContractRecognition,
)
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.money import parse_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_contracts import (
    AllocationRow,
    DepositRow,
    ReceiptResult,
    ReceiptRow,
    RecognitionResult,
)
from desktop_app.core.rows_funds import VoucherRow
from desktop_app.core.services.contract_queries import RECEIPT_KIND
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row, period_label
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.receipt_slips import issue_slips, void_slips_of
from desktop_app.core.services.vouchers import (
    LineInput,
    check_cancellation,
    record_auto_voucher,
    undo_module_voucher,
)

ZERO = Decimal("0.00")
METHODS = ("现金", "银行")
INCOME_ROLE = {"资产租赁": "rent_income", "资源发包": "contracting_income", "投资/合作": "investment_income",
               "服务": "service_income", "其他": "other_income", "工程": "other_income"}
DEPOSIT_KIND, RECOGNITION_KIND = "contract_deposit", "contract_recognition"

__all__ = [
    "cancel_deposit",
    "cancel_receipt",
    "contract_credit",
    "list_deposits",
    "list_receipts",
    "recognise_deferred_rent",
    "record_deposit",
    "record_receipt",
    "role_account",
]


def role_account(accounts: dict[str, AccountInfo], version: str, role: str) -> str:
    """The leaf account to post a role to: the role's account, or its first active sub-account."""
    code = charts.account_role(version, role)
    acc = accounts.get(code)
    if acc is None:
        raise ConflictError(f"账套中没有科目 {code}（{charts.role_spec(role).label}）", field="科目")
    if acc.is_leaf:
        return code
    for a in accounts.values():
        if a.code.startswith(code) and a.is_leaf and a.active:
            return a.code
    raise ConflictError(f"科目 {code} 没有可用的末级科目", field="科目")


def money_account_code(accounts: dict[str, AccountInfo], version: str, method: str, code: str | None) -> str:
    if method not in METHODS:
        raise ValidationError("收款方式应为 现金 或 银行", field="收款方式")
    role = "cash" if method == "现金" else "bank"
    if not code:
        return role_account(accounts, version, role)
    root = charts.account_role(version, role)
    acc = accounts.get(code)
    if acc is None or not code.startswith(root) or not acc.is_leaf:
        raise ValidationError(f"科目 {code} 不是{charts.role_spec(role).label}的末级科目", field="收款科目")
    return code


def receipt_contract(session: Session, contract_id: uuid.UUID) -> tuple[Contract, str]:
    c = session.get(Contract, contract_id)
    if c is None or c.deleted:
        raise NotFoundError("找不到该合同", field="合同")
    name = session.scalar(select(ContractCounterparty.name).where(ContractCounterparty.id == c.counterparty_id)) or ""
    return c, name


def contracts_of(session: Session, contract_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Contract, str]]:
    """:func:`receipt_contract` of many contracts (a few queries); one not found or deleted is left out."""
    out: dict[uuid.UUID, tuple[Contract, str]] = {}
    ids = list(dict.fromkeys(contract_ids))
    for start in range(0, len(ids), 500):
        for c, name in session.execute(
                select(Contract, ContractCounterparty.name)
                .outerjoin(ContractCounterparty, ContractCounterparty.id == Contract.counterparty_id)
                .where(Contract.id.in_(ids[start:start + 500]), Contract.deleted.is_(False))):
            out[c.id] = (c, name or "")
    return out


Recognitions = dict[uuid.UUID, list[ContractRecognition]]  # installment id -> its rows, year order


def recognitions_of(session: Session, installment_ids: list[uuid.UUID]) -> Recognitions:
    """The live recognition rows of many installments (what :func:`_split_by_year` reads), one query a 500."""
    out: Recognitions = defaultdict(list)
    ids = list(dict.fromkeys(installment_ids))
    for start in range(0, len(ids), 500):
        for rec in session.scalars(select(ContractRecognition).where(
                ContractRecognition.installment_id.in_(ids[start:start + 500]), ContractRecognition.deleted.is_(False))
                .order_by(ContractRecognition.installment_id, ContractRecognition.year)):
            out[rec.installment_id].append(rec)
    return out


def _receipt_credits(session: Session, contract_id: uuid.UUID) -> list[tuple[uuid.UUID, Decimal]]:
    """(receipt id, unallocated amount) of a contract's receipts, oldest first."""
    return receipt_credits_of(session, [contract_id]).get(contract_id, [])


def receipt_credits_of(session: Session, contract_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]]:
    """:func:`_receipt_credits` of many contracts in one query."""
    alloc = (select(ContractAllocation.receipt_id, func.sum(ContractAllocation.amount).label("a"))
             .where(ContractAllocation.deleted.is_(False)).group_by(ContractAllocation.receipt_id).subquery())
    rows = session.execute(select(ContractReceipt.contract_id, ContractReceipt.id, ContractReceipt.amount, alloc.c.a)
                           .outerjoin(alloc, alloc.c.receipt_id == ContractReceipt.id)
                           .where(ContractReceipt.contract_id.in_(contract_ids), ContractReceipt.deleted.is_(False))
                           .order_by(ContractReceipt.received_on, ContractReceipt.id))
    out: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]] = defaultdict(list)
    for cid, rid, amount, a in rows:
        out[cid].append((rid, amount - (a or ZERO)))
    return out


def contract_credit(session: Session, contract_id: uuid.UUID) -> Decimal:
    """The tenant's money received but not yet applied to any installment (carried forward)."""
    return sum((c for _, c in _receipt_credits(session, contract_id)), ZERO)


def _open_installments(session: Session, contract_id: uuid.UUID) -> list[tuple[ContractInstallment, Decimal]]:
    return open_installments_of(session, [contract_id]).get(contract_id, [])


def open_installments_of(session: Session, contract_ids: list[uuid.UUID]
                         ) -> dict[uuid.UUID, list[tuple[ContractInstallment, Decimal]]]:
    """Each contract's installments not fully paid, with what is paid, in due-date order (one query)."""
    paid = (select(ContractAllocation.installment_id, func.sum(ContractAllocation.amount).label("a"))
            .where(ContractAllocation.deleted.is_(False)).group_by(ContractAllocation.installment_id).subquery())
    rows = session.execute(select(ContractInstallment, paid.c.a)
                           .outerjoin(paid, paid.c.installment_id == ContractInstallment.id)
                           .where(ContractInstallment.contract_id.in_(contract_ids),
                                  ContractInstallment.deleted.is_(False))
                           .order_by(ContractInstallment.due_date, ContractInstallment.seq)).all()
    out: dict[uuid.UUID, list[tuple[ContractInstallment, Decimal]]] = defaultdict(list)
    for inst, a in rows:
        got = a or ZERO
        if got < inst.amount:
            out[inst.contract_id].append((inst, got))
    return out


def _split_by_year(session: Session, inst: ContractInstallment, already: Decimal, amount: Decimal,
                   receipt_year: int, known: Recognitions | None = None) -> tuple[Decimal, Decimal]:
    """Split money applied to ``inst`` into (income now, deferred to later years); the
    recognition rows are filled in year order, after what was paid before (``known``: the rows
    read beforehand by :func:`recognitions_of`)."""
    recs = known.get(inst.id, []) if known is not None else session.scalars(
        select(ContractRecognition).where(ContractRecognition.installment_id == inst.id,
                                          ContractRecognition.deleted.is_(False))
        .order_by(ContractRecognition.year)).all()
    income, deferred, skip, left = ZERO, ZERO, already, amount
    for rec in recs:
        room = rec.amount
        used = min(skip, room)
        skip -= used
        room -= used
        take = min(room, left)
        if take <= 0:
            continue
        left -= take
        if rec.year <= receipt_year:
            income += take
        else:
            deferred += take
            rec.deferred += take
    return income + left, deferred  # no recognition rows (should not happen): all income


@dataclass(frozen=True)
class _Allocation:
    rows: list[dict[str, Any]]  # ContractAllocation values
    allocations: list[AllocationRow]
    income: Decimal  # of the receipt's year or earlier
    deferred: Decimal  # belongs to later years
    credit_used: Decimal  # earlier credit applied now
    leftover: Decimal  # of the new money, carried forward as credit


def allocate_receipt(session: Session, sources: list[list[Any]], installments: list[list[Any]], receipt_id: uuid.UUID,
              received_on: date, known: Recognitions | None = None) -> _Allocation:
    """Apply ``sources`` ([receipt id, unallocated], the new receipt last) oldest-first to the open
    ``installments`` ([installment, already paid], due-date order). Both lists are kept in step:
    what is used up leaves them, what is paid is added. ``known``: the installments' recognition
    rows read beforehand (:func:`recognitions_of`)."""
    rows: list[dict[str, Any]] = []
    allocations: list[AllocationRow] = []
    income, deferred, credit_used = ZERO, ZERO, ZERO
    for pair in installments:
        inst, got = pair
        need = inst.amount - got
        while need > 0 and sources:
            rid, avail = sources[0]
            take = min(need, avail)
            rows.append({"receipt_id": rid, "installment_id": inst.id, "amount": take, "allocated_on": received_on})
            inc, dfr = _split_by_year(session, inst, got, take, received_on.year, known)
            income, deferred, got, need = income + inc, deferred + dfr, got + take, need - take
            if rid != receipt_id:
                credit_used += take
            allocations.append(AllocationRow(inst.id, inst.seq, take))
            sources[0][1] = avail - take
            if avail - take == 0:
                sources.pop(0)
        pair[1] = got
        if not sources:
            break
    installments[:] = [p for p in installments if p[1] < p[0].amount]
    leftover = sum((s[1] for s in sources if s[0] == receipt_id), ZERO)
    return _Allocation(rows, allocations, income, deferred, credit_used, leftover)


def receipt_lines(c: Contract, cp_name: str, amount: Decimal, alloc: _Allocation, money_code: str,
                   income_code: str, advance_code: str) -> list[LineInput]:
    lines = [LineInput(money_code, debit=amount, summary=f"收{cp_name}合同{c.number}款", counterparty=cp_name,
                       contract_id=c.id)]
    advance_net = alloc.deferred + alloc.leftover - alloc.credit_used
    if advance_net < 0:
        lines.append(LineInput(advance_code, debit=-advance_net, summary="预收租金转入", counterparty=cp_name,
                               contract_id=c.id))
    if alloc.income > 0:
        lines.append(LineInput(income_code, credit=alloc.income, summary=f"合同{c.number}租金收入",
                               counterparty=cp_name, contract_id=c.id))
    if advance_net > 0:
        lines.append(LineInput(advance_code, credit=advance_net, summary="预收以后年度租金/多收款",
                               counterparty=cp_name, contract_id=c.id))
    return lines


def record_receipt(session: Session, contract_id: uuid.UUID, *, received_on: date | None, amount: Decimal | str,
                   method: str, user: UserRow, receipt_no: str | None = None, payer: str | None = None,
                   note: str | None = None, money_account: str | None = None, post: bool | None = None) -> ReceiptResult:
    """Record money received for a contract, allocate it oldest-first and post its voucher."""
    c, cp_name = receipt_contract(session, contract_id)
    amount = parse_amount(amount, field="收款金额", allow_zero=False)
    if received_on is None:
        raise ValidationError("请填写收款日期", field="收款日期")
    book = get_book_row(session, c.book_id)
    ensure_period_open(session, book.id, received_on)
    accounts = book_accounts(session, book.id)
    money_code = money_account_code(accounts, book.chart_version, method, money_account)
    income_code = role_account(accounts, book.chart_version, INCOME_ROLE[c.kind])
    advance_code = role_account(accounts, book.chart_version, "rent_received_in_advance")

    credits = [[rid, amt] for rid, amt in _receipt_credits(session, c.id) if amt > 0]
    r = ContractReceipt(contract_id=c.id, received_on=received_on, amount=amount, method=method,
                        receipt_no=(receipt_no or "").strip()[:50] or None, payer=(payer or "").strip()[:100] or None,
                        note=(note or "").strip()[:200] or None)
    session.add(r)
    session.flush()
    sources: list[list[Any]] = [*credits, [r.id, amount]]
    installments = [[inst, got] for inst, got in _open_installments(session, c.id)]
    alloc = allocate_receipt(session, sources, installments, r.id, received_on)
    for values in alloc.rows:
        session.add(ContractAllocation(**values))
    allocations = alloc.allocations
    session.flush()
    lines = receipt_lines(c, cp_name, amount, alloc, money_code, income_code, advance_code)
    v = record_auto_voucher(session, book_id=book.id, voucher_date=received_on,
                            summary=f"收到{cp_name}合同{c.number}租金（承包费）", lines=lines, user=user,
                            source_kind=RECEIPT_KIND, source_id=r.id, post=post)
    r.voucher_id = v.id
    session.flush()
    credit_after = contract_credit(session, c.id)
    record_audit(session, AuditRecord(
        "create", "contract_receipt", str(r.id),
        f"合同 {c.number} 收款 {amount} 元，冲抵 {len(allocations)} 期，结余 {credit_after} 元，凭证 {v.code}",
        None, {**row_image(r), "allocations": [(str(a.installment_id), str(a.amount)) for a in allocations]}))
    issue_slips(session, RECEIPT_KIND, [r.id], user=user)  # its 收款收据, numbered in this transaction
    row = next(x for x in list_receipts(session, c.id) if x.id == r.id)
    return ReceiptResult(row, tuple(allocations), credit_after, v.id, f"{period_label(v.period)}第{v.number}号")


def list_receipts(session: Session, contract_id: uuid.UUID) -> list[ReceiptRow]:
    credits = dict(_receipt_credits(session, contract_id))
    rows = session.execute(select(ContractReceipt.id, ContractReceipt.contract_id, ContractReceipt.received_on,
                                  ContractReceipt.amount, ContractReceipt.method, ContractReceipt.receipt_no,
                                  ContractReceipt.payer, ContractReceipt.voucher_id)
                           .where(ContractReceipt.contract_id == contract_id, ContractReceipt.deleted.is_(False))
                           .order_by(ContractReceipt.received_on, ContractReceipt.id))
    return [ReceiptRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[3] - credits[r[0]], credits[r[0]], r[7])
            for r in rows]


def _replay_recognition(session: Session, installment_ids: set[uuid.UUID]) -> None:
    """Rebuild the ``deferred`` of these installments' recognition rows from their remaining
    allocations (in the order they were made); refuse if a year's share that is no longer
    deferred has already been moved to income by :func:`recognise_deferred_rent`."""
    for inst_id in sorted(installment_ids):
        inst = session.get(ContractInstallment, inst_id)
        if inst is None:
            continue
        recs = session.scalars(select(ContractRecognition).where(ContractRecognition.installment_id == inst_id,
                                                                 ContractRecognition.deleted.is_(False))).all()
        for rec in recs:
            rec.deferred = ZERO
        got = ZERO
        for a in session.scalars(select(ContractAllocation)
                                 .join(ContractReceipt, ContractAllocation.receipt_id == ContractReceipt.id)
                                 .where(ContractAllocation.installment_id == inst_id,
                                        ContractAllocation.deleted.is_(False))
                                 .order_by(ContractAllocation.allocated_on, ContractReceipt.received_on,
                                           ContractReceipt.id)):
            _split_by_year(session, inst, got, a.amount, a.allocated_on.year)
            got += a.amount
        for rec in recs:
            if rec.recognised > rec.deferred:
                raise ConflictError(f"该收款中属于{rec.year}年度的预收款已确认为收入，不能撤销；"
                                    f"请先在凭证中更正{rec.year}年度预收租金确认", field="收款")


def cancel_receipt(session: Session, receipt_id: uuid.UUID, *, user: UserRow, on: date | None,
                   reason: str) -> VoucherRow | None:
    """撤销收款: tombstone a wrongly recorded receipt and its allocations, give back the earlier
    credit it used, and post the red reversal of its voucher dated ``on`` (or void the voucher if
    it is not yet posted), all in the caller's transaction. Returns the reversal (None if voided).

    Only the contract's latest receipt can be cancelled, and only while its carried-forward credit
    is unused: later receipts were allocated after it and must be cancelled first."""
    reason, on = check_cancellation(reason, on, "撤销收款")
    r = session.get(ContractReceipt, receipt_id)
    if r is None:
        raise NotFoundError("找不到该收款记录", field="收款")
    if r.deleted:
        raise ConflictError("该收款已撤销，不能重复撤销", field="收款")
    c, _ = receipt_contract(session, r.contract_id)
    later = session.scalar(select(func.count()).select_from(ContractReceipt)
                           .where(ContractReceipt.contract_id == c.id, ContractReceipt.deleted.is_(False),
                                  ContractReceipt.id != r.id, ContractReceipt.received_on >= r.received_on))
    if later:
        raise ConflictError(f"合同 {c.number} 在该收款之后（或同日）还有 {later} 笔收款，请先撤销其后的收款",
                            field="收款")
    own = session.scalars(select(ContractAllocation).where(ContractAllocation.receipt_id == r.id,
                                                           ContractAllocation.deleted.is_(False))).all()
    if any(a.allocated_on != r.received_on for a in own):
        raise ConflictError("该收款的结余已被以后的收款冲抵，请先撤销以后的收款", field="收款")
    # Earlier receipts' credit this receipt applied: dated on its day (no other receipt is that late).
    used = session.scalars(select(ContractAllocation)
                           .join(ContractReceipt, ContractAllocation.receipt_id == ContractReceipt.id)
                           .where(ContractReceipt.contract_id == c.id, ContractReceipt.id != r.id,
                                  ContractAllocation.deleted.is_(False),
                                  ContractAllocation.allocated_on >= r.received_on)).all()
    book = get_book_row(session, c.book_id)
    ensure_period_open(session, book.id, on)
    before = {**row_image(r), "allocations": [(str(a.installment_id), str(a.amount)) for a in own],
              "credit_used": [(str(a.receipt_id), str(a.installment_id), str(a.amount)) for a in used]}
    r.deleted = True
    for a in [*own, *used]:
        a.deleted = True
    session.flush()
    _replay_recognition(session, {a.installment_id for a in [*own, *used]})
    session.flush()
    reversal, what = undo_module_voucher(session, r.voucher_id, RECEIPT_KIND, user=user, on=on,
                                   reason=f"撤销收款：{reason}")
    void_slips_of(session, RECEIPT_KIND, r.id, reason=f"撤销收款：{reason}", user=user)
    credit_used = sum((a.amount for a in used), ZERO)
    record_audit(session, AuditRecord(
        "cancel", "contract_receipt", str(r.id),
        f"撤销合同 {c.number} {r.received_on.isoformat()} 收款 {r.amount} 元，原因：{reason}；"
        f"恢复结余 {credit_used} 元，{what}"[:300],
        before, {"deleted": True, "reason": reason, "on": on.isoformat(),
                 "reversal": str(reversal.id) if reversal else None}))
    return reversal


def _deposit_held(session: Session, contract_id: uuid.UUID) -> Decimal:
    return deposits_held_of(session, [contract_id])[contract_id]


def deposits_held_of(session: Session, contract_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """保证金 held (收取 less 退还) of each contract, one query a 500 contracts."""
    ids = list(dict.fromkeys(contract_ids))
    out = dict.fromkeys(ids, ZERO)
    for start in range(0, len(ids), 500):
        for cid, kind, amount in session.execute(
                select(ContractDeposit.contract_id, ContractDeposit.kind, ContractDeposit.amount)
                .where(ContractDeposit.contract_id.in_(ids[start:start + 500]), ContractDeposit.deleted.is_(False))):
            out[cid] += amount if kind == "收取" else -amount
    return out


def record_deposit(session: Session, contract_id: uuid.UUID, *, kind: str, on_date: date | None,
                   amount: Decimal | str, method: str, user: UserRow, money_account: str | None = None) -> DepositRow:
    """保证金 收取 (Dr cash/bank, Cr 应付款) or 退还 (the reverse; at most what is held)."""
    c, cp_name = receipt_contract(session, contract_id)
    if kind not in ("收取", "退还"):
        raise ValidationError("保证金业务应为 收取 或 退还", field="业务类型")
    amount = parse_amount(amount, field="保证金金额", allow_zero=False)
    if on_date is None:
        raise ValidationError("请填写日期", field="日期")
    held = _deposit_held(session, c.id)
    if kind == "退还" and amount > held:
        raise ValidationError(f"退还金额 {amount} 元超过已收保证金 {held} 元", field="保证金金额")
    book = get_book_row(session, c.book_id)
    ensure_period_open(session, book.id, on_date)
    accounts = book_accounts(session, book.id)
    money = money_account_code(accounts, book.chart_version, method, money_account)
    payable = role_account(accounts, book.chart_version, "payables")
    d = ContractDeposit(contract_id=c.id, kind=kind, on_date=on_date, amount=amount, method=method)
    session.add(d)
    session.flush()
    dr, cr = (money, payable) if kind == "收取" else (payable, money)
    text = f"{kind}{cp_name}合同{c.number}履约保证金"
    v = record_auto_voucher(session, book_id=book.id, voucher_date=on_date, summary=text, user=user,
                            lines=[LineInput(dr, debit=amount, counterparty=cp_name, contract_id=c.id),
                                   LineInput(cr, credit=amount, counterparty=cp_name, contract_id=c.id)],
                            source_kind=DEPOSIT_KIND, source_id=d.id)
    d.voucher_id = v.id
    session.flush()
    record_audit(session, AuditRecord("create", "contract_deposit", str(d.id), f"{text} {amount} 元", None, row_image(d)))
    if kind == "收取":
        issue_slips(session, DEPOSIT_KIND, [d.id], user=user)
    return DepositRow(d.id, c.id, d.kind, d.on_date, d.amount, d.method, d.voucher_id)


def cancel_deposit(session: Session, deposit_id: uuid.UUID, *, user: UserRow, on: date | None,
                   reason: str) -> VoucherRow | None:
    """撤销 a wrongly recorded 保证金 收取/退还: tombstone it and post the red reversal of its voucher
    dated ``on`` (or void the voucher if not yet posted). A 收取 whose money has since been
    refunded (held would go below zero) is refused: cancel the 退还 first."""
    reason, on = check_cancellation(reason, on, "撤销保证金")
    d = session.get(ContractDeposit, deposit_id)
    if d is None:
        raise NotFoundError("找不到该保证金记录", field="保证金")
    if d.deleted:
        raise ConflictError("该保证金记录已撤销，不能重复撤销", field="保证金")
    c, _ = receipt_contract(session, d.contract_id)
    held = _deposit_held(session, c.id)
    if d.kind == "收取" and held - d.amount < 0:
        raise ConflictError(f"撤销后已收保证金将为 {held - d.amount} 元（已有退还），请先撤销退还记录", field="保证金")
    book = get_book_row(session, c.book_id)
    ensure_period_open(session, book.id, on)
    before = row_image(d)
    d.deleted = True
    session.flush()
    reversal, what = undo_module_voucher(session, d.voucher_id, DEPOSIT_KIND, user=user, on=on,
                                   reason=f"撤销保证金{d.kind}：{reason}")
    void_slips_of(session, DEPOSIT_KIND, d.id, reason=f"撤销保证金：{reason}", user=user)
    record_audit(session, AuditRecord(
        "cancel", "contract_deposit", str(d.id),
        f"撤销合同 {c.number} {d.on_date.isoformat()} 保证金{d.kind} {d.amount} 元，原因：{reason}；{what}"[:300],
        before, {"deleted": True, "reason": reason, "on": on.isoformat(),
                 "reversal": str(reversal.id) if reversal else None}))
    return reversal


def list_deposits(session: Session, contract_id: uuid.UUID) -> list[DepositRow]:
    rows = session.execute(select(ContractDeposit.id, ContractDeposit.contract_id, ContractDeposit.kind,
                                  ContractDeposit.on_date, ContractDeposit.amount, ContractDeposit.method,
                                  ContractDeposit.voucher_id)
                           .where(ContractDeposit.contract_id == contract_id, ContractDeposit.deleted.is_(False))
                           .order_by(ContractDeposit.on_date))
    return [DepositRow(*r) for r in rows]


def recognise_deferred_rent(session: Session, book_id: uuid.UUID, year: int, *, user: UserRow,
                            on: date | None = None) -> RecognitionResult:
    """Move ``year``'s share of rent received in earlier years from 预收 to income (one voucher
    for the book, one line pair per contract). Running it twice does nothing the second time."""
    book = get_book_row(session, book_id)
    on = on or date(year, 12, 31)
    if on.year != year:
        raise ValidationError(f"确认日期应在 {year} 年内", field="日期")
    recs = session.execute(select(ContractRecognition, Contract.kind, Contract.number, ContractCounterparty.name)
                           .join(Contract, ContractRecognition.contract_id == Contract.id)
                           .join(ContractCounterparty, Contract.counterparty_id == ContractCounterparty.id)
                           .where(Contract.book_id == book_id, ContractRecognition.year == year,
                                  ContractRecognition.deleted.is_(False),
                                  ContractRecognition.deferred > ContractRecognition.recognised)).all()
    if not recs:
        return RecognitionResult(year, 0, ZERO, None)
    ensure_period_open(session, book_id, on)
    accounts = book_accounts(session, book_id)
    advance = role_account(accounts, book.chart_version, "rent_received_in_advance")
    per: dict[tuple[uuid.UUID, str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for rec, kind, number, party in recs:
        per[(rec.contract_id, kind, number, party)] += rec.deferred - rec.recognised
        rec.recognised = rec.deferred
    lines, total = [], ZERO
    for (cid, kind, number, party), amt in sorted(per.items(), key=lambda kv: kv[0][2]):
        text = f"确认合同{number} {year}年度预收租金"
        lines.append(LineInput(advance, debit=amt, summary=text, contract_id=cid, counterparty=party))
        lines.append(LineInput(role_account(accounts, book.chart_version, INCOME_ROLE[kind]), credit=amt,
                               summary=text, contract_id=cid, counterparty=party))
        total += amt
    session.flush()
    v = record_auto_voucher(session, book_id=book_id, voucher_date=on, summary=f"确认{year}年度预收租金、承包费收入",
                            lines=lines, user=user, source_kind=RECOGNITION_KIND, source_id=None)
    record_audit(session, AuditRecord("recognise", "contract_recognition", str(v.id),
                                      f"{year}年度预收租金转收入 {total} 元（{len(per)} 份合同）", None,
                                      {"year": year, "amount": str(total)}))
    return RecognitionResult(year, len(per), total, v.id)
