"""Backup settings: the hash of the passphrase that seals backups written outside the data
folder (issue #19).

Revision ID: b0001
Revises: (branch root)

The table refers to no other, so the branch depends on none: a ``depends_on`` would make Alembic
record only this head for the dependency's branch in ``alembic_version`` (0004 would then be
missing from the recorded heads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "b0001"
down_revision = None
branch_labels = ("backups",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backup_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_backup_setting")),
    )


def downgrade() -> None:
    op.drop_table("backup_setting")
