"""The main window, login and the 组织与账套 page against a real demo database, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select

from db.models import Organisation
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.orgs import create_organisation, list_organisations
from desktop_app.core.services.users import authenticate
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import FormDialog
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.orgs import OrgsPage, org_fields
from desktop_app.ui.settings import WindowSettings


def type_text(widget: QLineEdit, text: str) -> None:
    """Type like a user, including Chinese (qtbot.keyClicks aborts on non-ASCII)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def window(qtbot, demo_db, tmp_path: Path):
    with demo_db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "window.json"))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def test_login_success_and_failure(qtbot, demo_db) -> None:
    dlg = LoginDialog(demo_db)
    qtbot.addWidget(dlg)
    type_text(dlg.username, "kuaiji")
    type_text(dlg.password, "wrong-password")
    dlg.try_login()
    assert dlg.user is None and dlg.error.text() == "用户名或密码错误"
    dlg.password.clear()
    type_text(dlg.password, "demo1234")
    dlg.try_login()
    assert dlg.user is not None and dlg.user.username == "kuaiji" and dlg.result() == dlg.DialogCode.Accepted


def test_window_shows_pages_and_status(window) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "组织与账套" in titles and "用户管理" in titles
    assert "组织：" in window.status_org.text() and "期间：" in window.status_org.text()
    assert window.windowTitle().startswith("阳光台账")


def test_bookkeeper_does_not_see_user_management(qtbot, demo_db, tmp_path) -> None:
    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    win = MainWindow(AppContext(demo_db, user, WindowSettings(tmp_path / "w.json")))
    qtbot.addWidget(win)
    # the page stays in its place, disabled, saying who may use it (issue #16)
    index = [win.tabs.tabText(i) for i in range(win.tabs.count())].index("用户管理")
    assert not win.tabs.isTabEnabled(index) and "仅限系统管理员" in win.tabs.tabToolTip(index)
    assert "用户管理" not in [a.text() for a in win.menuBar().actions()[-1].menu().actions()]


def test_navigation_switches_organisation_and_books(window) -> None:
    tree = window.tree
    town = tree.topLevelItem(0)
    assert town.text(0) == "阳光街道"
    target = town.child(3)
    tree.setCurrentItem(target)
    ctx = window.ctx
    assert ctx.org is not None and ctx.org.name == target.text(0)
    assert ctx.book is not None and ctx.book.organisation_id == ctx.org.id
    assert target.text(0) in window.status_org.text()
    index = next(i for i, p in enumerate(window.pages) if p.id == "orgs")
    page = window.page_widget(index)
    assert isinstance(page, OrgsPage)
    assert page.org_view.current_row().id == ctx.org.id
    assert page.book_model.rowCount() >= 1


def test_org_form_refuses_bad_uscc_next_to_field_and_saves_nothing(qtbot, window) -> None:
    ctx = window.ctx

    def count() -> int:
        with ctx.db.begin() as s:
            return s.scalar(select(func.count()).select_from(Organisation))

    before = count()
    saved = []
    dialog = FormDialog("新增组织", org_fields(), lambda v: saved.append(ctx.call(create_organisation, **v, user=ctx.user)))
    qtbot.addWidget(dialog)
    form = dialog.form
    type_text(form.widget("name"), "新村股份经济合作社")
    type_text(form.widget("uscc"), "N2320115MF00000122")  # wrong check character
    type_text(form.widget("region_code"), "320115106203")
    assert dialog.try_save() is False
    assert "校验位错误" in form.error_labels["uscc"].text()
    form.widget("uscc").clear()
    type_text(form.widget("uscc"), make_uscc("N1320115MF0000019"))  # well-formed, but N1 is for 组-level
    assert dialog.try_save() is False
    assert "N2" in form.error_labels["uscc"].text()
    assert saved == [] and count() == before


def test_settings_file_is_written_atomically_on_close(window, tmp_path) -> None:
    window.close()
    QApplication.processEvents()
    text = (tmp_path / "window.json").read_text(encoding="utf-8")
    assert '"geometry"' in text and '"last_org"' in text


def test_period_is_one_setting_for_the_window_and_its_pages(window) -> None:
    index = next(i for i, p in enumerate(window.pages) if p.id == "vouchers")
    page = window.page_widget(index)
    window.period_combo.setCurrentIndex(window.period_combo.findText("2026年09月"))
    assert window.ctx.period == "2026-09" and page.period.value() == "2026-09"
    page.period.setValue("2026-07")  # the page's own picker moves the whole window
    assert window.ctx.period == "2026-07"
    assert window.period_combo.currentText() == "2026年07月"
    assert "2026年07月" in window.status_org.text()


def test_the_window_reads_while_another_writer_holds_the_lock(qtbot, window) -> None:
    """A background import or batch holds the write lock; the pages' reads must not wait for it."""
    import sqlite3

    writer = sqlite3.connect(window.ctx.db.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE organisation SET phone = '0000' WHERE level = '村'")  # not committed yet
        window.reload_orgs()  # list_organisations + list_books through ctx.read
        rows = window.ctx.read(list_organisations)
        assert rows and all(r.phone != "0000" for r in rows)  # the snapshot before the writer's change
        assert window.tree.topLevelItemCount() == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
