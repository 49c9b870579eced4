"""slim change log: no row image, no hash chain (issue #18; SYNC.md revision of 2026-12-01)

Every record keeps its ordering fields (origin, seq, table, row id, op, rev, prev_rev); the
row image, actor, time and hash columns and the row-id index are dropped and the table is
rebuilt clustered on (origin, seq) without a rowid. ``sync_counter`` loses ``last_hash``.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DROPPED = ("row_json", "actor", "at", "prev_hash", "hash")


def _recreate() -> Literal["always", "auto"]:
    """SQLite rebuilds the table (its rowid choice is made at CREATE); PostgreSQL alters it in place."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    with op.batch_alter_table("change_log", recreate=_recreate(), table_kwargs={"sqlite_with_rowid": False}) as b:
        b.drop_index("ix_change_log_row_id")
        for column in _DROPPED:
            b.drop_column(column)
    with op.batch_alter_table("sync_counter") as b:
        b.drop_column("last_hash")


def downgrade() -> None:
    # The images and hashes cannot be recovered; old columns come back empty-valued.
    with op.batch_alter_table("sync_counter") as b:
        b.add_column(sa.Column("last_hash", sa.String(length=64), nullable=False, server_default="0" * 64))
    with op.batch_alter_table("change_log", recreate=_recreate(), table_kwargs={"sqlite_with_rowid": True}) as b:
        b.add_column(sa.Column("row_json", sa.Text(), nullable=False, server_default="{}"))
        b.add_column(sa.Column("actor", sa.String(length=50), nullable=False, server_default="system"))
        b.add_column(sa.Column("at", db.types.UtcDateTime(), nullable=False, server_default="1970-01-01 00:00:00"))
        b.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="0" * 64))
        b.add_column(sa.Column("hash", sa.String(length=64), nullable=False, server_default="0" * 64))
        b.create_index("ix_change_log_row_id", ["row_id"], unique=False)
