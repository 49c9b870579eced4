"""Automatic and manual backups (issue #19). Qt-free; the GUI page and the CLI both call these.

* ``auto_backup(db_path, reason)`` — the one entry for every automatic backup (每日首次启动,
  升级前, 恢复前, 同步导入前, 月末结账) and 手动 ones into the data folder: SQLite's online backup
  API (safe while the program has the database open), the copy checked right after writing and
  catalogued (db/backup.py), then the folder rotated.
* ``daily_if_due(db_path)`` — the first start of each day (``daily_quietly`` at start-up: never
  stops the program opening).
* ``month_close_if_missing(db_path)`` — a month close commits first and its 月末结账 backup is made
  after; a close left without one (the program stopped in between) gets it at the next start
  (``daily_quietly``).
* ``backup_to_folder(session, db_path, folder, passphrase)`` — a copy outside the data folder
  (a chosen folder or a USB stick) is always sealed with the administrator's passphrase
  (desktop_app.core.backup_crypto) and checked by decrypting it again.
* The passphrase is kept only as a scrypt hash with its salt (``backup_setting``).

Rotation keeps, by reason: the newest daily backup of each of the last 7 days that have one; the
first backup of each of the last 12 months; the newest 12 month-close backups; and the newest N
of the others. Nothing else in the backups folder is ever deleted.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.backup import REASONS, BackupEntry, list_backups, remove_backup, remove_stale_partials, write_backup
from db.models import BackupSetting
from db.types import utcnow
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.rows import UserRow

PASSPHRASE_KEY = "passphrase"
MIN_PASSPHRASE = 8
NO_PASSPHRASE = ("尚未设置备份口令：写到数据文件夹以外（其他文件夹或U盘）的备份必须加密。"
                 "请系统管理员先在“备份与恢复”页（或命令 backup passphrase）设置备份口令")


@dataclass(frozen=True)
class Rotation:
    daily_days: int = 7
    months: int = 12
    month_close: int = 12
    upgrade: int = 5
    restore: int = 5
    sync_import: int = 10
    manual: int = 20


@dataclass(frozen=True)
class ExportResult:
    path: Path  # the sealed file outside the data folder
    size: int
    sha256: str  # of the database inside (equal to the local copy's)
    local: BackupEntry  # the verified plain copy kept in the data folder


def backups_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"  # desktop_app.paths.backup_dir (core does not import paths)


def auto_backup(db_path: Path, reason: str, *, now: datetime | None = None,
                keep: Rotation = Rotation()) -> BackupEntry:
    """Back up ``db_path`` into its data folder's ``backups/`` for ``reason`` (a key of
    ``db.backup.REASONS``), check and catalogue the copy, then rotate the folder."""
    if reason not in REASONS:
        raise ValidationError(f"未知的备份原因：{reason}")
    if not db_path.is_file():
        raise UserError(f"数据库文件不存在：{db_path}")
    now = now or datetime.now()
    entry = write_backup(db_path, backups_folder(db_path), reason, now)
    rotate(backups_folder(db_path), keep, of=db_path)
    return entry


def daily_if_due(db_path: Path, *, now: datetime | None = None, keep: Rotation = Rotation()) -> BackupEntry | None:
    """The first start of a day backs up (once per day); None when today's backup exists."""
    now = now or datetime.now()
    if any(e.reason == "daily" and e.created.date() == now.date() for e in list_backups(backups_folder(db_path), db_path)):
        return None
    return auto_backup(db_path, "daily", now=now, keep=keep)


def newest_close(path: Path) -> str | None:
    """When the newest month still closed in the database file ``path`` was closed (its
    ``closed_at`` as stored: text that sorts by time); None when none is closed, or the file cannot
    be read as one of ours (read only: a backup is never changed by looking)."""
    from db.engine import read_only_uri

    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error:
        return None
    try:
        found = conn.execute("SELECT max(closed_at) FROM period WHERE status = 'closed'").fetchone()
        return str(found[0]) if found and found[0] is not None else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def month_close_if_missing(db_path: Path, *, now: datetime | None = None,
                           keep: Rotation = Rotation()) -> BackupEntry | None:
    """The 月末结账 backup of a month whose close is committed but whose backup was never made
    (the program or the computer stopped between the two, or the disk was full then): made now,
    once. Due when the file holds a month closed after the newest close the newest 月末结账 backup
    holds (or there is none); None when nothing is due."""
    live = newest_close(db_path)
    if live is None:
        return None
    newest = next((e for e in list_backups(backups_folder(db_path), db_path) if e.reason == "month-close"), None)
    held = newest_close(newest.path) if newest is not None else None
    if held is not None and held >= live:
        return None
    return auto_backup(db_path, "month-close", now=now, keep=keep)


