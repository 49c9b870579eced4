"""银行对账 (3/3): the 银行存款余额调节表 of a bank account for a month, marking the month 已对账, and
the month-close checklist's item.

调节后企业余额 = 银行存款日记账余额 + 银行已收企业未收 − 银行已付企业未付;
调节后银行余额 = 对账单余额 + 企业已收银行未收 − 企业已付银行未付. The 对账单余额 is the balance of
the month's last statement line (of the latest earlier month when the month has none). A month is
marked 已对账 only when the two agree; the mark keeps the balances it saw, so the checklist can
tell when the books changed afterwards. Marking and taking it back are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import BankReconciliation, BankStatementLine
from db.types import utcnow
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.bank_matching import bank_items
from desktop_app.core.services.bank_rows import IN, BankItem, BankReconciliationReport, ReconciliationState
from desktop_app.core.services.bank_statements import bank_account, bank_accounts
from desktop_app.core.services.close_checklist import ChecklistItem
from desktop_app.core.services.funds_base import (
    book_accounts,
    check_period,
    get_book_row,
    period_label,
    subtree,
)
from desktop_app.core.services.permissions import RECONCILE_BANK
from desktop_app.core.services.users import require_role

ZERO = Decimal("0.00")


def _state(session: Session, book_id: uuid.UUID, code: str, period: str) -> ReconciliationState | None:
    r = session.execute(select(BankReconciliation).where(
        BankReconciliation.book_id == book_id, BankReconciliation.account_code == code,
        BankReconciliation.period == period, BankReconciliation.deleted.is_(False))).scalar_one_or_none()
    if r is None:
        return None
    return ReconciliationState(r.status, r.book_balance, r.bank_balance, r.adjusted_balance, r.reconciled_by,
                               r.reconciled_at)


def statement_balance(session: Session, book_id: uuid.UUID, code: str, period: str) -> Decimal | None:
    """The bank's balance at the end of ``period``: that of the end of the balance chain of the
    latest month with statement lines up to ``period`` (the line no other line continues: right
    however the month's files were imported, and for a line a bank lists late with an earlier
    date); where the chain does not tell, the latest line by date and order in its file."""
    latest = session.scalar(select(func.max(BankStatementLine.period)).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == code,
        BankStatementLine.deleted.is_(False), BankStatementLine.period <= period,
        BankStatementLine.balance.is_not(None)))
    if latest is None:
        return None
    lines = session.execute(
        select(BankStatementLine.id, BankStatementLine.direction, BankStatementLine.amount, BankStatementLine.balance)
        .where(BankStatementLine.book_id == book_id, BankStatementLine.account_code == code,
               BankStatementLine.deleted.is_(False), BankStatementLine.period == latest,
               BankStatementLine.balance.is_not(None))
        .order_by(BankStatementLine.line_date, BankStatementLine.seq)).all()
    # the balance each line follows (a line never follows itself: its amount is not zero)
    followed = {ln.balance - (ln.amount if ln.direction == IN else -ln.amount) for ln in lines}
    ends = [ln for ln in lines if ln.balance not in followed]
    balance: Decimal = (ends if len(ends) == 1 else lines)[-1].balance
    return balance


def book_balance(session: Session, book_id: uuid.UUID, code: str, period: str) -> Decimal:
    accounts = book_accounts(session, book_id)
    ids = [a.id for a in subtree(accounts, [code])]
    at_end = balances_at_end(session, book_id, period)
    return sum((at_end.get(i, ZERO) for i in ids), ZERO)


def reconciliation_report(session: Session, book_id: uuid.UUID, account_code: str,
                          period: str) -> BankReconciliationReport:
    """The 银行存款余额调节表 of the account for ``period``."""
    from desktop_app.core.services.orgs import get_organisation

    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    book = get_book_row(session, book_id)
    org = get_organisation(session, book.organisation_id)
    open_items = [i for i in bank_items(session, book_id, acc.code, period) if i.group_id is None]

    def pick(side: str, direction: str) -> tuple[BankItem, ...]:
        return tuple(i for i in open_items if i.side == side and i.direction == direction)

    lines = sum(1 for _ in session.scalars(select(BankStatementLine.id).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == acc.code,
        BankStatementLine.period == period, BankStatementLine.deleted.is_(False))))
    return BankReconciliationReport(
        org.name, book.name, acc.code, acc.name, period, book_balance(session, book_id, acc.code, period),
        statement_balance(session, book_id, acc.code, period), pick("bank", IN), pick("bank", "付"),
        pick("book", IN), pick("book", "付"), lines, _state(session, book_id, acc.code, period))


def mark_reconciled(session: Session, book_id: uuid.UUID, account_code: str, period: str, *,
                    user: UserRow) -> BankReconciliationReport:
    """标记已对账: only when the adjusted balances agree; audited."""
    me = require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    report = reconciliation_report(session, book_id, account_code, period)
    label = f"{report.account_code} {report.account_name} {period_label(report.period)}"
    if report.reconciled:
        raise ConflictError(f"{label}已标记已对账", field="期间")
    if report.bank_balance is None:
        raise ValidationError(f"{label}还没有导入银行对账单，不能标记已对账", field="对账单")
    if not report.balanced:
        raise ValidationError(
            f"{label}调节后余额不相等，不能标记已对账：企业调节后 {format_amount(report.adjusted_book)}，银行调节后 "
            f"{format_amount(report.adjusted_bank or ZERO)}，相差 {format_amount(report.difference or ZERO)}。"
            "请核对未达账项（勾对遗漏的、金额或方向记错的）", field="调节表")
    row = session.execute(select(BankReconciliation).where(
        BankReconciliation.book_id == book_id, BankReconciliation.account_code == report.account_code,
        BankReconciliation.period == report.period)).scalar_one_or_none()
    before = {"status": row.status} if row is not None and not row.deleted else None
    if row is None:
        row = BankReconciliation(book_id=book_id, account_code=report.account_code, period=report.period,
                                 status="已对账", book_balance=ZERO, bank_balance=ZERO, adjusted_balance=ZERO)
        session.add(row)
    assert report.bank_balance is not None
    row.status, row.deleted = "已对账", False
    row.book_balance, row.bank_balance, row.adjusted_balance = (report.book_balance, report.bank_balance,
                                                                report.adjusted_book)
    row.reconciled_by, row.reconciled_at = me.display_name, utcnow()
    session.flush()
    record_audit(session, AuditRecord(
        "reconcile", "bank_reconciliation", str(row.id),
        f"{report.book_name}：{label}标记已对账（调节后余额 {format_amount(report.adjusted_book)}，"
        f"未达账项 {sum(len(s[3]) for s in report.sections())} 笔）", before,
        {"status": "已对账", "book_balance": str(report.book_balance), "bank_balance": str(report.bank_balance),
         "adjusted": str(report.adjusted_book)}))
    return replace(report, state=_state(session, book_id, report.account_code, report.period))  # nothing else changed


def unmark_reconciled(session: Session, book_id: uuid.UUID, account_code: str, period: str, *, user: UserRow,
                      reason: str = "") -> BankReconciliationReport:
    """取消已对账 (to change an import or a match of the month); audited with the reason."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    row = session.execute(select(BankReconciliation).where(
        BankReconciliation.book_id == book_id, BankReconciliation.account_code == acc.code,
        BankReconciliation.period == period, BankReconciliation.deleted.is_(False))).scalar_one_or_none()
    if row is None or row.status != "已对账":
        raise ConflictError(f"{acc.code} {period_label(period)}没有标记已对账", field="期间")
    row.status = "未对账"
    session.flush()
    book = get_book_row(session, book_id)
    record_audit(session, AuditRecord(
        "unreconcile", "bank_reconciliation", str(row.id),
        f"{book.name}：{acc.code} {acc.name} {period_label(period)}取消已对账" + (f"（{reason.strip()}）" if reason.strip()
                                                                             else ""),
        {"status": "已对账", "adjusted": str(row.adjusted_balance)}, {"status": "未对账", "reason": reason.strip()}))
    return reconciliation_report(session, book_id, account_code, period)


