"""Year-end rules from the review: December close needs every carried account at zero (#1), the
close is incremental and survives reopen → late voucher → re-close (#3), and the 2004 → 2023
conversion needs a closed, carried 2023 and a leaf for every balance (#6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from db.models import OpeningBalance
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.services.funds_base import YEAR_END_KIND
from desktop_app.core.services.ledgers import trial_balance
from desktop_app.core.services.opening import OpeningInput, convert_2004_to_2023, set_opening_balances
from desktop_app.core.services.orgs import add_sub_account, create_book
from desktop_app.core.services.periods import close_checks, close_period, reopen_period, year_end_leftovers
from desktop_app.core.services.statements import (
    balance_sheet_values,
    income_distribution_values,
    income_figures,
)
from desktop_app.core.services.voucher_bulk import bulk_close_periods
from desktop_app.core.services.vouchers import (
    find_vouchers_by_source,
    get_voucher,
    post_voucher,
    reverse_voucher,
    review_voucher,
)
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env, make_env, table_counts

D = Decimal


@pytest.fixture
def dec(tmp_path: Path) -> Env:
    return make_env(tmp_path / "dec.db", start="2026-12")


def test_december_close_refused_when_income_and_expense_cancel_out(dec: Env) -> None:
    dec.vouch(date(2026, 12, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    dec.vouch(date(2026, 12, 5), "付办公费", ("51302", "1000.00", "0"), ("10201", "0", "1000.00"))
    before = table_counts(dec)
    with pytest.raises(ConflictError) as info, dec.db.begin() as s:
        close_period(s, dec.book.id, "2026-12", user=dec.maker)
    text = str(info.value)
    assert "12月结账前须先进行年终结转" in text
    assert "50101 出租收入 贷方 1000.00" in text and "51302 办公费 借方 1000.00" in text
    assert table_counts(dec) == before, "nothing may be written on refusal"
    with dec.db.begin() as s:
        close_year(s, dec.book.id, 2026, user=dec.maker)
        assert close_checks(s, dec.book.id, "2026-12") == []
        assert close_period(s, dec.book.id, "2026-12", user=dec.maker).is_closed


def test_december_close_refused_while_a_distribution_leaf_has_a_balance(dec: Env) -> None:
    dec.vouch(date(2026, 12, 20), "提取公积公益金", ("3220201", "600.00", "0"), ("311", "0", "600.00"))
    with dec.db.begin() as s:
        problems = close_checks(s, dec.book.id, "2026-12")
    assert len(problems) == 1 and "3220201 提取公积公益金 借方 600.00" in problems[0]


def test_year_end_close_again_after_reopen_and_a_late_voucher(dec: Env) -> None:
    dec.vouch(date(2026, 12, 3), "收租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    with dec.db.begin() as s:
        first = close_year(s, dec.book.id, 2026, user=dec.maker)
        assert [v.summary for v in first] == ["2026年结转本年损益", "2026年结转本年收益至未分配收益"]
        close_period(s, dec.book.id, "2026-12", user=dec.maker)
    with dec.db.begin() as s:
        reopen_period(s, dec.book.id, "2026-12", user=dec.reviewer, reason="漏记一笔12月水电费")
    dec.vouch(date(2026, 12, 28), "补记水电费", ("51306", "300.00", "0"), ("10201", "0", "300.00"))
    with dec.db.begin() as s:
        assert [a.code for a, _ in year_end_leftovers(s, dec.book.id, "2026-12")] == ["51306"]
        again = close_year(s, dec.book.id, 2026, user=dec.maker)
        assert [(v.summary, v.total) for v in again] == [("2026年结转本年损益（补充结转）", D("300.00")),
                                                          ("2026年结转本年收益至未分配收益（补充结转）", D("300.00"))]
        assert year_end_leftovers(s, dec.book.id, "2026-12") == []
    before = table_counts(dec)
    with pytest.raises(ConflictError, match=r"已经进行过年终结转.*无需结转"), dec.db.begin() as s:
        close_year(s, dec.book.id, 2026, user=dec.maker)
    assert table_counts(dec) == before

    def figures_are_right() -> None:
        with dec.db.begin() as s:
            f = income_figures(s, dec.book.id, "2026-01", "2026-12")
            assert (f.total_income, f.total_expense, f.net_income) == (D("1000.00"), D("300.00"), D("700.00"))
            i = income_distribution_values(s, dec.book.id, "2026-01", "2026-12")
            _, bs = balance_sheet_values(s, dec.book.id, "2026-12")
            assert i["i13"] == D("700.00") and i["i20"] == bs["e3"] == D("700.00")
            tb = {r.code: r for r in trial_balance(s, dec.book.id, "2026-12", "2026-12")}
            assert tb["32201"].closing_credit == D("700.00") and tb["501"].closing_credit == 0

    figures_are_right()
    # reversing a closing voucher (December reopened) and closing again keeps the statements right
    with dec.db.begin() as s:
        reversal = reverse_voucher(s, first[0].id, user=dec.maker, voucher_date=date(2026, 12, 31), reason="重新结转")
        assert reversal.reversal_of_id == first[0].id and reversal.source_kind == YEAR_END_KIND
        review_voucher(s, reversal.id, user=dec.reviewer)
        post_voucher(s, reversal.id, user=dec.maker)
        assert [a.code for a, _ in year_end_leftovers(s, dec.book.id, "2026-12")] == ["321", "50101"]
        assert [v.total for v in close_year(s, dec.book.id, 2026, user=dec.maker)] == [D("1000.00")]
        assert get_voucher(s, first[0].id).reversed_by_id == reversal.id
        assert len(find_vouchers_by_source(s, dec.book.id, YEAR_END_KIND)) == 6  # 2 + 2 + reversal + 1
    figures_are_right()
    with dec.db.begin() as s:
        assert close_period(s, dec.book.id, "2026-12", user=dec.maker).is_closed


def test_close_year_refused_in_a_closed_december(dec: Env) -> None:
    with dec.db.begin() as s:
        close_period(s, dec.book.id, "2026-12", user=dec.maker)
    before = table_counts(dec)
    with pytest.raises(ConflictError, match="2026年12月已结账，不能再进行2026年度年终结转"), dec.db.begin() as s:
        close_year(s, dec.book.id, 2026, user=dec.maker)
    assert table_counts(dec) == before


def _old_book(tmp_path: Path) -> Env:
    env = make_env(tmp_path / "old.db", chart_version="2004", start="2023-12")
    with env.db.begin() as s:
        set_opening_balances(s, env.book.id, [OpeningInput("102", D("50000.00")),
                                              OpeningInput("301", credit=D("50000.00"))], user=env.maker)
    env.vouch(date(2023, 12, 3), "收承包金", ("102", "8000.00", "0"), ("51101", "0", "8000.00"))
    env.vouch(date(2023, 12, 8), "付管理费", ("541", "3000.00", "0"), ("102", "0", "3000.00"))
    return env


def _new_book(env: Env, *, bank_detail: bool = False) -> object:
    with env.db.begin() as s:
        new = create_book(s, organisation_id=env.book.organisation_id, name="新制度账套", kind="股份经济合作社",
                          start_period="2024-01", chart_version="2023", user=env.maker)
        if bank_detail:
            add_sub_account(s, book_id=new.id, parent_code="102", code="10201", name="农商行", user=env.maker)
    return new


def _opening_rows(env: Env, book_id: object) -> int:
    from sqlalchemy import func, select

    with env.db.begin() as s:
        return s.scalar(select(func.count()).select_from(OpeningBalance).where(OpeningBalance.book_id == book_id)) or 0


def test_conversion_refused_until_2023_is_closed_and_carried(tmp_path: Path) -> None:
    env = _old_book(tmp_path)
    new = _new_book(env)
    before = table_counts(env)
    with pytest.raises(ConflictError, match="2023年12月尚未结账"), env.db.begin() as s:
        convert_2004_to_2023(s, env.book.id, new.id, user=env.maker)  # type: ignore[attr-defined]
    assert table_counts(env) == before
    with env.db.begin() as s:  # a month sealed without the checks (as an older release could)
        bulk_close_periods(s, env.book.id, ["2023-12"], user=env.maker)
    before = table_counts(env)
    with pytest.raises(ConflictError) as info, env.db.begin() as s:
        convert_2004_to_2023(s, env.book.id, new.id, user=env.maker)  # type: ignore[attr-defined]
    assert "仍有损益、本年收益或各项分配余额" in str(info.value)
    assert "51101 承包金 贷方 8000.00" in str(info.value) and "541 管理费用 借方 3000.00" in str(info.value)
    assert table_counts(env) == before


def test_conversion_refused_when_the_target_account_has_details(tmp_path: Path) -> None:
    env = _old_book(tmp_path)
    with env.db.begin() as s:
        close_year(s, env.book.id, 2023, user=env.maker)
        close_period(s, env.book.id, "2023-12", user=env.maker)
    new = _new_book(env, bank_detail=True)
    before = table_counts(env)
    with pytest.raises(ValidationError) as info, env.db.begin() as s:
        convert_2004_to_2023(s, env.book.id, new.id, user=env.maker)  # type: ignore[attr-defined]
    assert "无法确定新账套中的末级科目" in str(info.value)
    assert "102 银行存款 → 102 银行存款（有明细科目，请指定末级科目）" in str(info.value)
    assert table_counts(env) == before and _opening_rows(env, new.id) == 0  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="不存在或不是末级科目"), env.db.begin() as s:
        convert_2004_to_2023(s, env.book.id, new.id, user=env.maker, overrides={"102": "102"})  # type: ignore[attr-defined]
    with env.db.begin() as s:
        preview = convert_2004_to_2023(s, env.book.id, new.id, user=env.maker,  # type: ignore[attr-defined]
                                       overrides={"102": "10201"})
        assert preview.total_debit == D("55000.00")
        tb = {r.code: r for r in trial_balance(s, new.id, "2024-01", "2024-01")}  # type: ignore[attr-defined]
        assert tb["10201"].opening_debit == D("55000.00") and tb["32201"].opening_credit == D("5000.00")
