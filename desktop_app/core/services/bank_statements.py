"""银行对账 (1/3): the bank accounts of a book and the import of their statements (对账单).

A statement is imported for one bank account — a leaf of 银行存款 (102 itself when it has no
sub-accounts; each 明细科目 is one account at one bank) — and one month: every line must fall in
that month. Import is validate → preview → apply, all or nothing. A line is known by its content
(account, date, side, amount, balance, counterparty, summary and its repeat number among
identical lines of the file), so importing the same statement, or an overlapping one, adds each
line once. The balances are checked as a chain (each line's 余额 = the one before ± its amount):
a break usually means a missing line and is shown as a warning.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import BankMatch, BankReconciliation, BankStatementLine
from db.types import uuid7
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import UserRow
from desktop_app.core.services.bank_rows import IN, BankAccountRow, BankImportPreview, StatementInput
from desktop_app.core.services.funds_base import (
    AccountInfo,
    book_accounts,
    check_period,
    get_book_row,
    period_label,
    period_of,
    subtree,
)
from desktop_app.core.services.permissions import RECONCILE_BANK
from desktop_app.core.services.users import require_role

ZERO = Decimal("0.00")


def bank_accounts(session: Session, book_id: uuid.UUID) -> list[BankAccountRow]:
    """The book's bank accounts (leaves of 银行存款) with the first month they have a statement for."""
    book = get_book_row(session, book_id)
    accounts = book_accounts(session, book_id)
    root = charts.account_role(book.chart_version, "bank")
    firsts: dict[str, str] = {code: first for code, first in session.execute(
        select(BankStatementLine.account_code, func.min(BankStatementLine.period))
        .where(BankStatementLine.book_id == book_id, BankStatementLine.deleted.is_(False))
        .group_by(BankStatementLine.account_code))}
    return [BankAccountRow(a.code, a.name, firsts.get(a.code)) for a in subtree(accounts, [root]) if a.is_leaf]


def bank_account(session: Session, book_id: uuid.UUID, code: str) -> AccountInfo:
    """The bank account ``code`` of the book: a leaf of 银行存款, or a refusal saying which to use."""
    book = get_book_row(session, book_id)
    accounts = book_accounts(session, book_id)
    root = charts.account_role(book.chart_version, "bank")
    code = (code or "").strip()
    acc = accounts.get(code)
    leaves = [a for a in subtree(accounts, [root]) if a.is_leaf]
    listing = "、".join(f"{a.code} {a.name}" for a in leaves)
    if acc is None:
        raise NotFoundError(f"科目 {code or '（空）'} 不存在；银行存款科目有：{listing}", field="科目")
    if not code.startswith(root):
        raise ValidationError(f"科目 {code} {acc.name} 不是银行存款科目；银行存款科目有：{listing}", field="科目")
    if not acc.is_leaf:
        raise ValidationError(f"银行存款科目 {code} {acc.name} 有明细科目，请按开户银行指定明细科目：{listing}", field="科目")
    return acc


def first_statement_period(session: Session, book_id: uuid.UUID, account_code: str) -> str | None:
    """The first month the account has statement lines for: reconciliation starts there."""
    return session.scalar(select(func.min(BankStatementLine.period)).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == account_code,
        BankStatementLine.deleted.is_(False)))


def is_reconciled(session: Session, book_id: uuid.UUID, account_code: str, period: str) -> bool:
    return session.scalar(select(BankReconciliation.status).where(
        BankReconciliation.book_id == book_id, BankReconciliation.account_code == account_code,
        BankReconciliation.period == period, BankReconciliation.deleted.is_(False))) == "已对账"


def refuse_if_reconciled(session: Session, book_id: uuid.UUID, account_code: str, period: str, doing: str) -> None:
    if is_reconciled(session, book_id, account_code, period):
        raise ConflictError(f"{account_code} {period_label(period)}已标记“已对账”，不能{doing}；如需更改，请先取消已对账",
                            field="期间")


