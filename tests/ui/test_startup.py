"""Start-up: the login dialog is usable at once while the database opens behind it, and the
real program (``run_gui``) goes from login to the main window against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from db.backup import backup_file
from db.migrate import open_database
from desktop_app.app import rotate_log
from desktop_app.core.errors import UserError
from desktop_app.core.services.orgs import list_organisations
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.opening import DatabaseOpening

ROOT = Path(__file__).resolve().parents[2]


def test_login_pressed_before_the_database_is_open_logs_in_once_it_is(qtbot, demo_template: Path,
                                                                        tmp_path: Path) -> None:
    path = backup_file(demo_template, tmp_path / "demo.db")
    gate = threading.Event()

    def slow_open():  # a migration or a slow disk: the user is faster
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
    opening = DatabaseOpening(foreign, lambda: open_database(foreign, create=False), warm_up=False)
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
from desktop_app.ui.login import FirstRunDialog, LoginDialog

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
            self.password.setText("admin123")
            self.ok_button.click()
        QTimer.singleShot(0, press)
LoginDialog.paintEvent = login_paint
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
    assert seen["login"]["username"] == "admin" and "初始密码 admin123" in seen["login"]["hint"]
    assert seen["main"].startswith("用户：系统管理员") and seen["rc"] == 0
    assert (tmp_path / "data" / "ledger.db").exists()
