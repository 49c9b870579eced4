"""Start-up: the login dialog is usable at once while the database opens behind it, and the
real program (``run_gui``) goes from login to the main window against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from db.backup import backup_file
from db.migrate import open_database
from desktop_app.app import rotate_log
from desktop_app.core.errors import UserError
from desktop_app.core.services.orgs import list_organisations
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.opening import DatabaseOpening

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Users, organisations and books of a 3-village demo township (what logging in needs)."""
    from desktop_app.core.demo import build_demo

    path = tmp_path_factory.mktemp("township") / "township.db"
    database = open_database(path)
    with database.begin("demo") as s:
        build_demo(s, villages=3, only=("用户", "组织与账套"))
    database.close()
    return path


def test_login_pressed_before_the_database_is_open_logs_in_once_it_is(qtbot, demo_template: Path,
                                                                        tmp_path: Path) -> None:
    path = backup_file(demo_template, tmp_path / "demo.db")
    gate = threading.Event()

    def slow_open(_progress):  # a migration or a slow disk: the user is faster
        gate.wait(10)
        return open_database(path)

    opening = DatabaseOpening(path, slow_open, warm_up=False)
    dlg = LoginDialog(opening, username="kuaiji")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: opening._thread.ident is not None)  # started once the dialog painted
    assert dlg.status.text() == "正在打开数据库…"
    dlg.password.setText("demo1234")
    dlg.ok_button.click()
    assert dlg.user is None and not dlg.ok_button.isEnabled()
    assert "打开后自动登录" in dlg.status.text()
    gate.set()
    qtbot.waitUntil(lambda: dlg.user is not None, timeout=10_000)
    assert dlg.user.username == "kuaiji" and dlg.result() == dlg.DialogCode.Accepted
    assert dlg.status.text() == ""
    opening.wait()
    assert opening.db is not None
    opening.db.close()


def test_a_database_that_cannot_be_opened_closes_the_login_with_the_error(qtbot, tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    import sqlite3

    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    opening = DatabaseOpening(foreign, lambda _progress: open_database(foreign, create=False), warm_up=False)
    dlg = LoginDialog(opening, username="kuaiji")
    qtbot.addWidget(dlg)
    dlg.show()
    opening.start()
    opening.wait(10)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10_000)
    assert dlg.result() == dlg.DialogCode.Rejected and dlg.user is None
    assert isinstance(opening.error, UserError) and "不是阳光台账的数据库" in opening.error.message


def test_log_rotates_at_start_up_keeping_five(tmp_path: Path) -> None:
    log = tmp_path / "sunshine-ledger.log"
    for generation in range(7):
        log.write_text(f"run {generation}\n" + "x" * 100, encoding="utf-8")
        rotate_log(log, max_bytes=50, backups=5)
    assert not log.exists()  # the last run's log was over the limit too and moved to .1
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == [f"sunshine-ledger.log.{n}" for n in range(1, 6)]
    assert (tmp_path / "sunshine-ledger.log.1").read_text(encoding="utf-8").startswith("run 6")
    assert (tmp_path / "sunshine-ledger.log.5").read_text(encoding="utf-8").startswith("run 2")
    small = tmp_path / "small.log"
    small.write_text("ok", encoding="utf-8")
    rotate_log(small, max_bytes=50)
    assert small.read_text(encoding="utf-8") == "ok"


CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
seen = {}
from desktop_app.ui.login import LoginDialog
original_login_paint = LoginDialog.paintEvent

def login_paint(self, event):
    original_login_paint(self, event)
    if "login" not in seen:
        seen["login"] = {"title": self.windowTitle(), "username": self.username.text()}
        def press():
            from desktop_app.ui import main_window
            original_main_paint = main_window.MainWindow.paintEvent
            def main_paint(win, ev):
                original_main_paint(win, ev)
                if "main" not in seen:
                    seen["main"] = {"title": win.windowTitle(), "orgs": win.tree.topLevelItemCount(),
                                    "villages": sum(win.tree.topLevelItem(i).childCount()
                                                    for i in range(win.tree.topLevelItemCount())),
                                    "status": win.status_org.text() + " " + win.status_user.text()}
                    QTimer.singleShot(0, win.close)
            main_window.MainWindow.paintEvent = main_paint
            self.password.setText(sys.argv[2])
            self.ok_button.click()
            seen["error"] = self.error.text()
        QTimer.singleShot(0, press)
