"""No Alt-letter fights the keyboard (issue #17): a walk over the main window with every page and
every inner tab, for each kind of site and role, and over the dialogs a user meets, failing on an
Alt key two things claim in one window (or a label showing its "&" for want of a buddy) or an Alt key
shown that does not reach what shows it (a button whose Ctrl shortcut replaced its mnemonic); Alt+N
opens 填制 and Alt+E the 编辑 menu; and an Alt key
nothing claims never types its character into the focused field (Alt+8/Alt+9 for a role with
fewer pages)."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMenuBar, QPushButton, QTabWidget, QWidget

from db.engine import Database
from desktop_app.app import make_application
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.users import authenticate
from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.ui.close_dialogs import CloseMonthDialog
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import FormDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import members_forms as mf
from desktop_app.ui.pages.assets_forms import asset_fields, parcel_fields
from desktop_app.ui.pages.contracts_forms import receipt_fields
from desktop_app.ui.pages.funds_opening import OpeningDialog
from desktop_app.ui.pages.funds_plan import PlanDialog
from desktop_app.ui.pages.orgs import org_fields
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.voucher_entry import VoucherDialog
from desktop_app.ui.widgets.keys import install_alt_guard
from tests.ui.keyboard_walk import alt_keys, clashes, dead_mnemonics, stray_mnemonics
from tests.ui.test_district_pages import district_db, district_template  # noqa: F401 (fixtures)

ALT_KEYS = string.digits + string.ascii_uppercase


def _main_window(qtbot: Any, db: Database, tmp_path: Path, username: str) -> MainWindow:
    with db.begin() as s:
        user = authenticate(s, username, "demo1234")
    win = MainWindow(AppContext(db, user, WindowSettings(tmp_path / f"{username}.json")))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    win.activateWindow()  # shortcuts, the mnemonics among them, only fire in the active window
    assert QTest.qWaitForWindowActive(win)
    return win


def _problems(win: MainWindow) -> dict[str, list[str]]:
    found = clashes(win)
    if stray := stray_mnemonics(win):
        found["&"] = stray
    win.activateWindow()
    if not QTest.qWaitForWindowActive(win):
        found["inactive"] = [str(QApplication.activeWindow())]
    elif dead := dead_mnemonics(win):
        found["dead"] = dead
    return found


def walk_pages(win: MainWindow) -> dict[str, dict[str, list[str]]]:
    """Every page the user may open, shown in turn, and every inner tab of it: the Alt keys
    claimed twice, shown without a buddy or pressed without reaching their claimant, per state."""
    found = {}
    for i, spec in enumerate(win.pages):
        if spec not in win.allowed:
            continue
        win.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        page = win.page_widget(i)
        assert isinstance(page, QWidget)
        found[spec.id] = _problems(win)
        for tabs in page.findChildren(QTabWidget):
            for t in range(tabs.count()):
                if tabs.isTabEnabled(t) and tabs.isVisibleTo(win):
                    tabs.setCurrentIndex(t)
                    QApplication.processEvents()
                    found[f"{spec.id}/{tabs.tabText(t)}"] = _problems(win)
    return found


@pytest.mark.parametrize("username", ["admin", "kuaiji", "jiandu"])
def test_township_window_has_no_alt_clash(qtbot: Any, demo_db: Database, tmp_path: Path, username: str,
                                          shown_boxes: Any) -> None:
    win = _main_window(qtbot, demo_db, tmp_path, username)
    found = walk_pages(win)
    assert len(found) >= len(win.allowed)
    assert {state: keys for state, keys in found.items() if keys} == {}
    win.tabs.setCurrentIndex(next(i for i, p in enumerate(win.pages) if p.id == "vouchers"))
    keys = alt_keys(win)
    # Alt+N is 填制 (the 导航 menu answers Alt+G), Alt+E the 编辑 menu (修改 is Alt+M)
    assert keys["N"] == ["按钮 填制(&N)"] and keys["E"] == ["菜单 编辑(&E)"] and keys["G"] == ["菜单 导航(&G)"]
    assert not shown_boxes.texts


def test_district_window_has_no_alt_clash(qtbot: Any, district_db: Database, tmp_path: Path,  # noqa: F811
                                          shown_boxes: Any) -> None:
    win = _main_window(qtbot, district_db, tmp_path, "quji")
    found = walk_pages(win)
    assert any(state.startswith("district_") for state in found)
    assert {state: keys for state, keys in found.items() if keys} == {}


def _dialogs(ctx: AppContext, posted_id: Any) -> list[QDialog]:
    noop = lambda _v: None  # noqa: E731
    today = dt.date(2026, 11, 5)
    return [
        VoucherDialog(ctx), VoucherDialog(ctx, voucher_id=posted_id),
        FormDialog("新增成员", mf.member_fields(), noop), FormDialog("成员变动", mf.event_fields(), noop),
        FormDialog("计算方案", mf.plan_fields(2026), noop), FormDialog("发放", mf.payout_fields(), noop),
        FormDialog("新增户", mf.household_fields(), noop), FormDialog("收款", receipt_fields(), noop),
        FormDialog("资产卡片", asset_fields(None, today), noop), FormDialog("地块", parcel_fields(None), noop),
        FormDialog("组织", org_fields(None), noop), OpeningDialog(ctx), PlanDialog(ctx),
        CloseMonthDialog(ctx, "2026-11"),
    ]


def test_dialogs_have_no_alt_clash(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "w.json"))
    with demo_db.read() as s:
        ctx.org = next(o for o in list_organisations(s) if o.level == "村")
        ctx.book = list_books(s, ctx.org.id)[0]
        posted = list_vouchers(s, ctx.book.id, "2000-01", "2099-12")[0]
    ctx.period = "2026-11"
    for dialog in _dialogs(ctx, posted.id):
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        assert QTest.qWaitForWindowActive(dialog)
        assert clashes(dialog) == {} and stray_mnemonics(dialog) == [], dialog.windowTitle()
        assert dead_mnemonics(dialog) == [], dialog.windowTitle()
        dialog.close()
    voucher = _dialogs(ctx, posted.id)[0]
    qtbot.addWidget(voucher)
    voucher.show()
    assert set(alt_keys(voucher)) == {"D", "F", "S"}  # 日期(&D) 附件(&F) 保存(&S)


def _type_alt(window: QWidget, key: str) -> None:
    qt_key = getattr(Qt.Key, f"Key_{key}")
    QTest.keyClick(window.windowHandle(), qt_key, Qt.KeyboardModifier.AltModifier)


@pytest.mark.parametrize("username", ["jiandu", "kuaiji"])
def test_an_alt_key_nothing_claims_never_types_into_a_field(qtbot: Any, demo_db: Database, tmp_path: Path,
                                                            username: str, shown_boxes: Any) -> None:
    app = make_application()  # what the program runs with: it installs the guard
    assert app.property("alt_key_guard") is install_alt_guard(QApplication.instance())  # type: ignore[arg-type]
    win = _main_window(qtbot, demo_db, tmp_path, username)
    win.activateWindow()
    assert QTest.qWaitForWindowActive(win)
    members = next(i for i, p in enumerate(win.pages) if p.id == "members")  # a page with a search field
    win.tabs.setCurrentIndex(members)
    page = win.page_widget(members)
    assert page is not None
    QApplication.processEvents()
    field = page.members.filter_edit  # type: ignore[attr-defined]
    assert isinstance(field, QLineEdit)
    page.members.focus_filter()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    claimed = set(alt_keys(win))
    free = [k for k in ALT_KEYS if k not in claimed]
    assert "Z" in free and len(free) >= 10
    if len(win.allowed) < 9:  # the case the issue found: Alt+8/Alt+9 pressed by a role with fewer pages
        assert {"8", "9"} <= set(free)
    for key in free:
        _type_alt(win, key)
    QTest.keyClicks(field, "ab")  # plain typing still types
    assert field.text() == "ab" and QApplication.focusWidget() is field
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    assert win.findChild(QMenuBar) is not None


def test_alt_n_and_ctrl_n_open_voucher_entry_and_a_replaced_mnemonic_is_caught(
        qtbot: Any, demo_db: Database, tmp_path: Path, shown_boxes: Any) -> None:
    win = _main_window(qtbot, demo_db, tmp_path, "kuaiji")
    win.tabs.setCurrentIndex(next(i for i, p in enumerate(win.pages) if p.id == "vouchers"))
    QApplication.processEvents()
    opened: list[str] = []

    def close_entry() -> None:  # the real 填制 dialog, modal: seen, then closed
        for dialog in QApplication.topLevelWidgets():
            if isinstance(dialog, VoucherDialog) and dialog.isVisible():
                opened.append(dialog.windowTitle())
                dialog.reject()

    watcher = QTimer()
    watcher.timeout.connect(close_entry)
    watcher.start(50)
    for count, modifier in enumerate((Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier)):
        QTest.keyClick(win.windowHandle(), Qt.Key.Key_N, modifier)
        qtbot.waitUntil(lambda count=count: len(opened) > count, timeout=5000)
        win.activateWindow()
        assert QTest.qWaitForWindowActive(win)
    watcher.stop()
    assert opened == ["记账凭证（填制）", "记账凭证（填制）"]
    button = next(b for b in win.findChildren(QPushButton) if b.text() == "填制(&N)")
    assert dead_mnemonics(win) == []
    button.setShortcut(QKeySequence("Ctrl+N"))  # what the page once did: the "(&N)" shown, dead
    assert dead_mnemonics(win) == ["Alt+N 按钮 填制(&N)"]
    assert not shown_boxes.texts
