"""The 同步导入前 copy made by copying the files (db.backup.copy_under_write_lock) inside the
import's own BEGIN IMMEDIATE: it holds exactly the committed state — including what is still only
in the -wal — never the transaction's own changes, and it is one self-contained file. (The import run's own
copy, made this way, is checked to hold the state before the run in tests/sync/test_import_backup.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db.backup import copy_under_write_lock, write_backup


def _wal_db(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")  # keep the committed rows in the -wal only
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.execute("BEGIN")
    con.executemany("INSERT INTO t (v) VALUES (?)", [(f"行{i}",) for i in range(2000)])
    con.execute("COMMIT")
    return con


def _rows(path: Path) -> list[tuple[int, str]]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return con.execute("SELECT id, v FROM t ORDER BY id").fetchall()
    finally:
        con.close()


def test_the_copy_is_the_committed_state_not_the_writers_changes(tmp_path: Path) -> None:
    src = tmp_path / "district.db"
    writer = _wal_db(src)
    assert (tmp_path / "district.db-wal").stat().st_size > 0  # the rows are in the -wal, not yet in the file
    committed = _rows(src)
    reader = sqlite3.connect(src)  # another connection reading meanwhile (a window's page)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2000

    writer.execute("BEGIN IMMEDIATE")
    writer.execute("SELECT COUNT(*) FROM t").fetchone()
    dest = copy_under_write_lock(src, tmp_path / "backups" / "copy.db")
    writer.execute("UPDATE t SET v = '改了' WHERE id <= 10")  # the import's writes, after the copy
    writer.execute("INSERT INTO t (v) VALUES ('新行')")
    writer.execute("COMMIT")
    reader.execute("ROLLBACK")
    reader.close()
    writer.close()

    assert _rows(dest) == committed
    assert not (tmp_path / "backups" / "copy.db-wal").exists()  # one self-contained file
    assert not (tmp_path / "backups" / "copy.db.tmp").exists()
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()
    assert len(_rows(src)) == 2001


def test_a_leftover_half_copy_is_replaced(tmp_path: Path) -> None:
    src = tmp_path / "a.db"
    writer = _wal_db(src)
    dest = tmp_path / "b.db"
    dest.with_name("b.db.tmp").write_bytes(b"half a copy from a stopped program")
    dest.with_name("b.db.tmp-wal").write_bytes(b"junk")
    writer.execute("BEGIN IMMEDIATE")
    copy_under_write_lock(src, dest)
    writer.execute("ROLLBACK")
    writer.close()
    assert len(_rows(dest)) == 2000


def test_write_backup_under_the_lock_catalogues_like_the_backup_api(tmp_path: Path) -> None:
    src = tmp_path / "c.db"
    writer = _wal_db(src)
    writer.execute("BEGIN IMMEDIATE")
    locked = write_backup(src, tmp_path / "bk", "sync-import", verify=True, write_locked=True)
    writer.execute("ROLLBACK")
    writer.close()
    api = write_backup(src, tmp_path / "bk2", "sync-import", verify=True)
    assert locked.problems == api.problems  # the same check (this test table is not ours: both say so)
    assert _rows(locked.path) == _rows(api.path)