LoginDialog.paintEvent = login_paint
from desktop_app.app import run_gui
seen["rc"] = run_gui(["--db", sys.argv[1], "--data-dir", sys.argv[3], "--user", "kuaiji"])
print(json.dumps(seen, ensure_ascii=False))
"""


def run_program(db: Path, password: str, data_dir: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), password, str(data_dir)], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_program_opens_the_login_then_the_main_window(demo_template: Path, tmp_path: Path) -> None:
    db = backup_file(demo_template, tmp_path / "demo.db")
    database = open_database(db)
    with database.read() as s:
        organisations = len(list_organisations(s))
    database.close()
    seen = run_program(db, "demo1234", tmp_path / "data")
    assert seen["login"] == {"title": "登录 — 阳光台账", "username": "kuaiji"}
    assert seen["error"] == ""
    main = seen["main"]
    assert main["title"] == "阳光台账 — demo.db" and main["orgs"] == 1 and main["villages"] == organisations
    assert "用户：王会计" in main["status"] and "组织：" in main["status"]
    assert seen["rc"] == 0
    log = (tmp_path / "data" / "logs" / "sunshine-ledger.log").read_text(encoding="utf-8")
    assert "started, db=" in log and "user=kuaiji" in log


def test_the_first_window_needs_none_of_the_heavy_libraries() -> None:
    """What runs before the login dialog paints must not import the database or report stack."""
    code = (
        "import sys; import desktop_app.app, desktop_app.ui.login, desktop_app.ui.errors, desktop_app.ui.opening; "
        "heavy = ('sqlalchemy', 'alembic', 'reportlab', 'openpyxl', 'pypinyin', 'db.engine'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_main_window_and_its_pages_load_reportlab_and_openpyxl_only_when_used() -> None:
    code = (
        "import sys; import desktop_app.ui.main_window; from desktop_app.ui.pages import discover_pages; "
        "discover_pages(); print(sorted(m for m in ('reportlab', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


FIRST_RUN_CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
seen = {}
from desktop_app.ui.login import ChangePasswordDialog, FirstRunDialog, LoginDialog

def choose_new(dialog):
    seen["first_run"] = dialog.windowTitle()
    dialog._choose(FirstRunDialog.NEW)
    return 1
FirstRunDialog.exec = choose_new
original_login_paint = LoginDialog.paintEvent

def login_paint(self, event):
    original_login_paint(self, event)
    if "login" not in seen:
        hint = self.findChild(type(self.error), "login_hint")
        seen["login"] = {"username": self.username.text(), "hint": hint.text() if hint else None}
        def press():
            from desktop_app.ui import main_window
            def main_paint(win, ev):
                if "main" not in seen:
                    seen["main"] = win.status_user.text()
                    QTimer.singleShot(0, win.close)
            main_window.MainWindow.paintEvent = main_paint
            import re
            seen["password"] = re.search(r"初始密码 (\w+)", hint.text()).group(1)
            self.password.setText(seen["password"])
            self.ok_button.click()
        QTimer.singleShot(0, press)
LoginDialog.paintEvent = login_paint

def change(dialog):  # the initial password is changed before the main window opens
    seen["forced"] = dialog.windowTitle()
    dialog.old.setText(seen["password"])
    dialog.new.setText("mine-2026")
    dialog.again.setText("mine-2026")
    dialog.try_change()
    return dialog.result()
ChangePasswordDialog.exec = change
from desktop_app.app import run_gui
seen["rc"] = run_gui(["--data-dir", sys.argv[1]])
print(json.dumps(seen, ensure_ascii=False))
"""


