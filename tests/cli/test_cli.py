"""The CLI contract that scripts and the district rely on (DESIGN §6), run as real processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_help_lists_the_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for cmd in ("init", "demo", "orgs", "verify", "self-test", "backup", "restore"):
        assert cmd in out.stdout


def test_demo_orgs_verify_then_tamper(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    made = run("demo", "--db", db, "--villages", "3")
    assert made.returncode == 0, made.stderr
    assert "3 个村" in made.stdout
    orgs = run("orgs", "--db", db)
    assert orgs.returncode == 0 and "股份经济合作社" in orgs.stdout and "共 4 个组织" in orgs.stdout
    ok = run("verify", "--db", db)
    assert ok.returncode == 0 and "检查通过" in ok.stdout
    raw = sqlite3.connect(db)
    raw.execute("UPDATE audit_entry SET actor = 'someone' WHERE n = 3")
    raw.commit()
    raw.close()
    bad = run("verify", "--db", db)
    assert bad.returncode != 0
    assert "第 3 条审计记录" in bad.stdout and "修改" in bad.stdout


def test_demo_refuses_a_database_with_data(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert run("demo", "--db", db, "--villages", "1").returncode == 0
    again = run("demo", "--db", db, "--villages", "1")
    assert again.returncode == 1 and "已有组织数据" in again.stderr


def test_self_test_passes() -> None:
    out = run("self-test")
    assert out.returncode == 0, out.stderr
    assert "自检通过" in out.stdout


def test_backup_and_restore_gives_a_new_origin(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    sealing = {"SUNSHINE_LEDGER_BACKUP_PASSPHRASE": "示例镇的备份口令",  # a backup leaving the PC is sealed
               "SUNSHINE_LEDGER_PASSWORD": "demo1234"}  # set by the demo's administrator
    assert run("demo", "--db", str(db), "--villages", "1").returncode == 0
    assert run("--user", "admin", "backup", "passphrase", "--db", str(db), env=sealing).returncode == 0
    assert run("backup", "--db", str(db), "--to", str(tmp_path / "bk"), env=sealing).returncode == 0
    (backup,) = (tmp_path / "bk").iterdir()
    assert backup.suffix == ".slbak" and b"SQLite format 3" not in backup.read_bytes()
    before = backup.read_bytes()
    without = run("restore", str(backup), "--db", str(tmp_path / "restored.db"))
    assert without.returncode == 1 and "SUNSHINE_LEDGER_BACKUP_PASSPHRASE" in without.stderr
    assert not (tmp_path / "restored.db").exists()
    restored = run("restore", str(backup), "--db", str(tmp_path / "restored.db"), env=sealing)
    assert restored.returncode == 0, restored.stderr
    raw = sqlite3.connect(tmp_path / "restored.db")
    rows = raw.execute("SELECT reason, retired_at IS NULL FROM installation ORDER BY created_at").fetchall()
    raw.close()
    assert rows == [("install", 0), ("restore", 1)]
    assert backup.read_bytes() == before, "restoring must not change the backup file"
    assert not list(tmp_path.glob("restored.db.restoring*"))


def test_default_database_follows_the_data_dir_variable(tmp_path: Path) -> None:
    out = run("init", env={"SUNSHINE_LEDGER_DATA": str(tmp_path / "data")})
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "data" / "ledger.db").exists()


def test_export_and_import_are_one_command_with_every_areas_kinds(tmp_path: Path) -> None:
    helptext = run("export", "--help").stdout.replace("\n", "")  # argparse wraps the kinds' list inside words
    for kind in ("assets", "contracts", "arrears", "members", "shares", "orgs"):
        assert kind in helptext
    db = str(tmp_path / "d.db")
    assert run("demo", "--db", db, "--villages", "1").returncode == 0
    no_org = run("export", "members", "--db", db, "--out", str(tmp_path / "m.xlsx"))
    assert no_org.returncode == 1 and "--org" in no_org.stderr
    not_all = run("export", "members", "--all", "--db", db, "--out", str(tmp_path / "m.xlsx"))
    assert not_all.returncode == 1 and "不支持 --all" in not_all.stderr
    every = run("export", "arrears", "--all", "--db", db, "--out", str(tmp_path / "a.xlsx"), "--as-of", "2026-11-23")
    assert every.returncode == 0, every.stderr
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"


def test_argparse_speaks_chinese(capsys) -> None:
    """Usage, headings and argparse's own errors are Chinese like everything else."""
    from desktop_app.cli import main as cli

    with pytest.raises(SystemExit):
        cli(["sync", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "选项" in out and "显示本帮助并退出" in out
    assert "usage" not in out and "options" not in out
    with pytest.raises(SystemExit):
        cli(["district", "report", "tiers", "--year", "x"])
    assert "错误：参数 --year：'x' 不是有效的值" in capsys.readouterr().err
