"""Each book's chart of accounts: the standard chart copied in, plus the book's own sub-accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class Account(SyncMixin, Base):
    """A 会计科目 of one book. A code means nothing without the book's chart version."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("book_id", "code"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(8))  # 资产 / 负债 / 所有者权益 / 成本 / 损益
    normal_side: Mapped[str] = mapped_column(String(1))  # 借 / 贷
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    level: Mapped[int] = mapped_column(default=1)
    is_standard: Mapped[bool] = mapped_column(default=True)  # from the national chart
    active: Mapped[bool] = mapped_column(default=True)
