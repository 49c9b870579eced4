"""Review findings on vouchers and accounts: sub-accounts under a used account (#2), 红字冲销
vouchers stay the original's lines negated (#4), and a reversal is never dated before its original
nor moves a closed year's income into the next year (#7). Every refusal is Chinese and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from db.models import Entry
from desktop_app.core.errors import ConflictError, PermissionDenied, ValidationError
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.funds_base import book_accounts
from desktop_app.core.services.opening import OpeningInput, set_opening_balances
from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.periods import close_period
from desktop_app.core.services.users import create_user
from desktop_app.core.services.vouchers import (
    LineInput,
    get_voucher,
    post_voucher,
    reverse_voucher,
    review_voucher,
    update_voucher,
    void_voucher,
)
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env, make_env, table_counts

D = Decimal


def _refuse_sub_account(env: Env, parent: str, exc: type[Exception], *texts: str) -> None:
    before = table_counts(env)
    with pytest.raises(exc) as info, env.db.begin() as s:
        add_sub_account(s, book_id=env.book.id, parent_code=parent, code=parent + "01", name="明细",
                        user=env.maker)
    for text in texts:
        assert text in str(info.value)
    assert table_counts(env) == before, "nothing may be written on refusal"


def test_sub_account_refused_under_an_account_with_postings(env: Env) -> None:
    env.vouch(date(2026, 1, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    env.vouch(date(2026, 1, 4), "收租金", ("10201", "500.00", "0"), ("50101", "0", "500.00"), post=False)
    _refuse_sub_account(env, "50101", ConflictError, "科目 50101 出租收入 已被 2 张凭证使用（已记账 1 张，未记账 1 张）",
                        "不能再增设明细科目")


def test_sub_account_refused_under_an_account_with_an_opening_balance(env: Env) -> None:
    with env.db.begin() as s:
        set_opening_balances(s, env.book.id, [OpeningInput("101", D("800.00")),
                                              OpeningInput("301", credit=D("800.00"))], user=env.maker)
    _refuse_sub_account(env, "101", ConflictError, "科目 101 库存现金 已有期初余额（借方 800.00，贷方 0.00）")


def test_sub_account_allowed_before_use_and_after_only_void_vouchers(env: Env) -> None:
    vid = env.vouch(date(2026, 1, 3), "收租金", ("101", "100.00", "0"), ("50103", "0", "100.00"), post=False)
    with env.db.begin() as s:
        void_voucher(s, vid, user=env.maker, reason="填错")
        sub = add_sub_account(s, book_id=env.book.id, parent_code="50103", code="5010301", name="农产品",
                              user=env.maker)
        assert sub.is_leaf and sub.level == 3


def test_sub_account_needs_the_bookkeeper_or_sysadmin_role(env: Env) -> None:
    with env.db.begin() as s:
        admin = create_user(s, username="gly", display_name="管理员", password="secret1", roles=["sysadmin"])
    before = table_counts(env)
    with pytest.raises(PermissionDenied, match="此操作需要"), env.db.begin() as s:
        add_sub_account(s, book_id=env.book.id, parent_code="112", code="11201", name="张三", user=env.reviewer)
    assert table_counts(env) == before
    with env.db.begin() as s:
        add_sub_account(s, book_id=env.book.id, parent_code="112", code="11201", name="张三", user=admin)


def _reversal(env: Env) -> tuple[object, object]:
    vid = env.vouch(date(2026, 1, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    with env.db.begin() as s:
        red = reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 1, 20), reason="金额错")
    return vid, red.id


def test_reversal_lines_cannot_be_edited(env: Env) -> None:
    vid, rid = _reversal(env)
    before = table_counts(env)
    with pytest.raises(ConflictError) as info, env.db.begin() as s:
        update_voucher(s, rid, user=env.maker,  # type: ignore[arg-type]
                       lines=[LineInput("101", D("-5.00")), LineInput("50102", credit=D("-5.00"))])
    assert "红字冲销凭证，分录由原凭证生成，不能修改" in str(info.value) and info.value.field == "分录"
    with pytest.raises(ConflictError, match="特殊事项标记随原凭证"), env.db.begin() as s:
        update_voucher(s, rid, user=env.maker, flags=["一事一议"])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="不能早于原凭证2026年1月第1号凭证的日期（2026年1月3日）"), env.db.begin() as s:
        update_voucher(s, rid, user=env.maker, voucher_date=date(2026, 1, 2))  # type: ignore[arg-type]
    assert table_counts(env) == before
    with env.db.begin() as s:  # summary, attachments and the date (within the rules) may change
        row = update_voucher(s, rid, user=env.maker, summary="冲销第1号：金额错", attachments=1,  # type: ignore[arg-type]
                             voucher_date=date(2026, 1, 21))
        assert (row.summary, row.attachments, row.voucher_date) == ("冲销第1号：金额错", 1, date(2026, 1, 21))
        review_voucher(s, rid, user=env.reviewer)  # type: ignore[arg-type]
        post_voucher(s, rid, user=env.maker)  # type: ignore[arg-type]
        accounts = book_accounts(s, env.book.id)
        bal = balances_at_end(s, env.book.id, "2026-01")
        assert bal.get(accounts["10201"].id, D(0)) == 0 and bal.get(accounts["50101"].id, D(0)) == 0
        assert get_voucher(s, vid).reversed_by_id == rid  # type: ignore[arg-type]


def test_review_and_post_check_the_reversal_still_negates_the_original(env: Env) -> None:
    _vid, rid = _reversal(env)
    with env.db.begin() as s:  # changed behind the services' back (a bug, an import, a raw edit)
        s.execute(update(Entry).where(Entry.voucher_id == rid, Entry.line_no == 1).values(debit=D("-999.00")))
        s.execute(update(Entry).where(Entry.voucher_id == rid, Entry.line_no == 2).values(credit=D("-999.00")))
    before = table_counts(env)
    with pytest.raises(ConflictError) as info, env.db.begin() as s:
        review_voucher(s, rid, user=env.reviewer)  # type: ignore[arg-type]
    assert "2026年1月第2号凭证的分录与原凭证2026年1月第1号凭证的红字金额不符（第1行起），不能审核" in str(info.value)
    assert table_counts(env) == before
    with env.db.begin() as s:
        s.execute(update(Entry).where(Entry.voucher_id == rid, Entry.line_no == 1).values(debit=D("-1000.00")))
        s.execute(update(Entry).where(Entry.voucher_id == rid, Entry.line_no == 2).values(credit=D("-1000.00")))
        review_voucher(s, rid, user=env.reviewer)  # type: ignore[arg-type]
        s.execute(update(Entry).where(Entry.voucher_id == rid, Entry.line_no == 2).values(account_id=book_accounts(
            s, env.book.id)["50102"].id))
    before = table_counts(env)
    with pytest.raises(ConflictError, match="红字金额不符（第2行起），不能记账"), env.db.begin() as s:
        post_voucher(s, rid, user=env.maker)  # type: ignore[arg-type]
    assert table_counts(env) == before


def test_reversal_not_dated_before_the_original(env: Env) -> None:
    vid = env.vouch(date(2026, 11, 20), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    before = table_counts(env)
    with pytest.raises(ValidationError) as info, env.db.begin() as s:
        reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 10, 5), reason="错账")
    assert "红字冲销凭证的日期（2026年10月5日）不能早于原凭证2026年11月第1号凭证的日期（2026年11月20日）" in str(info.value)
    assert table_counts(env) == before
    with env.db.begin() as s:
        assert reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 11, 20), reason="错账").period == "2026-11"


def test_reversal_of_a_closed_years_income_goes_through_undistributed_income(tmp_path: Path) -> None:
    env = make_env(tmp_path / "y.db", start="2026-12")
    income = env.vouch(date(2026, 12, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    transfer = env.vouch(date(2026, 12, 4), "提现", ("101", "200.00", "0"), ("10201", "0", "200.00"))
    with env.db.begin() as s:  # December open, but the reversal dated in the next year: refused too
        with pytest.raises(ValidationError, match="红字冲销凭证应记在2026年内（2026年12月尚未结账）"):
            reverse_voucher(s, income, user=env.maker, voucher_date=date(2027, 1, 5), reason="租金退回")
        made = close_year(s, env.book.id, 2026, user=env.maker)
        close_period(s, env.book.id, "2026-12", user=env.maker)
    before = table_counts(env)
    for vid in (income, made[0].id):
        with pytest.raises(ConflictError) as info, env.db.begin() as s:
            reverse_voucher(s, vid, user=env.maker, voucher_date=date(2027, 1, 5), reason="租金退回")
        text = str(info.value)
        assert "2026年度已结账（已年终结转）" in text and "不能在2027年红字冲销" in text
        assert "以前年度损益调整" in text and "收益分配——未分配收益" in text
    assert table_counts(env) == before
    with env.db.begin() as s:  # a balance-sheet-only voucher can still be reversed in the new year
        red = reverse_voucher(s, transfer, user=env.maker, voucher_date=date(2027, 1, 5), reason="重复记账")
        assert red.period == "2027-01"
