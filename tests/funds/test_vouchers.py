"""Vouchers: every refusal is Chinese, names the line/field, and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, ChangeLog, Entry, Voucher
from desktop_app.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from desktop_app.core.services.ledgers import trial_balance
from desktop_app.core.services.periods import close_period
from desktop_app.core.services.vouchers import (
    LineInput,
    create_voucher,
    find_vouchers_by_source,
    get_voucher,
    list_summary_phrases,
    list_vouchers,
    post_voucher,
    record_auto_voucher,
    reverse_voucher,
    review_voucher,
    unreview_voucher,
    update_voucher,
    void_voucher,
)
from tests.funds.conftest import Env

D = Decimal


def counts(env: Env) -> tuple[int, int, int, int]:
    with env.db.begin() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (Voucher, Entry, AuditEntry, ChangeLog))


def refuse(env: Env, exc: type[UserError], text: str, **kw: object) -> UserError:
    before = counts(env)
    args = {"book_id": env.book.id, "voucher_date": date(2026, 3, 5), "summary": "收租金", "user": env.maker,
            "lines": [LineInput("101", D("100.00")), LineInput("50101", credit=D("100.00"))]}
    args.update(kw)
    with pytest.raises(exc) as info, env.db.begin() as s:
        create_voucher(s, **args)  # type: ignore[arg-type]
    assert text in str(info.value)
    assert counts(env) == before, "nothing may be written on refusal"
    return info.value


def test_unbalanced_refused(env: Env) -> None:
    err = refuse(env, ValidationError, "借贷不平衡",
                 lines=[LineInput("101", D("100.00")), LineInput("50101", credit=D("99.99"))])
    assert "相差 0.01" in str(err)


def test_non_leaf_refused(env: Env) -> None:
    err = refuse(env, ValidationError, "只能使用末级科目",
                 lines=[LineInput("151", D("100.00")), LineInput("10201", credit=D("100.00"))])
    assert err.row == 1 and err.field == "科目"
    assert str(err).startswith("第1行")


def test_three_decimals_refused(env: Env) -> None:
    err = refuse(env, ValidationError, "超过两位小数",
                 lines=[LineInput("101", D("100.00")), LineInput("50101", credit=D("100.005")),
                        LineInput("50101", credit=D("-0.005"))])
    assert err.row == 2


def test_zero_negative_both_sides_and_float_refused(env: Env) -> None:
    refuse(env, ValidationError, "不能都为零", lines=[LineInput("101"), LineInput("50101", credit=D("1.00"))])
    refuse(env, ValidationError, "金额必须大于零",
           lines=[LineInput("101", D("-1.00")), LineInput("50101", credit=D("-1.00"))])
    refuse(env, ValidationError, "只能填借方或贷方",
           lines=[LineInput("101", D("1.00"), D("1.00")), LineInput("50101", credit=D("0.00"))])
    refuse(env, ValidationError, "浮点数", lines=[LineInput("101", 1.5), LineInput("50101", credit=D("1.50"))])  # type: ignore[arg-type]
    refuse(env, ValidationError, "科目 999 不存在", lines=[LineInput("999", D("1")), LineInput("101", credit=D("1"))])
    refuse(env, ValidationError, "至少要有两行", lines=[LineInput("101", D("1"))])
    refuse(env, ValidationError, "摘要不能为空", summary="  ")


def test_date_before_book_start_refused(env: Env) -> None:
    refuse(env, ConflictError, "早于账套启用期间", voucher_date=date(2025, 12, 31))


def test_date_in_closed_period_refused(env: Env) -> None:
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    refuse(env, ConflictError, "2026年1月已结账", voucher_date=date(2026, 1, 20))


def test_edit_in_closed_period_refused(env: Env) -> None:
    vid = env.vouch(date(2026, 1, 5), "收租金", ("101", "100.00", "0"), ("50101", "0", "100.00"))
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    before = counts(env)
    with pytest.raises(ConflictError, match="2026年1月已结账"), env.db.begin() as s:
        update_voucher(s, vid, user=env.maker, summary="改摘要")
    with pytest.raises(ConflictError, match="已结账"), env.db.begin() as s:
        void_voucher(s, vid, user=env.maker)
    with pytest.raises(ConflictError, match="已结账"), env.db.begin() as s:
        reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 1, 31), reason="错")
    assert counts(env) == before
    with env.db.begin() as s:  # the correction of a closed month: a red voucher in an open month
        red = reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 2, 3), reason="金额有误")
        assert red.period == "2026-02" and red.total == D("-100.00")


def test_same_user_cannot_review_own_voucher(env: Env) -> None:
    with env.db.begin() as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 2, 1), summary="付办公费",
                           lines=[LineInput("51302", D("50.00")), LineInput("101", credit=D("50.00"))],
                           user=env.reviewer2)
    before = counts(env)
    with pytest.raises(PermissionDenied, match="不能审核自己填制的凭证"), env.db.begin() as s:
        review_voucher(s, v.id, user=env.reviewer2)
    with pytest.raises(PermissionDenied, match="审核员"), env.db.begin() as s:
        review_voucher(s, v.id, user=env.maker)
    assert counts(env) == before
    with env.db.begin() as s:
        assert get_voucher(s, v.id).voucher.status == "填制"


def test_numbering_flow_edit_void(env: Env) -> None:
    lines = [LineInput("101", D("10.00")), LineInput("50101", credit=D("10.00"))]
    with env.db.begin() as s:
        vs = [create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 4, d), summary="收租金", lines=lines,
                             user=env.maker) for d in (1, 2, 3)]
        other = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 5, 1), summary="收租金",
                               lines=lines, user=env.maker)
    assert [v.number for v in vs] == [1, 2, 3] and other.number == 1
    with env.db.begin() as s:
        void_voucher(s, vs[1].id, user=env.maker, reason="重复录入")
        v4 = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 4, 9), summary="收租金", lines=lines,
                            user=env.maker)
        assert v4.number == 4  # the voided voucher keeps number 2: no gaps, no reuse
        upd = update_voucher(s, vs[0].id, user=env.maker, summary="收门面房租金",
                             lines=[LineInput("10201", D("30.00")), LineInput("50101", credit=D("20.00")),
                                    LineInput("50102", credit=D("10.00"))])
        assert upd.total == D("30.00")
        upd = update_voucher(s, vs[0].id, user=env.maker, lines=lines)
        assert len(get_voucher(s, vs[0].id).lines) == 2
        with pytest.raises(ValidationError, match="不能改到其他月份"):
            update_voucher(s, vs[0].id, user=env.maker, voucher_date=date(2026, 5, 2))
        review_voucher(s, vs[0].id, user=env.reviewer)
        with pytest.raises(ConflictError, match="请先取消审核"):
            update_voucher(s, vs[0].id, user=env.maker, summary="x")
        unreview_voucher(s, vs[0].id, user=env.reviewer)
        review_voucher(s, vs[0].id, user=env.reviewer)
        post_voucher(s, vs[0].id, user=env.maker)
        with pytest.raises(ConflictError, match="只能红字冲销"):
            void_voucher(s, vs[0].id, user=env.maker)
        rows = list_vouchers(s, env.book.id, "2026-04", "2026-04")
        assert [(r.number, r.status) for r in rows] == [(1, "记账"), (2, "作废"), (3, "填制"), (4, "填制")]
        assert "收租金" in list_summary_phrases(s, env.book.id)


def test_reversal_restores_balances_exactly(env: Env) -> None:
    env.vouch(date(2026, 6, 1), "期初收款", ("10201", "5000.00", "0"), ("50301", "0", "5000.00"))
    with env.db.begin() as s:
        before = {r.code: (r.closing_debit, r.closing_credit) for r in trial_balance(s, env.book.id, "2026-06", "2026-06")}
    vid = env.vouch(date(2026, 6, 10), "支付工程款", ("153", "1234.56", "0"), ("10201", "0", "1000.00"),
                    ("101", "0", "234.56"))
    with env.db.begin() as s:
        red = reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 6, 30), reason="金额错误")
        assert red.reversal_of_id == vid and red.total == D("-1234.56") and red.status == "填制"
        with pytest.raises(ConflictError, match="已被冲销"):
            reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 6, 30), reason="再次")
        review_voucher(s, red.id, user=env.reviewer)
        post_voucher(s, red.id, user=env.maker)
        after = {r.code: (r.closing_debit, r.closing_credit) for r in trial_balance(s, env.book.id, "2026-06", "2026-06")}
        assert {k: v for k, v in after.items() if any(v)} == {k: v for k, v in before.items() if any(v)}
        assert get_voucher(s, vid).reversed_by_id == red.id
        detail = get_voucher(s, red.id)
        assert [ln.debit for ln in detail.lines] == [D("-1234.56"), D("0.00"), D("0.00")]


def test_auto_voucher_is_posted_by_system_and_findable(env: Env) -> None:
    import uuid

    from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers

    src = uuid.uuid4()
    with env.db.begin() as s:
        set_auto_vouchers(s, env.book.id, AUTO_POST, user=env.reviewer)  # the setting that posts them
        v = record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 7, 31), summary="计提7月折旧",
                                lines=[LineInput("51307", D("300.00")), LineInput("152", credit=D("300.00"))],
                                user=env.maker, source_kind="depreciation", source_id=src)
        assert v.status == "记账" and v.reviewer_name and "系统" in v.reviewer_name
        assert [x.id for x in find_vouchers_by_source(s, env.book.id, "depreciation", src)] == [v.id]
        assert find_vouchers_by_source(s, env.book.id, "depreciation", uuid.uuid4()) == []
        last = s.scalar(select(AuditEntry.summary).order_by(AuditEntry.n.desc()).limit(1))
        assert last and "系统自动审核、记账" in last
        flagged = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 7, 2), summary="一事一议筹资",
                                 lines=[LineInput("10201", D("800.00")), LineInput("231", credit=D("800.00"))],
                                 user=env.maker, flags=["一事一议"])
        assert flagged.flags == ("一事一议",)
        assert [r.id for r in list_vouchers(s, env.book.id, "2026-07", "2026-07", flag="一事一议")] == [flagged.id]
