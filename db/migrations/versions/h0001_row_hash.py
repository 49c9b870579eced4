"""row_hash: every business row carries a hash of its stored values (issue #19, db/rowhash.py)

Adds ``row_hash`` (INTEGER, NULL until filled) to every syncable table (those with ``id``,
``origin``, ``rev`` and ``deleted``) and to ``app_user``, and fills it for every existing row
from the values as stored. ``ADD COLUMN`` does not copy a table; the fill is one read and one
``executemany`` of updates by rowid per table.

Revision ID: h0001
Revises: 0004, s0003, a0002, c0001, d0002, f0003, m0001, p0001, u0001 (a merge)
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

from db import rowhash

revision = "h0001"
# A merge of every head that creates a table it hashes. (As a branch root with ``depends_on``
# these, Alembic records only h0001 in alembic_version, so the file never equals the heads.)
down_revision = ("0004", "s0003", "a0002", "c0001", "d0002", "f0003", "m0001", "p0001", "u0001")
branch_labels = ("h",)
depends_on = None

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


def _server_hashed_tables() -> list[str]:
    """:func:`_hashed_tables` on a database server (PostgreSQL), from its catalogue."""
    inspector = sa.inspect(op.get_bind())
    return [name for name in sorted(inspector.get_table_names())
            if name in _LOCAL_HASHED or _SYNC_COLUMNS <= {c["name"] for c in inspector.get_columns(name)}]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        # PostgreSQL support came after this revision was written: a server database is created
        # by these migrations, empty, so there are no rows to hash, only columns to add.
        for table in _server_hashed_tables():
            op.add_column(table, sa.Column(rowhash.COLUMN, sa.Integer(), nullable=True))
        return
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
    if op.get_bind().dialect.name != "sqlite":
        for table in _server_hashed_tables():
            op.drop_column(table, rowhash.COLUMN)
        return
    driver = op.get_bind().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    cur = driver.cursor()
    try:
        for table in _hashed_tables(cur):
            cur.execute(f'ALTER TABLE "{table}" DROP COLUMN {rowhash.COLUMN}')
    finally:
        cur.close()
