"""The login dialog paints before SQLAlchemy and the models are imported (issue #18: the first
window <= 1.3x a bare window). ``run_gui`` itself must not import them on the way to the dialog:
the opening thread does, behind it. Only a ``--db`` that may be a server URL looks at db.engine.
Nor what the dialog does not use: the login's own helpers (the database worker, the error
dialogs), the application's event filters and the words Qt's catalogue lacks come just after the
first paint; the dialog still paints in the bundled CJK font with Qt's catalogue loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from db.migrate import open_database

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from desktop_app.ui.login import LoginDialog
HEAVY = ("sqlalchemy", "db.engine", "db.models", "alembic", "desktop_app.ui.tasks", "desktop_app.ui.errors",
         "desktop_app.ui.widgets", "desktop_app.ui.file_dialogs", "desktop_app.ui.qt_zh")
FINISHED = ("alt_key_guard", "file_dialog_guard", "missing_qt_words")
seen = {}
original = LoginDialog.paintEvent
def paintEvent(self, event):
    if not seen:  # before the dialog's own paint starts the opening thread
        seen["heavy"] = sorted(m for m in HEAVY if m in sys.modules)
        seen["font"] = QApplication.font().family()
        seen["cancel"] = QCoreApplication.translate("QPlatformTheme", "Cancel")
        seen["finished"] = [k for k in FINISHED if app.property(k) is not None]
        # after the slots run_gui connected (after_first_paint): then close the dialog
        self.first_painted.connect(lambda: QTimer.singleShot(0, lambda: after(self)))
    original(self, event)
def after(dialog):
    seen["finished_after"] = [k for k in FINISHED if app.property(k) is not None]
    seen["crash_report"] = sys.excepthook.__module__
    seen["look_in"] = QCoreApplication.translate("QFileDialog", "&Look in:")
    dialog.reject()
LoginDialog.paintEvent = paintEvent
from desktop_app.app import run_gui
run_gui(["--db", sys.argv[1], "--data-dir", sys.argv[2]])
print(json.dumps(seen, ensure_ascii=False))
"""


def test_the_login_dialog_paints_before_sqlalchemy_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_database(path).close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path / "data")], capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "heavy": [], "font": "WenQuanYi Micro Hei", "cancel": "取消", "finished": [],
        "finished_after": ["alt_key_guard", "file_dialog_guard", "missing_qt_words"],
        "crash_report": "desktop_app.ui.errors", "look_in": "查找范围(&L)："}


def test_a_crash_before_the_first_paint_reaches_the_log_and_the_crash_dialog(qtbot, shown_boxes,
                                                                             tmp_path: Path) -> None:
    """Until the login dialog has painted a stand-in hook is installed; an exception it receives
    installs the real one (``ui.errors``) and is logged and shown as every other crash."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.app import _crash_report_stand_in
    from desktop_app.ui.errors import uninstall_excepthook

    log_path = tmp_path / "logs" / "sunshine-ledger.log"
    before = sys.excepthook, threading.excepthook
    install = _crash_report_stand_in(log_path)
    try:
        assert sys.excepthook.__module__ == "desktop_app.app"
        try:
            raise RuntimeError("boom before the first paint")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        assert sys.excepthook.__module__ == "desktop_app.ui.errors"
        install()  # what the first paint does: nothing more now
        assert sys.excepthook.__module__ == "desktop_app.ui.errors"
        assert "RuntimeError: boom before the first paint" in log_path.read_text(encoding="utf-8")
        (box,) = shown_boxes.boxes
        assert box.icon() == QMessageBox.Icon.Critical
    finally:
        uninstall_excepthook()
        sys.excepthook, threading.excepthook = before


PINYIN_CHILD = r"""
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from pathlib import Path
from desktop_app.app import prepare_opening
opening = prepare_opening(Path(sys.argv[1]))
opening.start()
assert opening.wait_ready(60) and opening.error is None
opening._thread.join(0.5)
seen = {"waiting": opening._thread.is_alive(), "pinyin": "pypinyin" in sys.modules}
opening.release()
opening.wait(60)
opening._thread.join(60)
seen["loaded"] = "pypinyin" in sys.modules
opening.db.close()
print(json.dumps(seen))
"""


def test_the_pinyin_dictionary_waits_for_the_main_window_even_without_hold(demo_template: Path,
                                                                           tmp_path: Path) -> None:
    """登录 pressed the moment the pages are imported must not find the dictionary loading (one
    ``json.loads`` holding the interpreter): the warm-up's second part waits for ``release`` (the
    main window's first paint) from the start, not only once ``hold`` was called."""
    from db.backup import backup_file

    path = backup_file(demo_template, tmp_path / "demo.db")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", PINYIN_CHILD, str(path)], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"waiting": True, "pinyin": False, "loaded": True}
