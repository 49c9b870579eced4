"""The batch forms of 收款 and 保证金 give the same books as entering each item one after the other:
the same allocations, recognition rows, credit and voucher lines; a refused item refuses the
whole batch before anything is written."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import ContractAllocation, ContractDeposit, ContractReceipt, ContractRecognition, Voucher
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.receipts import contract_credit, list_receipts, record_deposit, record_receipt
from desktop_app.core.services.receipts_batch import (
    DepositInput,
    ReceiptInput,
    record_deposits,
    record_receipts,
)
from desktop_app.core.services.vouchers import get_voucher
from tests.contracts.conftest import Env, make_env

# (contract, date, amount, method): two contracts, several receipts of one in the same batch,
# a part payment, an overpayment carried forward and a lump sum for later years (预收)
RECEIPTS = [(0, date(2026, 3, 10), "5000", "银行"), (1, date(2026, 3, 11), "30000", "银行"),
            (0, date(2026, 3, 20), "10000", "现金"), (0, date(2026, 3, 28), "50000", "银行"),
            (1, date(2026, 3, 29), "0.01", "现金")]
DEPOSITS = [(0, "收取", date(2026, 3, 2), "3000"), (1, "收取", date(2026, 3, 3), "2000"),
            (0, "退还", date(2026, 3, 30), "1000")]


def _contracts(env: Env) -> list[uuid.UUID]:
    return [env.create(), env.create(number="HT-002", name="厂房租赁合同", kind="资产租赁", subject="一号厂房",
                                     annual_rent=D("24000.00"), payment_mode="半年付")]


def _books(env: Env, ids: list[uuid.UUID]) -> dict[str, Any]:
    """What the two ways must agree on, in entry order (ids left out)."""
    with env.db.begin() as s:
        receipts = [(r.contract_id == ids[1], r.received_on, r.amount, r.allocated, r.credit) for cid in ids
                    for r in list_receipts(s, cid)]
        allocs = s.execute(select(ContractReceipt.received_on, ContractAllocation.amount, ContractAllocation.allocated_on)
                           .join(ContractReceipt, ContractReceipt.id == ContractAllocation.receipt_id)
                           .order_by(ContractReceipt.received_on, ContractAllocation.allocated_on,
                                     ContractAllocation.amount)).all()
        recognised = s.execute(select(ContractRecognition.year, ContractRecognition.amount,
                                      ContractRecognition.deferred)
                               .order_by(ContractRecognition.year, ContractRecognition.amount,
                                         ContractRecognition.deferred)).all()
        lines = []
        for vid, in s.execute(select(Voucher.id).order_by(Voucher.voucher_date, Voucher.summary)):
            d = get_voucher(s, vid)
            assert d.voucher.status == "记账"
            lines.append((d.voucher.voucher_date, d.voucher.summary, d.voucher.source_kind,
                          [(ln.account_code, ln.debit, ln.credit, ln.summary, ln.counterparty) for ln in d.lines]))
        deposits = s.execute(select(ContractDeposit.kind, ContractDeposit.on_date, ContractDeposit.amount)
                             .order_by(ContractDeposit.on_date)).all()
        linked = s.scalar(select(func.count()).select_from(ContractReceipt).where(ContractReceipt.voucher_id.is_(None)))
        credits = [contract_credit(s, cid) for cid in ids]
    return {"receipts": receipts, "allocs": allocs, "recognised": recognised, "vouchers": lines,
            "deposits": deposits, "unlinked": linked, "credits": credits}


def test_batch_gives_the_same_books_as_one_by_one(tmp_path: Path) -> None:
    one, many = make_env(tmp_path / "one.db"), make_env(tmp_path / "many.db")
    try:
        ids_one, ids_many = _contracts(one), _contracts(many)
        with one.db.begin("test") as s:
            for k, day, amount, method in RECEIPTS:
                record_receipt(s, ids_one[k], received_on=day, amount=amount, method=method, user=one.user)
            for k, kind, day, amount in DEPOSITS:
                record_deposit(s, ids_one[k], kind=kind, on_date=day, amount=amount, method="银行", user=one.user)
        with many.db.begin("test") as s:
            got = record_receipts(s, [ReceiptInput(ids_many[k], day, amount, method)
                                      for k, day, amount, method in RECEIPTS], user=many.user)
            record_deposits(s, [DepositInput(ids_many[k], kind, day, amount, "银行")
                                for k, kind, day, amount in DEPOSITS], user=many.user)
        assert len(got) == len(RECEIPTS)
        a, b = _books(one, ids_one), _books(many, ids_many)
        assert a == b
        assert b["unlinked"] == 0
        assert b["credits"][0] > 0  # the overpayment is carried forward
        assert any(deferred > 0 for _, _, deferred in b["recognised"])  # paid ahead: 预收
        assert len(b["vouchers"]) == len(RECEIPTS) + len(DEPOSITS)
    finally:
        one.db.close()
        many.db.close()


def test_a_refused_item_refuses_the_whole_batch(tmp_path: Path) -> None:
    env = make_env(tmp_path / "refused.db")
    ids = _contracts(env)
    with env.db.begin("test") as s, pytest.raises(ValidationError, match=r"第2笔保证金.*超过已收保证金"):
        record_deposits(s, [DepositInput(ids[0], "收取", date(2026, 3, 2), "1000", "银行"),
                            DepositInput(ids[0], "退还", date(2026, 3, 9), "1000.01", "银行")], user=env.user)
    with env.db.begin("test") as s, pytest.raises(ValidationError, match=r"第3笔收款.*收款方式"):
        record_receipts(s, [ReceiptInput(ids[0], date(2026, 3, 10), "100", "银行"),
                            ReceiptInput(ids[1], date(2026, 3, 11), "100", "银行"),
                            ReceiptInput(ids[1], date(2026, 3, 12), "100", "支票")], user=env.user)
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(ContractReceipt)) == 0
        assert s.scalar(select(func.count()).select_from(ContractDeposit)) == 0
        assert s.scalar(select(func.count()).select_from(Voucher)) == 0
    env.db.close()
