"""Copies of the database file: SQLite's online backup API is the only way a DB is copied."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path


def backup_file(src: Path, dest: Path) -> Path:
    """Consistent copy of ``src`` to ``dest`` (safe while the source is open, WAL included)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    source = sqlite3.connect(str(src))
    try:
        target = sqlite3.connect(str(tmp))
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(dest)
    return dest


def backup_name(src: Path, tag: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{src.stem}-{tag}-{stamp}.db"


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (before handing the file to another program)."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
