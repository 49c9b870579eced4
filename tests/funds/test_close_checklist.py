"""The month-close checklist on real SQLite files: what refuses 结账 (✖) with the numbers that show
it, what only warns (⚠: depreciation not run, the last disclosure not posted), and the
year-end preview that December needs first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.core.errors import ConflictError
from desktop_app.core.services.close_checklist import ChecklistItem, can_close, month_close_checklist
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.disclosure import (
    compute_disclosure_seal,
    mark_disclosure_posted,
    parse_disclosure_period,
    record_disclosure_generated,
)
from desktop_app.core.services.periods import close_period, period_status
from desktop_app.core.services.vouchers import list_vouchers, review_voucher
from desktop_app.core.services.yearend import close_year, preview_year_end
from tests.assets.conftest import make_env as make_assets_env
from tests.funds.conftest import Env


def _items(env: Env, period: str) -> dict[str, ChecklistItem]:
    with env.db.read() as s:
        return {i.title: i for i in month_close_checklist(s, env.book.id, period)}


def _rent(env: Env, day: date, amount: str, *, post: bool = True) -> None:
    env.vouch(day, "收门面房租金", ("10201", amount, "0"), ("50101", "0", amount), post=post)


def test_unreviewed_and_unposted_vouchers_refuse_with_their_numbers(env: Env) -> None:
    _rent(env, date(2026, 1, 5), "1000.00")
    _rent(env, date(2026, 1, 9), "200.00", post=False)  # 记-0002 填制
    third = env.vouch(date(2026, 1, 12), "付办公费", ("51302", "50.00", "0"), ("10201", "0", "50.00"), post=False)
    with env.db.begin("test") as s:
        review_voucher(s, third, user=env.reviewer)  # 记-0003 审核, not posted
    items = _items(env, "2026-01")
    assert not items["凭证均已审核"].ok and items["凭证均已审核"].blocking
    assert "记-0002" in items["凭证均已审核"].detail and "记-0003" not in items["凭证均已审核"].detail
    assert not items["凭证均已记账"].ok and "记-0003" in items["凭证均已记账"].detail
    assert not can_close(list(items.values()))
    # the trial balance item shows the posted figures (the unposted are not in the books yet)
    tb = items["试算平衡"]
    assert tb.ok and "借方发生额 1,000.00 元" in tb.detail and "贷方发生额 1,000.00 元" in tb.detail
    assert items["库存现金余额不为负数"].ok
    with env.db.begin("test") as s, pytest.raises(ConflictError, match="尚未记账"):
        close_period(s, env.book.id, "2026-01", user=env.maker)  # the close itself agrees


def test_a_clean_month_can_close_and_the_next_waits_for_it(env: Env) -> None:
    _rent(env, date(2026, 1, 5), "1000.00")
    items = _items(env, "2026-01")
    assert can_close(list(items.values())), [i for i in items.values() if not i.ok]
    assert items["凭证均已记账"].detail == "已记账 1 张"
    assert "期末借方余额 1,000.00 元、贷方余额 1,000.00 元" in items["试算平衡"].detail
    feb = _items(env, "2026-02")
    assert not feb["上月已结账"].ok and "请先结账2026年1月" in feb["上月已结账"].detail
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    jan = _items(env, "2026-01")
    assert not jan["本月尚未结账"].ok and "王会计" in jan["本月尚未结账"].detail
    assert _items(env, "2026-02")["上月已结账"].ok


def test_last_disclosure_not_posted_is_a_warning_until_it_is(env: Env) -> None:
    _rent(env, date(2026, 1, 5), "1000.00")
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    item = _items(env, "2026-02")["上期财务公开已张贴"]
    assert not item.ok and not item.blocking and "2026年1月财务公开表尚未登记张贴" in item.detail
    assert can_close(list(_items(env, "2026-02").values()))  # a warning does not stop the close
    jan = parse_disclosure_period("2026-01")
    with env.db.begin("test") as s:
        seal = compute_disclosure_seal(s, env.book.id, jan)
        record_disclosure_generated(s, book_id=env.book.id, period=jan, seal=seal, pages=2, content_sha256="0" * 64,
                                    user=env.maker)
        mark_disclosure_posted(s, book_id=env.book.id, period_code="2026-01", posted_on=date(2026, 2, 5), user=env.maker)
    item = _items(env, "2026-02")["上期财务公开已张贴"]
    assert item.ok and "2026-02-05" in item.detail


def test_depreciation_due_and_not_run_is_a_warning(tmp_path: Path) -> None:
    aenv = make_assets_env(tmp_path / "assets.db")
    aenv.asset()  # acquired 2026-01-20: depreciated from February
    with aenv.db.read() as s:
        feb = {i.title: i for i in month_close_checklist(s, aenv.book.id, "2026-02")}
        jan = {i.title: i for i in month_close_checklist(s, aenv.book.id, "2026-01")}
    assert jan["本月折旧已计提"].ok and jan["本月折旧已计提"].detail == "本月没有需要计提折旧的资产"
    item = feb["本月折旧已计提"]
    assert not item.ok and not item.blocking
    assert item.detail.startswith("1 项资产本月应计提折旧共 266.67 元，尚未计提")  # 10000 * 96% / 36
    with aenv.db.begin("test") as s:
        run_depreciation(s, book_id=aenv.book.id, period="2026-02", user=aenv.user)
    with aenv.db.read() as s:
        done = {i.title: i for i in month_close_checklist(s, aenv.book.id, "2026-02")}
    assert done["本月折旧已计提"].ok and done["本月折旧已计提"].detail == "已计提"
    aenv.db.close()


def test_december_needs_the_year_end_and_the_preview_is_what_is_posted(env: Env) -> None:
    _rent(env, date(2026, 12, 5), "1000.00")
    env.vouch(date(2026, 12, 8), "付办公费", ("51302", "300.00", "0"), ("10201", "0", "300.00"))
    item = _items(env, "2026-12")["已年终结转"]
    assert not item.ok and item.blocking and "50101" in item.detail
    with env.db.read() as s:
        preview = preview_year_end(s, env.book.id, 2026)
    steps = list(dict.fromkeys(ln.step for ln in preview))
    assert steps == ["结转本年损益", "结转本年收益至未分配收益"]
    first = [(ln.account_code, ln.debit, ln.credit) for ln in preview if ln.step == "结转本年损益"]
    assert ("50101", Decimal("1000.00"), Decimal("0.00")) in first
    assert ("51302", Decimal("0.00"), Decimal("300.00")) in first
    second = {(ln.account_code, ln.debit, ln.credit) for ln in preview if ln.step != "结转本年损益"}
    assert second == {("321", Decimal("700.00"), Decimal("0.00")), ("32201", Decimal("0.00"), Decimal("700.00"))}
    with env.db.begin("test") as s:
        made = close_year(s, env.book.id, 2026, user=env.maker)
    with env.db.read() as s:
        posted = [v for v in list_vouchers(s, env.book.id, "2026-12", "2026-12") if v.source_kind == "year_end_close"]
    assert [v.id for v in made] == [v.id for v in posted] and {v.status for v in posted} == {"记账"}
    assert sum((v.total for v in posted), Decimal(0)) == sum((ln.debit for ln in preview), Decimal(0))
    assert _items(env, "2026-12")["已年终结转"].ok
    with env.db.read() as s, pytest.raises(ConflictError, match="无需结转"):
        preview_year_end(s, env.book.id, 2026)
    with env.db.read() as s:
        assert not period_status(s, env.book.id, "2026-12").is_closed
