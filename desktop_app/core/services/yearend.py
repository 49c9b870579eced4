"""Year-end closing (年终结转), as the 2004 rules describe (REFERENCE §2.5, kept for 2023 [M]):

1. every 损益 account → 本年收益 (321);
2. 本年收益 → 收益分配——未分配收益 (32201);
3. the 各项分配 sub-accounts (32202…) → 未分配收益.

Each step is a system voucher dated 12-31 (``source_kind = year_end_close``), posted at once.
Balances are cumulative from the book's opening balances, so the next year opens with the
balance-sheet accounts carried forward and the 损益 accounts at zero; nothing else is copied.

The close is incremental: each run carries whatever balances those accounts still have at the
end of December, so after December is reopened and a late voucher posted (or a closing voucher
reversed) running it again closes just the remainder. It is refused only when nothing is left.
A 红字冲销 of a closing voucher keeps ``source_kind = year_end_close`` on purpose: it belongs to
the closing, so statements that leave the closing out leave its reversal out too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Voucher
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_funds import VoucherRow
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.close_checklist import close_checklist_items
from desktop_app.core.services.funds_base import (
    YEAR_END_KIND,
    AccountInfo,
    book_accounts,
    get_book_row,
    period_label,
    subtree,
)
from desktop_app.core.services.periods import describe_balances, period_row, year_end_leftovers
from desktop_app.core.services.users import require_role
from desktop_app.core.services.vouchers import LineInput, find_vouchers_by_source, record_auto_voucher

ZERO = Decimal("0.00")


def _clear_lines(accounts: list[AccountInfo], bal: dict[uuid.UUID, Decimal], target: str) -> list[LineInput]:
    """Lines that bring each account to zero, the difference to ``target``."""
    lines: list[LineInput] = []
    net = ZERO
    for a in accounts:
        b = bal.get(a.id, ZERO)
        if a.is_leaf and b != 0:
            lines.append(LineInput(a.code, credit=b) if b > 0 else LineInput(a.code, debit=-b))
            net += b
    if not lines:
        return []
    lines.append(LineInput(target, debit=net) if net > 0 else LineInput(target, credit=-net))
    return [ln for ln in lines if ln.debit or ln.credit]


@dataclass(frozen=True)
class YearEndLine:
    """One line of a closing voucher the year-end close would make (the preview the GUI shows)."""

    step: str  # 结转本年损益 / 结转本年收益至未分配收益 / 结转各项分配至未分配收益
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal


def _plan(session: Session, book_id: uuid.UUID, year: int) -> list[tuple[str, list[LineInput]]]:
    """The closing vouchers in order, each step reading the balances the steps before it leave
    (what posting them one after the other gives), without writing anything."""
    v = get_book_row(session, book_id).chart_version
    accounts = book_accounts(session, book_id)
    by_code = {a.code: a for a in accounts.values()}
    current = charts.account_role(v, "current_year_income")
    undistributed = charts.account_role(v, "undistributed_income")
    bal = dict(balances_at_end(session, book_id, f"{year:04d}-12"))
    steps = (
        ("结转本年损益", [a for a in accounts.values() if a.category == "损益"], current),
        ("结转本年收益至未分配收益", subtree(accounts, [current]), undistributed),
        ("结转各项分配至未分配收益", subtree(accounts, charts.account_roles(v, "distributions")), undistributed),
    )
    plan: list[tuple[str, list[LineInput]]] = []
    for summary, accs, target in steps:
        lines = _clear_lines(accs, bal, target)
        if len(lines) < 2:
            continue
        plan.append((summary, lines))
        for ln in lines:
            if ln.account_code in by_code:
                acc = by_code[ln.account_code].id
                bal[acc] = bal.get(acc, ZERO) + ln.debit - ln.credit
    return plan


def unposted_vouchers(session: Session, book_id: uuid.UUID, year: int) -> list[str]:
    """The year's vouchers still 填制 or 审核 ("2026年12月记-0002（填制）"): the closing reads posted
    balances only, so it would carry the year without them and say nothing."""
    rows = session.execute(select(Voucher.period, Voucher.number, Voucher.status).where(
        Voucher.book_id == book_id, Voucher.period.between(f"{year:04d}-01", f"{year:04d}-12"),
        Voucher.status.in_(("填制", "审核")), Voucher.deleted.is_(False))
        .order_by(Voucher.period, Voucher.number)).all()
    return [f"{period_label(p)}记-{n:04d}（{s}）" for p, n, s in rows]


def year_end_warnings(session: Session, book_id: uuid.UUID, year: int) -> list[str]:
    """What the user should know before closing the year but may go past: December's
    depreciation due and not run (the month-close checklist's own warning)."""
    items = close_checklist_items(session, book_id, f"{year:04d}-12")  # its warning, worded in one place
    return [f"{year}年12月折旧：{i.detail}" for i in items if "折旧" in i.title and not i.ok]


def _refuse_unless_due(session: Session, book_id: uuid.UUID, year: int) -> None:
    period = f"{year:04d}-12"
    if period_row(session, book_id, period).is_closed:
        raise ConflictError(f"{period_label(period)}已结账，不能再进行{year}年度年终结转；"
                            "如需补记，请先由审核员反结账", field="年度")
    open_ = unposted_vouchers(session, book_id, year)
    if open_:
        more = f" 等{len(open_)}张" if len(open_) > 10 else ""
        raise ConflictError(f"{year}年度有 {len(open_)} 张凭证尚未记账：{'、'.join(open_[:10])}{more}；"
                            "年终结转只结转已记账的余额，请先审核、记账（或作废）这些凭证", field="年度")
    if not year_end_leftovers(session, book_id, period):
        done = find_vouchers_by_source(session, book_id, YEAR_END_KIND, uuid.UUID(int=year))
        raise ConflictError(f"{year}年度" + ("已经进行过年终结转，" if done else "")
                            + "损益类科目、本年收益和各项分配均无余额，无需结转", field="年度")


def preview_year_end(session: Session, book_id: uuid.UUID, year: int) -> list[YearEndLine]:
    """What :func:`close_year` would post now, line by line (refused as it would be refused)."""
    _refuse_unless_due(session, book_id, year)
    names = {a.code: a.name for a in book_accounts(session, book_id).values()}
    return [YearEndLine(step, ln.account_code, names.get(ln.account_code, ""), ln.debit, ln.credit)
            for step, lines in _plan(session, book_id, year) for ln in lines]


def close_year(session: Session, book_id: uuid.UUID, year: int, *, user: UserRow) -> list[VoucherRow]:
    """年终结转 for ``year`` (December must be open); returns the closing vouchers made this run.

    The closing vouchers are reviewed and posted by 系统 whatever the book's setting for other
    automatic vouchers: they follow from the posted balances alone, and December closes on them."""
    require_role(session, user, "bookkeeper", "reviewer", book_id=book_id)
    _refuse_unless_due(session, book_id, year)
    period = f"{year:04d}-12"
    again = bool(find_vouchers_by_source(session, book_id, YEAR_END_KIND, uuid.UUID(int=year)))
    day = date(year, 12, 31)
    made = [record_auto_voucher(session, book_id=book_id, voucher_date=day,
                                summary=f"{year}年{summary}" + ("（补充结转）" if again else ""),
                                lines=lines, user=user, source_kind=YEAR_END_KIND, source_id=uuid.UUID(int=year),
                                post=True)
            for summary, lines in _plan(session, book_id, year)]
    left = year_end_leftovers(session, book_id, period)
    if left:  # only an account that is not a leaf can keep a balance here (a book from before that was refused)
        raise ConflictError(f"{year}年度年终结转未能结平以下科目（有明细科目的上级科目本身有余额）："
                            f"{describe_balances(left)}", field="年度")
    return made
