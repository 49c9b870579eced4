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
5. the staged file gets a new installation identity (made as of today) before it replaces the
   database, so no kill leaves the restored ledger with the backup's identity.

``prepare_restore`` / ``finish_restore`` run these steps for the CLI and the GUI alike; a sealed
backup (``.slbak``, desktop_app.core.backup_crypto) is first decrypted beside the database with
the passphrase. ``describe_backup`` says what a backup holds and what restoring it would lose.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.backup import backup_file, backup_name, catalogue, fsync_dir
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
        catalogue(kept, "restore")  # checked and listed like every automatic backup
        lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        lock.execute("PRAGMA journal_mode=DELETE")  # the old WAL is folded in and removed
        for suffix in _SIDE_FILES:
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(staged, target)
        fsync_dir(target.parent)
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
    catalogue(kept, "restore")  # listed, as not verified, with what is wrong with it
    for suffix in _SIDE_FILES:
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    fsync_dir(target.parent)
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


# --- the whole restore, for the CLI and the GUI ------------------------------------------------


class PassphraseNeeded(IntegrityProblem):
    """The backup is sealed with a passphrase and none was given."""


@dataclass(frozen=True)
class PreparedRestore:
    """A backup checked and staged beside the database; nothing of the database touched yet."""

    source: Path  # what the user chose
    target: Path
    staged: Path  # the checked copy that will replace the target (== source when refused)
    check: RestoreCheck
    decrypted: Path | None  # the plaintext of a sealed backup, removed by ``discard``


@dataclass(frozen=True)
class BackupContents:
    """What a backup holds, and what restoring it would lose of the current database."""

    organisations: tuple[str, ...]
    latest_voucher: date | None
    audit_last_n: int
    audit_last_hash: str
    lost_entries: int  # audit entries of the current database newer than the backup
    same_history: bool  # the current audit chain continues the backup's


def prepare_restore(source: Path, target: Path, *, passphrase: str | None = None) -> PreparedRestore:
    """Steps 1–2 for ``source`` (plain or sealed). Raises ``IntegrityProblem`` (Chinese) for what
    cannot be restored at all; ``check.damage`` / ``check.findings`` say what the checks found."""
    from db.errors import DatabaseTooNew
    from desktop_app.core.backup_crypto import decrypt_file, is_sealed

    if not source.is_file():
        raise IntegrityProblem(f"备份文件不存在：{source}")
    if target.exists() and source.resolve() == target.resolve():
        raise IntegrityProblem("备份文件就是当前数据库本身，不能用它恢复自己")
    if target.is_file() and target.stat().st_size:
        try:
            check_database_file(target)
        except DamagedDatabase:
            pass  # replacing a damaged database is what restore is for (its file is kept)
        except DatabaseTooNew:
            raise IntegrityProblem(f"当前数据库 {target.name} 由更新版本的阳光台账创建，不能用旧备份覆盖。"
                                   "请先升级阳光台账") from None
        except IntegrityProblem as exc:
            raise IntegrityProblem(f"{exc}：恢复不会覆盖它。请指定阳光台账的数据库文件") from None
    decrypted = None
    plain = source
    if source.stat().st_size and is_sealed(source):
        if not passphrase:
            raise PassphraseNeeded(f"备份文件 {source.name} 已用备份口令加密，请输入备份口令")
        decrypted = target.with_name(target.name + ".decrypting")
        decrypted.unlink(missing_ok=True)
        decrypt_file(source, decrypted, passphrase)  # removed again on a wrong passphrase or damage
        plain = decrypted
    try:
        staged, check = stage_backup(plain, target, backup_dir_of(target))
    except BaseException:
        if decrypted is not None:
            decrypted.unlink(missing_ok=True)
        raise
    return PreparedRestore(source, target, staged, check, decrypted)


def finish_restore(prepared: PreparedRestore, *, force: bool = False) -> tuple[RestoreResult, str]:
    """Steps 3–5: give the staged copy a new installation identity, then replace the database with
    it (refused while another program has it open). Returns the result and the new origin id.
    Always discards the staged and decrypted files."""
    from db.migrate import new_installation

    try:
        if prepared.check.damage:
            raise IntegrityProblem(f"备份文件 {prepared.source.name} 已损坏或不完整，不能用于恢复。当前数据库未作任何改动")
        if prepared.check.findings and not force:
            raise IntegrityProblem("备份中的数据可能被程序以外的方式修改过，未恢复，当前数据库未作任何改动")
        # before the replace, not after it: a process killed in between would leave the restored
        # ledger signing as the PC the backup came from (tests/integrity/test_kill_cli.py)
        db = open_database(prepared.staged, create=False, backup_dir=backup_dir_of(prepared.target))
        try:
            with db.begin("restore") as s:
                origin = new_installation(s.connection(), "本机（由备份恢复）", "restore")
        finally:
            db.close()
        kept = replace_database(prepared.staged, prepared.target, backup_dir_of(prepared.target))
    finally:
        discard(prepared)
    return RestoreResult(prepared.source, prepared.target, kept), str(origin)


def discard(prepared: PreparedRestore) -> None:
    if prepared.staged != prepared.source and prepared.staged != prepared.decrypted:
        discard_staged(prepared.staged)
    if prepared.decrypted is not None:
        prepared.decrypted.unlink(missing_ok=True)


def backup_dir_of(target: Path) -> Path:
    return target.parent / "backups"  # desktop_app.paths.backup_dir (core does not import it)


def describe_backup(backup: Path, current: Path | None) -> BackupContents:
    """Read (only) a plain backup or a staged copy: its organisations, latest voucher date and
    audit head; with ``current``, how many audit entries of the current database are newer."""
    orgs, latest, last_n, last_hash = _contents(backup)
    lost, same = 0, True
    if current is not None and current.is_file() and current.stat().st_size:
        try:
            conn = sqlite3.connect(read_only_uri(current), uri=True)
            try:
                row = conn.execute("SELECT hash FROM audit_entry WHERE n = ?", (last_n,)).fetchone()
                same = last_n == 0 or (row is not None and row[0] == last_hash)
                if same:
                    lost = conn.execute("SELECT count(*) FROM audit_entry WHERE n > ?", (last_n,)).fetchone()[0]
                else:
                    lost = conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            lost, same = 0, False
    return BackupContents(orgs, latest, last_n, last_hash, int(lost), same)


def _contents(path: Path) -> tuple[tuple[str, ...], date | None, int, str]:
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        orgs = tuple(r[0] for r in conn.execute("SELECT name FROM organisation ORDER BY name"))
        latest = conn.execute("SELECT max(voucher_date) FROM voucher").fetchone()[0]
        head = conn.execute("SELECT last_n, last_hash FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise IntegrityProblem(f"无法读取备份 {path.name} 的内容（{exc}）") from None
    finally:
        conn.close()
    return orgs, date.fromisoformat(str(latest)[:10]) if latest else None, int(head[0]) if head else 0, (
        str(head[1]) if head else "")
