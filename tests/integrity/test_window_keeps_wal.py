"""A command-line write while the window is open must not pull the WAL from under the window.

SQLite's locks on POSIX are fcntl locks: they belong to the process, and any close() of any
descriptor of the database file in that process drops them all. Qt's file dialog does just that
when the user browses the database's folder for an Excel file (it reads each file to tell its
type). The command line's last close then took itself for the only user: it checkpointed and
deleted demo.db-wal and demo.db-shm, and every later transaction of the window failed with
"database disk image is malformed" (导入组织 / 导入凭证) until a restart (review of issue #15).
Two real processes on a real file; the window's side is this test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from db.backup import backup_file
from db.migrate import open_database
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.dblock import DatabaseLock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows file locks belong to their handle")

VILLAGE = "320115106200"


def _cli(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SUNSHINE_LEDGER_PASSWORD="demo1234")
    return subprocess.run([sys.executable, "-m", "desktop_app", "--data-dir", str(tmp_path / "cli"), *args[:2],
                           "--db", str(db), "--user", "admin", *args[2:]],
                          capture_output=True, text=True, env=env, timeout=120)


def _what_the_dialog_does(db: Path) -> None:
    """What Qt's file dialog does to every file of the folder it shows: open, read, close."""
    for suffix in ("", "-wal", "-shm"):
        f = Path(f"{db}{suffix}")
        if f.exists():
            f.read_bytes()[:512]


@pytest.mark.parametrize("command", [
    ("book", "add", "--org", VILLAGE, "--name", "命令行新账", "--start", "2027-01"),
    ("org", "add", "--name", "新华村股份经济合作社", "--uscc", make_uscc("N2320115MA1X0K3Y2"), "--region", "320115106299",
     "--start", "2027-01"),
    ("import", "orgs", "ORGS_FILE"),
])
def test_a_cli_write_while_the_window_has_lost_its_locks_leaves_the_window_working(
        demo_template: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    path = backup_file(demo_template, tmp_path / "demo.db")
    window_lock = DatabaseLock(path)
    window_lock.acquire("王会计（kuaiji）")
    db = open_database(path)
    try:
        def read() -> tuple[int, int]:
            with db.read("kuaiji") as s:
                return len(list_organisations(s)), len(list_books(s))

        before = read()
        on_worker: dict[str, object] = {}
        worker = threading.Thread(target=lambda: on_worker.setdefault("r", read()))  # the import's thread
        worker.start()
        worker.join()
        assert on_worker["r"] == before
        args = command
        if "ORGS_FILE" in command:
            orgs = tmp_path / "orgs.xlsx"
            done = _cli(tmp_path, path, "export", "orgs", "--out", str(orgs))
            assert done.returncode == 0, done.stderr
            args = command[:2]  # the file comes after the options
        _what_the_dialog_does(path)
        if "ORGS_FILE" in command:
            done = _cli(tmp_path, path, *args, "--mode", "skip", str(tmp_path / "orgs.xlsx"))
        else:
            done = _cli(tmp_path, path, *args)
        assert done.returncode == 0, done.stdout + done.stderr

        after = read()  # was: sqlite3.DatabaseError: database disk image is malformed
        if command[0] == "book":
            assert after == (before[0], before[1] + 1)
        elif command[0] == "org":
            assert after == (before[0] + 1, before[1] + 1)
        else:
            assert after == before
        result: dict[str, object] = {}

        def on_thread() -> None:
            try:
                result["r"] = read()
                with db.begin("kuaiji") as s:  # the import's BEGIN IMMEDIATE
                    result["w"] = len(list_organisations(s))
            except Exception as exc:  # reported by the assertion below
                result["error"] = exc

        worker = threading.Thread(target=on_thread)
        worker.start()
        worker.join()
        assert "error" not in result, result
        assert result["r"] == after
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()  # still the window's files
    finally:
        db.close()
        window_lock.release()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_without_a_window_the_wal_files_are_tidied_away_as_before(demo_template: Path, tmp_path: Path) -> None:
    path = backup_file(demo_template, tmp_path / "demo.db")
    done = _cli(tmp_path, path, "book", "add", "--org", VILLAGE, "--name", "命令行新账", "--start", "2027-01")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("demo.db")) == ["demo.db"]
