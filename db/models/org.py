"""Administrative regions, collective-economy organisations and their books (账套)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, SyncMixin


class Region(SyncMixin, Base):
    """A 统计用区划代码 unit: 区(县) → 乡镇 → 村. ``code`` is the 12-digit code."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(4))  # 省 / 市 / 县 / 乡镇 / 村
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)


class Organisation(SyncMixin, Base):
    """A 集体经济组织 (组 / 村 / 乡镇 level), identified by its USCC."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(4))  # 组 / 村 / 乡镇
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    legal_rep: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))


class Book(SyncMixin, Base):
    """A separate set of books (账套) of one organisation, on one chart version."""

    __tablename__ = "book"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # 股份经济合作社 / 经济合作社 / 村民委员会 …
    chart_version: Mapped[str] = mapped_column(String(8))  # "2023" | "2004"
    start_period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    # 统一社会信用代码 of the body that keeps these books, when it is not the organisation itself
    # (a 村民委员会's 54… code); None: the organisation's own code (see ``book_credit_code``).
    credit_code: Mapped[str | None] = mapped_column(String(18))
