"""The 银行对账 rows are business rows like any other: hashed when written (bulk import, ORM
matches and marks), found out when edited behind the program's back, in the change log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import BankMatch, BankReconciliation, BankStatementLine, ChangeLog
from desktop_app.cli import main as cli_main
from desktop_app.core.services.bank_matching import auto_match
from desktop_app.core.services.bank_reconcile import mark_reconciled
from desktop_app.core.services.bank_statements import import_bank_statement
from desktop_app.excel.bank_statement_read import read_statement
from tests.funds.bank_data import june_books, write_june_xlsx
from tests.funds.conftest import Env


def test_rows_verify_and_an_edit_is_found(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    june_books(env)
    f = read_statement(write_june_xlsx(tmp_path / "june.xlsx"))
    with env.db.begin("test") as s:
        import_bank_statement(s, env.book.id, "10201", "2026-06", f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
    with env.db.read() as s:
        counts = {t: s.scalar(select(func.count()).select_from(m)) for t, m in (
            ("bank_statement_line", BankStatementLine), ("bank_match", BankMatch), ("bank_reconciliation", BankReconciliation))}
        logged = {t: n for t, n in s.execute(select(ChangeLog.table_name, func.count())
                                             .where(ChangeLog.table_name.like("bank_%")).group_by(ChangeLog.table_name))}
    assert counts == {"bank_statement_line": 4, "bank_match": 4, "bank_reconciliation": 1}
    assert logged == counts  # every row went through the change log (a sync package carries it)
    env.db.close()
    assert cli_main(["verify", "--db", str(env.db.path)]) == 0
    capsys.readouterr()
    raw = sqlite3.connect(env.db.path)
    raw.execute("UPDATE bank_statement_line SET amount = amount + 100 WHERE summary = '结息'")  # behind the program's back
    raw.commit()
    raw.close()
    assert cli_main(["verify", "--db", str(env.db.path)]) == 3
    said = capsys.readouterr()
    assert "bank_statement_line" in said.out + said.err or "银行对账单" in said.out + said.err
