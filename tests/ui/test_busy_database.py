"""A save while another writer holds the database (issue #16): the window waits a moment, then
asks 重试/取消 instead of freezing for the busy timeout and showing the crash dialog; 重试 saves
once the other writer is done, 取消 saves nothing and says so calmly. The command line's
transactions meet the same ``DatabaseBusy`` with its Chinese message, never "database is locked"."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

from db.migrate import open_database
from desktop_app.core.errors import DatabaseBusy
from desktop_app.core.rows import UserRow
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.settings import WindowSettings


@pytest.fixture
def ctx(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "village.db")
    with database.begin() as s:
        s.execute(text("CREATE TABLE scratch (note TEXT)"))
    user = UserRow(id=uuid.uuid4(), username="kuaiji", display_name="王会计", roles=("bookkeeper",), active=True)
    context = AppContext(database, user, WindowSettings(tmp_path / "w.json"))
    yield context
    database.close()


@pytest.fixture
def other_writer(ctx: AppContext) -> Any:
    """Another process's writer in the middle of a long write (an import, a CLI batch)."""
    con = sqlite3.connect(ctx.db.path, isolation_level=None, timeout=0)
    con.execute("BEGIN IMMEDIATE")
    yield con
    if con.in_transaction:
        con.execute("ROLLBACK")
    con.close()


def _write(session: Any, note: str) -> str:
    session.execute(text("INSERT INTO scratch VALUES (:n)"), {"n": note})
    return note


def _notes(ctx: AppContext) -> list[str]:
    con = sqlite3.connect(ctx.db.path)
    try:
        return [n for (n,) in con.execute("SELECT note FROM scratch")]
    finally:
        con.close()


def test_retry_saves_once_the_other_writer_is_done(qapp, ctx, other_writer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        assert [b.text() for b in box.buttons()] and box.button(QMessageBox.StandardButton.Retry).text() == "重试"
        other_writer.execute("COMMIT")  # the import finishes while the user reads the question
        return int(QMessageBox.StandardButton.Retry)

    monkeypatch.setattr(ui_errors, "_exec", answer)
    assert ctx.call(_write, "收款") == "收款"
    assert len(asked) == 1 and "数据库正忙" in asked[0] and "未保存" in asked[0]
    assert _notes(ctx) == ["收款"]


def test_cancel_saves_nothing_and_is_a_calm_error(qapp, ctx, other_writer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ui_errors, "_exec", lambda box: int(QMessageBox.StandardButton.Cancel))
    with pytest.raises(DatabaseBusy) as raised:
        ctx.call(_write, "收款")
    assert "请稍候重试" in str(raised.value) and "locked" not in str(raised.value)
    other_writer.execute("COMMIT")
    assert _notes(ctx) == []
    assert ctx.call(_write, "再次收款") == "再次收款"  # the window's connection is not left broken
    assert _notes(ctx) == ["再次收款"]


def test_a_command_line_transaction_gets_the_chinese_message(ctx, other_writer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseBusy):
        with ctx.db.begin("cli", wait_ms=50) as s:
            _write(s, "批量")
    other_writer.execute("COMMIT")
    with ctx.db.begin("cli") as s:  # the full wait again on the same pooled connection
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        _write(s, "批量")
    assert _notes(ctx) == ["批量"]
