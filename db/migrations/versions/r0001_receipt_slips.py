"""收款收据: the numbered receipt slips of a book (issue #20)

Revision ID: r0001
Revises: h0001
Create Date: 2026-12-02

A new table only, created with its ``row_hash`` column (DESIGN-NOTES 34): it is empty here, so
there is nothing to fill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "r0001"
down_revision = "h0001"
branch_labels = ("receipt_slips",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_slip",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("voucher_id", sa.Uuid(), nullable=True),
        sa.Column("payer", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("amount", db.types.Fen(), nullable=False),
        sa.Column("method", sa.String(length=4), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("collector", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("void_reason", sa.String(length=200), nullable=True),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.Integer(), nullable=True),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_receipt_slip_book_id_book")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_slip")),
        sa.UniqueConstraint("book_id", "year", "seq", name=op.f("uq_receipt_slip_book_id_year_seq")),
    )
    op.create_index("ix_receipt_slip_book_received", "receipt_slip", ["book_id", "received_on"], unique=False)
    op.create_index("ix_receipt_slip_source", "receipt_slip", ["source_kind", "source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_receipt_slip_source", table_name="receipt_slip")
    op.drop_index("ix_receipt_slip_book_received", table_name="receipt_slip")
    op.drop_table("receipt_slip")
