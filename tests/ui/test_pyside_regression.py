"""PySide6 6.12.0 (Python 3.11) leaks a reference to None on every void Qt call and aborts
("deallocating None") after a few thousand of them; pyproject pins < 6.12. This runs the
crashing pattern in a child process so a bad PySide6 fails one test instead of the run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    w = QWidget()
    for _ in range(20_000):
        w.update()
    for _ in range(20_000):
        w.setObjectName("x")
    for _ in range(5_000):
        QApplication.processEvents()
    print("ok")
    """
)


def test_pyside_version_is_pinned_below_6_12() -> None:
    assert PySide6.__version_info__ < (6, 12), PySide6.__version__


def test_many_void_calls_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
