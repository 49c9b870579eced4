"""Automatic backups and sealed backups (issue #19): the rotation (dates given, never slept for),
every copy checked after writing and catalogued beside it, the catalogue surviving a restore,
backups outside the data folder sealed with the administrator's passphrase, and a wrong
passphrase, a truncated or a changed sealed file refused with the database untouched.
Real SQLite files and the real CLI entry point."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from db.backup import catalogue, list_backups, recheck, sidecar, verify_copy, write_backup
from db.engine import Database
from desktop_app.cli import main
from desktop_app.commands.backups import ENV_PASSPHRASE
from desktop_app.core import backup_crypto
from desktop_app.core.errors import UserError
from desktop_app.core.services import backups as svc
from tests.acting import keeper
from tests.conftest import copy_of

PASS = "青山绿水-2026"


ADMIN = ("--user", "admin")  # replacing a sound ledger is its administrator's decision (the demo's: demo1234)


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")


def _reasons(folder: Path) -> list[tuple[str, str]]:
    return [(e.reason, f"{e.created:%Y-%m-%d}") for e in list_backups(folder)]


def test_rotation_keeps_seven_days_and_the_first_of_each_month(db: Database) -> None:
    start = datetime(2026, 1, 20, 8, 30)
    for day in range(50):  # 2026-01-20 … 2026-03-10, one start a day
        svc.daily_if_due(db.path, now=start + timedelta(days=day))
        assert svc.daily_if_due(db.path, now=start + timedelta(days=day, hours=3)) is None  # once a day
    kept = _reasons(svc.backups_folder(db.path))
    assert kept == [("daily", f"2026-03-{d:02d}") for d in range(10, 3, -1)] + [
        ("daily", "2026-03-01"), ("daily", "2026-02-01"), ("daily", "2026-01-20")]
    assert all(e.verified for e in list_backups(svc.backups_folder(db.path)))
    names = {p.name for p in svc.backups_folder(db.path).iterdir()}
    assert len(names) == 2 * len(kept)  # each file with its sidecar, nothing else left behind


def test_a_daily_backup_that_cannot_be_written_never_stops_the_start(db: Database) -> None:
    folder = svc.backups_folder(db.path)
    folder.write_text("一个同名文件，不是文件夹", encoding="utf-8")  # the backups folder cannot be made
    assert svc.daily_quietly(db.path, now=datetime(2026, 6, 1, 8, 0)) is None
    assert svc.backup_quietly(db.path, "month-close") is None
    folder.unlink()
    entry = svc.daily_quietly(db.path, now=datetime(2026, 6, 1, 9, 0))
    assert entry is not None and entry.verified and entry.reason_text == "每日首次启动"
    closed = svc.backup_quietly(db.path, "month-close")
    assert closed is not None and closed.reason_text == "月末结账"


def test_a_close_killed_before_its_backup_gets_it_at_the_next_start(two_year_demo: Path, tmp_path: Path) -> None:
    """结账 commits first and its 月末结账 backup is made after: a program stopped in between (or a
    backup that failed) leaves a closed month without one. The next start makes it, once."""
    import uuid

    from sqlalchemy import func, select

    from db.migrate import open_database
    from db.models import Book, Organisation, Period
    from desktop_app.core.periods import next_period
    from desktop_app.core.services.periods import close_period

    path = copy_of(two_year_demo, tmp_path / "data")
    folder = svc.backups_folder(path)

    def month_closes() -> list[Path]:
        return [e.path for e in list_backups(folder, path) if e.reason == "month-close"]

    first = svc.daily_quietly(path, now=datetime(2026, 12, 1, 8, 0))  # the demo's closes have none yet
    assert first is not None and first.reason == "daily" and len(month_closes()) == 1
    assert svc.newest_close(month_closes()[0]) == svc.newest_close(path) is not None
    assert svc.daily_quietly(path, now=datetime(2026, 12, 1, 9, 0)) is None and len(month_closes()) == 1

    db = open_database(path)  # the next month's 结账, committed; the program is killed before the backup
    try:
        with db.begin("kuaiji") as s:
            book = s.scalar(select(Book.id).join(Organisation, Organisation.id == Book.organisation_id)
                            .where(Organisation.name == "东湖村股份经济合作社"))
            assert isinstance(book, uuid.UUID)
            last = s.scalar(select(func.max(Period.period)).where(Period.book_id == book, Period.status == "closed"))
            assert isinstance(last, str)
            close_period(s, book, next_period(last), user=keeper(s, "bookkeeper"))
    finally:
        db.close()
    assert svc.newest_close(path) > svc.newest_close(month_closes()[0])  # type: ignore[operator]

    assert svc.daily_quietly(path, now=datetime(2026, 12, 2, 8, 0)) is not None  # the next start
    closes = month_closes()
    assert len(closes) == 2 and svc.newest_close(closes[0]) == svc.newest_close(path)
    assert svc.daily_quietly(path, now=datetime(2026, 12, 2, 9, 0)) is None  # and a second start: none
    assert month_closes() == closes


def test_rotation_keeps_the_newest_of_each_other_reason(db: Database) -> None:
    when = datetime(2026, 5, 1, 9, 0)
    for i in range(7):
        svc.auto_backup(db.path, "upgrade", now=when + timedelta(minutes=i))
    for i in range(3):
        svc.auto_backup(db.path, "sync-import", now=when + timedelta(hours=1, minutes=i))
    rotation = svc.Rotation(month_close=2)
    for month in range(1, 5):
        svc.auto_backup(db.path, "month-close", now=datetime(2026, month, 28, 17, 0), keep=rotation)
    got = list_backups(svc.backups_folder(db.path))
    assert [e.created.minute for e in got if e.reason == "upgrade"] == [6, 5, 4, 3, 2]
    assert len([e for e in got if e.reason == "sync-import"]) == 3
    # the newest two month closes, and the first backup of each of the other months
    assert sorted(e.created.month for e in got if e.reason == "month-close") == [1, 2, 3, 4]
    svc.rotate(svc.backups_folder(db.path), svc.Rotation(month_close=2, months=2))
    got = list_backups(svc.backups_folder(db.path))
    assert sorted(e.created.month for e in got if e.reason == "month-close") == [3, 4]


def test_every_copy_is_checked_after_writing_and_catalogued(db: Database, tmp_path: Path) -> None:
    entry = svc.auto_backup(db.path, "manual", now=datetime(2026, 6, 1, 10, 0, 5))
    side = json.loads(sidecar(entry.path).read_text(encoding="utf-8"))
    assert side["reason"] == "manual" and side["reason_text"] == "手动" and side["verified"] is True
    assert side["size"] == entry.path.stat().st_size and len(side["sha256"]) == 64
    assert side["created"] == "2026-06-01T10:00:05"

    bad = copy_of(db.path, tmp_path / "bad")  # a copy damaged on its way to the disk
    with bad.open("r+b") as f:
        f.seek(4096 * 2)
        f.write(b"\xff" * 4096)
    found = catalogue(bad, "manual")
    assert found.verified is False and found.problems and verify_copy(bad)
    assert list_backups(bad.parent)[0].verified is False

    text = tmp_path / "text" / "notes.db"  # not a database at all
    text.parent.mkdir()
    text.write_text("笔记", encoding="utf-8")
    assert catalogue(text, "manual").problems[0].startswith("文件 notes.db 不是 SQLite 数据库文件")


def test_a_backup_that_rots_on_the_disk_is_found_by_a_recheck(db: Database) -> None:
    entry = svc.auto_backup(db.path, "manual", now=datetime(2026, 6, 1, 10, 0))
    assert recheck(entry).verified
    with entry.path.open("r+b") as f:  # one byte of a page nobody reads changes
        f.seek(entry.size - 10)
        byte = f.read(1)
        f.seek(entry.size - 10)
        f.write(bytes([byte[0] ^ 0xFF]))
    (listed,) = list_backups(svc.backups_folder(db.path))
    assert listed.verified  # the catalogue says what was found when it was written
    again = recheck(listed)
    assert not again.verified and again.problems[0].startswith("文件内容与备份时登记的不同")
    (listed,) = list_backups(svc.backups_folder(db.path))
    assert not listed.verified and listed.sha256 == entry.sha256 and listed.created == entry.created
    assert not recheck(listed).verified  # the registered digest is kept: a second recheck still finds it


def test_two_backups_in_one_second_never_overwrite_each_other(db: Database) -> None:
    when = datetime(2026, 6, 1, 10, 0, 0)
    a = write_backup(db.path, svc.backups_folder(db.path), "manual", when)
    b = write_backup(db.path, svc.backups_folder(db.path), "manual", when)
    assert a.path != b.path and a.path.exists() and b.path.exists()


def test_an_uncatalogued_backup_is_listed_from_its_name(db: Database) -> None:
    folder = svc.backups_folder(db.path)
    folder.mkdir()
    copy_of(db.path, folder).replace(folder / "test-before-0004+m0001-20261101-093000.db")
    (entry,) = list_backups(folder)
    assert (entry.reason_text, entry.created, entry.verified) == ("升级前", datetime(2026, 11, 1, 9, 30), None)


def test_a_sealed_backup_round_trips_through_the_cli(demo_template: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    current = copy_of(demo_template, tmp_path / "data")
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["backup", "--db", str(current), "--to", str(stick)]) == 1  # no passphrase yet
    assert "尚未设置备份口令" in capsys.readouterr().err and not list(stick.iterdir())

    monkeypatch.setenv(ENV_PASSPHRASE, PASS)
    assert main([*ADMIN, "backup", "passphrase", "--db", str(current)]) == 0
    raw = current.read_bytes() + (Path(f"{current}-wal").read_bytes() if Path(f"{current}-wal").exists() else b"")
    assert PASS.encode() not in raw  # only its scrypt hash is kept
    with sqlite3.connect(current) as conn:
        assert conn.execute("SELECT value FROM backup_setting WHERE key = 'passphrase'").fetchone()[0].startswith("scrypt$")
    conn.close()
    assert main([*ADMIN, "backup", "passphrase", "--db", str(current)]) == 1  # changed only at a terminal

    assert main(["backup", "--db", str(current), "--to", str(stick)]) == 0
    (sealed,) = stick.iterdir()
    assert sealed.suffix == ".slbak" and backup_crypto.is_sealed(sealed)
    assert b"SQLite format 3" not in sealed.read_bytes()  # nothing readable on the stick
    out = capsys.readouterr().out
    assert "已加密备份到" in out and "已解密读回核对一致" in out

    with sqlite3.connect(current) as conn:  # a change after the backup, lost by the restore
        conn.execute("UPDATE installation SET name = '改名前' WHERE retired_at IS NULL")
    conn.close()
    assert main([*ADMIN, "restore", "--db", str(current), str(sealed)]) == 0
    with sqlite3.connect(current) as conn:
        assert conn.execute("SELECT count(*) FROM installation WHERE name = '改名前'").fetchone() == (0,)
    conn.close()
    assert main(["verify", "--db", str(current)]) == 0
    # the catalogue lives beside the files: the restore did not empty it, it added the replaced one
    reasons = [e.reason for e in list_backups(svc.backups_folder(current))]
    assert "manual" in reasons and "restore" in reasons
    capsys.readouterr()
    assert main(["backup", "list", "--db", str(current)]) == 0
    listed = capsys.readouterr().out
    assert "手动" in listed and "恢复前" in listed and "✓ 已校验" in listed


def _sealed(tmp_path: Path, source: Path) -> Path:
    return backup_crypto.encrypt_file(source, tmp_path / "b.slbak", PASS, chunk_size=64 * 1024)


@pytest.mark.parametrize(("kind", "words"), [
    ("wrong passphrase", "备份口令不正确"),
    ("truncated", "不完整"),
    ("cut at a chunk edge", "不完整"),
    ("changed byte", "已被改动或损坏"),
    ("appended", "已被改动或损坏"),
    ("only the magic", "不完整"),
    ("KDF cost raised", "已被改动或损坏"),
    ("KDF cost lowered", "备份口令不正确"),
])
def test_a_bad_sealed_backup_is_refused_and_nothing_changes(
        kind: str, words: str, demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    current = copy_of(demo_template, tmp_path / "data")
    sealed = _sealed(tmp_path, demo_template)
    data = sealed.read_bytes()
    header = backup_crypto.HEADER_SIZE + backup_crypto.TAG_SIZE
    passphrase = PASS
    if kind == "wrong passphrase":
        passphrase = "另一个口令-2026"
    elif kind == "truncated":
        sealed.write_bytes(data[: len(data) * 2 // 3])
    elif kind == "cut at a chunk edge":
        sealed.write_bytes(data[: header + 2 * (64 * 1024 + 16)])
    elif kind == "changed byte":
        sealed.write_bytes(data[:5000] + bytes([data[5000] ^ 1]) + data[5001:])
    elif kind == "appended":
        sealed.write_bytes(data + b"\0" * 16)
    elif kind.startswith("KDF"):  # log2 N is byte 12 of the header
        sealed.write_bytes(data[:12] + bytes([30 if "raised" in kind else 14]) + data[13:])
    else:
        sealed.write_bytes(backup_crypto.MAGIC)
    before = current.read_bytes()
    monkeypatch.setenv(ENV_PASSPHRASE, passphrase)
    assert main([*ADMIN, "restore", "--db", str(current), str(sealed)]) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert current.read_bytes() == before
    assert sorted(p.name for p in current.parent.iterdir() if p.name != "backups") == [current.name]  # no plaintext left


def test_an_outside_backup_needs_the_right_passphrase(db: Database, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    with db.begin("admin") as s:
        with pytest.raises(UserError, match="尚未设置备份口令"):
            svc.backup_to_folder(s, db.path, stick, PASS)
        admin = keeper(s, "sysadmin")
        with pytest.raises(UserError, match="至少 8 个字符"):
            svc.set_passphrase(s, "short", user=admin)
        svc.set_passphrase(s, PASS, user=admin)
        with pytest.raises(UserError, match="原备份口令不正确"):
            svc.set_passphrase(s, "新的备份口令-2027", user=admin, current="猜的口令-1234")
    with db.read("admin") as s:
        assert svc.check_passphrase(s, PASS) and not svc.check_passphrase(s, PASS + "x")
        with pytest.raises(UserError, match="备份口令不正确"):
            svc.backup_to_folder(s, db.path, stick, "猜的口令-1234")
        assert not list(stick.iterdir())
        inside = svc.backup_to_folder(s, db.path, svc.backups_folder(db.path), None)  # the data folder: plain
        out = svc.backup_to_folder(s, db.path, stick, PASS)
    assert not isinstance(inside, svc.ExportResult) and inside.verified
    assert isinstance(out, svc.ExportResult)
    plain = tmp_path / "plain.db"
    assert backup_crypto.decrypt_file(out.path, plain, PASS) == out.sha256 == out.local.sha256
    assert verify_copy(plain) == []


def test_the_program_start_backs_up_once_a_day_behind_the_main_window(db: Database) -> None:
    """desktop_app.app starts the day's backup in a thread after the login; a second start the
    same day adds none. The copy is checked and says why it was made."""
    from desktop_app.app import _start_daily_backup

    for _ in range(2):
        thread = _start_daily_backup(db)
        assert thread is not None
        thread.join(60)
    entries = [e for e in list_backups(svc.backups_folder(db.path)) if e.reason == "daily"]
    assert len(entries) == 1 and entries[0].verified and entries[0].reason_text == "每日首次启动"



def test_two_databases_in_one_folder_keep_their_own_backups(db: Database, tmp_path: Path) -> None:
    """The list and the rotation of one database never show or delete another's backups, even
    one whose name begins the same (``demo`` and ``demo-2``)."""
    from db.backup import backup_file

    other = backup_file(db.path, db.path.parent / f"{db.path.stem}-2.db")
    start = datetime(2026, 1, 1, 8, 0)
    for day in range(12):
        svc.daily_if_due(other, now=start + timedelta(days=day))
    theirs = list_backups(svc.backups_folder(other), other)
    assert len(theirs) == 7 + 1  # a week of days, and the first of January
    for day in range(12):
        svc.daily_if_due(db.path, now=start + timedelta(days=day, hours=1))
    mine = list_backups(svc.backups_folder(db.path), db.path)
    assert len(mine) == 8 and not {e.path for e in mine} & {e.path for e in theirs}
    assert [e.path for e in list_backups(svc.backups_folder(other), other)] == [e.path for e in theirs]


def test_only_the_administrator_sets_the_backup_passphrase(demo_template: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    current = copy_of(demo_template, tmp_path / "data")
    monkeypatch.setenv(ENV_PASSPHRASE, PASS)
    assert main(["backup", "passphrase", "--db", str(current)]) == 1
    assert "须由它的系统管理员操作" in capsys.readouterr().err
    assert main(["--user", "kuaiji", "backup", "passphrase", "--db", str(current)]) == 1
    assert "不是系统管理员" in capsys.readouterr().err
    with sqlite3.connect(current) as conn:
        assert conn.execute("SELECT count(*) FROM backup_setting").fetchone()[0] == 0
    conn.close()
    assert main([*ADMIN, "backup", "passphrase", "--db", str(current)]) == 0


def test_a_database_without_an_administrator_is_told_so(db: Database, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Nobody may set the passphrase of a file without a 系统管理员 (issue #16): it says what to do."""
    monkeypatch.setenv(ENV_PASSPHRASE, PASS)
    assert main([*ADMIN, "backup", "passphrase", "--db", str(db.path)]) == 1
    assert "此数据库还没有系统管理员" in capsys.readouterr().err
    with db.read("t") as s:
        assert not svc.has_passphrase(s)


def test_a_killed_backups_half_copy_is_tidied_by_the_next_rotation(db: Database) -> None:
    """A backup killed before its rename leaves ``….db.tmp`` (and its journal); the next backup's
    rotation removes the old ones of this database, never a young one (another process may be
    writing it) nor another database's."""
    import os
    import time

    folder = svc.backups_folder(db.path)
    folder.mkdir(parents=True, exist_ok=True)
    stem = db.path.stem
    old = [folder / f"{stem}-daily-20260101-080000.db.tmp", folder / f"{stem}-daily-20260101-080000.db.tmp-journal"]
    young = folder / f"{stem}-manual-20260102-080000.db.tmp"
    other = folder / f"{stem}-2-daily-20260101-080000.db.tmp"  # a backup of the database "<stem>-2.db"
    for p in (*old, young, other):
        p.write_bytes(b"half a copy")
    two_hours_ago = time.time() - 7200
    for p in (*old, other):
        os.utime(p, (two_hours_ago, two_hours_ago))
    svc.auto_backup(db.path, "manual", now=datetime(2026, 1, 3, 9, 0))
    assert not any(p.exists() for p in old)
    assert young.exists() and other.exists()
    assert [e.reason for e in list_backups(folder, db.path)] == ["manual"]
