"""Backup settings of this installation (issue #19): the passphrase that seals backups written
outside the data folder, kept only as a scrypt hash with its salt. Not synced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RowHashMixin
from db.types import utcnow


class BackupSetting(RowHashMixin, Base):
    """One setting by key (``passphrase``: ``scrypt$N$r$p$salt$digest``); the row carries its hash
    (migration h0003), so a passphrase hash replaced behind the program's back is found."""

    __tablename__ = "backup_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(50))