def test_first_run_creates_a_new_database_and_tells_the_administrator_account(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", FIRST_RUN_CHILD, str(tmp_path / "data")], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, env=env, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["first_run"] == "欢迎使用阳光台账"
    assert seen["login"]["username"] == "admin" and "admin123" not in seen["login"]["hint"]
    assert f"初始密码 {seen['password']}（只显示这一次" in seen["login"]["hint"] and seen["forced"] == "修改密码 — 阳光台账"
    assert seen["main"].startswith("用户：系统管理员") and seen["rc"] == 0
    assert (tmp_path / "data" / "ledger.db").exists()


def test_building_the_database_shows_its_steps_in_a_progress_bar_on_the_login(qtbot, township: Path,
                                                                              tmp_path: Path) -> None:
    """First run from scripts/run.sh: the demo is built behind the login dialog, which shows
    each step with a progress bar instead of a silent wait, and hides it once the file is open."""
    path = backup_file(township, tmp_path / "demo.db")
    step, shown, finish = threading.Event(), threading.Event(), threading.Event()

    def build(progress):
        progress.report(0, 0, "正在建立数据库…")
        step.wait(10)
        # reports closer together than the bar's refresh interval are merged: report the step
        # again, as a build does, until the dialog has shown it
        while not shown.wait(0.02):
            progress.report(3, 8, "正在生成示例数据：合同")
        finish.wait(10)
        return open_database(path)

    opening = DatabaseOpening(path, build, status="正在生成示例数据库…", warm_up=False)
    dlg = LoginDialog(opening, username="kuaiji")
    qtbot.addWidget(dlg)
    dlg.show()
    try:
        qtbot.waitUntil(lambda: dlg.progress.isVisible(), timeout=10_000)
        assert dlg.status.text() == "正在建立数据库…"
        assert (dlg.progress.minimum(), dlg.progress.maximum()) == (0, 0)  # busy: no total yet
        step.set()
        qtbot.waitUntil(lambda: dlg.progress.maximum() == 8, timeout=10_000)
        shown.set()
        assert dlg.progress.value() == 3 and dlg.status.text() == "正在生成示例数据：合同"
        dlg.password.setText("demo1234")
        dlg.ok_button.click()  # pressed while building: logs in once the database is there
        assert dlg.user is None and "打开后自动登录" in dlg.status.text()
    finally:
        for event in (step, shown, finish):  # the builder never outlives a failed test
            event.set()
    qtbot.waitUntil(lambda: dlg.user is not None, timeout=10_000)
    assert not dlg.progress.isVisible() and dlg.status.text() == ""
    opening.wait()
    opening.db.close()


def test_a_missing_database_with_demo_is_built_behind_the_login_without_the_first_run_choice(qtbot,
                                                                                            tmp_path: Path) -> None:
    from desktop_app.app import prepare_opening

    opening = prepare_opening(tmp_path / "ledger.db", demo=True)  # no FirstRunDialog: it would block here
    assert opening is not None and not opening.done and opening.path == tmp_path / "ledger.db"
    assert opening.username == "kuaiji" and "demo1234" in opening.hint and opening.status == "正在生成示例数据库…"
    assert not (tmp_path / "ledger.db").exists()  # nothing written before the dialog starts it


def test_the_pinyin_dictionary_waits_while_the_main_window_is_built(township: Path, tmp_path: Path) -> None:
    """After 登录 the main window is built once the pages are imported (``wait_ready``); the
    pinyin dictionary, the slowest part of the warm-up, is held until the window has painted."""
    path = backup_file(township, tmp_path / "demo.db")
    opening = DatabaseOpening(path, lambda _progress: open_database(path, create=False))
    opening.hold()
    opening.start()
    assert opening.wait_ready(60) and opening.db is not None and opening.error is None
    assert "desktop_app.ui.main_window" in sys.modules and "desktop_app.ui.pages.orgs" in sys.modules
    opening._thread.join(0.3)
    assert opening._thread.is_alive()  # held: the dictionary has not been loaded yet
    opening.release()
    assert opening.wait(60)
    opening._thread.join(60)
    assert not opening._thread.is_alive() and "pypinyin" in sys.modules
    opening.db.close()


def test_opening_an_up_to_date_database_reads_no_table_of_the_books(township: Path, tmp_path: Path) -> None:
    """Opening does no work proportional to the file: it reads the schema version and the
    installation's identity, never a table of the books (no upgrade, no check, no count)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    path = backup_file(township, tmp_path / "township.db")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        db = open_database(path, create=False)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    db.close()
    assert statements and not list(path.parent.glob("backups/*"))  # no upgrade, so no backup either
    tables = {"sqlite_master", "alembic_version", "installation"}
    for sql in statements:
        if sql.upper().split()[0] in ("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK"):
            continue
        named = {w.strip('"(),;') for w in sql.split()} & {"organisation", "book", "voucher", "entry", "member",
                                                          "change_log", "audit_entry", "account_period_total"}
        assert not named, sql
        assert any(t in sql for t in tables), sql


def test_closing_the_login_while_the_demo_is_built_gives_it_up_and_removes_the_file(tmp_path: Path) -> None:
    """The login closed during the first run's demo: the build stops at its next step, rolls
    back, and the half-made file is removed (the next start would open a database without users)."""
    from PySide6.QtCore import Qt

    from desktop_app.app import _create
    from desktop_app.core.progress import Cancelled

    path = tmp_path / "ledger.db"
    opening = DatabaseOpening(path, lambda p: _create(path, demo=True, progress=p), warm_up=False)
    texts: list[str] = []

    def step(_done: int, _total: int, text: str) -> None:  # runs in the worker (direct connection)
        texts.append(text)
        if path.exists():  # the file is there and the demo has begun: the user closes the login now
            opening.progress.cancel()

    opening.progressed.connect(step, Qt.ConnectionType.DirectConnection)
    opening.start()
    assert opening.wait(120)
    assert texts[0] == "正在建立数据库…" and len(texts) >= 2
    assert isinstance(opening.error, Cancelled) and opening.db is None
    assert not list(tmp_path.glob("ledger.db*"))
