"""区划 ids made from their codes (uuid5), so that every township registering the same county,
city or province writes the same row: the district merges them instead of refusing the second
(UNIQUE region.code). Existing rows, their references and their change-log records are renamed.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.ids import region_id

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return  # PostgreSQL support came after this revision: no such database has rows to rename
    conn.execute(sa.text("PRAGMA defer_foreign_keys = ON"))  # ids and references change together
    for old, code in conn.execute(sa.text("SELECT id, code FROM region")).fetchall():
        new = region_id(code).hex
        if new == old:
            continue
        params = {"old": old, "new": new}
        conn.execute(sa.text("UPDATE region SET id = :new WHERE id = :old"), params)
        conn.execute(sa.text("UPDATE region SET parent_id = :new WHERE parent_id = :old"), params)
        conn.execute(sa.text("UPDATE organisation SET region_id = :new WHERE region_id = :old"), params)
        conn.execute(sa.text("UPDATE change_log SET row_id = :new WHERE table_name = 'region' AND row_id = :old"),
                     params)


def downgrade() -> None:
    pass  # the old random ids are gone; code-derived ids are valid ids for the older program too
