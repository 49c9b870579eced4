"""The batch forms the demo's month loop uses answer exactly what their one-at-a-time forms do:
``close_checks_of`` (a township's month-end checks in a few queries) against ``close_checks``, and
the receipt batch's reads (``contracts_of``, ``deposits_held_of``, ``recognitions_of``) against
``receipt_contract``, ``_deposit_held`` and the recognition rows read one installment at a time."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select, update

from db.migrate import Database
from db.models import Account, AccountPeriodTotal, Contract, ContractInstallment, ContractRecognition
from desktop_app.core.errors import ConflictError
from desktop_app.core.services.funds_base import read_cache
from desktop_app.core.services.periods import close_checks, close_checks_of, close_periods
from desktop_app.core.services.receipts import (
    _deposit_held,
    contracts_of,
    deposits_held_of,
    receipt_contract,
    recognitions_of,
)
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher
from tests.assets.conftest import make_env

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def test_close_checks_of_says_what_close_checks_says(tmp_path: Path) -> None:
    env = make_env(tmp_path / "checks.db")
    try:
        with env.db.begin("test") as s:
            # January: cash paid out with none in hand (posted: 库存现金 negative at the end of the month)
            v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 8), summary="购买办公用品",
                               user=env.user, lines=[LineInput("51302", debit=D("500.00")),
                                                     LineInput("101", credit=D("500.00"))])
            review_voucher(s, v.id, user=env.reviewer)
            post_voucher(s, v.id, user=env.reviewer)
            # February: one voucher made, one reviewed, neither posted
            for day, review in ((3, False), (4, True)):
                w = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 2, day), summary="支付水电费",
                                   user=env.user, lines=[LineInput("51306", debit=D("80.00")),
                                                         LineInput("10201", credit=D("80.00"))])
                if review:
                    review_voucher(s, w.id, user=env.reviewer)
        with env.db.begin("test") as s:  # a summary row edited behind the program's back: the trial balance is off
            office = s.scalar(select(Account.id).where(Account.book_id == env.book.id, Account.code == "51302"))
            s.execute(update(AccountPeriodTotal).where(AccountPeriodTotal.account_id == office)
                      .values(debit=D("512.34")))
        with env.db.begin("test") as s:
            wanted = [(env.book.id, p) for p in MONTHS] + [(uuid.uuid4(), "2026-03")]
            with read_cache(s):
                batch = close_checks_of(s, wanted)
            one = {(env.book.id, p): close_checks(s, env.book.id, p) for p in MONTHS}
            assert batch == one  # the book that does not exist is left out
            assert any("库存现金期末余额为负数（-500.00）" in t for t in batch[(env.book.id, "2026-01")])
            assert any("试算不平衡：借方余额合计与贷方余额合计相差 12.34" in t for t in batch[(env.book.id, "2026-01")])
            feb = batch[(env.book.id, "2026-02")]
            assert feb[0] == "有 2 张凭证尚未记账：第1号（填制）、第2号（审核）"
        with env.db.begin("test") as s, pytest.raises(ConflictError, match=re.escape("库存现金期末余额为负数（-500.00）")):
            close_periods(s, [(env.book.id, "2026-01")], user=env.user)
    finally:
        env.db.close()


def test_receipt_batch_reads_equal_one_at_a_time(demo_db: Database) -> None:
    with demo_db.begin() as s:
        ids = list(s.scalars(select(Contract.id).order_by(Contract.number)))
        assert len(ids) > 20
        found = contracts_of(s, [*ids, uuid.uuid4()])
        assert set(found) == set(ids)  # an unknown id is left out
        for cid in ids:
            c, name = receipt_contract(s, cid)
            assert found[cid] == (c, name) and name
        held = deposits_held_of(s, ids)
        assert held == {cid: _deposit_held(s, cid) for cid in ids}
        assert any(v > 0 for v in held.values())
        insts = list(s.scalars(select(ContractInstallment.id).where(ContractInstallment.contract_id.in_(ids))))
        known = recognitions_of(s, insts)
        for iid in insts:
            rows = s.scalars(select(ContractRecognition).where(ContractRecognition.installment_id == iid,
                                                               ContractRecognition.deleted.is_(False))
                             .order_by(ContractRecognition.year)).all()
            assert known.get(iid, []) == list(rows)
        assert sum(len(v) for v in known.values()) > len(ids)
