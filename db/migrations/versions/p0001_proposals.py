"""District correction proposals (更正建议) and the townships' answers (issue #13)

Revision ID: p0001
Revises: (branch root)
Create Date: 2026-12-02

No foreign keys to township rows (db/models/proposal.py says why); the answer refers to its
proposal. Depends on 0001 only for the change log and site the rows are synced through.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "p0001"
down_revision = None
branch_labels = ("p",)
depends_on = ("0001",)


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("village_id", sa.Uuid(), nullable=False),
        sa.Column("village_name", sa.String(length=100), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("target_rev", sa.Integer(), nullable=False),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("proposed_by", sa.String(length=50), nullable=False),
        sa.Column("proposed_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    op.create_index("ix_proposal_village", "proposal", ["village_id"], unique=False)
    op.create_table(
        "proposal_answer",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("answered_by", sa.String(length=50), nullable=False),
        sa.Column("answered_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_proposal_answer_proposal_id_proposal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_answer")),
    )
    op.create_index(op.f("ix_proposal_answer_proposal_id"), "proposal_answer", ["proposal_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_answer_proposal_id"), table_name="proposal_answer")
    op.drop_table("proposal_answer")
    op.drop_index("ix_proposal_village", table_name="proposal")
    op.drop_table("proposal")
