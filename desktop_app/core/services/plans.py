"""The 年度财务计划 (财务收支计划, REFERENCE §1.2) of a book: a planned amount per income or expense
account for a year, entered or imported, and read back as plan against actual.

A plan names first-level accounts or their detail accounts, never both in one line of descent
(so the totals are plain sums). Setting a year's plan replaces it, all or nothing, audited; lines
it drops are tombstoned. The actual figures are the 收支明细表's (``statements.
income_expense_statement``) for the year to date, year-end closing vouchers left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import BudgetLine
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.money import MAX_AMOUNT, parse_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_funds import PlanAccountRow, PlanInput, PlanLineRow, PlanReport, PlanSaved
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, check_period, get_book_row
from desktop_app.core.services.users import require_role

__all__ = ["PlanInput", "PlanPreview", "get_plan", "has_plan", "plan_accounts", "plan_vs_actual", "preview_plan",
           "set_plan"]

ZERO = Decimal("0.00")
PLAN_ROLES = ("bookkeeper", "reviewer")
SIDES = (("贷", "收入"), ("借", "支出"))


@dataclass(frozen=True)
class PlanPreview:
    """What a plan would be: the lines kept (zero amounts left out) and every error found."""

    lines: tuple[tuple[PlanAccountRow, Decimal], ...]
    income: Decimal
    expense: Decimal
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _pl_accounts(session: Session, book_id: uuid.UUID) -> dict[str, AccountInfo]:
    return {c: a for c, a in book_accounts(session, book_id).items() if a.category == "损益"}


def _side(acc: AccountInfo) -> str:
    return "收入" if acc.normal_side == "贷" else "支出"


def _check_year(session: Session, book_id: uuid.UUID, year: int) -> int:
    book = get_book_row(session, book_id)
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2200:
        raise ValidationError("年度无效", field="年度")
    if year < int(book.start_period[:4]):
        raise ValidationError(f"账套自{book.start_period[:4]}年启用，不能编列{year}年的财务计划", field="年度")
    return year


def _stored(session: Session, book_id: uuid.UUID, year: int) -> dict[str, BudgetLine]:
    return {r.account_code: r for r in session.scalars(
        select(BudgetLine).where(BudgetLine.book_id == book_id, BudgetLine.year == year))}


def plan_accounts(session: Session, book_id: uuid.UUID, year: int) -> list[PlanAccountRow]:
    """Every income and expense account of the book (in code order) with the year's planned amount."""
    stored = {c: r for c, r in _stored(session, book_id, year).items() if not r.deleted}
    return [PlanAccountRow(a.code, a.name, _side(a), a.level, a.is_leaf,
                           stored[a.code].amount if a.code in stored else None,
                           stored[a.code].note if a.code in stored else None)
            for a in _pl_accounts(session, book_id).values()]


def get_plan(session: Session, book_id: uuid.UUID, year: int) -> list[PlanAccountRow]:
    """The planned lines only."""
    return [r for r in plan_accounts(session, book_id, year) if r.amount is not None]


def has_plan(session: Session, book_id: uuid.UUID, year: int) -> bool:
    return session.scalar(select(BudgetLine.id).where(BudgetLine.book_id == book_id, BudgetLine.year == year,
                                                      BudgetLine.deleted.is_(False)).limit(1)) is not None


def preview_plan(session: Session, book_id: uuid.UUID, year: int, lines: Sequence[PlanInput]) -> PlanPreview:
    """Check a plan against the book's chart; every error names its row (第N行) in Chinese."""
    all_accounts = book_accounts(session, book_id)
    accounts = {c: a for c, a in all_accounts.items() if a.category == "损益"}  # what _pl_accounts gives
    by_id = {a.id: a for a in all_accounts.values()}
    errors: list[str] = []
    good: dict[str, tuple[AccountInfo, Decimal, str | None]] = {}
    for i, ln in enumerate(lines, start=1):
        where = f"第{ln.row or i}行"
        code = (ln.account_code or "").strip()
        acc = accounts.get(code)
        if acc is None:
            other = all_accounts.get(code)
            errors.append(f"{where}“科目编码”列：" + (f"科目 {code} {other.name} 不是收入或支出科目" if other
                                                    else f"科目 {code or '（空）'} 不存在"))
            continue
        if code in good:
            errors.append(f"{where}“科目编码”列：科目 {code} 重复")
            continue
        amount = ln.amount
        if isinstance(amount, float) or not isinstance(amount, Decimal) or not amount.is_finite():
            errors.append(f"{where}“计划金额”列：金额必须是精确的数字")
            continue
        if amount < 0:
            errors.append(f"{where}“计划金额”列：计划金额不能为负数")
            continue
        if amount != amount.quantize(Decimal("0.01")) or amount > MAX_AMOUNT:
            errors.append(f"{where}“计划金额”列：金额最多两位小数且不超过 999,999,999,999.99 元")
            continue
        note = (ln.note or "").strip() or None
        if note and len(note) > 200:
            errors.append(f"{where}“说明”列：不能超过200个字")
            continue
        if amount:
            good[code] = (acc, amount.quantize(Decimal("0.01")), note)
    for code, (acc, _amount, _note) in good.items():  # a line and one of its ancestors: counted twice
        parent = by_id.get(acc.parent_id) if acc.parent_id else None
        while parent is not None:
            if parent.code in good:
                errors.append(f"科目 {parent.code} {parent.name} 与其明细科目 {code} {acc.name} 不能同时编列计划"
                              "（只填一级科目，或只填其明细科目）")
            parent = by_id.get(parent.parent_id) if parent.parent_id else None
    rows = tuple((PlanAccountRow(a.code, a.name, _side(a), a.level, a.is_leaf, amount, note), amount)
                 for a, amount, note in sorted(good.values(), key=lambda g: g[0].code))
    income = sum((amt for r, amt in rows if r.side == "收入"), ZERO)
    return PlanPreview(rows, income, sum((amt for r, amt in rows if r.side == "支出"), ZERO), tuple(errors))


