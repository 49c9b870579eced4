"""银行对账: bank statement lines, their matches with 银行存款 entries, the months marked 已对账

Its own branch from h0001 (DESIGN-NOTES 3); the tables carry ``row_hash`` as h0001 gave every
syncable table (DESIGN-NOTES 34): new and empty, so there is nothing to fill.

Revision ID: k0001
Revises: h0001
Create Date: 2026-12-02 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "k0001"
down_revision = "h0001"
branch_labels = ("k",)
depends_on = None


def _sync_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("row_hash", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "bank_statement_line",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("line_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("direction", sa.String(length=2), nullable=False),
        sa.Column("amount", db.types.Fen(), nullable=False),
        sa.Column("balance", db.types.Fen(), nullable=True),
        sa.Column("counterparty", sa.String(length=100), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_bank_statement_line_book_id_book")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement_line")),
        sa.UniqueConstraint("book_id", "account_code", "fingerprint",
                            name=op.f("uq_bank_statement_line_book_id_account_code_fingerprint")),
    )
    op.create_index("ix_bank_statement_line_book_account_period", "bank_statement_line",
                    ["book_id", "account_code", "period"])
    op.create_table(
        "bank_match",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("statement_line_id", sa.Uuid(), nullable=True),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("matched_by", sa.String(length=50), nullable=False),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_bank_match_book_id_book")),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], name=op.f("fk_bank_match_entry_id_entry")),
        sa.ForeignKeyConstraint(["statement_line_id"], ["bank_statement_line.id"],
                                name=op.f("fk_bank_match_statement_line_id_bank_statement_line")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_match")),
    )
    op.create_index("ix_bank_match_book_account", "bank_match", ["book_id", "account_code", "deleted"])
    op.create_index("ix_bank_match_group", "bank_match", ["group_id"])
    op.create_table(
        "bank_reconciliation",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("book_balance", db.types.Fen(), nullable=False),
        sa.Column("bank_balance", db.types.Fen(), nullable=False),
        sa.Column("adjusted_balance", db.types.Fen(), nullable=False),
        sa.Column("reconciled_by", sa.String(length=50), nullable=True),
        sa.Column("reconciled_at", db.types.UtcDateTime(), nullable=True),
        *_sync_columns(),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"], name=op.f("fk_bank_reconciliation_book_id_book")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_reconciliation")),
        sa.UniqueConstraint("book_id", "account_code", "period",
                            name=op.f("uq_bank_reconciliation_book_id_account_code_period")),
    )


def downgrade() -> None:
    op.drop_table("bank_reconciliation")
    op.drop_index("ix_bank_match_group", table_name="bank_match")
    op.drop_index("ix_bank_match_book_account", table_name="bank_match")
    op.drop_table("bank_match")
    op.drop_index("ix_bank_statement_line_book_account_period", table_name="bank_statement_line")
    op.drop_table("bank_statement_line")
