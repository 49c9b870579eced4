"""db/pgcursor.py on a real PostgreSQL database: the sync code's SQLite statements run there and
values come back in SQLite's stored forms (issue #13)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import psycopg
import pytest

from db.pgcursor import PgCursor, stored, translate

pytestmark = pytest.mark.pg


def test_statements_and_stored_forms(pg_url: str) -> None:
    con = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        cur = PgCursor(con.cursor())
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS sync_rows (t TEXT NOT NULL, id TEXT NOT NULL, "
                    "prev INTEGER NOT NULL, PRIMARY KEY (t, id)) WITHOUT ROWID")
        a, b = uuid.uuid4(), uuid.uuid4()
        ids = f'["{a.hex}", "{b.hex}"]'
        cur.execute("INSERT OR IGNORE INTO temp.sync_rows (t, id, prev) SELECT ?, value, 0 FROM json_each(?)",
                    ("voucher", ids))
        cur.execute("INSERT OR IGNORE INTO temp.sync_rows (t, id, prev) SELECT ?, value, 0 FROM json_each(?)",
                    ("voucher", ids))  # held rows ignored, as SQLite does
        assert sorted(cur.execute("SELECT id, prev FROM temp.sync_rows WHERE t = ?", ("voucher",)).fetchall()) == \
            sorted([(a.hex, 0), (b.hex, 0)])
        cur.execute("SELECT 'a%b', TRUE, DATE '2026-01-31', TIMESTAMP '2026-01-31 08:00:01.5', 12::numeric")
        assert cur.fetchone() == ("a%b", 1, "2026-01-31", "2026-01-31 08:00:01.500000", 12)
    finally:
        con.close()


def test_translation_table() -> None:
    assert translate("UPDATE x SET seq = MAX(x.seq, excluded.seq) WHERE deleted = 0 AND a.deleted = 0") == \
        "UPDATE x SET seq = GREATEST(x.seq, excluded.seq) WHERE deleted = false AND a.deleted = false"
    assert translate("PRAGMA defer_foreign_keys=ON") == "SET CONSTRAINTS ALL DEFERRED"
    assert stored(None) is None and stored(5) == 5 and stored("x") == "x"
    assert stored(date(2026, 2, 1)) == "2026-02-01" and stored(datetime(2026, 2, 1)) == "2026-02-01 00:00:00.000000"
