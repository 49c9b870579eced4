"""Ctrl+Z takes back the last save where the domain allows it: through the services, audited,
refused when the record changed since, and gone once another change is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from db.models import AuditEntry, Organisation
from desktop_app.core.errors import ConflictError
from desktop_app.core.ids import make_uscc
from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services.users import authenticate, list_users, update_user
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.orgs import OrgsPage
from desktop_app.ui.pages.users import UsersPage
from desktop_app.ui.settings import WindowSettings
from tests.acting import keeper
from tests.ui.helpers import show_active


@pytest.fixture
def window(qtbot, demo_db, tmp_path: Path):
    with demo_db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
    win = MainWindow(AppContext(demo_db, user, WindowSettings(tmp_path / "w.json")))
    qtbot.addWidget(win)
    show_active(win)
    return win


def page_of(win: MainWindow, cls: type):
    for i in range(win.tabs.count()):
        page = win.page_widget(i)
        if isinstance(page, cls):
            win.tabs.setCurrentIndex(i)
            return page
    raise AssertionError(cls)


def answer_forms(monkeypatch, fill) -> None:
    def fake_exec(dialog: forms.FormDialog) -> int:
        fill(dialog.form)
        return 1 if dialog.try_save() else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)


def test_undo_an_organisation_edit_puts_the_old_values_back(qtbot, window, monkeypatch, shown_boxes) -> None:
    ctx, undo = window.ctx, window.actions_table["undo"]
    page = page_of(window, OrgsPage)
    assert not undo.isEnabled()
    org = page.org_view.current_row()
    answer_forms(monkeypatch, lambda form: (form.widget("legal_rep").setText("新法人"),
                                            form.widget("phone").setText("0571-88886666")))
    page.edit_org()
    assert ctx.call(org_svc.get_organisation, org.id).legal_rep == "新法人"
    assert undo.isEnabled() and undo.text() == f"撤销：修改组织「{org.name}」(&U)"
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown_boxes.texts == [f"撤销上次保存：修改组织「{org.name}」？"]  # 确定 (what the fixture answers)
    restored = ctx.call(org_svc.get_organisation, org.id)
    assert (restored.legal_rep, restored.phone) == (org.legal_rep, org.phone)
    assert not undo.isEnabled() and window.statusBar().currentMessage() == f"已撤销：修改组织「{org.name}」"
    with ctx.db.read() as s:
        summaries = s.scalars(select(AuditEntry.summary).where(AuditEntry.entity_id == str(org.id))).all()
    assert sum(x == f"修改组织 {org.name}" for x in summaries) == 2  # the edit and its undo, both audited


def test_undo_a_new_organisation_and_register_it_again(qtbot, window, monkeypatch, shown_boxes) -> None:
    ctx, page = window.ctx, page_of(window, OrgsPage)
    village = next(o for o in ctx.call(org_svc.list_organisations) if o.level == "村")
    uscc = make_uscc(f"N2{village.region_code[:6]}MA1234567")
    values = {"name": "新建测试村股份经济合作社", "level": "村", "uscc": uscc, "region_code": village.region_code}

    def fill(form) -> None:
        form.set_values(values)

    answer_forms(monkeypatch, fill)
    page.new_org()
    assert any(o.uscc == uscc for o in ctx.call(org_svc.list_organisations))
    window.undo_last_save()
    assert not any(o.uscc == uscc for o in ctx.call(org_svc.list_organisations))
    with ctx.db.read() as s:
        assert s.scalar(select(Organisation.deleted).where(Organisation.uscc == uscc)) is True  # tombstone
    page.new_org()  # the same USCC again: the organisation comes back instead of clashing
    again = [o for o in ctx.call(org_svc.list_organisations) if o.uscc == uscc]
    assert len(again) == 1 and again[0].name == values["name"]


def test_undo_is_refused_when_the_record_changed_since_and_changes_nothing(qtbot, window, monkeypatch,
                                                                          shown_boxes) -> None:
    ctx, page = window.ctx, page_of(window, OrgsPage)
    org = page.org_view.current_row()
    answer_forms(monkeypatch, lambda form: form.widget("phone").setText("0571-11112222"))
    page.edit_org()
    # Changed by another program on the same file (no notification reaches this window).
    ctx.call(org_svc.update_organisation, org.id, legal_rep="另一位", user=ctx.user)
    window.actions_table.trigger("undo")
    assert shown_boxes.texts == [f"撤销上次保存：修改组织「{org.name}」？", f"组织 {org.name} 已被再次修改，不能撤销"]
    now = ctx.call(org_svc.get_organisation, org.id)
    assert (now.phone, now.legal_rep) == ("0571-11112222", "另一位")
    assert not window.actions_table["undo"].isEnabled()


def test_another_save_makes_the_remembered_one_no_longer_undoable(qtbot, window, monkeypatch) -> None:
    ctx, page = window.ctx, page_of(window, OrgsPage)
    answer_forms(monkeypatch, lambda form: form.widget("phone").setText("0571-33334444"))
    page.edit_org()
    assert window.actions_table["undo"].isEnabled()
    ctx.notify("voucher")  # any other page saving something
    assert ctx.undo_entry is None and not window.actions_table["undo"].isEnabled()
    assert window.undo_last_save() is None


def test_undo_a_user_edit_and_a_new_user(qtbot, window, monkeypatch, shown_boxes) -> None:
    ctx, page = window.ctx, page_of(window, UsersPage)
    target = next(u for u in ctx.call(list_users) if u.username == "kuaiji")
    page.view.select_row(page.model.find_row(lambda r: r.id == target.id))
    answer_forms(monkeypatch, lambda form: form.widget("display_name").setText("王会计（借调）"))
    page.edit_user()
    assert next(u for u in ctx.call(list_users) if u.id == target.id).display_name == "王会计（借调）"
    window.undo_last_save()
    assert next(u for u in ctx.call(list_users) if u.id == target.id) == target

    def fill_new(form) -> None:
        form.widget("username").setText("linshi")
        form.widget("display_name").setText("临时工")
        form.widget("password").setText("abc12345")

    answer_forms(monkeypatch, fill_new)
    page.new_user()
    assert window.actions_table["undo"].text() == "撤销：新增用户「linshi」（撤销后该用户停用）(&U)"
    window.undo_last_save()
    assert next(u for u in ctx.call(list_users) if u.username == "linshi").active is False


def test_an_organisation_in_use_cannot_be_taken_back(demo_db) -> None:
    with demo_db.begin() as s:
        book = org_svc.list_books(s)[0]
    with pytest.raises(ConflictError, match="已有账套或业务数据"), demo_db.begin() as s:
        org_svc.remove_organisation(s, book.organisation_id, user=keeper(s))
    with demo_db.read() as s:
        assert s.scalar(select(Organisation.deleted).where(Organisation.id == book.organisation_id)) is False


def test_update_user_with_a_stale_expectation_is_refused(demo_db) -> None:
    with demo_db.begin() as s:
        user = next(u for u in list_users(s) if u.username == "kuaiji")
        admin = next(u for u in list_users(s) if u.username == "admin")
        update_user(s, user.id, actor=admin, display_name="改过了")
    with pytest.raises(ConflictError, match="已被再次修改"), demo_db.begin() as s:
        update_user(s, user.id, actor=admin, display_name="王会计", expected=user)


def test_cancelling_the_confirmation_undoes_nothing(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.ui import errors as ui_errors

    ctx, page = window.ctx, page_of(window, OrgsPage)
    org = page.org_view.current_row()
    answer_forms(monkeypatch, lambda form: form.widget("phone").setText("0571-55556666"))
    page.edit_org()
    asked: list[str] = []

    def cancel(box: QMessageBox) -> int:
        asked.append(box.text())
        return int(QMessageBox.StandardButton.Cancel)

    monkeypatch.setattr(ui_errors, "_exec", cancel)
    window.undo_last_save()
    assert asked == [f"撤销上次保存：修改组织「{org.name}」？"]
    assert ctx.call(org_svc.get_organisation, org.id).phone == "0571-55556666"
    assert window.actions_table["undo"].isEnabled()  # still there to take back later
