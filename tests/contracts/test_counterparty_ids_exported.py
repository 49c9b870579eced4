"""合同台账 carries persons' 身份证号 by the members' rule (issue #17, reviewer): full for the
register's keepers, the export audited as a reveal naming how many counterparties and which file;
masked (first 6 + last 4, said in the subtitle) for 监督, with nothing audited. Real CLI runs and
the page's export function, the xlsx read back with openpyxl."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.core.services.users import create_user
from desktop_app.ui.pages.contracts import write_export
from tests.contracts.conftest import RIC, Env


def _ids_and_titles(path: Path) -> tuple[list[str], str]:
    ws = load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and "证件号码" in r)
    col = rows[head].index("证件号码")
    return [r[col] for r in rows[head + 1:] if r[col]], " ".join(str(r[0]) for r in rows[:head])


def _reveals(db: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as raw:
        return raw.execute("SELECT actor, summary FROM audit_entry WHERE action = 'reveal' ORDER BY n").fetchall()


def test_contract_ledger_masked_for_the_supervisor_full_and_audited_for_keepers(
        env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env.create(start_date=date(2024, 1, 1))
    with env.db.begin("test") as s:
        create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"])
    db = str(env.db.path)
    env.db.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    masked, full = tmp_path / "jd.xlsx", tmp_path / "kj.xlsx"
    assert main(["--user", "jd", "export", "contracts", "--all", "--db", db, "--out", str(masked)]) == 0
    ids, titles = _ids_and_titles(masked)
    assert ids == [RIC[:6] + "********" + RIC[-4:]] and "身份证号已隐去中间八位" in titles
    assert _reveals(db) == []
    assert main(["--user", "kj", "export", "contracts", "--org", env.org.uscc, "--db", db, "--out", str(full)]) == 0
    ids, titles = _ids_and_titles(full)
    assert ids == [RIC] and "隐去" not in titles
    (actor, summary), = _reveals(db)
    assert actor == "kj" and "合同台账" in summary and "1 名承包方" in summary and str(full.resolve()) in summary


def test_the_pages_export_follows_the_user(env: Env, tmp_path: Path) -> None:
    """write_export as the 合同 page runs it (its own transaction, the page's user)."""
    env.create(start_date=date(2024, 1, 1))
    with env.db.begin("test") as s:
        jd = create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"])
    for user, name in ((jd, "jd.xlsx"), (env.reviewer, "sh.xlsx")):
        with env.db.begin(user.username) as s:
            write_export(s, "contracts", str(tmp_path / name), env.org.id, "东湖村", date(2026, 3, 1), user)
    assert _ids_and_titles(tmp_path / "jd.xlsx")[0] == [RIC[:6] + "********" + RIC[-4:]]
    assert _ids_and_titles(tmp_path / "sh.xlsx")[0] == [RIC]
    reveals = _reveals(str(env.db.path))
    assert len(reveals) == 1 and reveals[0][0] == "sh" and re.search(r"1 名承包方的身份证号 → .*sh\.xlsx", reveals[0][1])
