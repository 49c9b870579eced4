"""The reviewer's keyboard defects of issue #17, each replayed key by key to the focused widget:
a typed date leaves on Tab / Shift+Tab / Enter (the next field's keys reach the next field); Tab
from 附件 enters the lines; an account that keeps no 往来 skips the 往来 cell; a voucher made
without the mouse; the file dialog's size column reads 大小."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QSpinBox, QTreeView, QWidget

from desktop_app.app import make_application
from desktop_app.core.services.vouchers import get_voucher
from desktop_app.ui.forms import FormDialog
from desktop_app.ui.pages.contracts_forms import cancel_receipt_fields
from desktop_app.ui.voucher_entry import ACCOUNT, CREDIT, DEBIT, PARTY, SUMMARY, VoucherDialog
from desktop_app.ui.widgets.dates import DateEdit
from tests.funds.conftest import Env, make_env
from tests.ui.helpers import show_active, type_text
from tests.ui.test_keyboard_entry import _ctx, _editor, _enter


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = make_env(tmp_path / "funds.db")  # its chart has 51302 (管理费用 / 办公费) and 112 应收款
    yield made
    made.db.close()


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_focus(), key, modifier)


def _write(text: str) -> None:
    type_text(_focus(), text)


def test_tab_leaves_a_typed_date_and_the_reason_typed_next_is_kept(qtbot: Any) -> None:
    dialog = FormDialog("撤销收款", cancel_receipt_fields(), lambda values: values)
    qtbot.addWidget(dialog)
    show_active(dialog)
    date, reason = dialog.form.widget("on"), dialog.form.widget("reason")
    assert isinstance(date, DateEdit) and isinstance(reason, QLineEdit)
    date.setValue(dt.date(2026, 11, 20))
    date.setFocus()
    qtbot.waitUntil(lambda: _focus() is date)
    _write("12.5")
    _press(Qt.Key.Key_Tab)  # one Tab: read as 2026-12-05, and out
    assert _focus() is reason and date.value() == dt.date(2026, 12, 5) and date.text() == "2026-12-05"
    _write("金额录错")
    assert reason.text() == "金额录错" and date.value() == dt.date(2026, 12, 5)
    _press(Qt.Key.Key_Backtab)  # back in one Shift+Tab …
    assert _focus() is date
    _press(Qt.Key.Key_Tab)  # … and out in one Tab, without a date typed too (no section walk)
    assert _focus() is reason
    _press(Qt.Key.Key_Backtab)
    _write("2月30")  # a day that does not exist keeps the focus, marked
    _press(Qt.Key.Key_Tab)
    assert _focus() is date and "这一天不存在" in date.toolTip()
    _press(Qt.Key.Key_Escape)
    assert date.value() == dt.date(2026, 12, 5)


def test_enter_leaves_the_voucher_date_and_the_next_digit_is_the_attachments(qtbot: Any, env: Env,
                                                                              tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)
    show_active(dlg)
    dlg.date_edit.setFocus()
    qtbot.waitUntil(lambda: _focus() is dlg.date_edit)
    _write("3.8")
    _press(Qt.Key.Key_Return)
    assert _focus() is dlg.attach and dlg.date_edit.value() == dt.date(2026, 3, 8)
    _write("2")
    assert dlg.attach.value() == 2 and dlg.date_edit.value() == dt.date(2026, 3, 8)  # not 03-02
    _press(Qt.Key.Key_Return)  # Enter in 附件 goes on to the lines, as Tab does
    _editor(qtbot, dlg, 0, SUMMARY)
    assert dlg.isVisible() and dlg.saved_id is None


def test_a_voucher_made_without_the_mouse(qtbot: Any, env: Env, tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)
    show_active(dlg)
    QTest.keyClick(dlg.windowHandle(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # 日期(&D)
    qtbot.waitUntil(lambda: _focus() is dlg.date_edit)
    _write("3.8")
    _press(Qt.Key.Key_Tab)
    assert isinstance(_focus(), QSpinBox) and _focus() is dlg.attach
    _write("1")
    _press(Qt.Key.Key_Tab)  # Tab from 附件: the first 摘要 cell, open for typing (not 保存)
    type_text(_editor(qtbot, dlg, 0, SUMMARY), "购买办公用品")
    _enter(_editor(qtbot, dlg, 0, SUMMARY))
    type_text(_editor(qtbot, dlg, 0, ACCOUNT), "51302")
    _enter(_editor(qtbot, dlg, 0, ACCOUNT))
    type_text(_editor(qtbot, dlg, 0, DEBIT), "300")  # 51302 办公费 keeps no 往来: Enter went to the debit
    _enter(_editor(qtbot, dlg, 0, DEBIT))
    _enter(_editor(qtbot, dlg, 1, SUMMARY))  # the 摘要 carries down
    type_text(_editor(qtbot, dlg, 1, ACCOUNT), "112")
    _enter(_editor(qtbot, dlg, 1, ACCOUNT))
    type_text(_editor(qtbot, dlg, 1, PARTY), "张三")  # 112 应收款 does keep 往来: Enter stopped there
    _enter(_editor(qtbot, dlg, 1, PARTY))
    _editor(qtbot, dlg, 1, CREDIT)  # the difference put on the credit, to confirm
    _press(Qt.Key.Key_Return)
    _editor(qtbot, dlg, 2, SUMMARY)
    assert dlg.grid.text(0, PARTY) == "" and dlg.grid.text(1, CREDIT) == "300.00"
    dlg.grab().save(str(tmp_path / "voucher_by_keyboard.png"))
    _press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dlg.saved_id is not None)
    assert not dlg.isVisible()
    with env.db.read() as s:
        saved = get_voucher(s, dlg.saved_id)
    assert saved.voucher.voucher_date == dt.date(2026, 3, 8) and saved.voucher.attachments == 1
    assert [(ln.account_code, ln.debit, ln.credit, ln.summary, ln.counterparty) for ln in saved.lines] == [
        ("51302", Decimal("300.00"), Decimal("0.00"), "购买办公用品", None),
        ("112", Decimal("0.00"), Decimal("300.00"), "购买办公用品", "张三")]


def test_the_counterparty_carries_down_only_to_an_account_that_keeps_one(qtbot: Any, env: Env,
                                                                         tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)
    grid = dlg.grid
    grid.set_text(0, PARTY, "张三")
    grid.set_text(1, ACCOUNT, "51302")
    grid.setCurrentCell(1, ACCOUNT)
    grid.move_next()
    assert grid.text(1, PARTY) == "" and (grid.currentRow(), grid.currentColumn()) == (1, DEBIT)
    grid.set_text(1, ACCOUNT, "112")
    grid.setCurrentCell(1, ACCOUNT)
    grid.move_next()
    assert grid.text(1, PARTY) == "张三" and (grid.currentRow(), grid.currentColumn()) == (1, PARTY)


def test_the_file_dialog_names_the_size_column_daxiao(qtbot: Any, tmp_path: Path) -> None:
    make_application()
    dialog = QFileDialog(None, "选择备份文件")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    tree = dialog.findChild(QTreeView)
    assert tree is not None
    model = tree.model()
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "大小" in headers and "体积" not in headers
    dialog.resize(800, 400)
    dialog.grab().save(str(tmp_path / "file_dialog.png"))
    assert headers[:2] == ["名称", "大小"]
