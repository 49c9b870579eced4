"""People who log in on this installation. Local: users do not travel in sync packages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin
from db.types import utcnow


class User(IdMixin, Base):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated role codes
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_hash: Mapped[int | None]  # hash of the stored row (db/rowhash.py), checked by verify
