"""A package whose row shape differs from ours (an older program's, without ``row_hash``): the
receiver hashes the rows it stored itself, so ``verify`` agrees; a same-shape package keeps the
sender's hash as sent (issue #13 / DESIGN-NOTES 34)."""

from __future__ import annotations

import sqlite3

from desktop_app.core.services.integrity import check_row_hashes
from tests.sync.conftest import SyncPair


def _hashes(path: object, table: str) -> dict[str, int | None]:
    con = sqlite3.connect(str(path))
    try:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        if "row_hash" not in cols:
            return {i: None for (i,) in con.execute(f'SELECT id FROM "{table}"')}
        return dict(con.execute(f'SELECT id, row_hash FROM "{table}"').fetchall())
    finally:
        con.close()


def test_older_package_without_row_hash_applies_and_verifies(sync_pair: SyncPair) -> None:
    town, district = sync_pair.town, sync_pair.district
    con = sqlite3.connect(town.path)  # the township runs a program from before row hashes for 科目
    try:
        con.execute('ALTER TABLE "account" DROP COLUMN row_hash')
        con.commit()
    finally:
        con.close()
    _out, report = sync_pair.carry(town, district)
    assert not report.problems and report.rows["account"] > 0
    held = _hashes(district.path, "account")
    assert len(held) == report.rows["account"] and None not in held.values()
    with district.read() as s:
        assert check_row_hashes(s.connection()) == []
    # a table of the same shape keeps exactly what the sender stored
    sent, kept = _hashes(town.path, "voucher"), _hashes(district.path, "voucher")
    assert sent and kept == sent
