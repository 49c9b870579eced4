"""Receipts allocate oldest-first, carry overpayment forward and post balanced vouchers; deposits
go to 应付款; a lump-sum 5-year prepayment is income 1/5 per year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from desktop_app.core.errors import ValidationError
from desktop_app.core.services.contract_queries import installment_rows
from desktop_app.core.services.receipts import (
    contract_credit,
    recognise_deferred_rent,
    record_deposit,
    record_receipt,
)
from desktop_app.core.services.vouchers import find_vouchers_by_source, get_voucher
from tests.contracts.conftest import Env, make_env


def lines_of(env: Env, voucher_id: uuid.UUID | None) -> dict[str, tuple[D, D]]:
    assert voucher_id is not None
    with env.db.begin() as s:
        detail = get_voucher(s, voucher_id)
    assert detail.voucher.status == "记账"
    out: dict[str, tuple[D, D]] = {}
    for ln in detail.lines:
        d, c = out.get(ln.account_code, (D(0), D(0)))
        out[ln.account_code] = (d + ln.debit, c + ln.credit)
    assert sum(d for d, _ in out.values()) == sum(c for _, c in out.values())  # balanced
    return out


def test_receipts_allocate_oldest_first_and_carry_credit(env: Env) -> None:
    cid = env.create()  # 资源发包, 12,000 a year 2026–2030, due 1 January
    with env.db.begin() as s:
        r1 = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
    assert [(a.seq, a.amount) for a in r1.allocations] == [(1, D("5000.00"))]
    # 2023 chart: Dr 102 银行存款, Cr 50102 发包收入
    assert lines_of(env, r1.voucher_id) == {"102": (D("5000.00"), D(0)), "50102": (D(0), D("5000.00"))}

    with env.db.begin() as s:
        r2 = record_receipt(s, cid, received_on=date(2026, 4, 10), amount=D("10000.00"), method="现金", user=env.user)
    # 7,000 completes 2026; 3,000 goes to 2027's installment: received before its year → 预收 (211)
    assert [(a.seq, a.amount) for a in r2.allocations] == [(1, D("7000.00")), (2, D("3000.00"))]
    assert lines_of(env, r2.voucher_id) == {"101": (D("10000.00"), D(0)), "50102": (D(0), D("7000.00")),
                                            "211": (D(0), D("3000.00"))}

    with env.db.begin() as s:
        r3 = record_receipt(s, cid, received_on=date(2026, 5, 1), amount="50000", method="银行", user=env.user)
        credit = contract_credit(s, cid)
        insts = installment_rows(s, [cid], date(2026, 5, 1))
    # 9,000 + 12,000 * 3 = 45,000 applied; 5,000 more than the whole contract: credit carried forward
    assert [(a.seq, a.amount) for a in r3.allocations] == [(2, D("9000.00")), (3, D("12000.00")),
                                                           (4, D("12000.00")), (5, D("12000.00"))]
    assert r3.credit_after == credit == D("5000.00")
    assert r3.receipt.credit == D("5000.00") and r3.receipt.allocated == D("45000.00")
    assert lines_of(env, r3.voucher_id) == {"102": (D("50000.00"), D(0)), "211": (D(0), D("50000.00"))}
    assert all(i.status == "已收清" and i.outstanding == 0 for i in insts)


def test_rent_income_account_follows_the_chart_version(tmp_path: Path) -> None:
    env = make_env(tmp_path / "c2004.db", chart_version="2004")
    try:
        lease = env.create(number="ZL-1", kind="资产租赁", start_date=date(2021, 1, 1), end_date=date(2021, 12, 31))
        plot = env.create(number="FB-1", kind="资源发包", start_date=date(2021, 1, 1), end_date=date(2021, 12, 31))
        with env.db.begin() as s:
            a = record_receipt(s, lease, received_on=date(2021, 2, 1), amount="12000", method="银行", user=env.user)
            b = record_receipt(s, plot, received_on=date(2021, 2, 1), amount="12000", method="银行", user=env.user)
        assert "50103" in lines_of(env, a.voucher_id)  # 2004: 租赁收入 (rent_income role)
        assert "51101" in lines_of(env, b.voucher_id)  # 2004: 承包金 (contracting_income role)
    finally:
        env.db.close()


def test_lease_income_2023(env: Env) -> None:
    cid = env.create(kind="资产租赁", end_date=date(2026, 12, 31))
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 1, 20), amount="12000", method="银行", user=env.user)
    assert lines_of(env, r.voucher_id) == {"102": (D("12000.00"), D(0)), "50101": (D(0), D("12000.00"))}


def test_deposit_goes_to_payables_and_refund_is_capped(env: Env) -> None:
    cid = env.create(deposit_required=D("2000.00"))
    with env.db.begin() as s:
        d = record_deposit(s, cid, kind="收取", on_date=date(2026, 1, 5), amount="2000", method="银行", user=env.user)
    assert lines_of(env, d.voucher_id) == {"102": (D("2000.00"), D(0)), "211": (D(0), D("2000.00"))}
    with pytest.raises(ValidationError, match="超过已收保证金") as e, env.db.begin() as s:
        record_deposit(s, cid, kind="退还", on_date=date(2026, 2, 1), amount="2500", method="银行", user=env.user)
    assert e.value.field == "保证金金额"
    with env.db.begin() as s:
        back = record_deposit(s, cid, kind="退还", on_date=date(2026, 2, 1), amount="2000", method="现金", user=env.user)
    assert lines_of(env, back.voucher_id) == {"211": (D("2000.00"), D(0)), "101": (D(0), D("2000.00"))}


def test_five_year_lump_sum_is_recognised_one_fifth_per_year(env: Env) -> None:
    cid = env.create(payment_mode="一次性", annual_rent=D("10000.00"))  # 2026-01-01 .. 2030-12-31
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 1, 5), amount="50000", method="银行", user=env.user)
    # only 2026's fifth is income in the year received; the rest is 预收 (rent_received_in_advance)
    assert lines_of(env, r.voucher_id) == {"102": (D("50000.00"), D(0)), "50102": (D(0), D("10000.00")),
                                           "211": (D(0), D("40000.00"))}
    with env.db.begin() as s:
        assert recognise_deferred_rent(s, env.book.id, 2026, user=env.user).amount == 0  # nothing deferred to 2026
        for year in range(2027, 2031):
            res = recognise_deferred_rent(s, env.book.id, year, user=env.user)
            assert (res.amount, res.contracts) == (D("10000.00"), 1)
            assert recognise_deferred_rent(s, env.book.id, year, user=env.user).amount == 0  # idempotent
    income: dict[int, D] = defaultdict(D)
    advance = D(0)
    with env.db.begin() as s:
        vouchers = find_vouchers_by_source(s, env.book.id, "contract_receipt") + \
            find_vouchers_by_source(s, env.book.id, "contract_recognition")
        ids = [(v.voucher_date.year, v.id) for v in vouchers]
    for year, vid in ids:
        lines = lines_of(env, vid)
        income[year] += lines.get("50102", (D(0), D(0)))[1]
        advance += lines.get("211", (D(0), D(0)))[1] - lines.get("211", (D(0), D(0)))[0]
    assert dict(income) == {y: D("10000.00") for y in range(2026, 2031)}
    assert advance == 0


def test_receipt_refused_without_writing(env: Env) -> None:
    cid = env.create()
    for kwargs, field in (({"amount": "-5"}, "收款金额"), ({"amount": "0"}, "收款金额"),
                          ({"amount": "5", "method": "支票"}, "收款方式"), ({"amount": "5", "received_on": None}, "收款日期")):
        args = {"received_on": date(2026, 1, 2), "method": "银行", **kwargs}
        with pytest.raises(ValidationError) as e, env.db.begin() as s:
            record_receipt(s, cid, user=env.user, **args)  # type: ignore[arg-type]
        assert e.value.field == field
    with env.db.begin() as s:
        assert contract_credit(s, cid) == 0
        assert find_vouchers_by_source(s, env.book.id, "contract_receipt") == []


def test_receipt_in_a_closed_month_or_before_the_book_is_refused(env: Env) -> None:
    from db.models import Period
    from desktop_app.core.errors import ConflictError

    cid = env.create()
    with env.db.begin() as s:
        s.add(Period(book_id=env.book.id, period="2026-01", status="closed", reopen_count=0))
    for day in (date(2026, 1, 20), date(2023, 12, 1)):
        with pytest.raises(ConflictError) as e, env.db.begin() as s:
            record_receipt(s, cid, received_on=day, amount="100", method="银行", user=env.user)
        assert e.value.field == "日期"
    with env.db.begin() as s:
        assert contract_credit(s, cid) == 0 and installment_rows(s, [cid], date(2026, 2, 1))[0].received == 0


# -- 撤销收款 -------------------------------------------------------------------------------------

def _balances(env: Env, period: str) -> dict[str, D]:
    from desktop_app.core.services.distribution_books import account_balance

    with env.db.begin() as s:
        return {code: account_balance(s, env.book.id, code, period) for code in ("101", "102", "50102", "211")}


def test_cancel_receipt_tombstones_it_and_posts_the_red_reversal(env: Env) -> None:
    from desktop_app.core.services.contract_warnings import list_arrears
    from desktop_app.core.services.receipts import cancel_receipt, list_receipts

    cid = env.create()  # 12,000 a year 2026–2030, due 1 January
    before = _balances(env, "2026-03")
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="15000", method="银行", user=env.user)
    assert [(a.seq, a.amount) for a in r.allocations] == [(1, D("12000.00")), (2, D("3000.00"))]
    assert _balances(env, "2026-03") != before
    with env.db.begin() as s:
        assert not [a for a in list_arrears(s, env.org.id, date(2026, 4, 1)) if a.contract_id == cid]
        reversal = cancel_receipt(s, r.receipt.id, user=env.user, on=date(2026, 3, 20), reason="金额录错")
    assert reversal is not None
    with env.db.begin() as s:
        assert list_receipts(s, cid) == [] and contract_credit(s, cid) == 0
        insts = installment_rows(s, [cid], date(2026, 4, 1))
        arrears = [a for a in list_arrears(s, env.org.id, date(2026, 4, 1)) if a.contract_id == cid]
        original = get_voucher(s, r.voucher_id)
        red = get_voucher(s, reversal.id)
        vouchers = find_vouchers_by_source(s, env.book.id, "contract_receipt", r.receipt.id)
        # the 3,000 deferred to 2027 is no longer 预收: nothing to recognise
        assert recognise_deferred_rent(s, env.book.id, 2027, user=env.user).amount == 0
    assert all(i.received == 0 for i in insts)
    assert [(a.seq, a.outstanding) for a in arrears] == [(1, D("12000.00"))]
    assert original.voucher.status == "记账" and original.reversed_by_id == reversal.id
    assert red.voucher.status == "记账" and red.voucher.reversal_of_id == r.voucher_id
    assert "金额录错" in red.voucher.summary
    assert sorted((ln.account_code, ln.debit, ln.credit) for ln in red.lines) == sorted(
        (ln.account_code, -ln.debit, -ln.credit) for ln in original.lines)
    assert {v.id for v in vouchers} == {r.voucher_id, reversal.id}
    assert _balances(env, "2026-03") == before
    from sqlalchemy import select

    from db.models.audit import AuditEntry

    with env.db.begin() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "cancel",
                                                     AuditEntry.entity_id == str(r.receipt.id))).all()
    assert "撤销合同 HT-001" in entry.summary and "金额录错" in entry.summary and "红字冲销凭证" in entry.summary


def test_cancel_receipt_drops_its_credit_and_later_receipts_go_first(env: Env) -> None:
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.receipts import cancel_receipt, list_receipts

    cid = env.create(end_date=date(2027, 12, 31))  # two installments, 24,000
    before = _balances(env, "2026-12")
    with env.db.begin() as s:
        r1 = record_receipt(s, cid, received_on=date(2026, 1, 5), amount="5000", method="现金", user=env.user)
        r2 = record_receipt(s, cid, received_on=date(2026, 2, 5), amount="25000", method="银行", user=env.user)
        assert contract_credit(s, cid) == D("6000.00")
    with pytest.raises(ConflictError, match="请先撤销其后的收款") as e, env.db.begin() as s:
        cancel_receipt(s, r1.receipt.id, user=env.user, on=date(2026, 2, 10), reason="重复录入")
    assert e.value.field == "收款"
    with env.db.begin() as s:
        cancel_receipt(s, r2.receipt.id, user=env.user, on=date(2026, 2, 10), reason="重复录入")
        assert contract_credit(s, cid) == 0
        assert [x.id for x in list_receipts(s, cid)] == [r1.receipt.id]
        assert [i.received for i in installment_rows(s, [cid], date(2026, 3, 1))] == [D("5000.00"), D(0)]
        cancel_receipt(s, r1.receipt.id, user=env.user, on=date(2026, 2, 10), reason="重复录入")
        assert list_receipts(s, cid) == []
    assert _balances(env, "2026-12") == before


def test_cancel_receipt_refused_without_reason_twice_or_from_the_journal(env: Env) -> None:
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.receipts import cancel_receipt, list_receipts
    from desktop_app.core.services.vouchers import reverse_voucher, void_voucher

    cid = env.create()
    with env.db.begin() as s:
        r = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
    rid = r.receipt.id

    def count() -> tuple[int, int]:
        with env.db.begin() as s:
            return (len(list_receipts(s, cid)), len(find_vouchers_by_source(s, env.book.id, "contract_receipt")))

    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="原因") as e, env.db.begin() as s:
            cancel_receipt(s, rid, user=env.user, on=date(2026, 3, 20), reason=reason)
        assert e.value.field == "原因"
    assert count() == (1, 1)
    # the journal still refuses to reverse or void the receipt's voucher; a wrong owner too
    for owner in (None, "contract_deposit"):
        with pytest.raises(ConflictError, match="合同收款") as c, env.db.begin() as s:
            reverse_voucher(s, r.voucher_id, user=env.user, voucher_date=date(2026, 3, 20), reason="错",
                            owner=owner)  # type: ignore[arg-type]
        assert c.value.field == "凭证"
    with pytest.raises(ConflictError, match="合同收款"), env.db.begin() as s:
        void_voucher(s, r.voucher_id, user=env.user, reason="错")  # type: ignore[arg-type]
    # the reversal date still follows the voucher rules (not before the original)
    with pytest.raises(ValidationError, match="不能早于") as e, env.db.begin() as s:
        cancel_receipt(s, rid, user=env.user, on=date(2026, 3, 1), reason="录错")
    assert e.value.field == "日期"
    assert count() == (1, 1)
    with env.db.begin() as s:
        cancel_receipt(s, rid, user=env.user, on=date(2026, 3, 20), reason="录错")
    assert count() == (0, 2)
    with pytest.raises(ConflictError, match="已撤销") as c, env.db.begin() as s:
        cancel_receipt(s, rid, user=env.user, on=date(2026, 3, 21), reason="录错")
    assert c.value.field == "收款"
    assert count() == (0, 2)


def test_cancel_receipt_button_on_the_receipts_tab(env: Env, tmp_path: Path, qtbot: object,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.forms import FormDialog
    from desktop_app.ui.pages.contracts import ContractsPage
    from desktop_app.ui.settings import WindowSettings

    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    ctx.set_selection(env.org, env.book)
    page = ContractsPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    notified: list[str] = []
    ctx.data_changed.connect(lambda kind, _ids: notified.append(kind))
    page.contracts.select_row(0)
    page.receipts.select_row(0)
    errors: list[dict[str, str]] = []

    def fill_and_save(dialog: FormDialog, reason: str) -> bool:
        dialog.form.set_values({"on": date(2026, 3, 20), "reason": reason})
        ok = dialog.try_save()
        errors.append(dialog.form.errors())
        return ok

    monkeypatch.setattr(FormDialog, "exec", lambda self: fill_and_save(self, ""))
    page.cancel_receipt()
    assert notified == [] and "reason" in errors[-1]
    assert page.receipts.model().rowCount() == 1
    monkeypatch.setattr(FormDialog, "exec", lambda self: fill_and_save(self, "金额录错"))
    page.cancel_receipt()
    assert notified[:2] == ["contract", "voucher"]
    assert page.receipts.model().rowCount() == 0
    with env.db.begin() as s:
        assert installment_rows(s, [cid], date(2026, 4, 1))[0].received == 0


def test_cancel_deposit_reverses_its_voucher_and_refunds_go_first(env: Env) -> None:
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.receipts import cancel_deposit, list_deposits

    cid = env.create(deposit_required=D("2000.00"))
    before = _balances(env, "2026-02")
    with env.db.begin() as s:
        d = record_deposit(s, cid, kind="收取", on_date=date(2026, 1, 5), amount="2000", method="银行", user=env.user)
        back = record_deposit(s, cid, kind="退还", on_date=date(2026, 2, 1), amount="500", method="现金", user=env.user)
    with pytest.raises(ValidationError, match="原因"), env.db.begin() as s:
        cancel_deposit(s, d.id, user=env.user, on=date(2026, 2, 2), reason="")
    with pytest.raises(ConflictError, match="请先撤销退还"), env.db.begin() as s:
        cancel_deposit(s, d.id, user=env.user, on=date(2026, 2, 2), reason="录错")
    with env.db.begin() as s:
        red = cancel_deposit(s, back.id, user=env.user, on=date(2026, 2, 2), reason="录错")
        assert red is not None and get_voucher(s, red.id).voucher.status == "记账"
        cancel_deposit(s, d.id, user=env.user, on=date(2026, 2, 2), reason="录错")
        assert list_deposits(s, cid) == []
    with pytest.raises(ConflictError, match="已撤销"), env.db.begin() as s:
        cancel_deposit(s, d.id, user=env.user, on=date(2026, 2, 3), reason="录错")
    assert _balances(env, "2026-02") == before
