"""disclosure: per-organisation settings and the record of sheets generated and posted

Revision ID: d0001
Revises: 0001
Create Date: 2026-11-23 14:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "d0001"
down_revision = "0001"
branch_labels = ("disclosure",)
depends_on = None


def _sync_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "disclosure_setting",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("checking_body", sa.String(length=20), nullable=False),
        sa.Column("preparer", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("posting_days", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_disclosure_setting_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_setting")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_disclosure_setting_organisation_id")),
    )
    op.create_table(
        "disclosure_record",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("period_code", sa.String(length=7), nullable=False),
        sa.Column("period_from", sa.String(length=7), nullable=False),
        sa.Column("period_to", sa.String(length=7), nullable=False),
        sa.Column("seal_hash", sa.String(length=64), nullable=False),
        sa.Column("all_sealed", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("times_generated", sa.Integer(), nullable=False),
        sa.Column("generated_by", sa.String(length=50), nullable=False),
        sa.Column("generated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("posted_until", sa.Date(), nullable=True),
        sa.Column("posted_by", sa.String(length=50), nullable=True),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_disclosure_record_book_id_book")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_disclosure_record_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_record")),
        sa.UniqueConstraint("book_id", "period_code", name=op.f("uq_disclosure_record_book_id_period_code")),
    )
    with op.batch_alter_table("disclosure_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_record_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disclosure_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_record_organisation_id"))
    op.drop_table("disclosure_record")
    op.drop_table("disclosure_setting")
