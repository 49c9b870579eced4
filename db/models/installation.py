"""This installation (one PC): its random origin id, renewed at install and every restore."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RowHashMixin
from db.types import utcnow


class Installation(RowHashMixin, Base):
    """One row per identity this database file has had; exactly one is current.

    A restored backup must never reuse the identity it was taken under (SYNC.md §3.7),
    so restore retires the old row and adds a new random one.
    """

    __tablename__ = "installation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the origin id; random (uuid4)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))  # install | restore
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
