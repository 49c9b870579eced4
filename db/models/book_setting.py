"""A book's own settings (账套设置), one row per key; a key without a row takes its default.

``auto_vouchers``: what happens to a voucher another module makes (a receipt, an asset purchase,
a depreciation run …): ``post`` — 系统 reviews and posts it at once; ``review`` — it waits for
审核 and 记账 like a voucher typed in 填制 (issue #17). Synced: the district sees how a book is kept.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class BookSetting(SyncMixin, Base):
    __tablename__ = "book_setting"
    __table_args__ = (UniqueConstraint("book_id", "key"),)

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))
