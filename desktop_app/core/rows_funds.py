"""Frozen rows of the funds area (vouchers, periods, balances, statements) for UI, reports and CLI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")


def balance_sides(amount: Decimal) -> tuple[Decimal, Decimal]:
    """A debit-positive balance as (debit, credit), each ≥ 0: the way books show a balance."""
    return (amount, ZERO) if amount >= 0 else (ZERO, -amount)


def balance_direction(amount: Decimal) -> tuple[str, Decimal]:
    """A debit-positive balance as (方向, 余额): ("借", 5.00), ("贷", 5.00) or ("平", 0.00)."""
    debit, credit = balance_sides(amount)
    if amount == 0:
        return "平", ZERO
    return ("借", debit) if amount > 0 else ("贷", credit)


@dataclass(frozen=True)
class VoucherRow:
    id: uuid.UUID
    book_id: uuid.UUID
    period: str  # YYYY-MM
    number: int
    voucher_date: date
    summary: str
    attachments: int
    status: str  # 填制 / 审核 / 记账 / 作废
    maker_name: str
    reviewer_name: str | None
    poster_name: str | None
    source_kind: str | None
    source_id: uuid.UUID | None
    flags: tuple[str, ...]
    reversal_of_id: uuid.UUID | None
    void_reason: str | None
    total: Decimal  # debit total (= credit total)

    @property
    def code(self) -> str:
        """What the user reads: 记-0005 (number within the month)."""
        return f"记-{self.number:04d}"


@dataclass(frozen=True)
class LineRow:
    line_no: int
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal
    summary: str | None
    counterparty: str | None
    project_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    asset_id: uuid.UUID | None


@dataclass(frozen=True)
class VoucherDetail:
    voucher: VoucherRow
    lines: tuple[LineRow, ...]
    total_in_words: str
    reversed_by_id: uuid.UUID | None


@dataclass(frozen=True)
class PeriodRow:
    book_id: uuid.UUID
    period: str
    status: str  # open / closed
    seal_hash: str | None
    closed_by: str | None
    closed_at: datetime | None
    reopen_count: int
    last_reopen_reason: str | None

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class PeriodReopenInfo:
    """What a disclosure sheet must say about a period that was reopened after closing."""

    period: str
    reopen_count: int
    last_reason: str
    last_reopened_by: str | None
    last_reopened_at: datetime | None
    closed_again: bool


@dataclass(frozen=True)
class BalanceRow:
    """One line of the 科目余额表; amounts are shown on their side (借/贷), never negative there."""

    account_id: uuid.UUID | None
    code: str
    name: str
    level: int
    category: str
    is_leaf: bool
    opening_debit: Decimal
    opening_credit: Decimal
    period_debit: Decimal
    period_credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal

    @property
    def opening(self) -> Decimal:
        """Debit-positive opening balance."""
        return self.opening_debit - self.opening_credit

    @property
    def closing(self) -> Decimal:
        return self.closing_debit - self.closing_credit


@dataclass(frozen=True)
class JournalLine:
    voucher_id: uuid.UUID | None
    voucher_date: date | None
    period: str
    voucher_number: int | None
    summary: str
    account_code: str
    counterparty: str | None
    debit: Decimal
    credit: Decimal
    balance: Decimal  # debit-positive running balance
    kind: str  # "opening" / "entry" / "month_total" / "year_total"
    direction: str  # 借 / 贷 / 平 of the running balance
    balance_amount: Decimal  # the running balance on its side (never negative)


@dataclass(frozen=True)
class Journal:
    """现金日记账 / 银行存款日记账 / 明细账 of one account (with its sub-accounts)."""

    account_code: str
    account_name: str
    period_from: str
    period_to: str
    opening: Decimal
    debit_total: Decimal
    credit_total: Decimal
    closing: Decimal
    lines: tuple[JournalLine, ...]


@dataclass(frozen=True)
class GeneralLedgerLine:
    code: str
    name: str
    period: str
    opening: Decimal  # debit-positive
    debit: Decimal
    credit: Decimal
    closing: Decimal  # debit-positive
    opening_direction: str  # 借 / 贷 / 平
    opening_amount: Decimal  # on its side (never negative)
    closing_direction: str
    closing_amount: Decimal


@dataclass(frozen=True)
class StatementLine:
    label: str
    line_no: int | None
    values: tuple[Decimal | None, ...]
    code: str | None = None
    indent: int = 0
    is_total: bool = False
    is_heading: bool = False


@dataclass(frozen=True)
class Statement:
    """A statutory statement ready to print: header, columns, lines, footer data."""

    kind: str  # trial-balance / income-expense / balance-sheet / income-distribution
    title: str
    organisation: str
    organisation_code: str
    book_name: str
    chart_version: str
    period_from: str
    period_to: str
    period_label: str
    columns: tuple[str, ...]  # value column headers (the label column is implicit)
    lines: tuple[StatementLine, ...]
    seal_hash: str | None  # the last sealed period in range (printed as a QR code)
    notes: tuple[str, ...] = ()
    label_header: str = "项目"


@dataclass(frozen=True)
class IncomeFigures:
    """The one computation of income figures (district tiers and distribution use it)."""

    book_id: uuid.UUID
    period_from: str
    period_to: str
    operating_income: Decimal  # 经营性收入 (2023: 501 + 502; 2004: 501 + 511 + 561)
    total_income: Decimal  # 总收入
    subsidy_income: Decimal  # 补助收入
    total_expense: Decimal  # 总支出
    net_income: Decimal  # 本年收益 = 总收入 − 总支出


@dataclass(frozen=True)
class PlanInput:
    """One planned amount as typed or imported (``row``: the spreadsheet row it came from)."""

    account_code: str
    amount: Decimal
    note: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class PlanAccountRow:
    """An income or expense account of a book with its planned amount for a year (None: unplanned),
    in code order: the rows of the plan's entry table, template and export."""

    code: str
    name: str
    side: str  # 收入 / 支出
    level: int
    is_leaf: bool
    amount: Decimal | None
    note: str | None


@dataclass(frozen=True)
class PlanSaved:
    book_id: uuid.UUID
    year: int
    lines: int
    income: Decimal
    expense: Decimal


@dataclass(frozen=True)
class PlanLineRow:
    """One line of plan against actual: 本年预算, 本年累计实际 (year to date), 执行率 (%, one place)."""

    label: str
    code: str | None
    side: str  # 收入 / 支出 / 差额
    indent: int
    planned: Decimal | None
    actual: Decimal
    is_total: bool = False

    @property
    def rate(self) -> Decimal | None:
        if not self.planned or self.planned <= 0:
            return None
        return (self.actual * 100 / self.planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanReport:
    book_id: uuid.UUID
    year: int
    through: str  # YYYY-MM: the actual figures run from the year's start to the end of this month
    lines: tuple[PlanLineRow, ...]
    has_plan: bool
