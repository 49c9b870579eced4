"""财务公开: Alt+D (导出PDF) works after 生成预览 (the progress dialog used to leave the window inactive)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop_app.core.services.users import list_users
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.settings import WindowSettings
from tests.disclosure.conftest import PERIOD, Village, disclosure_demo, village  # noqa: F401 (fixtures)
from tests.ui.helpers import show_active


def test_alt_d_exports_after_the_preview(qtbot: object, village: Village, tmp_path: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with village.db.begin() as s:
        user = next(u for u in list_users(s) if u.has_role("bookkeeper"))
    ctx = AppContext(village.db, user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(village.org, village.book)
    page = DisclosurePage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.period_edit.setText(PERIOD)
    show_active(page)
    shown: list[str] = []
    monkeypatch.setattr(ui_errors, "_exec", lambda box: shown.append(box.text()) or 0)
    target = tmp_path / "out.pdf"
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append("x"), (str(target), "PDF 文件 (*.pdf)"))[1]))
    QTest.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.doc is not None, timeout=60_000)  # type: ignore[attr-defined]
    # the progress dialog closed: the window is active again and Alt+D reaches 导出PDF(&D)…
    assert QApplication.activeWindow() is page
    QTest.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: target.exists(), timeout=60_000)  # type: ignore[attr-defined]
    assert asked == ["x"] and not shown[:-1]
