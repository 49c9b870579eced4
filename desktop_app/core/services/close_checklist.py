"""The month-close checklist (结账检查): what 结账 will refuse and what it only warns about, shown to
the accountant before she confirms the close (GUI) and printed by the CLI.

Each area that has something to say about a month contributes a function
``close_checklist_items(session, book_id, period) -> list[ChecklistItem]`` in its own service
module, named in :data:`CONTRIBUTORS`. A blocking item repeats a refusal of
``periods.close_checks`` (the close itself still checks; the list only shows it first); a warning
(``blocking=False``) does not stop the close.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Book, Organisation, Voucher
from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import check_period, period_label, prev_period


@dataclass(frozen=True)
class ChecklistItem:
    title: str  # 检查项, e.g. 凭证均已记账
    ok: bool
    detail: str = ""  # what is wrong (or the figure that shows it is right)
    blocking: bool = True  # False: a warning; the month may still be closed


# The modules whose ``close_checklist_items`` make the list, in the order it is shown.
CONTRIBUTORS: tuple[str, ...] = (
    "desktop_app.core.services.close_checklist",
    "desktop_app.core.services.bank_reconcile",
    "desktop_app.core.services.receipt_slip_check",
)

Contributor = Callable[[Session, uuid.UUID, str], list[ChecklistItem]]


def close_checklist_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """结账's own conditions, one item each with the figure that shows it (blocking), then the
    warnings: depreciation not run for the month, the last disclosure not posted.

    ``periods.close_checks`` stays the judge: a refusal of it that no item here names is added
    as it is worded there, so the list never shows a month as closable that 结账 refuses."""
    from desktop_app.core.services.periods import close_checks

    items = _order_items(session, book_id, period) + _voucher_items(session, book_id, period)
    items += _balance_items(session, book_id, period)
    if can_close(items):
        items += [ChecklistItem("结账条件", False, p) for p in close_checks(session, book_id, period)]
    return [*items, _depreciation_item(session, book_id, period), *_disclosure_items(session, book_id, period)]


def _yuan(amount: Decimal) -> str:
    return f"{format_amount(amount)} 元"


def _order_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """Not closed yet, and the month before closed (结账 goes month after month)."""
    from desktop_app.core.services.funds_base import get_book_row
    from desktop_app.core.services.periods import period_row

    items: list[ChecklistItem] = []
    row = period_row(session, book_id, period)
    if row.is_closed:
        items.append(ChecklistItem("本月尚未结账", False, f"{period_label(period)}已由{row.closed_by or '—'}结账；"
                                   "如需补记，请由审核员反结账"))
    if period > get_book_row(session, book_id).start_period:
        before = prev_period(period)
        done = period_row(session, book_id, before).is_closed
        items.append(ChecklistItem("上月已结账", done, f"{period_label(before)}已结账" if done
                                   else f"请先结账{period_label(before)}"))
    return items


def _voucher_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """Every voucher reviewed, every voucher posted (作废 ones aside)."""
    rows = session.execute(select(Voucher.status, Voucher.number).where(
        Voucher.book_id == book_id, Voucher.period == period, Voucher.deleted.is_(False))
        .order_by(Voucher.number)).all()
    by_status: dict[str, list[int]] = {}
    for status, number in rows:
        by_status.setdefault(status, []).append(number)

    def numbers(status: str) -> str:
        found = by_status.get(status, [])
        more = f" 等{len(found)}张" if len(found) > 10 else ""
        return f"{len(found)} 张：" + "、".join(f"记-{n:04d}" for n in found[:10]) + more

    live = len(rows) - len(by_status.get("作废", []))
    voided = f"（另有作废 {len(by_status['作废'])} 张）" if by_status.get("作废") else ""
    return [
        ChecklistItem("凭证均已审核", "填制" not in by_status,
                      f"未审核 {numbers('填制')}" if "填制" in by_status else f"本月凭证 {live} 张{voided}"),
        ChecklistItem("凭证均已记账", "填制" not in by_status and "审核" not in by_status,
                      f"已审核未记账 {numbers('审核')}" if "审核" in by_status
                      else ("先审核，再记账" if "填制" in by_status else f"已记账 {len(by_status.get('记账', []))} 张")),
    ]


def _balance_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """库存现金 not negative, the trial balance with its figures, December carried forward."""
    from desktop_app.core import charts
    from desktop_app.core.services.balances import balances_at_end
    from desktop_app.core.services.funds_base import book_accounts, get_book_row, subtree
    from desktop_app.core.services.ledgers import trial_balance, trial_balance_total
    from desktop_app.core.services.periods import describe_balances, year_end_leftovers

    zero = Decimal("0.00")
    bal = balances_at_end(session, book_id, period)
    version = get_book_row(session, book_id).chart_version
    cash = sum((bal.get(a.id, zero) for a in subtree(book_accounts(session, book_id),
                                                      charts.account_roles(version, "cash"))), zero)
    t = trial_balance_total(trial_balance(session, book_id, period, period))
    balanced = t.closing_debit == t.closing_credit and t.period_debit == t.period_credit and sum(bal.values(), zero) == 0
    items = [
        ChecklistItem("库存现金余额不为负数", cash >= 0, f"库存现金期末余额 {_yuan(cash)}"
                      + ("" if cash >= 0 else "，请检查是否漏记收入或重复记支出")),
        ChecklistItem("试算平衡", balanced,
                      f"本月借方发生额 {_yuan(t.period_debit)}、贷方发生额 {_yuan(t.period_credit)}；"
                      f"期末借方余额 {_yuan(t.closing_debit)}、贷方余额 {_yuan(t.closing_credit)}"),
    ]
    if period.endswith("-12"):
        left = year_end_leftovers(session, book_id, period)
        items.append(ChecklistItem("已年终结转", not left, "损益类科目、本年收益和各项分配均已结平" if not left
                                   else f"请先进行年终结转，仍有余额的科目：{describe_balances(left)}"))
    return items


def _depreciation_item(session: Session, book_id: uuid.UUID, period: str) -> ChecklistItem:
    """A warning: the month's depreciation is due and not run (资产 → 计提折旧)."""
    from desktop_app.core.services.depreciation import compute_charges, live_run_voucher

    title = "本月折旧已计提"
    try:
        charges = [c for c in compute_charges(session, book_id, period) if c.amount]
    except UserError as err:  # an earlier month never run
        return ChecklistItem(title, False, err.message, blocking=False)
    if charges:
        total = sum((c.amount for c in charges), Decimal("0.00"))
        return ChecklistItem(title, False, f"{len(charges)} 项资产本月应计提折旧共 {_yuan(total)}，尚未计提"
                             "（资产 → 计提折旧）", blocking=False)
    run = live_run_voucher(session, book_id, period)
    return ChecklistItem(title, True, "已计提" if run is not None else "本月没有需要计提折旧的资产", blocking=False)


