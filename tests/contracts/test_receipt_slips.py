"""收款收据 (issue #20): every receipt gets a slip numbered per book and year without gaps, in the
transaction that records it; 作废 keeps the number; reprints are counted; the month's slips
reconcile with its receipts and vouchers on the month-close checklist."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, ReceiptSlip
from desktop_app.core.errors import ConflictError, PermissionDenied, ValidationError
from desktop_app.core.services.close_checklist import CONTRIBUTORS, month_close_checklist
from desktop_app.core.services.receipt_slip_check import TITLE, close_checklist_items
from desktop_app.core.services.receipt_slips import (
    issue_slips,
    list_slips,
    print_slips,
    slips_of_source,
    void_slip,
)
from desktop_app.core.services.receipts import cancel_deposit, cancel_receipt, record_deposit, record_receipt
from desktop_app.core.services.receipts_batch import (
    DepositInput,
    ReceiptInput,
    record_deposits,
    record_receipts,
)
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import LineInput, create_voucher
from tests.contracts.conftest import Env


def numbers(env: Env) -> list[tuple[str, str]]:
    with env.db.read() as s:
        return [(r.number, r.status) for r in list_slips(s, env.book.id)]


def test_receipt_gets_its_slip_in_the_same_transaction(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        res = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
        slips = slips_of_source(s, "contract_receipt", res.receipt.id)
    assert len(slips) == 1
    slip = slips[0]
    assert (slip.number, slip.payer, slip.amount, slip.method, slip.status) == ("2026-00001", "张三", D("5000.00"),
                                                                                 "银行", "正常")
    assert slip.purpose == "承包费（合同HT-001 鱼塘承包合同）"
    assert (slip.contract_number, slip.voucher_id, slip.collector) == ("HT-001", res.voucher_id, "王会计")
    assert slip.voucher_label == res.voucher_label.replace("凭证", "")
    assert (slip.received_on, slip.issued_on, slip.print_count) == (date(2026, 3, 10), date(2026, 3, 10), 0)
    with env.db.read() as s:
        audit = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "receipt_slip"))
    assert audit == 1


def test_numbers_are_gap_free_across_voids_batches_and_years(env: Env) -> None:
    a, b = env.create(), env.create(number="HT-002", counterparty_name="李四", counterparty_id_number=None)
    with env.db.begin() as s:  # several receipts in ONE transaction: one after the other, then a batch
        record_receipt(s, a, received_on=date(2026, 3, 1), amount="100", method="现金", user=env.user)
        record_receipt(s, b, received_on=date(2026, 3, 2), amount="200", method="现金", user=env.user)
        record_receipts(s, [ReceiptInput(a, date(2026, 3, 3), "300", "银行"),
                            ReceiptInput(b, date(2026, 3, 4), "400", "银行", payer="李四之子")], user=env.user)
        record_deposits(s, [DepositInput(a, "收取", date(2026, 3, 5), "1000", "现金"),
                            DepositInput(a, "退还", date(2026, 3, 6), "1000", "现金")], user=env.user)
    assert numbers(env) == [(f"2026-{n:05d}", "正常") for n in range(1, 6)]  # a 退还 is no receipt
    with env.db.read() as s:
        rows = list_slips(s, env.book.id)
    assert [r.payer for r in rows] == ["张三", "李四", "张三", "李四之子", "张三"]
    assert rows[4].purpose == "履约保证金（合同HT-001）" and rows[4].source_label == "保证金"

    with env.db.begin() as s:
        void_slip(s, rows[1].id, reason="金额写错，收回原收据", user=env.user)
        with pytest.raises(ConflictError, match="已作废"):
            void_slip(s, rows[1].id, reason="再次", user=env.user)
        with pytest.raises(ConflictError, match=r"已开具收据 No\.2026-00001"):
            issue_slips(s, "contract_receipt", [rows[0].source_id], user=env.user)
        again = issue_slips(s, "contract_receipt", [rows[1].source_id], user=env.user, on=date(2026, 3, 20))
        record_receipt(s, a, received_on=date(2027, 1, 5), amount="50", method="现金", user=env.user)
    assert again[0].number == "2026-00006" and again[0].issued_on == date(2026, 3, 20)
    assert numbers(env) == [("2026-00001", "正常"), ("2026-00002", "作废"), *[(f"2026-{n:05d}", "正常")
                            for n in range(3, 7)], ("2027-00001", "正常")]
    with env.db.read() as s:
        voided = next(r for r in list_slips(s, env.book.id, status="作废"))
    assert voided.void_reason == "金额写错，收回原收据"


def test_a_refused_receipt_leaves_no_slip_and_no_number(env: Env) -> None:
    cid = env.create()
    with pytest.raises(ValidationError), env.db.begin() as s:
        record_receipts(s, [ReceiptInput(cid, date(2026, 3, 1), "100", "现金"),
                            ReceiptInput(cid, date(2026, 3, 2), "-5", "现金")], user=env.user)
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 3), amount="100", method="现金", user=env.user)
    assert numbers(env) == [("2026-00001", "正常")]


def test_cancelling_a_receipt_voids_its_slip(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 3, 1), amount="100", method="现金", user=env.user)
        d = record_deposit(s, cid, kind="收取", on_date=date(2026, 3, 2), amount="500", method="现金", user=env.user)
    with env.db.begin() as s:
        cancel_receipt(s, r.receipt.id, user=env.user, on=date(2026, 3, 5), reason="重复登记")
        cancel_deposit(s, d.id, user=env.user, on=date(2026, 3, 5), reason="未收到")
        rows = list_slips(s, env.book.id)
    assert [(r.number, r.status, r.void_reason) for r in rows] == [
        ("2026-00001", "作废", "撤销收款：重复登记"), ("2026-00002", "作废", "撤销保证金：未收到")]
    with env.db.read() as s:
        item = close_checklist_items(s, env.book.id, "2026-03")[0]
    assert item.ok and "没有收款" in item.detail


def test_prints_are_counted_and_reprints_marked(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 1), amount="100", method="现金", user=env.user)
        slip = list_slips(s, env.book.id)[0]
    with env.db.begin() as s:
        first = print_slips(s, [slip.id], user=env.user)
    with env.db.begin() as s:
        second = print_slips(s, [slip.id], user=env.user)
    assert (first[0].reprint, second[0].reprint, second[0].slip.print_count) == (False, True, 2)
    assert first[0].organisation == "东湖村股份经济合作社"
    with env.db.read() as s:
        texts = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "receipt_slip",
                                                                AuditEntry.action == "print")))
    assert texts == ["打印收款收据 No.2026-00001（正常）", "补打（第2次打印）收款收据 No.2026-00001（正常）"]


def test_a_supervisor_may_neither_issue_void_nor_print(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 1), amount="100", method="现金", user=env.user)
        slip = list_slips(s, env.book.id)[0]
        watcher = create_user(s, username="jd", display_name="监督员", password="secret1", roles=["supervisor"])
    for call in (lambda s: void_slip(s, slip.id, reason="x", user=watcher),
                 lambda s: print_slips(s, [slip.id], user=watcher),
                 lambda s: issue_slips(s, "contract_receipt", [slip.source_id], user=watcher)):
        with pytest.raises(PermissionDenied), env.db.begin() as s:
            call(s)


def other_income(env: Env, on: date, amount: str, *, party: str | None = "王五", money: str = "101") -> uuid.UUID:
    with env.db.begin() as s:
        return create_voucher(s, book_id=env.book.id, voucher_date=on, summary="收到场地使用费", user=env.user,
                              lines=[LineInput(money, debit=D(amount), counterparty=party),
                                     LineInput("504", credit=D(amount), counterparty=party)]).id


def test_checklist_reconciles_slips_with_receipt_vouchers(env: Env) -> None:
    assert "desktop_app.core.services.receipt_slip_check" in CONTRIBUTORS
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 1), amount="100", method="现金", user=env.user)
        record_deposit(s, cid, kind="收取", on_date=date(2026, 3, 2), amount="500", method="银行", user=env.user)
    vid = other_income(env, date(2026, 3, 9), "80.50")
    other_income(env, date(2026, 3, 10), "9.99", money="102")  # at the bank: its 回单 is the evidence, a slip optional
    with env.db.read() as s:
        item = close_checklist_items(s, env.book.id, "2026-03")[0]
        whole = [i for i in month_close_checklist(s, env.book.id, "2026-03") if i.title == TITLE]
    assert (item.title, item.ok, item.blocking) == (TITLE, False, False)
    assert item.detail.startswith("收款 3 笔 680.50 元，正常收据 2 张 600.00 元。")
    assert "2026年3月第3号凭证（收到场地使用费） 未开收据" in item.detail
    assert whole == [item]

    with env.db.begin() as s:
        slip = issue_slips(s, "voucher", [vid], user=env.user)[0]
    assert (slip.payer, slip.amount, slip.method, slip.purpose) == ("王五", D("80.50"), "现金", "收到场地使用费")
    with env.db.read() as s:
        item = close_checklist_items(s, env.book.id, "2026-03")[0]
    assert item.ok and item.detail == "收款 3 笔 680.50 元，正常收据 3 张 680.50 元，一致"

    # a slip of a receipt that is then taken back behind the slip's back: reported, not hidden
    with env.db.begin() as s:
        s.execute(ReceiptSlip.__table__.update().where(ReceiptSlip.id == slip.id).values(amount=D("8.05")))
    with env.db.read() as s:
        item = close_checklist_items(s, env.book.id, "2026-03")[0]
    assert not item.ok and "收据 No.2026-00003 金额 8.05 元与2026年3月第3号凭证（收到场地使用费）不符" in item.detail


def test_a_voucher_slip_needs_a_payer_and_money_received(env: Env) -> None:
    vid = other_income(env, date(2026, 4, 2), "10", party=None)
    with env.db.begin() as s:
        with pytest.raises(ValidationError, match="没有交款人"):
            issue_slips(s, "voucher", [vid], user=env.user)
        slip = issue_slips(s, "voucher", [vid], user=env.user, payer="赵六")[0]
    assert slip.payer == "赵六" and slip.number == "2026-00001"
    with env.db.begin() as s:
        pay = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 4, 3), summary="付办公费", user=env.user,
                             lines=[LineInput("51302", debit=D("5")), LineInput("101", credit=D("5"))]).id
        with pytest.raises(ValidationError, match="不是收款凭证"):
            issue_slips(s, "voucher", [pay], user=env.user, payer="某人")


def test_a_batch_is_numbered_in_date_order(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:  # a month's bank statement entered as it comes, not by date
        record_receipts(s, [ReceiptInput(cid, date(2026, 3, 20), "300", "银行"),
                            ReceiptInput(cid, date(2026, 3, 5), "100", "银行"),
                            ReceiptInput(cid, date(2026, 3, 12), "200", "银行")], user=env.user)
        rows = list_slips(s, env.book.id)
    assert [(r.number, r.received_on.day, r.amount) for r in rows] == [
        ("2026-00001", 5, D("100.00")), ("2026-00002", 12, D("200.00")), ("2026-00003", 20, D("300.00"))]


def test_two_writers_at_once_share_one_gap_free_sequence(env: Env) -> None:
    """Two windows (threads here, each its own connection) recording receipts at the same time:
    the write transaction holds the lock from its start, so numbers never collide or skip."""
    import threading

    a, b = env.create(), env.create(number="HT-002", counterparty_name="李四", counterparty_id_number=None)
    errors: list[BaseException] = []

    def work(cid: uuid.UUID, day: int) -> None:
        try:
            for i in range(6):
                with env.db.begin() as s:
                    record_receipt(s, cid, received_on=date(2026, 3, day), amount=f"{10 + i}", method="现金",
                                   user=env.user)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(a, 1)), threading.Thread(target=work, args=(b, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert numbers(env) == [(f"2026-{n:05d}", "正常") for n in range(1, 13)]