def _fingerprints(account_code: str, lines: Sequence[StatementInput]) -> list[str]:
    seen: Counter[tuple[object, ...]] = Counter()
    out = []
    for ln in lines:
        key = (ln.line_date.isoformat(), ln.direction, str(ln.amount), str(ln.balance), ln.counterparty or "",
               ln.summary)
        seen[key] += 1
        text = "|".join([account_code, *map(str, key), str(seen[key])])
        out.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return out


def _chronological(lines: Sequence[StatementInput]) -> list[StatementInput]:
    """The file's lines oldest first (a statement exported newest first is turned round)."""
    if len(lines) > 1 and lines[0].line_date > lines[-1].line_date:
        return list(reversed(lines))
    return list(lines)


def _signed(ln: StatementInput) -> Decimal:
    return ln.amount if ln.direction == IN else -ln.amount


def _chain_warnings(lines: list[StatementInput]) -> list[str]:
    out = []
    for before, ln in itertools.pairwise(lines):
        if before.balance is None or ln.balance is None:
            continue
        expected = before.balance + _signed(ln)
        if expected != ln.balance:
            out.append(f"第{ln.row}行余额与上一笔不连续（按上一笔应为 {format_amount(expected)}，对账单为 "
                       f"{format_amount(ln.balance)}），可能缺少交易行或行的顺序不对")
    return out


@dataclass(frozen=True)
class _Checked:
    preview: BankImportPreview
    new: list[tuple[StatementInput, str]]


def _check(session: Session, book_id: uuid.UUID, account_code: str, period: str,
           lines: Sequence[StatementInput]) -> _Checked:
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    errors: list[str] = []
    for ln in lines:
        if period_of(ln.line_date) != period:
            errors.append(f"第{ln.row}行交易日期 {ln.line_date.isoformat()} 不在{period_label(period)}内"
                          "（一次导入一个月的对账单；请选对月份或删去其他月份的行）")
        if ln.direction not in ("收", "付") or ln.amount <= 0:
            errors.append(f"第{ln.row}行：收支方向或金额无效")
    if not lines and not errors:
        errors.append("文件中没有交易记录")
    ordered = _chronological(lines)
    prints = _fingerprints(acc.code, ordered)
    known = set(session.scalars(select(BankStatementLine.fingerprint).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == acc.code,
        BankStatementLine.fingerprint.in_(prints), BankStatementLine.deleted.is_(False))))
    new = [(ln, fp) for ln, fp in zip(ordered, prints, strict=True) if fp not in known]
    if is_reconciled(session, book_id, acc.code, period) and new:
        errors.append(f"{acc.code} {period_label(period)}已标记“已对账”，不能再导入对账单；如需更改，请先取消已对账")
    closing = next((ln.balance for ln in reversed(ordered) if ln.balance is not None), None)
    preview = BankImportPreview(
        acc.code, acc.name, period, len(new), len(ordered) - len(new),
        sum((ln.amount for ln in ordered if ln.direction == IN), ZERO),
        sum((ln.amount for ln in ordered if ln.direction != IN), ZERO), closing, tuple(errors),
        tuple(_chain_warnings(ordered)))
    return _Checked(preview, new)


def preview_bank_statement(session: Session, book_id: uuid.UUID, account_code: str, period: str,
                           lines: Sequence[StatementInput]) -> BankImportPreview:
    """What importing ``lines`` would do: lines new and already imported, totals, closing balance,
    every error (第N行…) and warning (余额不连续)."""
    return _check(session, book_id, account_code, period, lines).preview


