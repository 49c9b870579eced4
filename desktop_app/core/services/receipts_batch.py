"""Batch forms of 收款 and 保证金 (a month's bank statement of rent, a township's month of business).

``record_receipts`` / ``record_deposits`` check and allocate each item exactly as
``receipts.record_receipt`` / ``record_deposit`` do, in the order given (a contract's earlier item
is allocated before its later one, as if entered one after the other), then write the vouchers
through a :class:`PostingBatch` (the bulk voucher path: posted, or left in 填制 for 审核, as the
book's 自动凭证 setting says, like the single forms) and the records with their voucher ids,
each with its own audit entry. Nothing is written when any item is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import jsonable
from db.models import ContractAllocation, ContractDeposit, ContractReceipt
from db.types import uuid7
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import parse_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.services.contract_queries import RECEIPT_KIND
from desktop_app.core.services.funds_base import (
    AccountInfo,
    book_accounts,
    get_book_row,
    period_of,
    read_cache,
)
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.posting_batch import Posted, PostingBatch
from desktop_app.core.services.receipt_slips import issue_slips
from desktop_app.core.services.receipts import (
    DEPOSIT_KIND,
    INCOME_ROLE,
    allocate_receipt,
    contracts_of,
    deposits_held_of,
    money_account_code,
    open_installments_of,
    receipt_contract,
    receipt_credits_of,
    receipt_lines,
    recognitions_of,
    role_account,
)
from desktop_app.core.services.users import require_role
from desktop_app.core.services.voucher_bulk import BulkVoucher
from desktop_app.core.services.vouchers import MAKER_ROLES, LineInput

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReceiptInput:
    contract_id: uuid.UUID
    received_on: date | None
    amount: Decimal | str
    method: str
    receipt_no: str | None = None
    payer: str | None = None
    note: str | None = None
    money_account: str | None = None


@dataclass(frozen=True)
class DepositInput:
    contract_id: uuid.UUID
    kind: str  # 收取 / 退还
    on_date: date | None
    amount: Decimal | str
    method: str
    money_account: str | None = None


class _Books:
    """Per-call memory of what every item of a batch reads again: books, charts, open months."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.accounts: dict[uuid.UUID, dict[str, AccountInfo]] = {}
        self.open: set[tuple[uuid.UUID, str]] = set()

    def check(self, book_id: uuid.UUID, on: date) -> dict[str, AccountInfo]:
        if (book_id, period_of(on)) not in self.open:
            ensure_period_open(self.session, book_id, on)
            self.open.add((book_id, period_of(on)))
        if book_id not in self.accounts:
            self.accounts[book_id] = book_accounts(self.session, book_id)
        return self.accounts[book_id]


def _refused(i: int, what: str, exc: UserError) -> UserError:
    exc.message = f"第{i}笔{what}：{exc.message}"
    exc.args = (exc.message,)
    return exc


def record_receipts(session: Session, items: list[ReceiptInput], *, user: UserRow,
                    batch: PostingBatch | None = None) -> list[uuid.UUID]:
    """Record many receipts (see the module's docstring); returns their ids in order. With
    ``batch`` the vouchers and records are written when the caller posts it."""
    require_role(session, user, *MAKER_ROLES)
    own = batch is None
    batch = batch if batch is not None else PostingBatch(user, summary="批量登记合同收款")
    books = _Books(session)
    contracts: dict[uuid.UUID, tuple[Any, str]] = {}
    checked: list[tuple[ReceiptInput, Any, str, Decimal, uuid.UUID, tuple[str, str, str]]] = []
    with read_cache(session):  # reads only: each book and chart once
        contracts.update(contracts_of(session, [item.contract_id for item in items]))
        for i, item in enumerate(items, start=1):  # every item checked before anything is allocated
            try:
                if item.contract_id not in contracts:
                    contracts[item.contract_id] = receipt_contract(session, item.contract_id)  # refuses it
                c, cp_name = contracts[item.contract_id]
                amount = parse_amount(item.amount, field="收款金额", allow_zero=False)
                if item.received_on is None:
                    raise ValidationError("请填写收款日期", field="收款日期")
                book = get_book_row(session, c.book_id)
                accounts = books.check(book.id, item.received_on)
                codes = (money_account_code(accounts, book.chart_version, item.method, item.money_account),
                         role_account(accounts, book.chart_version, INCOME_ROLE[c.kind]),
                         role_account(accounts, book.chart_version, "rent_received_in_advance"))
            except UserError as exc:
                raise _refused(i, "收款", exc) from None
            checked.append((item, c, cp_name, amount, book.id, codes))
    state: dict[uuid.UUID, tuple[list[list[Any]], list[list[Any]]]] = {}
    done: list[tuple[dict[str, Any], Any, Any, Decimal]] = []
    ids = sorted({c.id for _, c, *_ in checked})
    credits_of, open_of = receipt_credits_of(session, ids), open_installments_of(session, ids)
    for cid in ids:
        state[cid] = ([[rid, amt] for rid, amt in credits_of.get(cid, []) if amt > 0],
                      [[inst, got] for inst, got in open_of.get(cid, [])])
    known = recognitions_of(session, [inst.id for cid in ids for inst, _ in open_of.get(cid, [])])
    for item, c, cp_name, amount, book_id, codes in checked:
        credits, installments = state[c.id]
        on = item.received_on
        assert on is not None
        rid = uuid7()
        sources = [*credits, [rid, amount]]
        alloc = allocate_receipt(session, sources, installments, rid, on, known)
        credits[:] = [s for s in sources if s[1] > 0]
        lines = receipt_lines(c, cp_name, amount, alloc, *codes)
        batch.add(book_id, [BulkVoucher(on, f"收到{cp_name}合同{c.number}租金（承包费）", lines,
                                        source_kind=RECEIPT_KIND, source_id=rid, attachments=0)])
        row = {"id": rid, "contract_id": c.id, "received_on": on, "amount": amount,
               "method": item.method, "receipt_no": (item.receipt_no or "").strip()[:50] or None,
               "payer": (item.payer or "").strip()[:100] or None, "note": (item.note or "").strip()[:200] or None}
        done.append((row, c, alloc, sum((s[1] for s in credits), ZERO)))

    def finish(posted: dict[uuid.UUID, Posted]) -> None:
        for row, *_ in done:
            row["voucher_id"] = posted[row["id"]].id
        bulk_insert(session, ContractReceipt, [row for row, *_ in done])
        bulk_insert(session, ContractAllocation, [{"id": uuid7(), **a} for _, _, alloc, _ in done for a in alloc.rows])
        record_audit(session, [AuditRecord(  # one chained append, each receipt its own entry
            "create", "contract_receipt", str(row["id"]),
            f"合同 {c.number} 收款 {row['amount']} 元，冲抵 {len(alloc.allocations)} 期，结余 {credit_after} 元，"
            f"凭证 {posted[row['id']].code}", None,
            {**jsonable(row), "allocations": [(str(a.installment_id), str(a.amount)) for a in alloc.allocations]})
            for row, c, alloc, credit_after in done])
        issue_slips(session, RECEIPT_KIND, [row["id"] for row, *_ in done], user=user)  # 收款收据, in order

    batch.then(finish)
    if own:
        batch.post(session)
    return [row["id"] for row, *_ in done]


