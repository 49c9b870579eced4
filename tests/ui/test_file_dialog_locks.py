"""A file dialog shown in the database's folder keeps the window's SQLite locks (DESIGN-NOTES 55).

On POSIX, closing any descriptor of a file drops every fcntl lock the process holds on it. Qt's
icon provider reads a ``.db`` file to guess its type, so a dialog in the data folder released the
window's locks and a command-line process then took itself for the only user. The application's
dialogs judge files by name only; the control shows the hazard is real with Qt's own provider."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QFileIconProvider

from desktop_app.ui.file_dialogs import NameOnlyIcons, install_file_dialog_guard

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows locks are not fcntl locks")

_PROBE = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=0)
try:
    con.execute("BEGIN IMMEDIATE")
    print("free")
except sqlite3.OperationalError:
    print("held")
"""


def _lock_state(db: Path) -> str:
    """What another process finds: ``held`` while this one's exclusive lock stands."""
    done = subprocess.run([sys.executable, "-c", _PROBE, str(db)], capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


@pytest.fixture
def locked_db(tmp_path: Path) -> tuple[Path, sqlite3.Connection]:
    folder = tmp_path / "数据"
    folder.mkdir()
    db = folder / "village.db"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("CREATE TABLE t (x)")
    con.execute("BEGIN EXCLUSIVE")  # the window in the middle of a write
    for name in ("成员.xlsx", "报表.pdf", "village.db-journal.bak"):
        (folder / name).write_bytes(b"x" * 64)
    assert _lock_state(db) == "held"
    return db, con


def _show_and_paint(qtbot, dialog: QFileDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # the folder is listed in a thread; its rows' icons and 类型 are asked for when they paint
    qtbot.waitUntil(lambda: "village.db" in " ".join(_listed(dialog)), timeout=10000)
    for _ in range(3):
        dialog.grab()
        QApplication.processEvents()


def _listed(dialog: QFileDialog) -> list[str]:
    from PySide6.QtWidgets import QFileSystemModel

    model = dialog.findChild(QFileSystemModel)
    root = model.index(dialog.directory().absolutePath())
    return [model.index(r, 0, root).data() for r in range(model.rowCount(root))]


def test_application_dialogs_keep_the_lock(qtbot, locked_db) -> None:  # type: ignore[no-untyped-def]
    db, con = locked_db
    install_file_dialog_guard(QApplication.instance())
    dialog = QFileDialog(None, "打开", str(db.parent), "所有文件 (*)")
    _show_and_paint(qtbot, dialog)
    assert isinstance(dialog.iconProvider(), NameOnlyIcons)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog) or sys.platform != "win32"
    assert _lock_state(db) == "held"
    con.execute("COMMIT")
    con.close()


def test_qt_own_provider_drops_it(qtbot, locked_db) -> None:  # type: ignore[no-untyped-def]
    """The control: the hazard the guard removes is real on this platform."""
    db, con = locked_db
    dialog = QFileDialog(None, "打开", str(db.parent), "所有文件 (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    plain = QFileIconProvider()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.setIconProvider(plain)  # after show: the guard (installed by another test) fits its own at polish
    qtbot.waitUntil(lambda: "village.db" in " ".join(_listed(dialog)), timeout=10000)
    for _ in range(3):
        dialog.grab()
        QApplication.processEvents()
    assert _lock_state(db) == "free"
    con.close()
