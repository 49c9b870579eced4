"""row_hash: every business row carries a hash of its stored values (issue #19, db/rowhash.py)

Adds ``row_hash`` (INTEGER, NULL until filled) to every syncable table (those with ``id``,
``origin``, ``rev`` and ``deleted``) and to ``app_user``, and fills it for every existing row
from the values as stored. ``ADD COLUMN`` does not copy a table; the fill is one read and one
``executemany`` of updates by rowid per table.

Revision ID: h0001
Revises: (branch root, needs every table it hashes)
"""

from __future__ import annotations

import sqlite3

from alembic import op

from db import rowhash

revision = "h0001"
down_revision = None
branch_labels = ("h",)
depends_on = ("s0003", "a0002", "c0001", "d0002", "f0003", "m0001", "p0001", "u0001")  # u0001 needs 0004 (naming both: Alembic KeyError)

_SYNC_COLUMNS = {"id", "origin", "rev", "deleted"}
_LOCAL_HASHED = ("app_user",)


def _hashed_tables(cur: sqlite3.Cursor) -> list[str]:
    names = [r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out = []
    for name in names:
        columns = {r[1] for r in cur.execute(f'PRAGMA table_info("{name}")')}
        if name in _LOCAL_HASHED or _SYNC_COLUMNS <= columns:
            out.append(name)
    return out


def upgrade() -> None:
    driver = op.get_bind().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    cur = driver.cursor()
    try:
        for table in _hashed_tables(cur):
            cur.execute(f'ALTER TABLE "{table}" ADD COLUMN {rowhash.COLUMN} INTEGER')
            rowhash.fill_table(cur, table)
    finally:
        cur.close()


def downgrade() -> None:
    driver = op.get_bind().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    cur = driver.cursor()
    try:
        for table in _hashed_tables(cur):
            cur.execute(f'ALTER TABLE "{table}" DROP COLUMN {rowhash.COLUMN}')
    finally:
        cur.close()
