"""Maintained village state digests (issue #12 speed: a package's cost proportional to the package).

Revision ID: s0003
Revises: s0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "village_digest",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("through_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_village_digest")),
    )


def downgrade() -> None:
    op.drop_table("village_digest")
