"""What a 收款收据 acknowledges, read from where the program records it: a contract receipt, a
保证金 收取, or a voucher that debits 库存现金/银行存款 (other income; its cash and bank debits are
the amount). Shared by issuing (``receipt_slips``) and the month's check (``receipt_slip_check``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Contract, ContractCounterparty, ContractDeposit, ContractReceipt, Entry, Voucher
from desktop_app.core import charts
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_label
from desktop_app.core.services.funds_base import book_accounts, get_book_row

RECEIPT, DEPOSIT, VOUCHER = "contract_receipt", "contract_deposit", "voucher"
SOURCE_LABELS = {RECEIPT: "合同收款", DEPOSIT: "保证金", VOUCHER: "其他收款（凭证）"}
ZERO = Decimal("0.00")
# what the payer paid for, by contract kind (the voucher says 租金（承包费） for all of them)
_PAID_FOR = {"资产租赁": "租金", "资源发包": "承包费", "投资/合作": "合作收益款", "服务": "服务费"}


@dataclass(frozen=True)
class Source:
    kind: str
    id: uuid.UUID
    book_id: uuid.UUID
    contract_id: uuid.UUID | None
    voucher_id: uuid.UUID | None
    payer: str
    purpose: str
    amount: Decimal
    method: str  # 现金 / 银行
    received_on: date
    live: bool  # not cancelled (撤销) and its voucher not void or reversed
    label: str  # for messages: 2026-06-03 合同HT-01 收款 1,000.00 元


def _chunks(ids: Sequence[uuid.UUID]) -> list[list[uuid.UUID]]:
    ids = list(dict.fromkeys(ids))
    return [ids[i:i + 500] for i in range(0, len(ids), 500)]


def _contract_sources(session: Session, kind: str, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Source]:
    out: dict[uuid.UUID, Source] = {}
    table = ContractReceipt if kind == RECEIPT else ContractDeposit
    day = ContractReceipt.received_on if kind == RECEIPT else ContractDeposit.on_date
    payer = ContractReceipt.payer if kind == RECEIPT else ContractDeposit.kind  # a deposit names no payer
    for chunk in _chunks(ids):
        for (sid, on, amount, method, voucher_id, deleted, who, c_id, book_id, number, c_kind, c_name,
             cp_name) in session.execute(
                select(table.id, day, table.amount, table.method, table.voucher_id, table.deleted, payer,
                       Contract.id, Contract.book_id, Contract.number, Contract.kind, Contract.name,
                       ContractCounterparty.name)
                .join(Contract, Contract.id == table.contract_id)
                .outerjoin(ContractCounterparty, ContractCounterparty.id == Contract.counterparty_id)
                .where(table.id.in_(chunk))):
            if kind == DEPOSIT:
                if who != "收取":
                    raise ValidationError(f"合同{number} {on:%Y-%m-%d} 的保证金退还是付款，不开收款收据", field="收据")
                purpose, who, what = f"履约保证金（合同{number}）", None, "保证金"
            else:
                purpose, what = f"{_PAID_FOR.get(c_kind, '合同款')}（合同{number} {c_name}）", "收款"
            out[sid] = Source(kind, sid, book_id, c_id, voucher_id, who or cp_name or "", purpose, amount, method, on,
                              not deleted, f"{on:%Y-%m-%d} 合同{number}{what} {format_amount(amount)} 元")
    return out


def money_codes(session: Session, book_id: uuid.UUID) -> dict[uuid.UUID, tuple[str, bool]]:
    """account id -> (现金/银行, whether it is an income account) of the book's cash, bank and
    income (损益, credit side) accounts."""
    version = get_book_row(session, book_id).chart_version
    cash, bank = charts.account_role(version, "cash"), charts.account_role(version, "bank")
    out: dict[uuid.UUID, tuple[str, bool]] = {}
    for code, acc in book_accounts(session, book_id).items():
        if code.startswith(cash):
            out[acc.id] = ("现金", False)
        elif code.startswith(bank):
            out[acc.id] = ("银行", False)
        elif acc.category == "损益" and acc.normal_side == "贷":
            out[acc.id] = ("", True)
    return out


def voucher_money(session: Session, voucher_ids: Sequence[uuid.UUID], book_id: uuid.UUID
                  ) -> dict[uuid.UUID, tuple[Decimal, str, Decimal, str]]:
    """voucher id -> (cash and bank debits, 现金/银行 (the larger), income credits, first counterparty)."""
    kinds = money_codes(session, book_id)
    out: dict[uuid.UUID, tuple[Decimal, str, Decimal, str]] = {}
    for chunk in _chunks(voucher_ids):
        sums: dict[uuid.UUID, dict[str, Decimal]] = {}
        party: dict[uuid.UUID, str] = {}
        for vid, account_id, debit, credit, counterparty in session.execute(
                select(Entry.voucher_id, Entry.account_id, Entry.debit, Entry.credit, Entry.counterparty)
                .where(Entry.voucher_id.in_(chunk), Entry.deleted.is_(False)).order_by(Entry.voucher_id, Entry.line_no)):
            got = sums.setdefault(vid, {"现金": ZERO, "银行": ZERO, "income": ZERO})
            if counterparty and vid not in party:
                party[vid] = counterparty
            method, income = kinds.get(account_id, ("", False))
            if method:
                got[method] += debit
            elif income:
                got["income"] += credit
        for vid, got in sums.items():
            method = "现金" if got["现金"] >= got["银行"] else "银行"
            out[vid] = (got["现金"] + got["银行"], method, got["income"], party.get(vid, ""))
    return out


def reversed_vouchers(session: Session, voucher_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for chunk in _chunks(voucher_ids):
        out.update(session.scalars(select(Voucher.reversal_of_id).where(
            Voucher.reversal_of_id.in_(chunk), Voucher.status != "作废", Voucher.deleted.is_(False))))
    return out


def _voucher_sources(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Source]:
    out: dict[uuid.UUID, Source] = {}
    rows = [r for chunk in _chunks(ids) for r in session.execute(
        select(Voucher.id, Voucher.book_id, Voucher.period, Voucher.number, Voucher.voucher_date, Voucher.summary,
               Voucher.status, Voucher.reversal_of_id).where(Voucher.id.in_(chunk), Voucher.deleted.is_(False)))]
    gone = reversed_vouchers(session, [r[0] for r in rows])
    for vid, book_id, period, number, on, summary, status, reversal_of in rows:
        label = f"{period_label(period)}第{number}号凭证"
        money, method, _income, party = voucher_money(session, [vid], book_id).get(vid, (ZERO, "", ZERO, ""))
        if reversal_of is not None or money <= 0:
            raise ValidationError(f"{label}没有库存现金或银行存款的借方金额，不是收款凭证", field="凭证")
        out[vid] = Source(VOUCHER, vid, book_id, None, vid, party, summary, money, method, on,
                          status != "作废" and vid not in gone, f"{label}（{summary}）")
    return out


def read_sources(session: Session, kind: str, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Source]:
    """The receipts ``ids`` of ``kind``; refuses an unknown kind or id."""
    if kind in (RECEIPT, DEPOSIT):
        out = _contract_sources(session, kind, ids)
    elif kind == VOUCHER:
        out = _voucher_sources(session, ids)
    else:
        raise ValidationError(f"收据来源应为 {'、'.join(SOURCE_LABELS)} 之一", field="来源")
    missing = [i for i in ids if i not in out]
    if missing:
        raise NotFoundError(f"找不到要开收据的{SOURCE_LABELS[kind]}记录", field="收据")
    return out
