"""Plans from the books: distributable income, the roster, approval and payout vouchers tie out."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest

from desktop_app.core.errors import ConflictError, UserError
from desktop_app.core.services.distribution import (
    add_deduction,
    approve_plan,
    draft_plan,
    publicise_plan,
    record_payout,
)
from desktop_app.core.services.distribution_books import account_balance, distributable_income
from desktop_app.core.services.distribution_query import (
    disclosure_distribution_section,
    distribution_reminders,
    find_plan,
    list_payouts,
    plan_roster,
    update_distribution_settings,
)
from desktop_app.core.services.periods import close_period, reopen_period
from desktop_app.core.services.vouchers import find_vouchers_by_source, get_voucher

from .conftest import Village


def _draft(v: Village, amount: str = "3000.00", **kw: object):  # type: ignore[no-untyped-def]
    with v.db.begin("test") as s:
        return draft_plan(s, book_id=v.book.id, year=2026, members_amount=D(amount), user=v.user, **kw)


def test_distributable_income_from_the_books_excludes_land_compensation(village: Village) -> None:
    village.income("10000.00")
    village.income("4000.00", flags=("征地补偿",))
    with village.db.begin() as s:
        d = distributable_income(s, village.book.id, 2026, excluded_rent=D("1000.00"))
    assert d.current_year_income == D("14000.00")
    assert d.opening_undistributed == D("0.00")
    assert d.excluded_land == D("4000.00")
    assert d.distributable == D("9000.00")
    assert d.cash_available == D("14000.00")


def test_draft_roster_and_plan_lines(village: Village) -> None:
    village.income("10000.00")
    plan = _draft(village, "3000.00", reserve=D("3000.00"))
    assert plan.status == "草案" and plan.total_shares == D("8.5")  # 6 人口股 + 2.5 农龄股
    assert plan.per_share == D("352.94")  # 3000 / 8.5 = 352.941… down to 分
    assert plan.roster_total <= D("3000.00") and plan.remainder == D("3000.00") - plan.roster_total
    with village.db.begin() as s:
        roster = plan_roster(s, plan.id)
    assert roster.type_names == ("人口股", "农龄股")
    by_name = {ln.name: ln for ln in roster.lines}
    assert by_name["张建国"].by_type == (D("1"), D("0.5"))
    assert by_name["张建国"].amount == D("529.41")  # 1.5 * 352.94 = 529.41
    assert sum(ln.amount for ln in roster.lines) == plan.roster_total
    assert [h.household_number for h in roster.households] == ["001", "002", "003"]
    lines = {ln.kind: ln.amount for ln in plan.lines}
    assert lines["distributable"] == D("10000.00") and lines["reserve"] == D("3000.00")
    assert lines["remainder"] == plan.remainder
    assert lines["retained"] == D("10000.00") - D("3000.00") - plan.roster_total


def test_full_cycle_books_plan_and_roster_tie_out(village: Village) -> None:
    village.income("10000.00")
    plan = _draft(village, "3000.00", reserve=D("3000.00"))
    with village.db.begin("test") as s:
        add_deduction(s, plan.id, member_id=village.members["王海军"], amount=D("100.00"), reason="欠2025年鱼塘承包费",
                      consent="本人签字确认书", user=village.user)
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        plan = approve_plan(s, plan.id, on=date(2026, 11, 15), resolution_no="东股〔2026〕3号",
                            resolution_text="成员代表大会通过2026年度收益分配方案", user=village.user)
    assert plan.status == "批准" and plan.deductions == D("100.00")
    with village.db.begin() as s:
        v = get_voucher(s, plan.appropriation_voucher_id)
        assert v.voucher.status == "记账"
        assert {(ln.account_code, ln.debit, ln.credit) for ln in v.lines} == {
            ("3220201", D("3000.00"), D("0")), ("311", D("0"), D("3000.00")),
            ("3220202", plan.roster_total, D("0")), ("113", D("0"), plan.roster_total)}
        assert account_balance(s, village.book.id, "113", "2026-11") == -plan.roster_total
    with village.db.begin("test") as s:
        first = record_payout(s, plan.id, paid_on=date(2026, 11, 20), method="转账", user=village.user,
                              household_ids=[village.households["001"]], bank_tail="1234")
        rest = record_payout(s, plan.id, paid_on=date(2026, 11, 21), method="现金", user=village.user)
    assert len(first) == 1 and len(rest) == 2
    with village.db.begin() as s:
        plan2 = find_plan(s, village.book.id, 2026)
        assert plan2 is not None and plan2.status == "发放" and plan2.paid_on == date(2026, 11, 21)
        assert plan2.paid_total == plan.roster_total - D("100.00")
        assert sum(p.amount for p in list_payouts(s, plan.id)) == plan2.paid_total
        # the payable to members is cleared, the deduction settled the receivable, cash/bank paid the rest
        assert account_balance(s, village.book.id, "113", "2026-11") == D("0.00")
        assert account_balance(s, village.book.id, "112", "2026-11") == D("-100.00")
        assert len(find_vouchers_by_source(s, village.book.id, "dividend_payout", plan.id)) == 2
        section = disclosure_distribution_section(s, village.org.id, village.book.id, 2026)
    assert section is not None and section.per_share == plan.per_share
    assert sum(h.amount for h in section.households) == plan.roster_total
    assert not any("320115" in str(h) for h in section.households)  # no ID numbers on the board


def test_caps_and_floors_refuse_approval_naming_the_rule(village: Village) -> None:
    village.income("10000.00")
    with village.db.begin("test") as s:
        update_distribution_settings(s, village.org.id, reserve_floor=D("30"), members_cap=D("60"), user=village.user)
    plan = _draft(village, "6500.00", reserve=D("2000.00"))
    with village.db.begin("test") as s, pytest.raises(ConflictError) as err:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
    assert "公积公益金不低于可分配收益的30%" in err.value.message
    assert "成员分配不超过可分配收益的60%" in err.value.message
    with village.db.begin() as s:
        assert find_plan(s, village.book.id, 2026).status == "草案"  # nothing changed


def test_reopened_books_block_approval_until_recomputed(village: Village) -> None:
    village.income("10000.00", day=date(2026, 1, 15))
    with village.db.begin("test") as s:
        close_period(s, village.book.id, "2026-01", user=village.user)
    plan = _draft(village, "3000.00", reserve=D("3000.00"))
    with village.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        reopen_period(s, village.book.id, "2026-01", user=village.reviewer, reason="补记1月租金")
    with village.db.begin("test") as s, pytest.raises(ConflictError, match="重新计算"):
        approve_plan(s, plan.id, on=date(2026, 11, 15), resolution_no="1号", resolution_text="通过", user=village.user)
    again = _draft(village, "3000.00", reserve=D("3000.00"))
    assert again.id != plan.id
    with village.db.begin("test") as s:
        publicise_plan(s, again.id, on=date(2026, 11, 2), user=village.user)
        done = approve_plan(s, again.id, on=date(2026, 11, 15), resolution_no="1号", resolution_text="通过",
                            user=village.user)
    assert done.status == "批准"


def test_reminder_when_not_paid_by_the_deadline(village: Village) -> None:
    with village.db.begin() as s:
        early = distribution_reminders(s, today=date(2027, 2, 1))
        near = distribution_reminders(s, today=date(2027, 4, 10))
        late = distribution_reminders(s, today=date(2027, 5, 1))
    assert early == []
    assert near[0].year == 2026 and not near[0].overdue and near[0].status == "未编制"
    assert late[0].overdue and "已超过截止日期4月30日" in late[0].message
    with village.db.begin("test") as s:
        update_distribution_settings(s, village.org.id, deadline_month=5, deadline_day=31, user=village.user)
        assert distribution_reminders(s, today=date(2027, 4, 10)) == []
        later = distribution_reminders(s, today=date(2027, 6, 1), organisation_id=village.org.id)
        assert [r.organisation_id for r in later] == [village.org.id]
        assert "已超过截止日期5月31日" in later[0].message
        assert distribution_reminders(s, today=date(2027, 6, 1), organisation_id=uuid.uuid4()) == []


def test_yinggang_example_through_the_books(empty_village: Village) -> None:
    """121,000.00 元 for members over 2,653.5 shares: 45.60 元/股, roster 120,999.60, remainder 0.40,
    and the appropriation voucher carries exactly the roster total."""
    from desktop_app.core.ids import make_ric
    from desktop_app.core.services.members import MemberInput
    from desktop_app.core.services.members_import import (
        ImportRow,
        apply_member_import,
        validate_member_import,
    )

    v = empty_village
    rows = []
    for i in range(2654):
        number = f"{i // 4:04d}"
        relation = "户主" if i % 4 == 0 else "子"
        ric = make_ric("320115", date(1950 + i % 60, 1 + i % 12, 1 + (i // 12) % 28), (i * 7) % 1000)
        shares = {"人口股": D("0.5") if i == 2653 else D("1")}
        rows.append(ImportRow(i + 2, MemberInput(number, f"成员{i}", ric, relation, "第一组"), shares))
    v.income("500000.00")
    with v.db.begin("test") as s:
        preview = validate_member_import(s, v.org.id, rows)
        assert preview.ok, preview.errors[:3]
        apply_member_import(s, preview, event_date=date(2019, 12, 31), basis="量化决议", user=v.user)
        plan = draft_plan(s, book_id=v.book.id, year=2026, members_amount=D("121000.00"), reserve=D("150000.00"), user=v.user)
    assert plan.total_shares == D("2653.5") and plan.per_share == D("45.60")
    assert plan.roster_total == D("120999.60") and plan.remainder == D("0.40")
    with v.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=v.user)
        plan = approve_plan(s, plan.id, on=date(2026, 11, 10), resolution_no="1号", resolution_text="通过", user=v.user)
        roster = plan_roster(s, plan.id)
        assert sum(ln.amount for ln in roster.lines) == D("120999.60")
        assert roster.lines[-1].amount == D("22.80")  # the half share
        assert account_balance(s, v.book.id, "3220202", "2026-11") == D("120999.60")
        assert account_balance(s, v.book.id, "113", "2026-11") == D("-120999.60")
        assert {ln.kind: ln.amount for ln in plan.lines}["remainder"] == D("0.40")


def test_disclosure_sheet_shows_the_distribution_without_id_numbers(village: Village, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pdfplumber

    from desktop_app.cli import main

    village.income("10000.00")
    plan = _draft(village, "3000.00", reserve=D("3000.00"))
    with village.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        ric = plan_roster(s, plan.id).lines[0].ric
    village.db.close()
    out = tmp_path / "d.pdf"
    assert main(["--user", "kj", "disclose", "--db", str(village.db.path), "--org", village.org.uscc, "--period", "2026-11",
                 "--out", str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "收益分配公开表" in text and "2026年度分红到户情况" in text and "352.94" in text
    assert ric not in text and ric[:6] + "********" not in text  # no ID numbers at all, not even masked


def test_cancel_the_last_payout_batch_and_pay_again(village: Village) -> None:
    from desktop_app.core.services.distribution import cancel_payout

    village.income("10000.00")
    plan = _draft(village, "3000.00", reserve=D("3000.00"))
    with village.db.begin("test") as s:
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        approve_plan(s, plan.id, on=date(2026, 11, 15), resolution_no="东股〔2026〕3号",
                     resolution_text="成员代表大会通过", user=village.user)
        record_payout(s, plan.id, paid_on=date(2026, 11, 20), method="转账", user=village.user,
                      household_ids=[village.households["001"]], bank_tail="1234")
        record_payout(s, plan.id, paid_on=date(2026, 11, 21), method="现金", user=village.user)  # the rest: 发放
    with village.db.begin("test") as s:
        assert cancel_payout(s, plan.id, user=village.user, on=date(2026, 11, 22), reason="现金发放录错") == 2
    with village.db.begin() as s:
        again = find_plan(s, village.book.id, 2026)
        assert again is not None and again.status == "批准" and again.paid_on is None
        assert [p.household_number for p in list_payouts(s, plan.id)] == ["001"]  # the first batch stands
        vouchers = find_vouchers_by_source(s, village.book.id, "dividend_payout", plan.id)
        assert sorted((v.status, v.reversal_of_id is not None) for v in vouchers) == [
            ("记账", False), ("记账", False), ("记账", True)]
        assert account_balance(s, village.book.id, "113", "2026-11") == -(plan.roster_total - totals_of_001(s, plan.id))
    with village.db.begin("test") as s:  # the two households are paid again, in place of their old rows
        rest = record_payout(s, plan.id, paid_on=date(2026, 11, 23), method="转账", user=village.user)
        assert len(rest) == 2
    with village.db.begin() as s:
        done = find_plan(s, village.book.id, 2026)
        assert done is not None and done.status == "发放" and done.paid_on == date(2026, 11, 23)
        assert account_balance(s, village.book.id, "113", "2026-11") == D("0.00")
    with village.db.begin("test") as s, pytest.raises(UserError, match="撤销发放必须填写原因"):
        cancel_payout(s, plan.id, user=village.user, on=date(2026, 11, 24), reason="")


def totals_of_001(s, plan_id):  # type: ignore[no-untyped-def]
    return sum(p.amount for p in list_payouts(s, plan_id) if p.household_number == "001")


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
