"""The CLI knows who runs it (issue #16): --user with the password from SUNSHINE_LEDGER_PASSWORD
or a prompt; writes refused without it (nothing written); the same role checks as the GUI; the
audit actor is that user; personal data needs a login; init's administrator must change the
password it was given before any other command."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.backup import backup_file
from desktop_app.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> str:
    return str(backup_file(demo_template, tmp_path / "demo.db"))


def _village(db: str) -> str:
    raw = sqlite3.connect(db)
    try:
        return raw.execute("SELECT o.uscc FROM organisation o JOIN book b ON b.organisation_id = o.id "
                           "WHERE o.level = '村' ORDER BY o.name LIMIT 1").fetchone()[0]
    finally:
        raw.close()


def _last_closed(db: str, uscc: str) -> str:
    raw = sqlite3.connect(db)
    try:
        return raw.execute("SELECT max(p.period) FROM period p JOIN book b ON b.id = p.book_id JOIN organisation o "
                           "ON o.id = b.organisation_id WHERE o.uscc = ? AND p.status = 'closed'", (uscc,)).fetchone()[0]
    finally:
        raw.close()


def _audit(db: str) -> list[tuple[str, str, str]]:
    raw = sqlite3.connect(db)
    try:
        return raw.execute("SELECT actor, action, summary FROM audit_entry ORDER BY n").fetchall()
    finally:
        raw.close()


def test_a_write_without_a_user_is_refused_and_nothing_is_written(demo: str, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SUNSHINE_LEDGER_PASSWORD", raising=False)
    before = _audit(demo)
    assert main(["close-period", "--db", demo, "--org", _village(demo), "--period", "2026-01"]) == 1
    err = capsys.readouterr().err
    assert "--user" in err and "SUNSHINE_LEDGER_PASSWORD" in err
    assert _audit(demo) == before
    assert main(["orgs", "--db", demo]) == 0  # reading what is not personal needs no login


def test_wrong_password_is_refused_and_audited(demo: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "guess")
    assert main(["close-period", "--db", demo, "--org", _village(demo), "--period", "2026-01", "--user", "kuaiji"]) == 1
    assert "用户名或密码错误" in capsys.readouterr().err
    _actor, action, summary = _audit(demo)[-1]
    assert action == "login_failed" and "kuaiji" in summary


def test_the_same_role_checks_as_the_gui_and_the_actor_is_the_user(demo: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    org = _village(demo)
    month = _last_closed(demo, org)
    for who in ("kuaiji", "jiandu", "quji"):  # reopening a closed month is for 审核员 only
        assert main(["reopen-period", "--db", demo, "--org", org, "--period", month, "--reason", "改错",
                     "--user", who]) == 1
        assert "审核员" in capsys.readouterr().err
    assert main(["reopen-period", "--db", demo, "--org", org, "--period", month, "--reason", "改错",
                 "--user", "shenhe"]) == 0
    assert main(["close-period", "--db", demo, "--org", org, "--period", month, "--user", "jiandu"]) == 1
    assert "记账员" in capsys.readouterr().err
    assert main(["close-period", "--db", demo, "--org", org, "--period", month, "--user", "kuaiji"]) == 0
    entries = _audit(demo)
    close = [e for e in entries if e[1] == "close"][-1]
    reopen = [e for e in entries if e[1] == "reopen"][-1]
    assert close[0] == "kuaiji" and reopen[0] == "shenhe"
    assert not any(e[0] == "cli" for e in entries[-6:])


def test_member_lists_need_a_login(demo: str, tmp_path: Path, capsys, monkeypatch) -> None:
    out = str(tmp_path / "m.xlsx")
    monkeypatch.delenv("SUNSHINE_LEDGER_PASSWORD", raising=False)
    assert main(["export", "members", "--db", demo, "--org", _village(demo), "--out", out]) == 1
    assert "身份证" in capsys.readouterr().err and not Path(out).exists()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    assert main(["export", "members", "--db", demo, "--org", _village(demo), "--out", out, "--user", "jiandu"]) == 0
    assert Path(out).is_file()


def test_init_password_must_be_changed_before_anything_else(tmp_path: Path) -> None:
    db = str(tmp_path / "new.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_LEDGER_")}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "desktop_app", *args], cwd=ROOT, capture_output=True, text=True,
                              env={**env, **extra}, stdin=subprocess.DEVNULL, timeout=120)

    made = run("init", "--db", db)
    assert made.returncode == 0, made.stderr
    password = re.search(r"初始密码 (\w+)，只显示这一次", made.stdout).group(1)
    assert "admin123" not in made.stdout and len(password) >= 8
    no_password = run("orgs", "--db", db, "--user", "admin")
    assert no_password.returncode == 1 and "SUNSHINE_LEDGER_PASSWORD" in no_password.stderr
    refused = run("orgs", "--db", db, "--user", "admin", SUNSHINE_LEDGER_PASSWORD=password)
    assert refused.returncode == 1 and "passwd --user admin" in refused.stderr
    changed = run("passwd", "--db", db, "--user", "admin", SUNSHINE_LEDGER_PASSWORD=password,
                  SUNSHINE_LEDGER_NEW_PASSWORD="mine-2026")
    assert changed.returncode == 0, changed.stderr
    assert run("orgs", "--db", db, "--user", "admin", SUNSHINE_LEDGER_PASSWORD=password).returncode == 1
    assert run("orgs", "--db", db, "--user", "admin", SUNSHINE_LEDGER_PASSWORD="mine-2026").returncode == 0
