"""The 资产资源 page from the keyboard: pinyin filter, Alt mnemonics, Enter to edit, Ctrl+Tab."""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.ui import errors as ui_errors
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import assets as page_mod
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import Env
from tests.ui.helpers import show_active, type_text


@pytest.fixture
def page(env: Env, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    env.asset("ZC-001", name="村部办公楼")
    env.asset("ZC-002", name="联合收割机", category="机器设备", nature="经营性", original_value=D("36000.00"),
              useful_life_months=120, acquired_on=date(2026, 1, 3))
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "w.json"))
    ctx.period = "2026-02"
    p = page_mod.AssetsPage(ctx)
    qtbot.addWidget(p)
    ctx.set_selection(env.org, env.book)
    messages: list[str] = []
    monkeypatch.setattr(page_mod.QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    monkeypatch.setattr(ui_errors, "_exec", lambda box: messages.append(box.text()) or 0)  # never block
    p.messages = messages
    return p


def test_lists_filter_by_pinyin_initials(page: Any) -> None:
    assert page.assets.model.rowCount() == 2
    page.assets.view.filter_edit.setText("cbbgl")
    page.assets.view.apply_filter_now()
    assert [page.assets.model.row_at(i).name for i in range(page.assets.model.rowCount())] == ["村部办公楼"]
    page.assets.view.filter_edit.setText("lhsgj")
    page.assets.view.apply_filter_now()
    assert page.assets.model.row_at(0).name == "联合收割机" and page.assets.model.rowCount() == 1


def test_keyboard_new_edit_depreciate(page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    filled: list[str] = []

    def fake_exec(dialog: forms.FormDialog) -> int:  # what the user would type, then Ctrl+Enter
        filled.append(dialog.windowTitle())
        form = dialog.form
        if "新增" in dialog.windowTitle():
            for name, text in (("code", "ZC-003"), ("name", "打印机"), ("useful_life_months", "60")):
                form.widget(name).clear()
                type_text(form.widget(name), text)
            form.widget("original_value").setText("3,000")
            form.widget("payment_account").setText("10201")
        else:
            form.widget("custodian").setText("张志强")
        QTest.keyClick(form.widget("notes"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return 1 if dialog.result_value is not None else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    show_active(page)
    QTest.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # a button shortcut clicks after ~100 ms
    qtbot.waitUntil(lambda: page.assets.model.rowCount() == 3)
    page.assets.view.select_row(0)
    page.assets.view.table.setFocus()
    QTest.keyClick(page.assets.view.table, Qt.Key.Key_Return)
    assert filled[-1].startswith("编辑资产卡片：ZC-001")
    assert page.assets.model.row_at(0).custodian == "张志强"
    for key, n in ((Qt.Key.Key_D, 1), (Qt.Key.Key_D, 2), (Qt.Key.Key_R, 3)):
        QTest.keyClick(page, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda n=n: len(page.messages) == n)
    assert "已计提2026年2月折旧：2 项资产" in page.messages[0]  # the month and amount as every sheet writes them
    assert re.search(r"合计 [\d,]+\.\d\d 元", page.messages[0])
    assert "未重复生成" in page.messages[1]
    assert page.messages[2].endswith("账卡相符。")
    page.tabs.setCurrentIndex(0)
    page.assets.view.table.setFocus()
    QTest.keyClick(page.assets.view.table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == 1


def test_form_shows_service_error_beside_the_field(page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, str]] = []

    def fake_exec(dialog: forms.FormDialog) -> int:
        form = dialog.form
        form.widget("code").setText("ZC-001")  # duplicate
        form.widget("name").setText("重复")
        form.widget("original_value").setText("100")
        form.widget("useful_life_months").setText("12")
        dialog.try_save()
        seen.append(form.errors())
        return 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    page.new_asset()
    assert "已被其他资产卡片使用" in seen[0]["code"]
    assert page.assets.model.rowCount() == 2


def test_card_actions_schedule_and_disposal(page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.ui.pages import assets_dialogs

    shown: list[tuple[str, int]] = []
    monkeypatch.setattr(assets_dialogs.TableDialog, "exec",
                        lambda d: shown.append((d.windowTitle(), d.model.rowCount())) or 0)

    def fake_exec(dialog: forms.FormDialog) -> int:
        dialog.form.widget("disposed_on").setValue(date(2026, 2, 15))
        dialog.form.widget("reason").setText("危房拆除")
        dialog.try_save()
        return 1 if dialog.result_value is not None else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    show_active(page)
    page.assets.view.select_row(0)  # ZC-001 村部办公楼: 36 months of 266.67 … 266.55
    QTest.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0] == ("折旧计算表：ZC-001 村部办公楼", 36)
    QTest.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # 处置 (报废) in February
    qtbot.waitUntil(lambda: page.assets.model.row_at(0).status == "已处置")
    assert page.assets.view.current_row().code == "ZC-001"  # the selection survives the reload
    QTest.keyClick(page, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert shown[1] == ("变动历史：ZC-001 村部办公楼", 2)

    def fill_cancel(dialog: forms.FormDialog) -> int:  # 撤销处置 in the same month
        dialog.form.widget("on").setValue(date(2026, 2, 20))
        dialog.form.widget("reason").setText("误录")
        dialog.try_save()
        return 1 if dialog.result_value is not None else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fill_cancel)
    QTest.keyClick(page, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.assets.model.row_at(0).status == "自用")
    QTest.keyClick(page, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # 撤销 again: no value change to take back
    qtbot.waitUntil(lambda: bool(page.messages))
    assert page.messages[-1] == "资产 ZC-001 没有价值调整记录"  # no stray "“资产”：" label


def test_projects_tab_shows_returns_and_edits_with_enter(page: Any, env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.services.projects import create_project

    with env.db.begin() as s:
        create_project(s, organisation_id=env.org.id, code="XM-01", name="光伏发电项目", kind="光伏", status="运营",
                       operating_on=date(2025, 7, 1), funding={"区级扶持资金": D("300000.00")}, user=env.user)
    page.ctx.notify("project")
    titles: list[str] = []

    def fake_exec(dialog: forms.FormDialog) -> int:
        titles.append(dialog.windowTitle())
        dialog.form.widget("funding:自筹").setText("100000")
        dialog.try_save()
        return 1 if dialog.result_value is not None else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    page.tabs.setCurrentIndex(2)
    page.projects.view.filter_edit.setText("gffd")
    page.projects.view.apply_filter_now()
    page.projects.view.select_row(0)
    QTest.keyClick(page.projects.view.table, Qt.Key.Key_Return)
    assert titles == ["编辑项目：XM-01 光伏发电项目"]
    row = page.projects.model.row_at(0)
    assert row.project.investment == D("400000.00") and row.income == D("0.00") and row.return_rate == D("0.00")