def set_plan(session: Session, book_id: uuid.UUID, year: int, lines: Sequence[PlanInput], *,
             user: UserRow, expected: Sequence[PlanAccountRow] | None = None) -> PlanSaved:
    """Replace the book's plan for ``year`` (all or nothing; refuses listing the errors).
    ``expected`` (the plan as ``get_plan`` read it): refuse if it changed since (undo of a save)."""
    require_role(session, user, *PLAN_ROLES, book_id=book_id)
    year = _check_year(session, book_id, year)
    if expected is not None and get_plan(session, book_id, year) != list(expected):
        raise ConflictError(f"{year}年度财务计划已被再次修改，不能撤销", field="财务计划")
    preview = preview_plan(session, book_id, year, lines)
    if not preview.ok:
        raise ValidationError("；".join(preview.errors[:20]) + ("……" if len(preview.errors) > 20 else ""),
                              field="财务计划")
    book = get_book_row(session, book_id)
    existing = _stored(session, book_id, year)
    before = {c: [str(r.amount), r.note] for c, r in existing.items() if not r.deleted}
    for row, amount in preview.lines:
        stored = existing.pop(row.code, None)
        if stored is None:
            session.add(BudgetLine(book_id=book_id, year=year, account_code=row.code, amount=amount, note=row.note))
        elif stored.deleted or stored.amount != amount or stored.note != row.note:
            stored.amount, stored.note, stored.deleted = amount, row.note, False
    for stored in existing.values():
        if not stored.deleted:
            stored.deleted = True
    session.flush()
    after = {r.code: [str(amount), r.note] for r, amount in preview.lines}
    if before != after:
        record_audit(session, AuditRecord(
            "update", "budget_line", str(book_id),
            f"{book.name}：{'编列' if not before else '调整'}{year}年度财务计划（{len(after)}个科目，"
            f"收入 {preview.income}，支出 {preview.expense}）", before or None, after))
    return PlanSaved(book_id, year, len(preview.lines), preview.income, preview.expense)


def plan_vs_actual(session: Session, book_id: uuid.UUID, year: int, through: str | None = None) -> PlanReport:
    """本年预算 against 本年累计实际 from the year's start (or the book's) to the end of ``through``
    (default: December): a line per planned or moving first-level account, its planned detail
    accounts under it, 收入合计, 支出合计, 收支差额."""
    from desktop_app.core.services.statements import income_expense_statement

    book = get_book_row(session, book_id)
    last = check_period(through or f"{year}-12", "截止期间")
    if last[:4] != str(year):
        raise ValidationError("截止期间须在计划年度内", field="截止期间")
    first = max(f"{year}-01", book.start_period)
    if last < first:
        raise ValidationError(f"账套自{book.start_period}启用", field="截止期间")
    st = income_expense_statement(session, book_id, first, last)
    actual = {ln.code: ln.values[0] or ZERO for ln in st.lines if ln.code}
    accounts = _pl_accounts(session, book_id)
    stored = {c: r.amount for c, r in _stored(session, book_id, year).items() if not r.deleted}
    by_id = {a.id: a for a in accounts.values()}

    def top(acc: AccountInfo) -> AccountInfo:
        while acc.parent_id is not None and acc.parent_id in by_id:
            acc = by_id[acc.parent_id]
        return acc

    lines: list[PlanLineRow] = []
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for side, heading in SIDES:
        t_plan = t_act = ZERO
        for acc in accounts.values():
            if acc.level != 1 or acc.normal_side != side:
                continue
            details = [a for a in accounts.values() if a.level > 1 and a.code in stored and top(a) is acc]
            planned = stored.get(acc.code)
            if planned is None and details:
                planned = sum((stored[a.code] for a in details), ZERO)
            got = actual.get(acc.code, ZERO)
            if planned is None and not got:
                continue
            lines.append(PlanLineRow(acc.name, acc.code, heading, 0, planned, got))
            lines.extend(PlanLineRow(a.name, a.code, heading, a.level - 1, stored[a.code], actual.get(a.code, ZERO))
                         for a in details)
            t_plan, t_act = t_plan + (planned or ZERO), t_act + got
        lines.append(PlanLineRow(f"{heading}合计", None, heading, 0, t_plan, t_act, is_total=True))
        totals[heading] = (t_plan, t_act)
    lines.append(PlanLineRow("收支差额（收入合计－支出合计）", None, "差额", 0, totals["收入"][0] - totals["支出"][0],
                             totals["收入"][1] - totals["支出"][1], is_total=True))
    return PlanReport(book_id, year, last, tuple(lines), bool(stored))


def parse_plan_amount(value: str | int | Decimal, row: int | None = None) -> Decimal:
    """An amount typed in the plan's table or read from a sheet's text ("12,000" "１２０００元")."""
    try:
        return parse_amount(value, field="计划金额")
    except ValidationError as err:
        raise ValidationError(err.message, row=row, field="计划金额") from None
