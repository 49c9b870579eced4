"""The GUI thread never touches the database (issue #16): ``AppContext.call``/``read`` and the
login dialog run their function on a database thread and wait for it processing events; the
window's every page, walked offscreen against a real demo database, runs no SQL on the GUI
thread. Errors keep their type, a read never queues behind a long task, a call made while one
is waited for (a timer, a queued signal) does not deadlock, and one made on a database thread
runs there directly."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event, text

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.errors import UserError
from desktop_app.core.rows import UserRow
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.login import ChangePasswordDialog, LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tasks import TaskRunner, db_pool, short_pool
from tests.ui.helpers import type_text
from tests.ui.test_district_pages import district_db, district_template  # noqa: F401 (fixtures)

SAFETY_S = 30  # a broken implementation fails the test after this instead of hanging it


class GuiSql:
    """Every statement the engine runs, with whether it ran on the GUI (main) thread."""

    def __init__(self, db: Database) -> None:
        self.on_gui: list[str] = []
        self.elsewhere = 0
        self._engine = db.engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            self.on_gui.append(statement.split("\n")[0][:120])
        else:
            self.elsewhere += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def _idle() -> bool:
    return db_pool().activeThreadCount() == 0 and short_pool().activeThreadCount() == 0


def _walk(qtbot: Any, win: MainWindow) -> int:
    """Show every page the user may use, let its background work finish, then reload them all."""
    win.resize(1400, 900)
    win.show()
    shown = 0
    for index, spec in enumerate(win.pages):
        if spec not in win.allowed:
            continue
        win.tabs.setCurrentIndex(index)
        page = win.page_widget(index)
        assert page is not None, spec.id
        page.grab()  # paint it (models that read lazily answer here)
        qtbot.waitUntil(_idle, timeout=SAFETY_S * 1000)  # the page's own background tasks
        shown += 1
    win.ctx.notify("refresh")  # every built page reloads
    qtbot.waitUntil(_idle, timeout=SAFETY_S * 1000)
    win.tabs.setCurrentIndex(0)
    win.grab()
    qtbot.waitUntil(_idle, timeout=SAFETY_S * 1000)
    return shown


def test_every_page_of_the_window_runs_its_sql_off_the_gui_thread(qtbot: Any, demo_db: Database,
                                                                 tmp_path: Path, shown_boxes: Any) -> None:
    sql = GuiSql(demo_db)
    try:
        login = LoginDialog(demo_db)
        qtbot.addWidget(login)
        type_text(login.username, "admin")
        type_text(login.password, "demo1234")
        login.try_login()
        assert login.user is not None, login.error.text()

        change = ChangePasswordDialog(demo_db, login.user)
        qtbot.addWidget(change)
        type_text(change.old, "wrong-password")
        type_text(change.new, "newpass5678")
        type_text(change.again, "newpass5678")
        change.try_change()  # refused by the service, on the database thread, shown in the dialog
        assert change.error.text() and change.result() != change.DialogCode.Accepted

        win = MainWindow(AppContext(demo_db, login.user, WindowSettings(tmp_path / "window.json")))
        qtbot.addWidget(win)
        shown = _walk(qtbot, win)
    finally:
        sql.close()
    assert shown > 10 and sql.elsewhere > 100
    assert sql.on_gui == [], f"{len(sql.on_gui)} statements on the GUI thread, first: {sql.on_gui[:5]}"


def test_the_district_programs_pages_too(qtbot: Any, district_db: Database, tmp_path: Path,  # noqa: F811
                                         shown_boxes: Any) -> None:
    sql = GuiSql(district_db)
    try:
        login = LoginDialog(district_db)
        qtbot.addWidget(login)
        type_text(login.username, "admin")
        type_text(login.password, "demo1234")
        login.try_login()
        assert login.user is not None, login.error.text()
        ctx = AppContext(district_db, login.user, WindowSettings(tmp_path / "window.json"))
        ctx.period = "2026-11"
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        shown = _walk(qtbot, win)
    finally:
        sql.close()
    assert shown >= 8 and sql.elsewhere > 100
    assert sql.on_gui == [], f"{len(sql.on_gui)} statements on the GUI thread, first: {sql.on_gui[:5]}"


@pytest.fixture
def ctx(qapp: Any, tmp_path: Path) -> Iterator[AppContext]:
    database = open_database(tmp_path / "village.db")
    with database.begin() as s:
        s.execute(text("CREATE TABLE scratch (note TEXT)"))
    user = UserRow(id=uuid.uuid4(), username="kuaiji", display_name="王会计", roles=("bookkeeper",), active=True)
    yield AppContext(database, user, WindowSettings(tmp_path / "w.json"))
    database.close()


class Refused(UserError):
    pass


def _notes(session: Any) -> list[str]:
    return [n for (n,) in session.execute(text("SELECT note FROM scratch"))]


def test_calls_run_on_a_database_thread_and_keep_their_errors(ctx: AppContext) -> None:
    assert ctx.read(lambda s: threading.current_thread()) is not threading.main_thread()
    assert ctx.call(lambda s: threading.current_thread()) is not threading.main_thread()

    def refuse(session: Any) -> None:
        session.execute(text("INSERT INTO scratch VALUES ('不应保存')"))
        raise Refused("金额不能为负数", field="金额")

    with pytest.raises(Refused) as raised:
        ctx.call(refuse)
    assert raised.value.message == "金额不能为负数" and raised.value.field == "金额"
    assert any(f.name == "refuse" for f in _frames(raised.value))  # the worker's traceback is kept
    assert ctx.read(_notes) == []  # rolled back
    with pytest.raises(ZeroDivisionError):
        ctx.read(lambda s: 1 / 0)
    assert ctx.call(lambda s: s.execute(text("INSERT INTO scratch VALUES ('收款')")).rowcount) == 1
    assert ctx.read(_notes) == ["收款"]


def _frames(exc: BaseException) -> list[Any]:
    import traceback

    return list(traceback.extract_tb(exc.__traceback__))


def test_a_read_never_waits_for_a_long_task(ctx: AppContext) -> None:
    """An import holds the write lock on the task thread; the window's reads and its snapshot
    still answer at once (they have their own thread), and see the data before the import."""
    holding, release = threading.Event(), threading.Event()

    def long_import(_progress: Any) -> str:
        def write(session: Any) -> str:
            session.execute(text("INSERT INTO scratch VALUES ('导入中')"))
            holding.set()
            release.wait(SAFETY_S)  # until the test has read
            return "imported"

        return ctx.call(write)  # inside a task: runs here, on the task thread

    runner = TaskRunner(delay_ms=None)
    handle = runner.run(long_import)
    try:
        assert holding.wait(SAFETY_S)
        assert ctx.read(_notes) == []  # answered while the import still holds the lock
        assert not release.is_set() and not handle.done
    finally:
        release.set()
    assert handle.wait(SAFETY_S * 1000) and handle.result == "imported"
    assert ctx.read(_notes) == ["导入中"]


def test_a_call_made_while_one_is_waited_for_does_not_deadlock(ctx: AppContext) -> None:
    """A timer fires while the window waits for a read (the wait processes events) and reads
    again: the inner read queues behind the outer one and both return."""
    go = threading.Event()
    inner: list[Any] = []

    def timer() -> None:
        go.set()  # the outer read may finish now; the inner one queues behind it
        inner.append(ctx.read(lambda s: s.execute(text("SELECT 'inner'")).scalar()))

    def outer(session: Any) -> str:
        assert go.wait(SAFETY_S), "the timer never fired while the GUI thread waited"
        return "outer"

    QTimer.singleShot(0, timer)
    assert ctx.read(outer) == "outer"
    assert inner == ["inner"]


def test_a_call_on_a_database_thread_runs_there(ctx: AppContext) -> None:
    def nested(session: Any) -> tuple[threading.Thread, threading.Thread]:
        return threading.current_thread(), ctx.read(lambda s: threading.current_thread())

    outer, inner = ctx.call(nested)
    assert outer is inner is not threading.main_thread()


def test_the_busy_question_is_asked_on_the_gui_thread(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    other = sqlite3.connect(ctx.db.path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    asked_on: list[threading.Thread] = []

    def answer(box: QMessageBox) -> int:
        asked_on.append(threading.current_thread())
        other.execute("COMMIT")
        return int(QMessageBox.StandardButton.Retry)

    monkeypatch.setattr(ui_errors, "_exec", answer)
    try:
        ctx.call(lambda s: s.execute(text("INSERT INTO scratch VALUES ('重试后保存')")))
    finally:
        other.close()
    assert asked_on == [threading.main_thread()]
    assert ctx.read(_notes) == ["重试后保存"]
