"""Migrations are all or nothing (issue #19): a process killed in the middle of an upgrade leaves
the file at its old version, and the next open completes the upgrade."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from db.engine import make_engine
from db.migrate import SCHEMA_HEADS, current_revisions, open_database, upgrade

ROOT = Path(__file__).resolve().parents[2]
OPEN = "from db.migrate import open_database; open_database(__import__('sys').argv[1]).close()"


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def test_a_kill_mid_upgrade_leaves_the_old_version_and_the_next_open_completes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    upgrade(engine, "0001")  # a file written by the first release
    engine.dispose()
    before = _schema(path)
    for fault in ("f0002", "0004", "s0002"):  # after several scripts of different branches have run
        done = subprocess.run([sys.executable, "-c", OPEN, str(path)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "SUNSHINE_LEDGER_MIGRATE_FAULT": fault}, timeout=120)
        assert done.returncode == -signal.SIGKILL, done.stderr
        engine = make_engine(path)
        assert current_revisions(engine) == {"0001"}
        engine.dispose()
        assert _schema(path) == before  # no table of a later script survives the kill
    db = open_database(path, create=False)
    try:
        assert current_revisions(db.engine) == SCHEMA_HEADS
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        db.close()
