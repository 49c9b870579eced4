"""The 年度财务计划 (财务收支计划, REFERENCE §1.2): a book's budget for a year, one amount per
income or expense account (first-level or detail, as the 收支明细表 groups them)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class BudgetLine(SyncMixin, Base):
    """One planned amount (元, Fen) of one 损益 account of a book in a year. Replacing a year's plan
    tombstones the lines it drops; a line planned again revives its row."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("book_id", "year", "account_code"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    year: Mapped[int]
    account_code: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal]
    note: Mapped[str | None] = mapped_column(String(200))
