"""Append-only audit trail, each entry chained to the previous by SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class AuditEntry(Base):
    """Who did what, when, with the before/after images. Local to this installation.

    ``n`` is a local ordinal used only for the chain order; it never leaves the PC.
    """

    __tablename__ = "audit_entry"

    n: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(30))  # create / update / delete / login / …
    entity: Mapped[str] = mapped_column(String(50))  # table name
    entity_id: Mapped[str | None] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(String(300))  # Chinese, for the audit view
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Where the audit chain ends (one row). Without it, deleting the newest entries would
    leave a shorter chain that still verifies."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    last_n: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
