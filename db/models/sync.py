"""The change log that USB sync packages are sliced from (SYNC.md, "Recommended design")."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ChangeLog(Base):
    """One record per insert/update/soft-delete of a syncable row, with the full row image.

    (origin, seq) is gap-free per origin; ``hash`` chains each record to the previous
    one of the same origin so a reused sequence after a bad restore is detectable.
    """

    __tablename__ = "change_log"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    op: Mapped[str] = mapped_column(String(8))  # insert / update / delete (tombstone)
    rev: Mapped[int]
    prev_rev: Mapped[int]
    row_json: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime]  # local wall time: informational only, never decides anything
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SyncCounter(Base):
    """Last sequence number and record hash handed out per origin (the gap-free counter)."""

    __tablename__ = "sync_counter"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
