"""disclosure: sealed documents (what each printed QR code covers) and a book's own credit code

Revision ID: d0002
Revises: d0001
Create Date: 2026-12-02 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "d0002"
down_revision = "d0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("book", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
    op.create_table(
        "sealed_document",
        sa.Column("code", sa.String(length=23), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("book_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("period_seal", sa.String(length=64), nullable=True),
        sa.Column("times_generated", sa.Integer(), nullable=False),
        sa.Column("generated_by", sa.String(length=50), nullable=False),
        sa.Column("generated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_sealed_document_book_id_book")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_sealed_document_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_document")),
        sa.UniqueConstraint("code", name=op.f("uq_sealed_document_code")),
    )
    with op.batch_alter_table("sealed_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sealed_document_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sealed_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sealed_document_organisation_id"))
    op.drop_table("sealed_document")
    with op.batch_alter_table("book", schema=None) as batch_op:
        batch_op.drop_column("credit_code")
