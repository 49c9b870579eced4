"""Validation of voucher lines (before anything is written) and reading vouchers back as rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from db.models import Account, Entry, Voucher
from db.types import Fen
from desktop_app.core.errors import ValidationError
from desktop_app.core.money import MAX_AMOUNT, check_amount, format_amount
from desktop_app.core.rows_funds import LineRow, VoucherRow
from desktop_app.core.services.funds_base import AccountInfo

ZERO = Decimal("0.00")
KNOWN_FLAGS = ("一事一议", "工程招投标", "征地补偿", "重大事项", "扶贫资金")


@dataclass(frozen=True)
class LineInput:
    """One line as typed: a leaf account, a debit *or* a credit amount, optional references."""

    account_code: str
    debit: Decimal = Decimal("0.00")
    credit: Decimal = Decimal("0.00")
    summary: str | None = None
    counterparty: str | None = None
    project_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CheckedLine:
    line_no: int
    account: AccountInfo
    debit: Decimal
    credit: Decimal
    summary: str | None
    counterparty: str | None
    project_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    asset_id: uuid.UUID | None


def _amount(value: object, row: int, field: str) -> Decimal:
    # the common case first (bulk posting checks every line): already a finite amount in 分
    if type(value) is Decimal and value.is_finite() and value.as_tuple().exponent == -2 and abs(value) <= MAX_AMOUNT:
        return value
    return check_amount(value, field=field, row=row, allow_negative=True)  # sign and zero: check_lines


def _text(value: str | None, limit: int, row: int, field: str) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(f"不能超过{limit}个字", row=row, field=field)
    return text or None


def check_lines(accounts: dict[str, AccountInfo], lines: Sequence[LineInput], *,
                red: bool = False) -> list[CheckedLine]:
    """Every refusal names the line (row = 1-based line number) and the field, in Chinese.

    ``red`` allows negative amounts (红字冲销 lines); otherwise amounts must be > 0.
    """
    if len(lines) < 2:
        raise ValidationError("凭证至少要有两行分录（一借一贷）", field="分录")
    out: list[CheckedLine] = []
    for i, line in enumerate(lines, start=1):
        code = (line.account_code or "").strip()
        acc = accounts.get(code)
        if acc is None:
            raise ValidationError(f"科目 {code or '（空）'} 不存在", row=i, field="科目")
        if not acc.is_leaf:
            raise ValidationError(f"科目 {code} {acc.name} 有明细科目，只能使用末级科目记账", row=i, field="科目")
        if not acc.active:
            raise ValidationError(f"科目 {code} {acc.name} 已停用", row=i, field="科目")
        debit = _amount(line.debit, i, "借方金额")
        credit = _amount(line.credit, i, "贷方金额")
        if (debit != 0) == (credit != 0):
            raise ValidationError("每行只能填借方或贷方其中一方的金额" if debit else "借方和贷方金额不能都为零",
                                  row=i, field="金额")
        if not red and (debit < 0 or credit < 0):
            raise ValidationError("金额必须大于零（冲销请使用红字冲销功能）", row=i, field="借方金额" if debit else "贷方金额")
        out.append(CheckedLine(i, acc, debit, credit, _text(line.summary, 200, i, "摘要"),
                               _text(line.counterparty, 100, i, "往来单位"),
                               line.project_id, line.contract_id, line.asset_id))
    total_d = sum((c.debit for c in out), ZERO)
    total_c = sum((c.credit for c in out), ZERO)
    if total_d != total_c:
        raise ValidationError(f"借贷不平衡：借方合计 {format_amount(total_d)}，贷方合计 {format_amount(total_c)}，相差 {format_amount(total_d - total_c)}",
                              field="分录")
    if total_d == 0:
        raise ValidationError("凭证金额合计不能为零", field="分录")
    return out


def check_flags(flags: Sequence[str]) -> str:
    clean = [f.strip() for f in flags if f and f.strip()]
    for f in clean:
        if "," in f or len(f) > 20:
            raise ValidationError(f"特殊事项标记“{f}”不合法", field="特殊事项")
    return ",".join(dict.fromkeys(clean))


def entry_rows(voucher_id: uuid.UUID, book_id: uuid.UUID, period: str,
               lines: Sequence[CheckedLine]) -> list[dict[str, object]]:
    return [{
        "voucher_id": voucher_id, "book_id": book_id, "period": period, "line_no": c.line_no,
        "account_id": c.account.id, "debit": c.debit, "credit": c.credit, "summary": c.summary,
        "counterparty": c.counterparty, "project_id": c.project_id, "contract_id": c.contract_id,
        "asset_id": c.asset_id,
    } for c in lines]


_VCOLS = (Voucher.id, Voucher.book_id, Voucher.period, Voucher.number, Voucher.voucher_date, Voucher.summary,
          Voucher.attachments, Voucher.status, Voucher.maker_name, Voucher.reviewer_name, Voucher.poster_name,
          Voucher.source_kind, Voucher.source_id, Voucher.flags, Voucher.reversal_of_id, Voucher.void_reason)


def voucher_query() -> object:
    total = (select(func.coalesce(func.sum(Entry.debit), 0))
             .where(Entry.voucher_id == Voucher.id, Entry.deleted.is_(False)).scalar_subquery())
    return select(*_VCOLS, type_coerce(total, Fen())).where(Voucher.deleted.is_(False))


def to_voucher_row(r: Sequence[object]) -> VoucherRow:
    flags = tuple(f for f in str(r[13] or "").split(",") if f)
    return VoucherRow(*r[:13], flags, r[14], r[15], r[16])  # type: ignore[arg-type,call-arg]


def read_lines(session: Session, voucher_id: uuid.UUID) -> tuple[LineRow, ...]:
    rows = session.execute(
        select(Entry.line_no, Account.code, Account.name, Entry.debit, Entry.credit, Entry.summary,
               Entry.counterparty, Entry.project_id, Entry.contract_id, Entry.asset_id)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.voucher_id == voucher_id, Entry.deleted.is_(False)).order_by(Entry.line_no)
    ).all()
    return tuple(LineRow(*r) for r in rows)  # type: ignore[call-arg]
