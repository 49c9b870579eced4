"""Texts on the pages fit a 1350-1366 px wide screen whole (review of issue #15): the 资产卡片 summary and
its 共 N 条 are not cut at the right edge, the 凭证 page's 未结账 line does not wrap mid-word.
The main window against the real demo database, offscreen, in the program's own font."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.assets import AssetsPage
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings


@pytest.fixture
def window(qtbot: Any, demo_db: Any, tmp_path: Path, program_font: None) -> MainWindow:
    with demo_db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    win = MainWindow(AppContext(demo_db, user, WindowSettings(tmp_path / "window.json")))
    qtbot.addWidget(win)
    win.resize(1350, 768)
    win.show()
    town = win.tree.topLevelItem(0)
    assert town is not None
    village = town.child(town.childCount() - 1)
    assert village is not None
    win.tree.setCurrentItem(village)  # a village with its assets
    return win


def _page(win: MainWindow, page_id: str, qtbot: Any) -> QWidget:
    win.show_page_id(page_id)
    index = next(i for i, p in enumerate(win.pages) if p.id == page_id)
    page = win.page_widget(index)
    assert page is not None
    qtbot.waitUntil(page.isVisible)  # its tab shown …
    QApplication.processEvents()  # … and the layout requests that follow handled
    return page


def _shot(win: MainWindow, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        win.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], name))


def _whole(label: QLabel, window: QWidget) -> None:
    """``label`` shows its text on one line, uncut: wide enough, and not clipped by the page's
    parents (a page wider than its tab is cut at the window's right edge)."""
    text = label.text()
    assert text
    assert label.isVisible(), text
    need = label.fontMetrics().horizontalAdvance(text)
    assert need <= label.contentsRect().width(), text
    assert need <= label.visibleRegion().boundingRect().width(), (text, label.visibleRegion().boundingRect())
    right = label.mapTo(window, QPoint(label.width(), 0)).x()
    assert right <= window.width(), (text, right, window.width())


def test_asset_summary_and_count_fit_a_1366_screen(window: MainWindow, qtbot: Any) -> None:
    page = _page(window, "assets", qtbot)
    assert isinstance(page, AssetsPage)
    _shot(window, "fit_assets.png")
    assert page.assets.summary.text().startswith("在用 ")
    # the button row and the summary no longer ask for more than a 1350-pixel window
    assert window.minimumSizeHint().width() <= 1350 and window.width() == 1350
    _whole(page.assets.summary, window)
    _whole(page.assets.view.count_label, window)


def test_voucher_status_line_is_not_wrapped_mid_word(window: MainWindow, qtbot: Any) -> None:
    page = _page(window, "vouchers", qtbot)
    assert isinstance(page, VouchersPage)
    _shot(window, "fit_vouchers.png")
    assert page.status.text().endswith("未结账") or "已结账" in page.status.text()
    if page.status.text().endswith("未结账"):
        _whole(page.status, window)
