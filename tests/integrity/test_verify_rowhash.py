"""``verify``'s own findings beside the row hashes: the audit anchors, and a check the file's damage
stops (a finding, never a traceback)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from db.engine import Database
from desktop_app.cli import main
from desktop_app.core.services.users import create_user


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    return code, capsys.readouterr().out


def _fresh(db: Database) -> Path:
    with db.begin("test") as s:
        create_user(s, username="kj", display_name="会计", password="secret1", roles=["bookkeeper"])
    path = db.path
    db.close()
    return path


def test_a_partners_acknowledgement_beyond_the_audit_chain_is_named(db: Database,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A partner acknowledged more of our audit chain than the file still holds: its tail was cut."""
    path = _fresh(db)
    raw = sqlite3.connect(path)
    origin = raw.execute("SELECT id FROM installation").fetchone()[0]
    n = raw.execute("SELECT last_n FROM audit_head").fetchone()[0]
    raw.execute("INSERT INTO sync_partner_has (partner, origin, seq, audit_n) VALUES (?, ?, 0, ?)",
                (uuid.uuid4().hex, origin, n + 5))
    raw.commit()
    raw.close()
    code, out = _verify(path, capsys)
    assert code == 3
    assert f"已确认收到本机审计日志至第 {n + 5} 条" in out and "表 audit_entry）" in out


def test_a_user_row_written_by_hand_has_no_hash_and_is_named(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fresh(db)
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO app_user (id, username, display_name, password_hash, roles, active, created_at) "
                "SELECT ?, 'boss', '老板', password_hash, 'admin', 1, created_at FROM app_user LIMIT 1",
                (uuid.uuid4().hex,))
    raw.commit()
    raw.close()
    code, out = _verify(path, capsys)
    assert code == 3
    assert "用户（表 app_user）" in out and "（boss）没有行哈希" in out


def test_a_check_the_file_stops_is_a_finding_not_a_traceback(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """A column dropped behind the program's back: the row check's read fails inside SQLite and
    is reported as damage (exit 3) while the other checks still run."""
    path = _fresh(db)
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE app_user DROP COLUMN display_name")
    raw.commit()
    raw.close()
    code, out = _verify(path, capsys)
    assert code == 3
    assert "检查时数据库报错" in out and "✓ 外键一致性" in out
