"""The audit head each outgoing package carried, and row hashes on the package bookkeeping

``sync_outbox`` gains ``audit_n``/``audit_hash``: the end of this PC's audit chain as the
package carried it, so ``verify`` on this PC finds a chain that no longer extends what it has
sent (tail trimmed, chain recomputed after the package left). ``sync_outbox`` and
``sync_inbox`` gain ``row_hash`` like every business row (db/rowhash.py): an outbox row is
now an anchor, and an inbox row is what keeps a package from being applied twice. Packages
written before this revision have no recorded head (NULL: nothing to compare).

Revision ID: s0004
Revises: s0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db import rowhash
from db.pgcursor import cursor_of

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None

_HASHED = ("sync_inbox", "sync_outbox")


def upgrade() -> None:
    op.add_column("sync_outbox", sa.Column("audit_n", sa.Integer(), nullable=True))
    op.add_column("sync_outbox", sa.Column("audit_hash", sa.String(length=64), nullable=True))
    for table in _HASHED:
        op.add_column(table, sa.Column(rowhash.COLUMN, sa.Integer(), nullable=True))
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    names = {t: [c["name"] for c in inspector.get_columns(t)] for t in _HASHED}
    cur = cursor_of(bind.connection.driver_connection)
    try:
        for table in _HASHED:
            rowhash.fill_by_id(cur, table, names[table])
    finally:
        cur.close()


def downgrade() -> None:
    for table in _HASHED:
        op.drop_column(table, rowhash.COLUMN)
    op.drop_column("sync_outbox", "audit_hash")
    op.drop_column("sync_outbox", "audit_n")
