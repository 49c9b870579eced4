"""Restore cannot destroy the ledger (issue #19): every bad backup is refused before anything is
touched, a database open in another program is refused, a good backup replaces the file atomically
and the replaced database is kept. Real files, the real CLI entry point."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from db.migrate import open_database
from desktop_app.cli import main
from tests.conftest import copy_of

ADMIN = ("--user", "admin")  # replacing a sound ledger is its administrator's decision (the demo's: demo1234)


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def _empty(src: Path, dest: Path) -> None:
    dest.write_bytes(b"")


def _truncated(src: Path, dest: Path) -> None:
    dest.write_bytes(src.read_bytes()[: src.stat().st_size // 3])


def _corrupt_page(src: Path, dest: Path) -> None:
    copy_of(src, dest.parent)
    (dest.parent / src.name).replace(dest)
    with sqlite3.connect(dest) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entry'").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with dest.open("r+b") as f:
        f.seek(page * (root - 1))
        f.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff" * 8)


def _text_file(src: Path, dest: Path) -> None:
    dest.write_text("这不是数据库\n", encoding="utf-8")


def _foreign(src: Path, dest: Path) -> None:
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()


def _newer(src: Path, dest: Path) -> None:
    copy_of(src, dest.parent)
    (dest.parent / src.name).replace(dest)
    conn = sqlite3.connect(dest)
    conn.execute("UPDATE alembic_version SET version_num = 'z9999' "  # any recorded head, whatever the heads are
                 "WHERE rowid = (SELECT min(rowid) FROM alembic_version)")
    conn.commit()
    conn.close()


BAD_BACKUPS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "0字节": (_empty, "空文件"),
    "截断": (_truncated, "截断"),
    "坏页": (_corrupt_page, "损坏"),
    "非SQLite": (_text_file, "不是 SQLite 数据库文件"),
    "其他程序的SQLite": (_foreign, "不是阳光台账的数据库"),
    "更新版本": (_newer, "更新版本"),
}


@pytest.fixture
def current(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return copy_of(demo_template, folder)


@pytest.mark.parametrize("kind", list(BAD_BACKUPS))
def test_a_bad_backup_is_refused_and_the_database_is_untouched(
        kind: str, demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, reason = BAD_BACKUPS[kind]
    bad = tmp_path / "usb" / "bad.db"
    bad.parent.mkdir()
    make(demo_template, bad)
    before = _bytes(current)
    assert main([*ADMIN, "restore", "--db", str(current), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and reason in err and "Traceback" not in err
    assert _bytes(current) == before
    assert sorted(p.name for p in current.parent.iterdir()) == ["demo.db"]  # nothing staged left behind


def test_a_tampered_audit_chain_is_shown_and_needs_force(
        demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = copy_of(demo_template, tmp_path / "usb")
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE audit_entry SET summary = summary || '（改）' WHERE n = 5")
    conn.commit()
    conn.close()
    before = _bytes(current)
    assert main([*ADMIN, "restore", "--db", str(current), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "审计日志哈希链" in err and "--force" in err
    assert _bytes(current) == before
    assert main([*ADMIN, "restore", "--db", str(current), str(bad), "--force"]) == 0
    out = capsys.readouterr()
    assert "已确认（--force）" in out.err and "已从备份恢复" in out.out
    assert main(["verify", "--db", str(current)]) == 3  # what was restored is what was shown


def test_restore_is_refused_while_the_database_is_open_elsewhere(
        demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = copy_of(demo_template, tmp_path / "usb")
    gui = open_database(current, create=False)  # what the GUI does: the file stays open
    with gui.read() as s:
        s.connection().exec_driver_sql("SELECT count(*) FROM organisation").scalar()
    try:
        assert main([*ADMIN, "restore", "--db", str(current), str(good)]) == 1
        assert "正被其他程序使用" in capsys.readouterr().err
        with gui.begin("gui") as s:  # the open program goes on working on a sound file
            assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        gui.close()
    assert main(["verify", "--db", str(current)]) == 0
    assert not (current.parent / "backups").exists()  # nothing kept: nothing was replaced


def test_a_good_backup_replaces_atomically_and_keeps_the_old_file(
        demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = copy_of(demo_template, tmp_path / "usb")
    db = open_database(current, create=False)
    with db.begin("cli") as s:  # the current file has something the backup has not (and a WAL)
        s.connection().exec_driver_sql("UPDATE installation SET name = '改名前' WHERE retired_at IS NULL")
    db.close()
    backup_before = _bytes(good)
    assert main([*ADMIN, "restore", "--db", str(current), str(good)]) == 0
    out = capsys.readouterr().out
    assert "原数据库已另存为" in out and "新的安装标识" in out
    assert _bytes(good) == backup_before  # the user's backup file itself is never changed
    kept = list((current.parent / "backups").glob("demo-before-restore-*.db"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as conn:
        assert conn.execute("SELECT count(*) FROM installation WHERE name = '改名前'").fetchone() == (1,)
    conn.close()
    assert sorted(p.name for p in current.parent.iterdir() if p.name.startswith("demo.db")) == ["demo.db"]
    assert main(["verify", "--db", str(current)]) == 0
    with sqlite3.connect(current) as conn:
        assert conn.execute("SELECT count(*) FROM installation WHERE name = '改名前'").fetchone() == (0,)
        assert conn.execute("SELECT reason FROM installation WHERE retired_at IS NULL").fetchone() == ("restore",)
    conn.close()


@pytest.mark.parametrize("kind", ["截断", "坏页"])
def test_verify_reports_a_damaged_file_with_exit_3(
        kind: str, demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damaged = tmp_path / "damaged.db"
    BAD_BACKUPS[kind][0](demo_template, damaged)
    assert main(["verify", "--db", str(damaged)]) == 3
    out = capsys.readouterr()
    assert "✗ 数据库文件完整性" in out.out and "发现" in out.out and "Traceback" not in out.out + out.err


def test_a_damaged_database_is_replaced_and_kept_byte_for_byte(
        demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _truncated(demo_template, current)
    damaged = _bytes(current)
    good = copy_of(demo_template, tmp_path / "usb")
    assert main([*ADMIN, "restore", "--db", str(current), str(good)]) == 0
    kept = list((current.parent / "backups").glob("demo-damaged-before-restore-*.db"))
    assert len(kept) == 1 and _bytes(kept[0]) == damaged
    assert main(["verify", "--db", str(current)]) == 0


@pytest.mark.parametrize("kind", ["非SQLite", "其他程序的SQLite"])
def test_restore_never_overwrites_a_file_that_is_not_a_ledger(
        kind: str, demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    BAD_BACKUPS[kind][0](demo_template, other)
    before = _bytes(other)
    good = copy_of(demo_template, tmp_path / "usb")
    assert main([*ADMIN, "restore", "--db", str(other), str(good)]) == 1
    assert "恢复不会覆盖它" in capsys.readouterr().err
    assert _bytes(other) == before


def test_replacing_a_sound_ledger_is_its_administrators_decision(
        demo_template: Path, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No login, or a bookkeeper's, is refused before anything is replaced; a backup of another
    ledger needs --force; the administrator is told what the backup holds."""
    good = copy_of(demo_template, tmp_path / "usb")
    before = _bytes(current)
    assert main(["restore", "--db", str(current), str(good)]) == 1
    assert "须由它的系统管理员操作" in capsys.readouterr().err
    assert main(["--user", "kuaiji", "restore", "--db", str(current), str(good)]) == 1
    assert "不是系统管理员" in capsys.readouterr().err
    other = tmp_path / "other" / "other.db"
    other.parent.mkdir()
    assert main(["demo", "--db", str(other), "--villages", "1", "--years", "1"]) == 0
    capsys.readouterr()
    assert main([*ADMIN, "restore", "--db", str(current), str(other)]) == 1
    assert "不是同一套账" in capsys.readouterr().err
    assert main([*ADMIN, "restore", "--db", str(current), str(good)]) == 0
    out = capsys.readouterr().out
    assert "备份中有" in out and "个组织" in out and "已从备份恢复" in out
    assert _bytes(current) != before
