"""The frozen rows of 银行对账 (what the reader, the services, the reports and the page exchange)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desktop_app.core.money import format_amount

IN, OUT = "收", "付"  # the depositor's side: 收 = money into the bank account (a 借 of 102)


@dataclass(frozen=True)
class StatementInput:
    """One transaction read from a bank's file; ``row`` is the file's row number (Excel's 第N行)."""

    row: int
    line_date: date
    direction: str  # 收 / 付
    amount: Decimal  # > 0
    balance: Decimal | None
    summary: str
    counterparty: str | None


@dataclass(frozen=True)
class StatementFile:
    """What a bank file held: its transactions in the file's order, the errors (第N行…), notes."""

    name: str
    sha256: str
    header_row: int
    columns: tuple[str, ...]  # how the file's columns were understood, e.g. 交易日期→日期
    lines: tuple[StatementInput, ...]
    errors: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # rows left out on purpose (合计, 期初余额 …)


@dataclass(frozen=True)
class BankImportPreview:
    account_code: str
    account_name: str
    period: str
    new_lines: int
    known_lines: int  # already imported (same statement again): not added twice
    total_in: Decimal
    total_out: Decimal
    closing_balance: Decimal | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class BankItem:
    """A statement line (side ``bank``) or a 银行存款 entry (side ``book``) as the two-sided view shows it."""

    side: str  # bank / book
    id: uuid.UUID
    day: date
    period: str
    summary: str
    counterparty: str
    direction: str  # 收 / 付
    amount: Decimal
    reference: str  # 凭证号 (book) or 对账单第N行 (bank)
    group_id: uuid.UUID | None  # the match group as of the month viewed (None: 未勾对)
    match_kind: str  # 自动 / 手工 / ""
    balance: Decimal | None = None

    @property
    def matched(self) -> bool:
        return self.group_id is not None

    @property
    def state(self) -> str:
        return f"{self.match_kind}勾对" if self.matched else "未达"

    @property
    def income(self) -> Decimal | None:
        return self.amount if self.direction == IN else None

    @property
    def expense(self) -> Decimal | None:
        return self.amount if self.direction == OUT else None


@dataclass(frozen=True)
class BankAccountRow:
    code: str
    name: str
    first_period: str | None  # the first month with statement lines


@dataclass(frozen=True)
class MatchResult:
    groups: int
    bank_lines: int
    entries: int


@dataclass(frozen=True)
class ReconciliationState:
    status: str  # 已对账 / 未对账
    book_balance: Decimal
    bank_balance: Decimal
    adjusted_balance: Decimal
    reconciled_by: str | None
    reconciled_at: datetime | None


@dataclass(frozen=True)
class BankReconciliationReport:
    """The 银行存款余额调节表 of a bank account for a month."""

    organisation: str
    book_name: str
    account_code: str
    account_name: str
    period: str
    book_balance: Decimal  # 企业银行存款日记账余额
    bank_balance: Decimal | None  # 银行对账单余额 (None: no statement line yet)
    bank_in_book_not: tuple[BankItem, ...]  # 银行已收、企业未收
    bank_out_book_not: tuple[BankItem, ...]  # 银行已付、企业未付
    book_in_bank_not: tuple[BankItem, ...]  # 企业已收、银行未收
    book_out_bank_not: tuple[BankItem, ...]  # 企业已付、银行未付
    statement_lines: int
    state: ReconciliationState | None

    @staticmethod
    def _sum(items: tuple[BankItem, ...]) -> Decimal:
        return sum((i.amount for i in items), Decimal("0.00"))

    @property
    def adjusted_book(self) -> Decimal:
        return self.book_balance + self._sum(self.bank_in_book_not) - self._sum(self.bank_out_book_not)

    @property
    def adjusted_bank(self) -> Decimal | None:
        if self.bank_balance is None:
            return None
        return self.bank_balance + self._sum(self.book_in_bank_not) - self._sum(self.book_out_bank_not)

    @property
    def difference(self) -> Decimal | None:
        bank = self.adjusted_bank
        return None if bank is None else self.adjusted_book - bank

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    @property
    def reconciled(self) -> bool:
        return self.state is not None and self.state.status == "已对账"

    @property
    def verdict(self) -> str:
        """The table's conclusion, as the PDF, the sheet and the page word it."""
        if self.bank_balance is None:
            return "尚未导入本月银行对账单，无法调节"
        if not self.balanced:
            return f"调节后余额不相等，相差 {format_amount(self.difference or Decimal('0'))} 元，请查明原因"
        if self.reconciled and self.state is not None:
            when = self.state.reconciled_at.strftime("%Y-%m-%d") if self.state.reconciled_at else ""
            return f"调节后余额相等，账实相符；已由{self.state.reconciled_by or ''}于{when}标记已对账"
        return "调节后余额相等，账实相符"

    def sections(self) -> list[tuple[str, str, Decimal, tuple[BankItem, ...]]]:
        """(heading, sign, total, items) of the four kinds of 未达账项, in the table's order."""
        return [("加：银行已收、企业未收", "+", self._sum(self.bank_in_book_not), self.bank_in_book_not),
                ("减：银行已付、企业未付", "-", self._sum(self.bank_out_book_not), self.bank_out_book_not),
                ("加：企业已收、银行未收", "+", self._sum(self.book_in_bank_not), self.book_in_bank_not),
                ("减：企业已付、银行未付", "-", self._sum(self.book_out_bank_not), self.book_out_bank_not)]
