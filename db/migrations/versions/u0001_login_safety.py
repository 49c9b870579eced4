"""Identity (issue #16): a password that must be changed at the next login, wrong-password
counting with a lock-out time kept in the database, and users limited to organisations.

Revision ID: u0001
Revises: (branch root; needs 0001 for app_user and organisation)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "u0001"
down_revision = None
branch_labels = ("u",)
depends_on = ("0001",)  # app_user and organisation (a head here would be taken out of alembic_version)


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("locked_until", db.types.UtcDateTime(), nullable=True))
    op.create_table(
        "app_user_org",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_app_user_org_user_id_app_user")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_app_user_org_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("user_id", "organisation_id", name=op.f("pk_app_user_org")),
    )


def downgrade() -> None:
    op.drop_table("app_user_org")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("must_change_password")
