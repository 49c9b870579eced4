"""``audit-log``: the same rows as the page (newest first, filters, masking), an xlsx read back, the
chain status with exit code 3 when it is broken, and refusals in Chinese without a login or the role."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from db.backup import backup_file
from desktop_app.cli import main


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> str:
    return str(backup_file(demo_template, tmp_path / "demo.db"))


def _ns(db: str, where: str = "1") -> list[int]:
    raw = sqlite3.connect(db)
    try:
        return [r[0] for r in raw.execute(f"SELECT n FROM audit_entry WHERE {where} ORDER BY n DESC")]
    finally:
        raw.close()


def _listed(out: str) -> list[int]:
    return [int(m) for m in re.findall(r"^第(\d+)条", out, re.MULTILINE)]


def test_the_listing_is_newest_first_and_filtered(demo: str, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert _listed(out) == _ns(demo)[:5] and "已列出最新的 5 条" in out  # the login is the newest entry
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--action", "结账", "--limit", "0"]) == 0
    out = capsys.readouterr().out
    assert _listed(out) == _ns(demo, "action = 'close'") and " 结账 会计期间 " in out
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--entity", "voucher", "--actor", "shenhe",
                 "--limit", "0"]) == 0
    assert _listed(capsys.readouterr().out) == _ns(demo, "entity = 'voucher' AND actor = 'shenhe'")
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--month", "2000-01"]) == 0
    assert "没有符合条件的审计记录" in capsys.readouterr().out


def test_the_export_and_the_chain(demo: str, tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    out = tmp_path / "audit.xlsx"
    assert main(["audit-log", "--db", demo, "--user", "kuaiji", "--entity", "凭证", "--out", str(out),
                 "--verify"]) == 0
    printed = capsys.readouterr().out
    wb = load_workbook(out, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    header = rows.index(("序号", "时间", "用户", "姓名", "操作", "对象", "组织", "摘要"))
    assert [r[0] for r in rows[header + 1:]] == _ns(demo, "entity = 'voucher'")
    assert f"已导出审计日志 {len(rows) - header - 1} 条" in printed and "审计链校验通过" in printed
    raw = sqlite3.connect(demo)
    who = raw.execute("SELECT display_name FROM app_user WHERE username = 'kuaiji'").fetchone()[0]
    raw.close()
    # who exported it and when, as the page's 导出Excel writes it (the same function)
    assert re.fullmatch(rf"导出人：{who}　导出时间：\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}　条件：对象 凭证", str(rows[1][0]))
    raw = sqlite3.connect(demo)
    with raw:
        raw.execute("UPDATE audit_entry SET summary = '改过' WHERE n = 2")
    raw.close()
    assert main(["audit-log", "--db", demo, "--user", "kuaiji", "--limit", "1", "--verify"]) == 3
    assert "第 2 条审计记录" in capsys.readouterr().out


def test_refusals(demo: str, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("SUNSHINE_LEDGER_PASSWORD", raising=False)
    assert main(["audit-log", "--db", demo]) == 1
    assert "--user" in capsys.readouterr().err
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    assert main(["audit-log", "--db", demo, "--user", "quji"]) == 1
    assert "此操作需要监督、记账员、审核员、系统管理员权限" in capsys.readouterr().err
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--action", "乱写"]) == 1
    assert "未知的操作“乱写”，可选：" in capsys.readouterr().err
    assert main(["audit-log", "--db", demo, "--user", "jiandu", "--since", "2026-13-01"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
