"""The change log that USB sync packages are sliced from (SYNC.md, "Recommended design").

Slim by design (issue #18, SYNC.md's revision of 2026-12-01): a record says which row changed,
in what order and from which version to which; it carries no row image and no hash. A package
reads each changed row as it is when the package is built; tamper evidence is the audit chain,
the seals and summaries ``verify`` recomputes, and the signed package.
"""

from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ChangeLog(Base):
    """One record per insert/update/soft-delete of a syncable row.

    (origin, seq) is gap-free per origin and is the clustered key (no rowid): the table is
    ordered the way packages read it. ``rev``/``prev_rev`` make applying idempotent; a
    tombstone is ``op = 'delete'``. Nothing looks a record up by row id except ``verify``,
    which builds its own temporary index, so the file carries none.
    """

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_with_rowid": False}

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[uuid.UUID]  # no index: packages read by (origin, seq), rows by their own key
    op: Mapped[str] = mapped_column(String(8))  # insert / update / delete (tombstone)
    rev: Mapped[int]
    prev_rev: Mapped[int]


class SyncCounter(Base):
    """Last sequence number handed out per origin (the gap-free counter)."""

    __tablename__ = "sync_counter"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
