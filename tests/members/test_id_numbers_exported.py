"""Files carry 身份证号 by the screen's rule (issue #17, reviewer): the register's keepers get full
numbers and the export is audited as a reveal naming how many members and which file; 监督 gets
first 6 + last 4 and the file says so. Real CLI runs on a village file, the xlsx read
back with openpyxl, the roster PDF with pdfplumber, the audit log from the database."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

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


@pytest.mark.parametrize(("username", "full"), [("jd", False), ("sh", True)])
def test_roster_pdf_button_follows_the_rule(qtbot: Any, db: str, village: Village, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch, username: str, full: bool) -> None:
    """花名册PDF on the members page: the 监督's PDF masked and saying so, nothing audited; the
    审核员's PDF full and its saved file audited as a reveal."""
    from PySide6.QtWidgets import QFileDialog, QPushButton
    from sqlalchemy import select

    from db.migrate import open_database
    from db.models import User
    from desktop_app.core.services.auth import user_row
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.members import MembersPage
    from desktop_app.ui.settings import WindowSettings

    out = tmp_path / f"roster_{username}.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(out), "PDF 文件 (*.pdf)"))
    database = open_database(Path(db))
    try:
        with database.read() as s:
            me = user_row(s.execute(select(User).where(User.username == username)).scalar_one())
        ctx = AppContext(database, me, WindowSettings(tmp_path / "ui.json"))
        ctx.set_selection(village.org, village.book)
        page = MembersPage(ctx)
        qtbot.addWidget(page)
        page.plans.table.setCurrentIndex(page.plans.model().index(0, 0))
        before = _reveals(db)
        button = page.findChild(QPushButton, "btn_roster_pdf")
        assert button is not None and button.isEnabled()
        button.click()
    finally:
        database.close()
    with pdfplumber.open(out) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    numbers = re.findall(r"\d{6}(?:\*{8}|\d{8})\d{3}[\dX]", text)
    assert len(numbers) == 6
    new = _reveals(db)[len(before):]
    if full:
        assert all(validate_ric(n) == n for n in numbers) and MASKED_NOTE not in text.replace("\n", "")
        assert len(new) == 1 and new[0][0] == "sh" and "6 名成员" in new[0][1] and str(out.resolve()) in new[0][1]
    else:
        assert all(MASKED.match(n) for n in numbers) and MASKED_NOTE in text.replace("\n", "")
        assert new == []