def import_bank_statement(session: Session, book_id: uuid.UUID, account_code: str, period: str,
                          lines: Sequence[StatementInput], *, source_name: str, source_hash: str,
                          user: UserRow) -> BankImportPreview:
    """Store the statement's new lines (all or nothing; refuses listing the errors); audited."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    checked = _check(session, book_id, account_code, period, lines)
    p = checked.preview
    if not p.ok:
        more = "……" if len(p.errors) > 5 else ""
        raise ValidationError(f"对账单有 {len(p.errors)} 处错误，未导入（没有写入任何数据）：{'；'.join(p.errors[:5])}{more}",
                              field="对账单")
    if not checked.new:
        return p
    start = session.scalar(select(func.max(BankStatementLine.seq)).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == p.account_code,
        BankStatementLine.period == p.period)) or 0
    # a line deleted with its statement (delete_statement) and imported again revives its row
    gone = {r.fingerprint: r for r in session.scalars(select(BankStatementLine).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == p.account_code,
        BankStatementLine.fingerprint.in_([fp for _ln, fp in checked.new]), BankStatementLine.deleted.is_(True)))}
    rows = []
    for i, (ln, fp) in enumerate(checked.new, start=1):
        values = {"book_id": book_id, "account_code": p.account_code, "period": p.period, "line_date": ln.line_date,
                  "seq": start + i, "summary": ln.summary, "direction": ln.direction, "amount": ln.amount,
                  "balance": ln.balance, "counterparty": ln.counterparty, "source_name": source_name[:200],
                  "source_hash": source_hash, "source_row": ln.row, "fingerprint": fp}
        if fp in gone:
            for key, value in values.items():
                setattr(gone[fp], key, value)
            gone[fp].deleted = False
        else:
            rows.append({"id": uuid7(), **values})
    session.flush()
    bulk_insert(session, BankStatementLine, rows)
    book = get_book_row(session, book_id)
    record_audit(session, AuditRecord(
        "import", "bank_statement_line", str(book_id),
        f"{book.name}：导入 {p.account_code} {p.account_name} {period_label(p.period)}银行对账单 {source_name}"
        f"（新增 {p.new_lines} 行，已导入过 {p.known_lines} 行）", None,
        {"account": p.account_code, "period": p.period, "file": source_name, "sha256": source_hash,
         "new": p.new_lines, "known": p.known_lines, "in": str(p.total_in), "out": str(p.total_out)}))
    return p


def delete_statement(session: Session, book_id: uuid.UUID, account_code: str, period: str, *,
                     user: UserRow) -> int:
    """删除本月对账单 (one imported into the wrong account or month): the month's lines and the
    match groups they are in are tombstoned; refused for a month marked 已对账. Audited; returns
    the number of lines. Importing them again later revives them."""
    require_role(session, user, *RECONCILE_BANK, book_id=book_id)
    acc = bank_account(session, book_id, account_code)
    period = check_period(period)
    refuse_if_reconciled(session, book_id, acc.code, period, "删除对账单")
    lines = list(session.scalars(select(BankStatementLine).where(
        BankStatementLine.book_id == book_id, BankStatementLine.account_code == acc.code,
        BankStatementLine.period == period, BankStatementLine.deleted.is_(False))))
    if not lines:
        raise NotFoundError(f"{acc.code} {period_label(period)}没有导入对账单", field="对账单")
    ids = [ln.id for ln in lines]
    groups = set(session.scalars(select(BankMatch.group_id).where(
        BankMatch.statement_line_id.in_(ids), BankMatch.deleted.is_(False))))
    for m in session.scalars(select(BankMatch).where(BankMatch.group_id.in_(groups), BankMatch.deleted.is_(False))):
        refuse_if_reconciled(session, book_id, acc.code, m.period, "删除其中已勾对的对账单行")
        m.deleted = True
    for ln in lines:
        ln.deleted = True
    session.flush()
    book = get_book_row(session, book_id)
    record_audit(session, AuditRecord(
        "delete", "bank_statement_line", str(book_id),
        f"{book.name}：删除 {acc.code} {acc.name} {period_label(period)}银行对账单 {len(lines)} 行（勾对 {len(groups)} 组一并取消）",
        {"account": acc.code, "period": period, "lines": len(lines), "files": sorted({ln.source_name for ln in lines})},
        None))
    return len(lines)
