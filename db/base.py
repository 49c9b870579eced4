"""Declarative base, naming convention and the identity / sync-metadata mixins."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import Fen, UtcDateTime, utcnow, uuid7

# Stable constraint names: Alembic's SQLite batch mode needs them to alter tables.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: Fen(),
        datetime: UtcDateTime(),
        uuid.UUID: Uuid(),
    }


class IdMixin:
    """A UUIDv7 key made where the row is created; never an autoincrement that leaves the PC."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


class RowHashMixin:
    """A business row's content hash (db/rowhash.py), written with the row by every writer and
    checked by ``verify``: an edit made behind the program's back no longer matches it."""

    row_hash: Mapped[int | None] = mapped_column(default=None)


class SyncMixin(RowHashMixin, IdMixin):
    """Rows that travel to the district: who wrote them, their version, and tombstones.

    ``origin``/``rev``/``updated_at`` are set by the change-log hook (db/changelog.py),
    never by hand; nothing business-relevant is hard deleted (``deleted`` is the tombstone).
    """

    __syncable__ = True

    origin: Mapped[uuid.UUID]
    rev: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted: Mapped[bool] = mapped_column(default=False)


def is_syncable(cls: type) -> bool:
    return bool(getattr(cls, "__syncable__", False))
