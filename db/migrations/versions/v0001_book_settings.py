"""账套设置: a book's own settings by key (issue #17: whether automatic vouchers wait for 审核)

Revision ID: v0001
Revises: h0001
Create Date: 2026-12-02

A new table only, created with its ``row_hash`` column (DESIGN-NOTES 34): it is empty here, so
there is nothing to fill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "v0001"
down_revision = "h0001"
branch_labels = ("book_settings",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "book_setting",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("row_hash", sa.Integer(), nullable=True),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_book_setting_book_id_book")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_setting")),
        sa.UniqueConstraint("book_id", "key", name=op.f("uq_book_setting_book_id_key")),
    )


def downgrade() -> None:
    op.drop_table("book_setting")
