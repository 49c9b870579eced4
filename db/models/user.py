"""People who log in on this installation. Local: users do not travel in sync packages."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, RowHashMixin
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
    # An initial or reset password must be replaced at the next login (GUI dialog, CLI refusal).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Wrong passwords in a row, and until when logins are refused after too many (kept here,
    # not in memory: restarting the program does not reset the count).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class UserOrganisation(RowHashMixin, IdMixin, Base):
    """The organisations a user is limited to; a user with no rows here may work on all.

    A row carries its content hash like every business row (an ``id`` so that the one hash
    path keys it, migration h0002); a row deleted behind the program's back, which no row hash
    can show, is found by ``verify`` against the user's last 限定组织 audit entry."""

    __tablename__ = "app_user_org"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
