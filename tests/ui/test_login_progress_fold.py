"""After the first-run demo (scripts/run.sh on a fresh data folder) the login dialog folds its
progress bar away and looks as on a normal start: no empty band where the bar was."""

from __future__ import annotations

import threading

from db.engine import Database
from desktop_app.ui.login import DEMO_HINT, LoginDialog
from desktop_app.ui.opening import DatabaseOpening


def _shown_after_opening(qtbot, opening: DatabaseOpening) -> LoginDialog:
    dlg = LoginDialog(opening)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_the_login_shrinks_back_once_the_demo_is_built(qtbot, program_font, db: Database) -> None:
    shown, finish = threading.Event(), threading.Event()

    def build(progress):
        while not shown.wait(0.02):  # reports are merged within the bar's interval: repeat until seen
            progress.report(3, 8, "正在生成示例数据：合同（某某镇某某村股份经济合作社）")
        finish.wait(10)
        return db

    opening = DatabaseOpening(db.path, build, status="正在生成示例数据库…", warm_up=False, hint=DEMO_HINT,
                              username="kuaiji")
    dlg = _shown_after_opening(qtbot, opening)
    try:
        qtbot.waitUntil(dlg.progress.isVisible, timeout=10_000)
        shown.set()
        grown = dlg.height()
    finally:
        shown.set()
        finish.set()
    qtbot.waitUntil(lambda: opening.done and not dlg.progress.isVisible(), timeout=10_000)
    opening.wait()

    # the same dialog on a normal start: the database opens with no steps to show
    normal_opening = DatabaseOpening(db.path, lambda _progress: db, warm_up=False, hint=DEMO_HINT,
                                     username="kuaiji")
    normal = _shown_after_opening(qtbot, normal_opening)
    qtbot.waitUntil(lambda: normal_opening.done and normal.status.text() == "", timeout=10_000)
    normal_opening.wait()

    assert grown > normal.height()  # the bar and its two lines of step text did make room
    assert dlg.status.text() == "" and dlg.status.minimumHeight() == 0
    assert (dlg.width(), dlg.height()) == (normal.width(), normal.height())
