"""row_hash on app_user_org: which user may see which organisation is checked like every business row

``app_user_org`` was keyed by (user_id, organisation_id) and carried no hash, so a row inserted
with sqlite3 (a user given another village) went unseen by ``verify``. The table is rebuilt with
an ``id`` (what the one hash path of db/rowhash.py keys rows by; the pair stays unique) and
``row_hash``, and every existing row is given both. The table holds one row per user and organisation at
most, so it is read whole, dropped and written again: no ALTER of a primary key on either engine.

Revision ID: h0002
Revises: h0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

from db import rowhash
from db.pgcursor import cursor_of
from db.types import uuid7

revision = "h0002"
down_revision = "h0001"  # the row-hash branch; h0001 merges u0001, which made the table
branch_labels = None
depends_on = None

_COLUMNS = ("id", "organisation_id", "user_id")


def _table(*columns: str) -> sa.TableClause:
    return sa.table("app_user_org", *(sa.column(c, sa.Uuid()) for c in columns))


def _rebuild(with_id: bool) -> None:
    """Read the pairs, drop the table, create it keyed by ``id`` (or by the pair, as u0001 made
    it) under the same constraint names, and write the pairs back (with new ids and hashes)."""
    bind = op.get_bind()
    pairs = bind.execute(sa.select(_table("user_id", "organisation_id"))).all()
    op.drop_table("app_user_org")
    items: list[SchemaItem] = [
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_app_user_org_user_id_app_user")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_app_user_org_organisation_id_organisation")),
    ]
    if with_id:
        items[2:2] = [sa.Column("row_hash", sa.Integer(), nullable=True), sa.Column("id", sa.Uuid(), nullable=False)]
        items += [sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user_org")),
                  sa.UniqueConstraint("user_id", "organisation_id", name=op.f("uq_app_user_org_user_id_organisation_id"))]
    else:
        items.append(sa.PrimaryKeyConstraint("user_id", "organisation_id", name=op.f("pk_app_user_org")))
    op.create_table("app_user_org", *items)
    if not pairs:
        return
    rows = [{"user_id": u, "organisation_id": o} for u, o in pairs]
    if not with_id:
        bind.execute(sa.insert(_table("user_id", "organisation_id")), rows)
        return
    bind.execute(sa.insert(_table("id", "user_id", "organisation_id")), [{"id": uuid7(), **r} for r in rows])
    cur = cursor_of(bind.connection.driver_connection)
    try:
        rowhash.fill_by_id(cur, "app_user_org", _COLUMNS)
    finally:
        cur.close()


def upgrade() -> None:
    _rebuild(with_id=True)


def downgrade() -> None:
    _rebuild(with_id=False)
