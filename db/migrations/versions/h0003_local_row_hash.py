"""row_hash on the last local tables: this PC's identities, its site, the trusted sync partners
(their public keys), what each partner acknowledged, and the backup and district settings (issue #19)

None of them is keyed by a UUID ``id``, which the one hash path of db/rowhash.py keyed rows by
until now; it now finds a row by its table's primary key whatever it is (``key``, ``origin``,
``(partner, origin)``, the site's integer 1). Each table gains ``row_hash`` (INTEGER, NULL until
filled) and every existing row is given the hash of its stored values, on either engine (through
the driver cursor in SQLite's stored forms, db/pgcursor.py). A swapped partner key, a replaced
passphrase hash or an edited setting is then a row whose hash no longer matches: ``verify`` names it.

A merge of h0002 and b0001 (the branch that made ``backup_setting``).

Revision ID: h0003
Revises: h0002, b0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db import rowhash
from db.pgcursor import cursor_of

revision = "h0003"
down_revision = ("h0002", "b0001")
branch_labels = None
depends_on = None

# table → its primary key columns (as they are at this revision)
TABLES = {
    "installation": ("id",),
    "site": ("id",),
    "sync_partner": ("origin",),
    "sync_partner_has": ("partner", "origin"),
    "backup_setting": ("key",),
    "district_setting": ("key",),
}


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column(rowhash.COLUMN, sa.Integer(), nullable=True))
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    names = {t: [c["name"] for c in inspector.get_columns(t)] for t in TABLES}
    cur = cursor_of(bind.connection.driver_connection)
    try:
        for table, key in TABLES.items():
            rowhash.fill_by_key(cur, table, names[table], key)
    finally:
        cur.close()


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, rowhash.COLUMN)
