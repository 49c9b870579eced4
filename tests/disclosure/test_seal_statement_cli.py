"""A statement printed from the command line carries the check code on every page;
``verify-sheet FILE.pdf`` says 相符, and 不符 naming the line after a voucher amount of the
statement's month is changed behind the program's back (the statement reads the kept monthly
totals, so it is the closed month's seal, recomputed from the vouchers, that names the change)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.cli import main
from desktop_app.reports.sealing import find_codes

from .conftest import PERIOD, Village


def test_statement_pdf_is_sealed_and_verified(village: Village, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db, out = str(village.db.engine.url.database), tmp_path / "income.pdf"
    assert main(["--user", "kuaiji", "report", "income-expense", "--db", db, "--org", village.org.uscc, "--book", village.book.code,
                 "--period", PERIOD, "--out", str(out)]) == 0
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(out.read_bytes())).pages]
    codes = [find_codes(text) for text in pages]
    assert all(codes) and len({c[0] for c in codes}) == 1, "the same check code on every page"
    capsys.readouterr()
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(out)]) == 0
    assert "相符" in capsys.readouterr().out

    raw = sqlite3.connect(db)
    changed = raw.execute(
        "UPDATE entry SET credit = credit + 10000 WHERE rowid = (SELECT e.rowid FROM entry e "
        "JOIN account a ON a.id = e.account_id WHERE e.book_id = ? AND e.period = ? AND a.category = '损益' "
        "AND e.credit > 0 LIMIT 1)", (village.book.id.hex, PERIOD)).rowcount
    raw.commit()
    raw.close()
    assert changed == 1
    assert main(["--user", "kuaiji", "verify-sheet", "--db", db, str(out)]) == 3
    text = capsys.readouterr().out
    assert text.startswith("不符：") and "2026年10月已结账月份的凭证与封存哈希不符" in text, text


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