def daily_quietly(db_path: Path, *, now: datetime | None = None) -> BackupEntry | None:
    """The program's start: first the 月末结账 backup of a close that has none
    (``month_close_if_missing``), then ``daily_if_due`` (returned). A backup that cannot be
    written (a full or read-only disk) is logged and never stops the program opening; the
    备份与恢复 page shows which days have none, and a missing month-close backup is tried again at
    the next start."""
    from db.backup import verify_pending

    log = logging.getLogger(__name__)
    try:
        month_close_if_missing(db_path, now=now)
    except (OSError, sqlite3.Error, UserError) as exc:
        log.warning("month-close backup of %s failed: %s", db_path, exc)
    try:
        return daily_if_due(db_path, now=now)
    except (OSError, sqlite3.Error, UserError) as exc:
        log.warning("daily backup of %s failed: %s", db_path, exc)
        return None
    finally:
        try:  # a sync import's copy whose deferred check a stopped program never finished
            verify_pending(backups_folder(db_path), db_path)
        except (OSError, sqlite3.Error) as exc:
            log.warning("checking pending backups of %s failed: %s", db_path, exc)


def backup_quietly(db_path: Path, reason: str, *, now: datetime | None = None) -> BackupEntry | None:
    """``auto_backup`` for the hooks after work that is already committed (a month close): a
    backup that cannot be written is logged and returns None instead of reporting the close as
    failed; the 备份与恢复 page lists what exists."""
    try:
        return auto_backup(db_path, reason, now=now)
    except (OSError, sqlite3.Error, UserError) as exc:
        logging.getLogger(__name__).warning("%s backup of %s failed: %s", reason, db_path, exc)
        return None


def rotate(folder: Path, keep: Rotation = Rotation(), *, of: Path | None = None) -> tuple[Path, ...]:
    """Delete the backups (of the database ``of``) the rotation no longer keeps; returns what was deleted."""
    entries = list_backups(folder, of)  # newest first
    kept: set[Path] = set()
    days: list[date] = []
    for e in entries:
        if e.reason == "daily" and e.created.date() not in days:
            days.append(e.created.date())
            if len(days) <= keep.daily_days:
                kept.add(e.path)
    first_of_month: dict[tuple[int, int], BackupEntry] = {}
    for e in entries:
        if e.reason in ("daily", "month-close"):
            first_of_month[(e.created.year, e.created.month)] = e  # the oldest wins (newest first)
    for month in sorted(first_of_month, reverse=True)[: keep.months]:
        kept.add(first_of_month[month].path)
    counts = {"month-close": keep.month_close, "upgrade": keep.upgrade, "restore": keep.restore,
              "sync-import": keep.sync_import, "manual": keep.manual}
    for reason, n in counts.items():
        kept.update(e.path for e in [e for e in entries if e.reason == reason and not e.pending][:n])
        # the newest copy known sound stays whatever newer copies exist (those may yet fail their check)
        sound = next((e.path for e in entries if e.reason == reason and e.verified), None)
        if sound is not None:
            kept.add(sound)
    kept.update(e.path for e in entries if e.pending)  # not checked yet (``verify_pending``): never rotated away
    removed = tuple(e.path for e in entries if e.path not in kept)
    for path in removed:
        remove_backup(path)
    return removed + (remove_stale_partials(folder, of) if of is not None else ())


# --- the passphrase ------------------------------------------------------------------------------


def has_passphrase(session: Session) -> bool:
    return session.get(BackupSetting, PASSPHRASE_KEY) is not None


def check_passphrase(session: Session, passphrase: str) -> bool:
    from desktop_app.core.services.users import check_password

    row = session.get(BackupSetting, PASSPHRASE_KEY)
    return row is not None and check_password(passphrase, row.value)


def set_passphrase(session: Session, new: str, *, user: UserRow, current: str | None = None) -> None:
    """Set (or change, given the current one) the backup passphrase: a 系统管理员's act (issue #16);
    audited as that user (never the text)."""
    from desktop_app.core.services.auth import require_role
    from desktop_app.core.services.users import hash_password

    actor = require_role(session, user, "sysadmin").username
    row = session.get(BackupSetting, PASSPHRASE_KEY)
    if row is not None and not check_passphrase(session, current or ""):
        raise ValidationError("原备份口令不正确，备份口令未修改", field="current")
    if len(new) < MIN_PASSPHRASE:
        raise ValidationError(f"备份口令至少 {MIN_PASSPHRASE} 个字符", field="passphrase")
    if new.strip() != new:
        raise ValidationError("备份口令的开头和结尾不能是空格", field="passphrase")
    if row is None:
        session.add(BackupSetting(key=PASSPHRASE_KEY, value=hash_password(new), updated_at=utcnow(), updated_by=actor))
        summary = "设置备份口令"
    else:
        row.value, row.updated_at, row.updated_by = hash_password(new), utcnow(), actor
        summary = "修改备份口令"
    session.flush()
    record_audit(session, AuditRecord("update", "backup_setting", PASSPHRASE_KEY, summary))


