"""Funds: vouchers (记账凭证), their entries (分录), accounting periods, opening balances.

``account_period_total`` is a derived summary (book, account, month) of *posted* entries kept
in step by the voucher services, so balances and statements never scan the journal
(DESIGN §4). It is not synced: a receiver recomputes the summaries it touched.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin

VOUCHER_STATUSES = ("填制", "审核", "记账", "作废")


class Voucher(SyncMixin, Base):
    """One 记账凭证. ``number`` is sequential per book and month with no gaps (a voided voucher
    keeps its number); ``period`` is ``YYYY-MM`` of ``voucher_date``."""

    __tablename__ = "voucher"
    __table_args__ = (
        UniqueConstraint("book_id", "period", "number"),
        Index("ix_voucher_source", "book_id", "source_kind", "source_id"),
        Index("ix_voucher_book_date_number", "book_id", "voucher_date", "number"),  # journal order, page by page
    )

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    period: Mapped[str] = mapped_column(String(7))
    number: Mapped[int]
    voucher_date: Mapped[date]
    summary: Mapped[str] = mapped_column(String(200))
    attachments: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(4))  # 填制 / 审核 / 记账 / 作废
    maker_id: Mapped[uuid.UUID | None]
    maker_name: Mapped[str] = mapped_column(String(50))
    reviewer_id: Mapped[uuid.UUID | None]
    reviewer_name: Mapped[str | None] = mapped_column(String(50))
    reviewed_at: Mapped[datetime | None]
    poster_name: Mapped[str | None] = mapped_column(String(50))
    posted_at: Mapped[datetime | None]
    source_kind: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[uuid.UUID | None]
    flags: Mapped[str] = mapped_column(String(200), default="")  # "一事一议,工程招投标"
    reversal_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("voucher.id"))
    void_reason: Mapped[str | None] = mapped_column(String(200))


class Entry(SyncMixin, Base):
    """A 分录: one line of a voucher, debit or credit (a 红字 reversal line is negative)."""

    __tablename__ = "entry"
    __table_args__ = (
        UniqueConstraint("voucher_id", "line_no"),
        Index("ix_entry_book_account_period", "book_id", "account_id", "period"),
    )

    voucher_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voucher.id"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    period: Mapped[str] = mapped_column(String(7))
    line_no: Mapped[int]
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"))
    debit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    summary: Mapped[str | None] = mapped_column(String(200))
    counterparty: Mapped[str | None] = mapped_column(String(100))
    project_id: Mapped[uuid.UUID | None]
    contract_id: Mapped[uuid.UUID | None]
    asset_id: Mapped[uuid.UUID | None]


class Period(SyncMixin, Base):
    """A 会计期间 of a book. A month without a row is open; closing writes the seal."""

    __tablename__ = "period"
    __table_args__ = (UniqueConstraint("book_id", "period"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(8), default="open")  # open / closed
    seal_hash: Mapped[str | None] = mapped_column(String(64))
    closed_by: Mapped[str | None] = mapped_column(String(50))
    closed_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    last_reopen_reason: Mapped[str | None] = mapped_column(String(300))
    last_reopened_by: Mapped[str | None] = mapped_column(String(50))
    last_reopened_at: Mapped[datetime | None]


class OpeningBalance(SyncMixin, Base):
    """The opening 科目余额表 of a book (as at its start period), per leaf account."""

    __tablename__ = "opening_balance"
    __table_args__ = (UniqueConstraint("book_id", "account_id"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"))
    debit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))


class SummaryPhrase(SyncMixin, Base):
    """常用摘要 remembered per book (most used first)."""

    __tablename__ = "summary_phrase"
    __table_args__ = (UniqueConstraint("book_id", "text"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    text: Mapped[str] = mapped_column(String(200))
    uses: Mapped[int] = mapped_column(default=0)


class AccountPeriodTotal(Base):
    """Derived: posted debit/credit per (book, account, month); ``closing`` separates the
    year-end closing vouchers so statements can show the year's activity before the close;
    ``lines`` counts the posted entry lines summed (a paged journal's outline reads it)."""

    __tablename__ = "account_period_total"

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), primary_key=True)
    closing: Mapped[bool] = mapped_column(primary_key=True, default=False)
    debit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    lines: Mapped[int] = mapped_column(default=0, server_default="0")  # posted entry lines summed here

    # The district's tier counts read only the income accounts' months of every village (f0004).
    __table_args__ = (Index("ix_account_period_total_account", "account_id", "period", "closing", "credit", "debit"),)
