"""The voucher import's check leaves out ``check_lines`` where its own row checks already decide
(issue #18): every voucher the plan accepts, ``check_lines`` (the form's check) accepts too, and the
refusal only ``check_lines`` words (an amount over the limit) still comes from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop_app.core.money import MAX_AMOUNT
from desktop_app.core.services.funds_base import book_accounts
from desktop_app.core.services.voucher_import import AccountFinder, JournalRow, plan_vouchers
from desktop_app.core.services.voucher_lines import check_lines
from tests.funds.conftest import Env

D = Decimal


def _rows(leaves: list[str]) -> list[JournalRow]:
    """Vouchers of 2 to 5 lines over the book's leaves, amounts from 0.01 to the limit, texts at their lengths."""
    amounts = [D("0.01"), D("1"), D("1.5"), D("1200.00"), D("99999.99"), MAX_AMOUNT]
    rows: list[JournalRow] = []
    n = 2
    for v in range(60):
        amount = amounts[v % len(amounts)]
        size = 2 + v % 4 if amount >= 1 else 2
        day = date(2026, 1 + v % 3, 1 + v % 27)
        for k in range(size):
            debit = k < size - 1
            part = amount if size == 2 else None
            if part is None:  # several debits summing to the credit
                part = D("0.01") if k < size - 2 else amount - D("0.01") * (size - 2)
            summary = ("  摘要　" + "字" * (v % 3) * 99)[:200] if k == 0 else ("" if v % 2 else "分录摘要")
            party = ("单" * 100 if v % 5 == 0 else " 张三 ") if k % 2 else ""
            rows.append(JournalRow(n, day if k == 0 or v % 2 else None, f"记-{v + 1}" if k == 0 or v % 3 else "",
                                   summary.strip(), leaves[(v + k) % len(leaves)], "",
                                   part if debit else None, amount if not debit else None, party))
            n += 1
    return rows


def test_every_voucher_the_plan_accepts_check_lines_accepts(env: Env) -> None:
    with env.db.begin("test") as s:
        accounts = AccountFinder(book_accounts(s, env.book.id)).accounts
        leaves = sorted(a.code for a in accounts.values() if a.is_leaf and a.active)
        vouchers, problems = plan_vouchers(s, env.book.id, _rows(leaves[::3]))
    assert problems == [] and len(vouchers) == 60
    for v in vouchers:
        assert not v.bad
        checked = check_lines(accounts, v.lines)  # raises if the form would refuse it
        assert [(c.account.code, c.debit, c.credit) for c in checked] == [p[:3] for p in v.parts]
        assert sum(c.debit for c in checked) == v.debit == v.credit == sum(c.credit for c in checked)


def test_one_line_and_an_amount_over_the_limit_are_refused_as_before(env: Env) -> None:
    """A line has one positive side, so a voucher of one line never balances: the balance message
    (checked first, as before). An amount over the limit is worded by ``check_lines``."""
    day = date(2026, 1, 5)
    over = MAX_AMOUNT + D("0.01")
    rows = [JournalRow(2, day, "记-1", "一行", "101", "", D(5), None),
            JournalRow(3, day, "记-2", "过大", "101", "", over, None),
            JournalRow(4, day, "记-2", "过大", "112", "", None, over)]
    with env.db.begin("test") as s:
        _, problems = plan_vouchers(s, env.book.id, rows)
    assert [(p.row, p.message) for p in problems] == [
        (2, "凭证 2026年1月 记-1（第2行）借贷不平衡：借方合计 5.00，贷方合计 0.00，相差 5.00"),
        (3, "凭证 2026年1月 记-2（第3、4行）：借方金额过大")]