@dataclass(frozen=True)
class PassphraseSetting:
    """The backup passphrase as a database file holds it: its stored hash (None: not set), when
    and by whom it was set."""

    digest: str | None
    updated_at: datetime | None = None  # UTC
    updated_by: str = ""


RESTORED_PASSPHRASE = "恢复此备份后，备份口令将回到该备份时的状态："


def passphrase_setting_of(path: Path) -> PassphraseSetting | None:
    """The passphrase setting of the database file ``path`` (read only: a backup is never changed
    by looking); a file older than the setting holds none. None when the file cannot be read."""
    from db.engine import read_only_uri

    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_setting'").fetchone() is None:
            return PassphraseSetting(None)
        found = conn.execute("SELECT value, updated_at, updated_by FROM backup_setting WHERE key = ?",
                             (PASSPHRASE_KEY,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if found is None:
        return PassphraseSetting(None)
    try:
        at: datetime | None = datetime.fromisoformat(str(found[1])).replace(tzinfo=UTC)
    except ValueError:
        at = None
    return PassphraseSetting(str(found[0]), at, str(found[2] or ""))


def _set_when(p: PassphraseSetting) -> str:
    when = f"{p.updated_at.astimezone():%Y-%m-%d %H:%M} " if p.updated_at is not None else ""
    who = f"由 {p.updated_by} " if p.updated_by else ""
    return f"{when}{who}设置".strip()


def restore_passphrase_change(backup: Path, current: Path) -> str | None:
    """What restoring ``backup`` over ``current`` does to the backup passphrase (it lives in the
    database, so the backup's setting comes back with it), in plain words; None when the two
    settings are the same (or either file cannot be read)."""
    was, now = passphrase_setting_of(backup), passphrase_setting_of(current)
    if was is None or now is None or was.digest == now.digest:
        return None
    if was.digest is None:
        return (f"{RESTORED_PASSPHRASE}尚未设置口令。当前的备份口令将不再有效：恢复后要把备份写到U盘或其他文件夹，"
                "须由系统管理员重新设置备份口令（已用当前口令加密的备份，恢复时仍输入当前口令）")
    if now.digest is None:
        return (f"{RESTORED_PASSPHRASE}已设置口令（{_set_when(was)}）。当前数据库尚未设置口令；恢复后写到U盘的备份"
                "将用该备份中的那个口令加密")
    return (f"{RESTORED_PASSPHRASE}该备份中的口令是 {_set_when(was)}的，不是当前的口令（{_set_when(now)}）。"
            "恢复后写到U盘的备份将用那时的口令加密；已用当前口令加密的备份，恢复时仍输入当前口令")


# --- outside the data folder ---------------------------------------------------------------------


def is_outside(db_path: Path, folder: Path) -> bool:
    return folder.resolve() != backups_folder(db_path).resolve()


def backup_to_folder(session: Session, db_path: Path, folder: Path, passphrase: str | None, *,
                     now: datetime | None = None) -> ExportResult | BackupEntry:
    """手动 backup into ``folder``: the data folder's backups (plain, catalogued) or anywhere else,
    sealed with the passphrase (checked against the stored hash first, so a mistyped one never
    makes a backup nobody can open) and checked by decrypting it again."""
    from desktop_app.core.backup_crypto import SUFFIX, check_file, encrypt_file

    if not is_outside(db_path, folder):
        return auto_backup(db_path, "manual", now=now)
    if not has_passphrase(session):
        raise UserError(NO_PASSPHRASE)
    if not passphrase or not check_passphrase(session, passphrase):
        raise UserError("备份口令不正确，未备份")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} 不是文件夹，请选择备份要放入的文件夹")
    if not folder.is_dir():
        raise UserError(f"文件夹不存在：{folder}")
    local = auto_backup(db_path, "manual", now=now)
    if not local.verified:
        raise UserError(f"备份副本未通过检查（{'；'.join(local.problems)}），未写到 {folder}。请运行 verify 检查数据库")
    dest = folder / (local.path.stem + SUFFIX)
    encrypt_file(local.path, dest, passphrase)
    try:
        sha = check_file(dest, passphrase)
    except UserError:
        dest.unlink(missing_ok=True)
        raise UserError(f"写到 {folder} 的加密备份读回时校验失败（U盘可能有问题），已删除该文件，请换一个位置重试") from None
    if sha != local.sha256:
        dest.unlink(missing_ok=True)
        raise UserError(f"写到 {folder} 的加密备份与原备份不一致（U盘可能有问题），已删除该文件，请换一个位置重试")
    return ExportResult(dest, dest.stat().st_size, sha, local)