def record_deposits(session: Session, items: list[DepositInput], *, user: UserRow,
                    batch: PostingBatch | None = None) -> list[uuid.UUID]:
    """保证金 收取/退还 for many contracts (a refund at most what is held after the items before it)."""
    require_role(session, user, *MAKER_ROLES)
    own = batch is None
    batch = batch if batch is not None else PostingBatch(user, summary="批量登记合同保证金")
    books = _Books(session)
    held: dict[uuid.UUID, Decimal] = {}
    contracts: dict[uuid.UUID, tuple[Any, str]] = {}
    done: list[tuple[dict[str, Any], str]] = []
    vouchers: list[tuple[uuid.UUID, BulkVoucher]] = []  # added to the batch once every item passed
    with read_cache(session):  # reads only (the records are written after posting)
        found = contracts_of(session, [item.contract_id for item in items])
        holding = deposits_held_of(session, list(found))
        for i, item in enumerate(items, start=1):
            try:
                if item.contract_id not in contracts:
                    contracts[item.contract_id] = found.get(item.contract_id) or receipt_contract(session, item.contract_id)
                    held[item.contract_id] = holding[item.contract_id]
                c, cp_name = contracts[item.contract_id]
                if item.kind not in ("收取", "退还"):
                    raise ValidationError("保证金业务应为 收取 或 退还", field="业务类型")
                amount = parse_amount(item.amount, field="保证金金额", allow_zero=False)
                if item.on_date is None:
                    raise ValidationError("请填写日期", field="日期")
                if item.kind == "退还" and amount > held[c.id]:
                    raise ValidationError(f"退还金额 {amount} 元超过已收保证金 {held[c.id]} 元", field="保证金金额")
                book = get_book_row(session, c.book_id)
                accounts = books.check(book.id, item.on_date)
                money = money_account_code(accounts, book.chart_version, item.method, item.money_account)
                payable = role_account(accounts, book.chart_version, "payables")
            except UserError as exc:
                raise _refused(i, "保证金", exc) from None
            held[c.id] += amount if item.kind == "收取" else -amount
            did = uuid7()
            dr, cr = (money, payable) if item.kind == "收取" else (payable, money)
            text = f"{item.kind}{cp_name}合同{c.number}履约保证金"
            vouchers.append((book.id, BulkVoucher(item.on_date, text, [
                LineInput(dr, debit=amount, counterparty=cp_name, contract_id=c.id),
                LineInput(cr, credit=amount, counterparty=cp_name, contract_id=c.id)],
                source_kind=DEPOSIT_KIND, source_id=did, attachments=0)))
            done.append(({"id": did, "contract_id": c.id, "kind": item.kind, "on_date": item.on_date, "amount": amount,
                          "method": item.method}, text))

    for book_id, voucher in vouchers:
        batch.add(book_id, [voucher])

    def finish(posted: dict[uuid.UUID, Posted]) -> None:
        for row, _ in done:
            row["voucher_id"] = posted[row["id"]].id
        bulk_insert(session, ContractDeposit, [row for row, _ in done])
        record_audit(session, [AuditRecord("create", "contract_deposit", str(row["id"]), f"{text} {row['amount']} 元",
                                           None, jsonable(row)) for row, text in done])
        issue_slips(session, DEPOSIT_KIND, [row["id"] for row, _ in done if row["kind"] == "收取"], user=user)

    batch.then(finish)
    if own:
        batch.post(session)
    return [row["id"] for row, _ in done]
