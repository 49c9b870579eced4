"""Restore a backup without ever risking the ledger (Qt-free, so the GUI can call it too).

Order (nothing is touched until every check has passed):

1. ``file_damage``/``check_database_file``: the backup is a whole SQLite file of this program, not
   written by a newer one, ``PRAGMA integrity_check`` ok;
2. a staged copy beside the target is opened (an older backup is upgraded there, never the user's
   backup file) and ``verify`` run on it: its findings are returned, and the caller restores only
   with ``force`` after showing them;
3. the target is locked: ``PRAGMA locking_mode=EXCLUSIVE`` + ``BEGIN EXCLUSIVE`` with a short
   timeout. A program that has the database open (the GUI keeps its connections open; in WAL mode
   each holds a shared lock on the file) makes this fail, and the restore is refused. No lock file
   is needed: SQLite's own lock is what every opener already takes;
4. under that lock the current database is copied (backup API) to the backups folder, its WAL is
   folded in and removed, the staged file is renamed over it (``os.replace``, atomic) and any
   ``-wal``/``-shm``/``-journal`` of the old file is deleted so it can never be replayed onto the
   restored one;
5. the restored file gets a new installation identity (made as of today), by the caller's session.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.backup import backup_file, backup_name
from db.engine import read_only_uri
from db.errors import IntegrityProblem
from db.migrate import SQLITE_HEADER, DamagedDatabase, check_database_file, open_database

LOCK_TIMEOUT_S = 0.5
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class RestoreCheck:
    """What checking a backup found: ``damage`` refuses it outright; ``findings`` (from ``verify``)
    refuse it unless the user, shown them, confirms (``force``)."""

    damage: tuple[str, ...]
    findings: tuple[str, ...]


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    target: Path
    kept: Path | None  # the replaced database, kept in the backups folder


def file_damage(path: Path, *, deep: bool = True) -> list[str]:
    """Chinese descriptions of why ``path`` is not a sound SQLite file (empty list: sound).
    Reads only; raises ``IntegrityProblem`` for a file that is not SQLite at all, or not ours, or
    newer. ``deep=False`` leaves out ``PRAGMA integrity_check`` (``verify`` runs it itself)."""
    if not path.is_file():
        raise IntegrityProblem(f"文件不存在：{path}")
    size = path.stat().st_size
    if size == 0:
        return [f"文件 {path.name} 是空文件（0 字节），不是数据库备份"]
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise IntegrityProblem(f"文件 {path.name} 不是 SQLite 数据库文件（可能是其他类型的文件）")
    try:
        check_database_file(path)  # raises for a foreign or newer file
    except DamagedDatabase as exc:
        return [exc.message]
    if not deep:
        return []
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"数据库文件 {path.name} 已损坏，无法读取（{exc}）"]
    if result == ["ok"]:
        return []
    lines = [ln for r in result for ln in str(r).splitlines() if ln.strip() and not ln.startswith("***")]
    more = [f"……另有 {len(lines) - 10} 条同类问题"] if len(lines) > 10 else []
    return [f"数据库文件结构损坏：{ln}" for ln in lines[:10]] + more


def stage_backup(source: Path, target: Path, backup_dir: Path) -> tuple[Path, RestoreCheck]:
    """Copy ``source`` beside ``target`` and check the copy. Returns the staged path (the caller
    removes it with ``discard_staged`` unless it is restored) and what the checks found."""
    damage = file_damage(source)
    if damage:
        return source, RestoreCheck(tuple(damage), ())
    staged = target.with_name(target.name + ".restoring")
    discard_staged(staged)
    backup_file(source, staged)  # the user's backup file itself is never opened for writing
    try:
        db = open_database(staged, create=False, backup_dir=backup_dir)  # upgrades an older backup
        try:
            from desktop_app.core.services.integrity import verify_database

            with db.engine.connect() as conn:
                results = verify_database(conn)
        finally:
            db.close()
    except BaseException:
        discard_staged(staged)
        raise
    findings = tuple(f"{r.name}：{p}" for r in results for p in r.problems)  # integrity_check included
    return staged, RestoreCheck((), findings)


def discard_staged(staged: Path) -> None:
    for p in (staged, *(staged.with_name(staged.name + s) for s in _SIDE_FILES)):
        p.unlink(missing_ok=True)


def replace_database(staged: Path, target: Path, backup_dir: Path) -> Path | None:
    """Put the checked ``staged`` file in place of ``target`` atomically, keeping the old one.
    Refuses (``IntegrityProblem``) while another program has ``target`` open; nothing changed then."""
    with staged.open("rb") as f:
        if f.read(16) != SQLITE_HEADER:
            raise IntegrityProblem("待恢复的文件不是数据库文件")
    if not target.exists() or target.stat().st_size == 0:
        os.replace(staged, target)
        return None
    if file_damage(target):  # what restore is for: the damaged file is kept as it is, byte for byte
        return _replace_damaged(staged, target, backup_dir)
    lock = _lock_exclusively(target)
    try:
        kept = backup_dir / backup_name(target, "before-restore")
        backup_dir.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(kept.name + ".tmp")
        dest = sqlite3.connect(str(tmp))
        try:
            lock.backup(dest)  # through the locked connection: nobody can write meanwhile
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        tmp.replace(kept)
        lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        lock.execute("PRAGMA journal_mode=DELETE")  # the old WAL is folded in and removed
        for suffix in _SIDE_FILES:
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(staged, target)
        _fsync_dir(target.parent)
    finally:
        lock.close()
    return kept


def _replace_damaged(staged: Path, target: Path, backup_dir: Path) -> Path:
    """A damaged database cannot be locked or copied through SQLite: its file (and WAL) are kept
    as raw copies, then replaced."""
    kept = backup_dir / backup_name(target, "damaged-before-restore")
    backup_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        part = target.with_name(target.name + suffix)
        if part.exists():
            shutil.copy2(part, kept.with_name(kept.name + suffix))
    for suffix in _SIDE_FILES:
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    _fsync_dir(target.parent)
    return kept


def _lock_exclusively(target: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(target), timeout=LOCK_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.execute("COMMIT")  # in EXCLUSIVE locking mode the lock is kept until close
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise IntegrityProblem(f"数据库 {target.name} 正被其他程序使用（例如已打开的阳光台账窗口），"
                                   "请先关闭它再恢复。当前数据库未作任何改动") from None
        raise
    return conn


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