def close_checklist_items(session: Session, book_id: uuid.UUID, period: str) -> list[ChecklistItem]:
    """One warning per bank account with a balance or movement in the month: 已对账 (and the books
    unchanged since), or not."""
    from desktop_app.core.services.balances import period_totals

    try:
        banks = bank_accounts(session, book_id)
    except charts.ChartError:  # a chart without 银行存款
        return []
    moved = period_totals(session, book_id, period, period)
    items = []
    accounts = book_accounts(session, book_id)
    for acc in banks:
        info = accounts[acc.code]
        balance = book_balance(session, book_id, acc.code, period)
        if not balance and info.id not in moved:
            continue
        title = f"银行存款已对账：{acc.code} {acc.name}"
        state = _state(session, book_id, acc.code, period)
        if state is None or state.status != "已对账":
            detail = "本月未对账（银行对账页：导入对账单、勾对，余额调节表平衡后标记已对账）"
            items.append(ChecklistItem(title.replace("已对账", "未对账", 1), False, detail, blocking=False))
        elif state.book_balance != balance:
            items.append(ChecklistItem(title, False, f"标记已对账后账面余额有变动（标记时 {format_amount(state.book_balance)}，"
                                                     f"现在 {format_amount(balance)}），请重新对账", blocking=False))
        else:
            items.append(ChecklistItem(title, True, f"{state.reconciled_by or ''}已对账，调节后余额 "
                                                    f"{format_amount(state.adjusted_balance)}", blocking=False))
    return items
