"""财务公开: per-organisation disclosure settings and the record of each sheet set made and posted.

``disclosure_record`` is what the dashboard and the district read to see which villages have
not disclosed a period: one row per (book, period code) — ``2026-10``, ``2026-Q3`` or ``2026`` —
updated when the sheets are generated again and when they are posted on the board.

``sealed_document`` is what a printed QR code points to: one row per check code (``SL2-…``),
with the document's kind and parameters and its canonical printed content (compressed), so that
``verify-sheet`` can rebuild the document from the books and name the row that differs.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
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


class SealedDocument(SyncMixin, Base):
    """A printed document with a QR code: what it printed, so that it can be checked later.

    ``code`` (``SL2-XXXX-XXXX-XXXX-XXXX``) is derived from ``content_sha256``, the SHA-256 of the
    canonical JSON of kind, parameters and printed content; ``content`` is that JSON, zlib-compressed
    and base64-encoded (text, so that the change log and sync packages carry it as they are).
    ``period_seal`` is the month-close seal of the period behind it, when the document has one.
    """

    __site__ = "any"  # what a site printed: the district seals its reports too (desktop_app/sync/district_guard.py)

    __tablename__ = "sealed_document"

    code: Mapped[str] = mapped_column(String(23), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[str] = mapped_column(Text)  # canonical JSON of the parameters that rebuild it
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    book_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("book.id"))
    label: Mapped[str] = mapped_column(String(200))  # the QR text a phone shows
    content_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    period_seal: Mapped[str | None] = mapped_column(String(64))
    times_generated: Mapped[int] = mapped_column(default=1)
    generated_by: Mapped[str] = mapped_column(String(50))
    generated_at: Mapped[datetime]
