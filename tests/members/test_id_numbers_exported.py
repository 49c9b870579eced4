"""Files carry 身份证号 by the screen's rule (issue #17, reviewer): the register's keepers get full
numbers and the export is audited as a reveal naming how many members and which file; 监督 gets
first 6 + last 4 and the file says so. Real CLI runs on a village file, the xlsx read
back with openpyxl, the roster PDF with pdfplumber, the audit log from the database."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.core.ids import validate_ric
from desktop_app.core.services.distribution import draft_plan
from desktop_app.core.services.personal_data import MASKED_NOTE
from desktop_app.core.services.users import create_user
from tests.members.conftest import Village

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


@pytest.fixture
def db(village: Village, monkeypatch: pytest.MonkeyPatch) -> str:
    """The village (kj 记账员, sh 审核员) with a 监督 (jd) and a 2026 plan; the file closed for the CLI."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    village.income("10000.00")
    with village.db.begin("test") as s:
        create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"])
        draft_plan(s, book_id=village.book.id, year=2026, members_amount=Decimal("3000.00"),
                   reserve=Decimal("3000.00"), user=village.user)
    village.db.close()
    return str(village.db.path)


def _query(db: str, sql: str) -> list[tuple]:
    raw = sqlite3.connect(db)
    try:
        return raw.execute(sql).fetchall()
    finally:
        raw.close()


def _reveals(db: str) -> list[tuple[str, str]]:
    return _query(db, "SELECT actor, summary FROM audit_entry WHERE action = 'reveal' ORDER BY n")


def _column(path: Path, sheet: int = 0) -> tuple[list[str], list[str]]:
    """The sheet's title rows and its 身份证号 column (data rows only)."""
    ws = load_workbook(path).worksheets[sheet]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if "身份证号" in r)
    col = rows[head].index("身份证号")
    return ([str(r[0]) for r in rows[:head]],
            [r[col] for r in rows[head + 1:] if r[col] not in (None, "")])


@pytest.mark.parametrize("kind", ["members", "shares"])
def test_supervisor_gets_masked_numbers_keeper_full_and_audited(db: str, village: Village, tmp_path: Path, kind: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    demo, uscc = db, village.org.uscc
    before = _reveals(demo)
    out = tmp_path / f"{kind}_jd.xlsx"
    assert main(["--user", "jd", "export", kind, "--db", demo, "--org", uscc, "--out", str(out)]) == 0
    assert MASKED_NOTE in capsys.readouterr().out
    titles, ids = _column(out)
    assert ids and all(MASKED.match(i) for i in ids), ids[:3]
    assert any(MASKED_NOTE in t for t in titles)  # the file says its numbers are masked
    assert _reveals(demo) == before  # nothing left the program in full: nothing to audit

    out = tmp_path / f"{kind}_kj.xlsx"
    assert main(["--user", "kj", "export", kind, "--db", demo, "--org", uscc, "--out", str(out)]) == 0
    assert "已记入审计日志" in capsys.readouterr().out
    titles, full = _column(out)
    assert len(full) == len(ids) and all(validate_ric(i) == i for i in full)
    assert [f[:6] + f[-4:] for f in full] == [i[:6] + i[-4:] for i in ids]  # the same people, in the same order
    assert not any(MASKED_NOTE in t for t in titles)
    new = _reveals(demo)[len(before):]
    assert len(new) == 1 and new[0][0] == "kj"
    label = {"members": "成员名册", "shares": "股份登记簿"}[kind]
    assert f"（{label}）" in new[0][1] and f"{len(full)} 名成员" in new[0][1] and str(out.resolve()) in new[0][1]
    assert len(full) == len(village.members) == 6


def test_roster_issue_copy_full_only_for_keepers(db: str, village: Village, tmp_path: Path) -> None:
    """The 发放稿 is signed for cash or a bank transfer (REFERENCE §3.5: masked only on public
    copies): a keeper's copy is full and audited; 监督's copy is masked and says so."""
    demo, uscc, year = db, village.org.uscc, 2026
    before = _reveals(demo)
    pdf, xlsx = tmp_path / "roster_jd.pdf", tmp_path / "roster_jd.xlsx"
    for out in (pdf, xlsx):
        assert main(["--user", "jd", "roster", "--db", demo, "--org", uscc, "--year", str(year),
                     "--out", str(out)]) == 0
    titles, ids = _column(xlsx)
    assert ids and all(MASKED.match(i) for i in ids)
    assert any(MASKED_NOTE in t for t in titles)
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert MASKED_NOTE in text.replace("\n", "") and ids[0] in text
    assert not re.search(r"\d{17}[\dX]", text)  # no full number anywhere on the paper
    assert _reveals(demo) == before

    out = tmp_path / "roster_sh.xlsx"
    assert main(["--user", "sh", "roster", "--db", demo, "--org", uscc, "--year", str(year),
                 "--out", str(out)]) == 0
    titles, full = _column(out)
    assert len(full) == len(ids) and all(validate_ric(i) == i for i in full)
    assert not any(MASKED_NOTE in t for t in titles)
    new = _reveals(demo)[len(before):]
    assert len(new) == 1 and new[0][0] == "sh"
    assert "分红花名册（发放稿）" in new[0][1] and f"{len(full)} 名成员" in new[0][1] and str(out.resolve()) in new[0][1]

    public = tmp_path / "public.xlsx"  # the public copy lists households: no numbers, no audit
    assert main(["--user", "sh", "roster", "--db", demo, "--org", uscc, "--year", str(year), "--public",
                 "--out", str(public)]) == 0
    assert len(_reveals(demo)) == len(before) + 1