def _disclosure_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """A warning: the sheets of the last disclosure period before this month are not posted (村/组 only)."""
    from desktop_app.core.services.disclosure import (
        get_disclosure_settings,
        parse_disclosure_period,
        recorded_postings,
    )

    org_id, level, start = session.execute(select(Book.organisation_id, Organisation.level, Book.start_period)
                                           .join(Organisation, Organisation.id == Book.organisation_id)
                                           .where(Book.id == book_id)).one()
    if level not in ("村", "组"):
        return []
    last = prev_period(period)
    if get_disclosure_settings(session, org_id).frequency == "quarter":
        quarter = (int(period[5:]) - 1) // 3  # the quarter before this month's
        last = prev_period(f"{period[:4]}-{quarter * 3 + 1:02d}")
        code = f"{last[:4]}-Q{(int(last[5:]) + 2) // 3}"
    else:
        code = last
    if last < start:
        return []
    shown = parse_disclosure_period(code)
    posted = recorded_postings(session, [book_id], shown).get(book_id)
    return [ChecklistItem("上期财务公开已张贴", posted is not None,
                          f"{shown.label}财务公开表已于 {posted} 张贴" if posted is not None
                          else f"{shown.label}财务公开表尚未登记张贴（财务公开 → 生成、登记张贴）", blocking=False)]


def month_close_checklist(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """Every contributor's items for ``period`` of the book, in :data:`CONTRIBUTORS` order."""
    period = check_period(period)
    items: list[ChecklistItem] = []
    for name in CONTRIBUTORS:
        contribute: Contributor = importlib.import_module(name).close_checklist_items
        items.extend(contribute(session, book_id, period))
    return items


def can_close(items: list[ChecklistItem]) -> bool:
    return all(i.ok or not i.blocking for i in items)
