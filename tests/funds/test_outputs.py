"""PDF and xlsx statements read back; the CLI report/close/reopen commands."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.money import format_amount
from desktop_app.core.services.periods import period_reopen_info, period_status
from desktop_app.core.services.statements import STATEMENTS, build_statement
from desktop_app.excel.statements_xlsx import statement_xlsx_bytes
from desktop_app.reports.statements_pdf import statement_pdf_bytes
from tests.funds.conftest import Env

USCC = "N2320115MF00000121"


def _fill(env: Env) -> None:
    env.vouch(date(2026, 1, 3), "收厂房租金", ("10201", "12345.67", "0"), ("50101", "0", "12345.67"))
    env.vouch(date(2026, 1, 9), "付干部报酬", ("51301", "3000.00", "0"), ("10201", "0", "3000.00"))
    env.vouch(date(2026, 2, 9), "提现", ("101", "500.00", "0"), ("10201", "0", "500.00"))


@pytest.mark.parametrize("kind", list(STATEMENTS))
def test_pdf_and_xlsx_read_back(env: Env, kind: str) -> None:
    _fill(env)
    with env.db.begin() as s:
        st = build_statement(s, env.book.id, kind, "2026-01", "2026-02")
    pdf = statement_pdf_bytes(st)
    assert pdf == statement_pdf_bytes(st), "same data, same bytes"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "".join((p.extract_text() or "") for p in doc.pages)
    assert st.title in text.replace(" ", "") and "东湖村股份经济合作社" in text and "单位：元" in text
    assert "第1页/共1页" in text.replace(" ", "")
    expected = format_amount(Decimal("12345.67")) if kind != "balance-sheet" else format_amount(Decimal("9345.67"))
    assert expected in text
    wb = openpyxl.load_workbook(io.BytesIO(statement_xlsx_bytes(st)))
    ws = wb.active
    assert ws is not None and ws["A1"].value == st.title
    numbers = [c for row in ws.iter_rows(min_row=5, min_col=3) for c in row if c.value is not None]
    assert numbers and all(isinstance(c.value, int | float) and not isinstance(c.value, bool) for c in numbers)
    assert all(c.number_format == "#,##0.00" for c in numbers)
    flat = [Decimal(str(c.value)).quantize(Decimal("0.01")) for c in numbers]
    assert Decimal(expected.replace(",", "")) in flat


def test_cli_report_close_reopen(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(env)
    db = str(env.db.path)
    for name in STATEMENTS:
        for suffix in (".pdf", ".xlsx"):
            out = tmp_path / f"{name}{suffix}"
            assert cli_main(["--user", "kj", "report", name, "--db", db, "--org", USCC, "--period", "2026-Q1", "--out", str(out)]) == 0
            assert out.stat().st_size > 1000
    assert cli_main(["--user", "kj", "report", "balance-sheet", "--db", db, "--org", "320115106201", "--period", "2026",
                     "--out", str(tmp_path / "bs.pdf")]) == 0
    assert cli_main(["--user", "kj", "report", "balance-sheet", "--db", db, "--org", USCC, "--period", "2026-13",
                     "--out", str(tmp_path / "x.pdf")]) == 1
    assert "无法识别" in capsys.readouterr().err
    assert cli_main(["--user", "kj", "close-period", "--db", db, "--org", USCC, "--period", "2026-01"]) == 0
    assert "已结账" in capsys.readouterr().out
    assert cli_main(["--user", "sh", "reopen-period", "--db", db, "--org", USCC, "--period", "2026-01", "--reason", "补记凭证"]) == 0
    with env.db.begin() as s:
        assert not period_status(s, env.book.id, "2026-01").is_closed
        info = period_reopen_info(s, env.book.id, "2026-01")
        assert info and info.last_reason == "补记凭证"
    assert cli_main(["--user", "kj", "close-period", "--db", db, "--org", USCC, "--book", "09", "--period", "2026-01"]) == 1
    assert "没有编号为 09 的账套" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run as a logged-in user (issue #16): --user in each call, the password here."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
