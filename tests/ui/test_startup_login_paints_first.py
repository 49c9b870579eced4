"""The login dialog paints before SQLAlchemy and the models are imported (issue #18: the first
window <= 1.3x a bare window). ``run_gui`` itself must not import them on the way to the dialog:
the opening thread does, behind it. Only a ``--db`` that may be a server URL looks at db.engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from db.migrate import open_database

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from desktop_app.ui.login import LoginDialog
seen = {}
original = LoginDialog.paintEvent
def paintEvent(self, event):
    if not seen:  # before the dialog's own paint starts the opening thread
        seen["heavy"] = sorted(m for m in ("sqlalchemy", "db.engine", "db.models", "alembic") if m in sys.modules)
        QTimer.singleShot(0, self.reject)
    original(self, event)
LoginDialog.paintEvent = paintEvent
from desktop_app.app import run_gui
run_gui(["--db", sys.argv[1], "--data-dir", sys.argv[2]])
print(json.dumps(seen))
"""


def test_the_login_dialog_paints_before_sqlalchemy_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    open_database(path).close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path / "data")], capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"heavy": []}



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
