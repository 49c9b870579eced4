"""audit_head: where the audit chain ends, so deleting the newest entries is detected

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_n", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # Existing databases: the chain currently ends at its newest entry.
    op.execute(
        "INSERT INTO audit_head (id, last_n, last_hash) "
        "SELECT 1, COALESCE(MAX(n), 0), COALESCE((SELECT hash FROM audit_entry ORDER BY n DESC LIMIT 1), "
        "'0000000000000000000000000000000000000000000000000000000000000000') FROM audit_entry"
    )


def downgrade() -> None:
    op.drop_table("audit_head")
