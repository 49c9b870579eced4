"""members: drop the organisation indexes that another index already leads with

Revision ID: m0002
Revises: m0001
Create Date: 2026-12-02

``ix_member_organisation_id`` repeats the first column of ``ix_member_org_ric`` and
``ix_household_organisation_id`` that of ``uq_household_organisation_id_number``: every query by
organisation uses those (EXPLAIN QUERY PLAN), and an import of 100,000 members no longer writes
two B-trees that answer nothing (issue #18). Stored values are unchanged: no row hash to fill.
"""

from __future__ import annotations

from alembic import op

revision = "m0002"
down_revision = "m0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_member_organisation_id", table_name="member")
    op.drop_index("ix_household_organisation_id", table_name="household")


def downgrade() -> None:
    op.create_index("ix_household_organisation_id", "household", ["organisation_id"], unique=False)
    op.create_index("ix_member_organisation_id", "member", ["organisation_id"], unique=False)
