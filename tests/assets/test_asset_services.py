"""Asset cards, the monthly run, value changes, disposal and reconciliation with 151/152."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from db.models import Asset, AssetDepreciation, AuditEntry, Voucher
from desktop_app.core.errors import ConflictError, UserError
from desktop_app.core.services.asset_reconcile import reconcile_assets
from desktop_app.core.services.assets import asset_history, get_asset, list_assets, update_asset
from desktop_app.core.services.assets_changes import adjust_asset, dispose_asset
from desktop_app.core.services.depreciation import asset_schedule, run_depreciation, run_depreciation_through
from tests.assets.conftest import Env


def counts(env: Env) -> tuple[int, int, int]:
    with env.db.begin() as s:
        return (s.scalar(select(func.count()).select_from(Asset)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
                s.scalar(select(func.count()).select_from(Voucher)) or 0)


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"code": "ZC-001"}, "资产编号", "已被"),
    ({"original_value": D("-5.00")}, "原值", "负数"),
    ({"useful_life_months": 0}, "预计使用月数", "大于零"),
    ({"residual_rate": D("100.5")}, "残值率（%）", "超过100%"),
    ({"area_m2": D("12.34567")}, "面积（㎡）", "4位小数"),
    ({"original_value": D("1.005")}, "原值", "两位小数"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(env: Env, values: dict, field: str,
                                                                       words: str) -> None:
    env.asset("ZC-001")
    before = counts(env)
    with pytest.raises(UserError) as err:
        env.asset(**{"code": "ZC-002", **values})
    assert err.value.field == field and words in err.value.message
    assert counts(env) == before


def test_acquisition_posts_a_voucher_and_cards_reconcile(env: Env) -> None:
    a = env.asset()
    assert a.cost == D("10000.00") and a.accumulated == D("0.00") and a.net_value == D("10000.00")
    with env.db.begin() as s:
        rep = reconcile_assets(s, env.book.id, "2026-01")
        assert rep.balanced, rep
        assert [ln.books for ln in rep.lines] == [D("0.00"), D("10000.00"), D("10000.00"), D("0.00")]


def test_monthly_run_is_idempotent_and_refused_in_a_closed_month(env: Env) -> None:
    from desktop_app.core.services.periods import close_period

    env.asset()
    env.asset("ZC-002", name="收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
              useful_life_months=120, residual_rate=D(5), acquired_on=date(2026, 1, 3))
    with env.db.begin() as s:
        first = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    # 266.67 (as hand-computed in test_depreciation_rules) + 34,200.00 / 120 = 285.00
    assert not first.already_done and first.total == D("551.67")
    with env.db.begin() as s:
        again = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
        n = s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source_kind == "depreciation"))
        lines = s.scalar(select(func.count()).select_from(AssetDepreciation))
    assert again.already_done and again.voucher_id == first.voucher_id and again.total == D("551.67")
    assert n == 1 and lines == 2
    with env.db.begin() as s:  # the machine (经营性, 生产) → 401, the office (非经营性, 管理) → 51307
        accounts = {c.account_code for c in first.charges}
        assert accounts == {"401", "51307"}
        rep = reconcile_assets(s, env.book.id, "2026-02")
        assert rep.balanced and rep.lines[3].books == D("551.67")
    with env.db.begin() as s:
        close_period(s, env.book.id, "2026-01", user=env.user)
        close_period(s, env.book.id, "2026-02", user=env.user)
    before = counts(env)
    with env.db.begin() as s, pytest.raises(ConflictError, match="已结账"):
        run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    assert counts(env) == before


def test_run_refuses_to_skip_a_month(env: Env) -> None:
    env.asset()
    with env.db.begin() as s, pytest.raises(ConflictError, match="2026年2月折旧尚未计提"):
        run_depreciation(s, book_id=env.book.id, period="2026-03", user=env.user)


def test_adjustment_mid_life_then_posted_schedule_matches_hand_figures(env: Env) -> None:
    # Same figures as the rule test: 12,000.00 over 24 months, +3,000.00 improvement in June 2026.
    a = env.asset(original_value=D("12000.00"), useful_life_months=24, residual_rate=D(0),
                  acquired_on=date(2026, 1, 5))
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-06", user=env.user)
        adjust_asset(s, a.id, kind="改良", effective_on=date(2026, 6, 18), delta_cost=D("3000.00"),
                     reason="屋面翻新", user=env.user, counter_account="10201")
        run_depreciation_through(s, book_id=env.book.id, first="2026-07", last="2026-08", user=env.user)
    with env.db.begin() as s:
        card = get_asset(s, a.id)
        sched = {r.period: (r.amount, r.posted) for r in asset_schedule(s, a.id, until="2028-12")}
        assert card.cost == D("15000.00") and card.accumulated == D("2500.00") + 2 * D("657.89")
        assert sched["2026-07"] == (D("657.89"), True) and sched["2028-01"] == (D("657.98"), False)
        assert reconcile_assets(s, env.book.id, "2026-08").balanced
        history = [h.action for h in asset_history(s, a.id)]
        assert history == ["create", "adjust"]
    with env.db.begin() as s, pytest.raises(ConflictError, match="已计提"):  # a change dated before posted months
        adjust_asset(s, a.id, kind="重估", effective_on=date(2026, 5, 1), delta_cost=D("100.00"), reason="x", user=env.user)


def test_disposed_mid_year_charges_the_month_inside_the_disposal_voucher(env: Env) -> None:
    # 36,000.00, 5 %, 120 months, acquired 2026-01-03: 285.00 a month from February. Sold 2026-07-20
    # for 30,000.00: Feb–Jun posted by runs (1,425.00), July charged in the disposal voucher (285.00);
    # accumulated 1,710.00, net 34,290.00, loss 4,290.00 to 其他支出 515.
    a = env.asset(name="收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
                  useful_life_months=120, residual_rate=D(5), acquired_on=date(2026, 1, 3))
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-06", user=env.user)
        d = dispose_asset(s, a.id, disposed_on=date(2026, 7, 20), kind="出售", reason="更新换代", user=env.user,
                          proceeds=D("30000.00"), proceeds_account="10201")
    assert (d.accumulated, d.gain_loss) == (D("1710.00"), D("-4290.00"))
    with env.db.begin() as s:
        july = run_depreciation(s, book_id=env.book.id, period="2026-07", user=env.user)
        aug = run_depreciation(s, book_id=env.book.id, period="2026-08", user=env.user)
        assert july.charges == () and aug.charges == ()
        rep = reconcile_assets(s, env.book.id, "2026-08")
        assert rep.balanced and all(ln.books == 0 for ln in rep.lines)
        assert [x.status for x in list_assets(s, env.org.id)] == ["已处置"]
        with pytest.raises(ConflictError, match="已处置"):
            update_asset(s, a.id, name="新名", user=env.user)


def test_card_without_voucher_shows_in_reconciliation(env: Env) -> None:
    env.asset()
    env.asset("ZC-009", voucher=False, name="旧仓库", original_value=D("800.00"))
    with env.db.begin() as s:
        rep = reconcile_assets(s, env.book.id, "2026-01")
    assert not rep.balanced
    assert rep.assets == ()  # registered without a voucher: only the totals can tell
    assert rep.lines[1].difference == D("800.00")


def test_life_change_after_posting_goes_through_a_revaluation(env: Env) -> None:
    # 12,000.00 over 24 months, 500.00 a month from February. Feb and Mar are posted (1,000.00).
    # The life is re-estimated to 12 months at the end of March (an adjustment without a value
    # change): March stays 500.00 (old basis); from April 12,000.00 - 1,000.00 = 11,000.00 over the
    # 12 - 2 = 10 months left = 1,100.00 a month, the 12th month being 2027-01; total 12,000.00.
    a = env.asset(original_value=D("12000.00"), useful_life_months=24, residual_rate=D(0),
                  acquired_on=date(2026, 1, 5))
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-03", user=env.user)
    with env.db.begin() as s, pytest.raises(UserError) as err:
        update_asset(s, a.id, useful_life_months=12, user=env.user)
    assert err.value.field == "预计使用月数" and "重估" in err.value.message
    with env.db.begin() as s:
        update_asset(s, a.id, useful_life_months="24", custodian="张志强", user=env.user)  # unchanged life is fine
        adjust_asset(s, a.id, kind="重估", effective_on=date(2026, 3, 31), delta_cost=D("0.00"), new_life_months=12,
                     reason="技术更新，缩短使用年限", user=env.user)
        sched = {r.period: r.amount for r in asset_schedule(s, a.id, until="2027-12")}
    assert sched["2026-03"] == D("500.00") and sched["2026-04"] == D("1100.00")
    assert sched["2027-01"] == D("1100.00") and "2027-02" not in sched
    assert sum(sched.values()) == D("12000.00")


def test_a_reversed_run_can_be_run_again(env: Env) -> None:
    from desktop_app.core.services.vouchers import post_voucher, reverse_voucher, review_voucher

    env.asset()
    with env.db.begin() as s:
        first = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
        assert first.voucher_id is not None
        red = reverse_voucher(s, first.voucher_id, user=env.user, voucher_date=date(2026, 2, 28), reason="重算")
        assert run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user).already_done  # not posted yet
        review_voucher(s, red.id, user=env.reviewer)
        post_voucher(s, red.id, user=env.user)
        again = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
        assert not again.already_done and again.total == D("266.67") and again.voucher_id != first.voucher_id
        assert reconcile_assets(s, env.book.id, "2026-02").balanced
        assert get_asset(s, again.charges[0].asset_id).accumulated == D("266.67")


def test_a_card_registered_after_a_run_starts_in_the_next_month_and_does_not_block_the_book(env: Env) -> None:
    env.asset()
    with env.db.begin() as s:
        run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    late = env.asset("ZC-002", name="收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
                     useful_life_months=120, residual_rate=D(5), acquired_on=date(2026, 1, 5))
    with env.db.begin() as s:
        assert s.get(Asset, late.id).first_period == "2026-03"  # February was already charged
        march = run_depreciation(s, book_id=env.book.id, period="2026-03", user=env.user)  # not refused
    assert not march.already_done and march.total > D("266.67")


def test_workload_of_a_charged_month_is_refused(env: Env) -> None:
    from desktop_app.core.services.depreciation import record_workload

    truck = env.asset("ZC-009", name="运输车", category="运输设备", nature="经营性", method="工作量法",
                      total_workload=D("100000"), original_value=D("50000.00"), acquired_on=date(2026, 1, 5))
    with env.db.begin() as s:
        record_workload(s, truck.id, "2026-02", "1000", user=env.user)
        run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    with pytest.raises(ConflictError, match="折旧已计提") as info, env.db.begin() as s:
        record_workload(s, truck.id, "2026-02", "5000", user=env.user)
    assert info.value.field == "本月工作量"


def _sold_in_july(env: Env):
    a = env.asset("ZC-001", name="收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
                  useful_life_months=120, residual_rate=D(5), acquired_on=date(2026, 1, 3))
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-06", user=env.user)
        dispose_asset(s, a.id, disposed_on=date(2026, 7, 20), kind="出售", reason="更新换代", user=env.user,
                      proceeds=D("30000.00"), proceeds_account="10201")
    return a


def test_cancel_a_disposal_reverses_its_voucher_and_the_card_comes_back(env: Env) -> None:
    from desktop_app.core.services.assets_changes import cancel_disposal, get_disposal

    a = _sold_in_july(env)
    with env.db.begin() as s:
        red = cancel_disposal(s, a.id, user=env.user, on=date(2026, 7, 25), reason="误录：实际未出售")
        assert red is not None and red.status == "记账" and red.reversal_of_id is not None
        assert get_disposal(s, a.id) is None
        card = get_asset(s, a.id)
        assert card.status == "自用" and card.disposed_on is None and card.accumulated == D("1425.00")
        assert [h.action for h in asset_history(s, a.id)] == ["create", "dispose", "undispose"]
        # July is charged again by the monthly run, and the books agree with the cards.
        july = run_depreciation(s, book_id=env.book.id, period="2026-07", user=env.user)
        assert [c.amount for c in july.charges] == [D("285.00")]
        assert reconcile_assets(s, env.book.id, "2026-07").balanced
        # Disposing again reuses the card's disposal row (one per card).
        again = dispose_asset(s, a.id, disposed_on=date(2026, 7, 28), kind="报废", reason="损坏", user=env.user)
        assert again.kind == "报废" and again.accumulated == D("1710.00")
        assert reconcile_assets(s, env.book.id, "2026-07").balanced
    from desktop_app.core.services.integrity import verify_database

    with env.db.engine.connect() as conn:  # change log, audit chain, summaries: all still consistent
        assert all(r.ok for r in verify_database(conn)), [r for r in verify_database(conn) if not r.ok]


def test_cancel_a_disposal_is_refused_outside_its_month_or_after_the_months_run(env: Env) -> None:
    from desktop_app.core.services.assets_changes import cancel_disposal

    env.asset("ZC-002", name="打印机", original_value=D("3000.00"))  # still in use: July's run charges it
    a = _sold_in_july(env)
    with env.db.begin() as s, pytest.raises(ConflictError, match="只能在处置当月（2026年7月）撤销处置"):
        cancel_disposal(s, a.id, user=env.user, on=date(2026, 8, 3), reason="误录")
    with env.db.begin() as s:
        run_depreciation(s, book_id=env.book.id, period="2026-07", user=env.user)  # leaves the sold card out
    with env.db.begin() as s, pytest.raises(ConflictError, match="请先红字冲销本月折旧凭证"):
        cancel_disposal(s, a.id, user=env.user, on=date(2026, 7, 30), reason="误录")
    with env.db.begin() as s:
        assert get_asset(s, a.id).status == "已处置"
    with env.db.begin() as s, pytest.raises(UserError, match="撤销处置必须填写原因"):
        cancel_disposal(s, a.id, user=env.user, on=date(2026, 7, 30), reason=" ")


def test_cancel_the_last_value_change(env: Env) -> None:
    from desktop_app.core.services.assets_changes import cancel_adjustment, latest_adjustment

    a = env.asset("ZC-001", name="收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
                  useful_life_months=120, residual_rate=D(5), acquired_on=date(2026, 1, 3))
    with env.db.begin() as s:
        run_depreciation_through(s, book_id=env.book.id, first="2026-02", last="2026-07", user=env.user)
        adjust_asset(s, a.id, kind="改良", effective_on=date(2026, 7, 10), delta_cost=D("3000.00"), reason="加装",
                     user=env.user, counter_account="10201")
        run_depreciation(s, book_id=env.book.id, period="2026-08", user=env.user)  # on the improved value
    with env.db.begin() as s, pytest.raises(ConflictError, match="2026年8月已按调整后的价值计提折旧"):
        cancel_adjustment(s, a.id, user=env.user, on=date(2026, 8, 20), reason="误录")
    with env.db.begin() as s:  # reverse August's run in the journal, then the change can go
        from desktop_app.core.services.depreciation import live_run_voucher
        from desktop_app.core.services.vouchers import post_voucher, reverse_voucher, review_voucher

        run_id = live_run_voucher(s, env.book.id, "2026-08")
        assert run_id is not None
        red_run = reverse_voucher(s, run_id, user=env.user, voucher_date=date(2026, 8, 31), reason="重算")
        review_voucher(s, red_run.id, user=env.reviewer)
        post_voucher(s, red_run.id, user=env.user)
    with env.db.begin() as s:
        red = cancel_adjustment(s, a.id, user=env.user, on=date(2026, 8, 20), reason="误录：未加装")
        assert red is not None and red.voucher_date == date(2026, 8, 20)
        assert latest_adjustment(s, a.id) is None and get_asset(s, a.id).cost == D("36000.00")
        aug = run_depreciation(s, book_id=env.book.id, period="2026-08", user=env.user)
        assert [c.amount for c in aug.charges] == [D("285.00")]  # the original basis again
        assert reconcile_assets(s, env.book.id, "2026-08").balanced
        assert [h.action for h in asset_history(s, a.id)] == ["create", "adjust", "unadjust"]
    with env.db.begin() as s, pytest.raises(ConflictError, match="没有价值调整记录"):
        cancel_adjustment(s, a.id, user=env.user, on=date(2026, 8, 20), reason="误录")


def test_a_card_with_no_quantity_is_one_item(env: Env) -> None:
    """R3: every row of a filled 资产卡片 template whose 数量 was left blank (the template says 空白按 1)
    was refused with 数量不能为空. A blank quantity is one item, in the form and the import alike."""
    assert env.asset("ZC-Q1", quantity=None).quantity == D(1)
    assert env.asset("ZC-Q2", quantity="").quantity == D(1)
    assert env.asset("ZC-Q3", quantity=D(3)).quantity == D(3)
