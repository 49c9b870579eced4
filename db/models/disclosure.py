"""财务公开: per-organisation disclosure settings and the record of each sheet set made and posted.

``disclosure_record`` is what the dashboard and the district read to see which villages have
not disclosed a period: one row per (book, period code) — ``2026-10``, ``2026-Q3`` or ``2026`` —
updated when the sheets are generated again and when they are posted on the board.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class DisclosureSetting(SyncMixin, Base):
    """Who signs and how long the sheets stay up; one row per organisation (defaults without one)."""

    __tablename__ = "disclosure_setting"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), unique=True)
    checking_body: Mapped[str] = mapped_column(String(20))  # 村务监督委员会 / 民主理财小组 / 监事会
    preparer: Mapped[str] = mapped_column(String(50), default="")  # 制表人（会计/报账员）
    phone: Mapped[str] = mapped_column(String(30), default="")  # 监督电话
    posting_days: Mapped[int] = mapped_column(default=7)  # 公开期限（天）
    frequency: Mapped[str] = mapped_column(String(8), default="month")  # month / quarter


class DisclosureRecord(SyncMixin, Base):
    """A sheet set of one book for one period: when it was generated (and what it said), when posted."""

    __tablename__ = "disclosure_record"
    __table_args__ = (UniqueConstraint("book_id", "period_code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("book.id"))
    period_code: Mapped[str] = mapped_column(String(7))  # 2026-10 / 2026-Q3 / 2026
    period_from: Mapped[str] = mapped_column(String(7))
    period_to: Mapped[str] = mapped_column(String(7))
    seal_hash: Mapped[str] = mapped_column(String(64))  # what the QR code carries
    all_sealed: Mapped[bool] = mapped_column(default=False)  # every month closed when generated
    pages: Mapped[int] = mapped_column(default=0)
    content_sha256: Mapped[str] = mapped_column(String(64))  # of the PDF bytes
    times_generated: Mapped[int] = mapped_column(default=1)
    generated_by: Mapped[str] = mapped_column(String(50))
    generated_at: Mapped[datetime]
    posted_on: Mapped[date | None]
    posted_until: Mapped[date | None]
    posted_by: Mapped[str | None] = mapped_column(String(50))
