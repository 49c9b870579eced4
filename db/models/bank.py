"""银行对账: the bank's statement lines as imported, their matches with the book's 银行存款 entries,
and each month's reconciliation (银行存款余额调节表) state, per book and bank account (a leaf of 102).

A statement line is the bank's view: ``direction`` 收 (money into the account, a 借 of 102 in the
books) or 付; ``amount`` is positive. ``fingerprint`` identifies the line by its content (and its
repeat number among identical lines of one file), so importing the same statement again adds
nothing. A match group ties statement lines to entries whose sums agree; one row per item, all
rows of a group share ``group_id``; unmatching tombstones the group's rows. ``period`` of a match
row is the latest month among the group's items: before that month both sides were 未达账项.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class BankStatementLine(SyncMixin, Base):
    """One line of a bank statement (对账单) of a bank account of a book."""

    __tablename__ = "bank_statement_line"
    __table_args__ = (
        UniqueConstraint("book_id", "account_code", "fingerprint"),
        Index("ix_bank_statement_line_book_account_period", "book_id", "account_code", "period"),
    )

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    account_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    line_date: Mapped[date]
    seq: Mapped[int]  # order in time within the period (a statement exported newest first is turned round)
    summary: Mapped[str] = mapped_column(String(200), default="")
    direction: Mapped[str] = mapped_column(String(2))  # 收 / 付 (the depositor's side)
    amount: Mapped[Decimal]
    balance: Mapped[Decimal | None]
    counterparty: Mapped[str | None] = mapped_column(String(100))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    source_hash: Mapped[str] = mapped_column(String(64))
    source_row: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))


class BankMatch(SyncMixin, Base):
    """One item (a statement line or a book entry) of a match group (勾对)."""

    __tablename__ = "bank_match"
    __table_args__ = (
        Index("ix_bank_match_book_account", "book_id", "account_code", "deleted"),
        Index("ix_bank_match_group", "group_id"),
    )

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    account_code: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))  # the group's latest month
    statement_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bank_statement_line.id"))
    entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entry.id"))
    kind: Mapped[str] = mapped_column(String(8))  # auto / manual
    matched_by: Mapped[str] = mapped_column(String(50))


class BankReconciliation(SyncMixin, Base):
    """A month of a bank account marked 已对账: the balances the 调节表 showed when it was marked."""

    __tablename__ = "bank_reconciliation"
    __table_args__ = (UniqueConstraint("book_id", "account_code", "period"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    account_code: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(8))  # 已对账 / 未对账 (marked, then taken back)
    book_balance: Mapped[Decimal]
    bank_balance: Mapped[Decimal]
    adjusted_balance: Mapped[Decimal]
    reconciled_by: Mapped[str | None] = mapped_column(String(50))
    reconciled_at: Mapped[datetime | None]
