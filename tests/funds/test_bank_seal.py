"""The 银行存款余额调节表 PDF is sealed like the other reports: QR code and check code on every
page, the content recorded, and ``verify-sheet`` finding it matching the books — and not after the
matching behind the month changes."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from desktop_app.cli import main as cli_main
from desktop_app.core.services.bank_matching import bank_items, unmatch_item
from desktop_app.reports.bank_seal import write_sealed_reconciliation_pdf
from desktop_app.reports.sealing import find_codes, verify_pdf
from tests.funds.bank_data import USCC, june_books, write_june_gbk_csv
from tests.funds.conftest import Env


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")


def _bank(env: Env, *args: str) -> int:
    return cli_main(["--user", "kj", "bank", *args, "--db", str(env.db.path), "--org", USCC, "--period", "2026-06"])


def _unmatch_one(env: Env) -> None:
    with env.db.begin("test") as s:
        matched = [i for i in bank_items(s, env.book.id, "10201", "2026-06") if i.matched]
        unmatch_item(s, env.book.id, "10201", matched[0].id, user=env.maker)


def test_cli_pdf_is_sealed_and_verify_sheet_checks_it(env: Env, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    june_books(env)
    env.db.close()
    assert _bank(env, "import", str(write_june_gbk_csv(tmp_path / "june.csv"))) == 0
    assert _bank(env, "match", "--auto") == 0
    pdf = tmp_path / "调节表.pdf"
    assert _bank(env, "reconcile", "--out", str(pdf)) == 0
    capsys.readouterr()
    meta = PdfReader(pdf).metadata
    assert meta is not None and "银行存款余额调节表" in str(meta.get("/Subject"))
    code = find_codes(str(meta.get("/Subject")))[0]
    with pdfplumber.open(pdf) as doc:
        texts = [p.extract_text() for p in doc.pages]
    assert all(f"校验码 {code}" in t for t in texts)
    db = str(env.db.path)
    assert cli_main(["verify-sheet", "--db", db, str(pdf)]) == 0
    assert "相符" in capsys.readouterr().out
    assert cli_main(["verify-sheet", "--db", db, "--payload", code]) == 0
    capsys.readouterr()
    _unmatch_one(env)  # a pair 勾对 when printed is 未达 now: the paper no longer tells the books
    assert cli_main(["verify-sheet", "--db", db, str(pdf)]) == 3
    said = capsys.readouterr().out
    assert "不符" in said and "未达账项" in said


def test_sealed_pdf_from_a_service_call_verifies_until_the_month_is_marked(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.bank_matching import auto_match
    from desktop_app.core.services.bank_reconcile import mark_reconciled
    from desktop_app.core.services.bank_statements import import_bank_statement
    from desktop_app.excel.bank_statement_read import read_statement

    june_books(env)
    f = read_statement(write_june_gbk_csv(tmp_path / "june.csv"))
    with env.db.begin("test") as s:
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)
        out = write_sealed_reconciliation_pdf(s, env.book.id, "10201", "2026-06", tmp_path / "r.pdf")
    data = out.read_bytes()
    with env.db.begin("test") as s:
        assert [c.ok for c in verify_pdf(s, data)] == [True]
    with env.db.begin("test") as s:  # same content again: same check code, recorded once
        again = write_sealed_reconciliation_pdf(s, env.book.id, "10201", "2026-06", tmp_path / "again.pdf")
    assert again.read_bytes() == data
    with env.db.begin("test") as s:  # matched and marked: the paper's 未达账项 and verdict are stale
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
    with env.db.begin("test") as s:
        checks = verify_pdf(s, data)
    assert [c.ok for c in checks] == [False] and checks[0].differences
