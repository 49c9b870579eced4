"""Entry that never fights the keyboard (issue #17): typed dates in the one date widget, the voucher
grid typed key by key (amounts shown 12,345.60 right-aligned once left, the 大写 of the line and of
the totals while typing, Enter moving on and the last line balancing itself), a posted voucher
opened read-only with 红字冲销 offered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QInputDialog, QLineEdit

from desktop_app.core.errors import ValidationError
from desktop_app.core.services.vouchers import get_voucher, list_vouchers, void_voucher
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.voucher_entry import ACCOUNT, CREDIT, DEBIT, SUMMARY, VoucherDialog
from desktop_app.ui.widgets.dates import DateEdit, parse_typed_date
from tests.funds.conftest import Env, make_env
from tests.ui.helpers import show_active, type_text

REF = dt.date(2026, 11, 20)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = make_env(tmp_path / "funds.db")
    yield made
    made.db.close()


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-11-05", dt.date(2026, 11, 5)), ("20261105", dt.date(2026, 11, 5)), ("11-05", dt.date(2026, 11, 5)),
    ("11.5", dt.date(2026, 11, 5)), ("2026.3.8", dt.date(2026, 3, 8)), ("2026/03/08", dt.date(2026, 3, 8)),
    ("2026年3月8日", dt.date(2026, 3, 8)), ("3月8日", dt.date(2026, 3, 8)), ("0308", dt.date(2026, 3, 8)),
    ("5", dt.date(2026, 11, 5)), ("２０２６－１１－０５", dt.date(2026, 11, 5)), ("25.12.31", dt.date(2025, 12, 31)),
])
def test_typed_dates_are_read_in_the_current_year_and_month(typed: str, day: dt.date) -> None:
    assert parse_typed_date(typed, REF) == day


@pytest.mark.parametrize(("typed", "message"), [("2月30", "这一天不存在"), ("13.1", "这一天不存在"),
                                                ("abc", "2026-11-05、20261105"), ("123", "2026-11-05")])
def test_a_typed_date_that_is_none_says_so(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_typed_date(typed, REF)


def _date_in_dialog(qtbot: Any) -> tuple[FormDialog, DateEdit]:
    saved: list[dict[str, Any]] = []
    dialog = FormDialog("发放", [Field("paid_on", "发放日期", DateEdit(REF), required=True)], saved.append)
    qtbot.addWidget(dialog)
    show_active(dialog)
    edit = dialog.form.widget("paid_on")
    assert isinstance(edit, DateEdit)
    return dialog, edit


@pytest.mark.parametrize(("typed", "end", "day"), [
    ("2026-11-05", Qt.Key.Key_Return, dt.date(2026, 11, 5)), ("20261105", Qt.Key.Key_Tab, dt.date(2026, 11, 5)),
    ("11-05", Qt.Key.Key_Tab, dt.date(2026, 11, 5)), ("11.5", Qt.Key.Key_Return, dt.date(2026, 11, 5)),
    ("3", Qt.Key.Key_Tab, dt.date(2026, 11, 3)),
])
def test_the_date_field_takes_typing(qtbot: Any, typed: str, end: Qt.Key, day: dt.date) -> None:
    _dialog, edit = _date_in_dialog(qtbot)
    edit.setFocus()
    type_text(edit, typed)
    assert edit.lineEdit().text() == typed and edit.typing()  # shown as typed, not forced into sections
    QTest.keyClick(edit, end)
    assert edit.value() == day and edit.text() == day.isoformat() and not edit.typing()
    assert not edit.toolTip()


def test_the_date_field_keeps_arrows_escape_and_marks_a_wrong_date(qtbot: Any) -> None:
    dialog, edit = _date_in_dialog(qtbot)
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_Up)  # the arrows still step (the day section first)
    assert edit.value() == dt.date(2026, 11, 21)
    type_text(edit, "12.1")
    QTest.keyClick(edit, Qt.Key.Key_Escape)  # typing given up: the date stays
    assert edit.value() == dt.date(2026, 11, 21) and edit.text() == "2026-11-21"
    type_text(edit, "2月30")
    QTest.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.typing() and "这一天不存在" in edit.toolTip()  # kept, marked
    with pytest.raises(ValidationError, match="这一天不存在"):
        edit.value()
    dialog.try_save()  # the form reads value(): the error is shown, nothing saved
    assert dialog.result_value is None and dialog.isVisible()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    type_text(edit, "28")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert edit.value() == dt.date(2026, 2, 28) and not edit.toolTip()


def _ctx(env: Env, tmp_path: Path) -> AppContext:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    return ctx


def _editor(qtbot: Any, dlg: VoucherDialog, row: int, col: int) -> QLineEdit:
    """The editor open on (row, col) once it has the focus (not the one just closing)."""
    grid = dlg.grid
    cell = grid.visualRect(grid.model().index(row, col))

    def ready() -> bool:
        focus = QApplication.focusWidget()
        return (grid.currentRow(), grid.currentColumn()) == (row, col) and isinstance(focus, QLineEdit) \
            and grid.viewport().isAncestorOf(focus) and focus.geometry().center() == cell.center()

    qtbot.waitUntil(ready)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    return editor


def _enter(editor: QLineEdit) -> None:
    completer = editor.completer()
    popup = completer.popup() if completer is not None else None
    if popup is not None and popup.isVisible():
        # the popup takes Return only once its window is on screen, as it is between a person's keys
        assert QTest.qWaitForWindowExposed(popup)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def test_a_voucher_typed_key_by_key(qtbot: Any, env: Env, tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)
    show_active(dlg)
    dlg.date_edit.setValue(dt.date(2026, 3, 8))
    grid = dlg.grid
    grid.setFocus()
    grid.setCurrentCell(0, SUMMARY)
    grid.edit(grid.currentIndex())
    type_text(_editor(qtbot, dlg, 0, SUMMARY), "提现备用")
    _enter(_editor(qtbot, dlg, 0, SUMMARY))
    type_text(_editor(qtbot, dlg, 0, ACCOUNT), "101")
    _enter(_editor(qtbot, dlg, 0, ACCOUNT))  # 库存现金 has no 往来: on to the amount
    amount = _editor(qtbot, dlg, 0, DEBIT)
    type_text(amount, "12345.6")
    # while typing: the line's 大写 and the totals' 大写, unbalanced as they are
    assert dlg.line_label.text() == "第1行（大写）：壹万贰仟叁佰肆拾伍元陆角整"
    assert dlg.words_label.text() == "借方（大写）：壹万贰仟叁佰肆拾伍元陆角整　贷方（大写）：零元整"
    assert "差额 12,345.60" in dlg.total_label.text()
    _enter(amount)
    _editor(qtbot, dlg, 1, SUMMARY)  # a debit skips the credit: the next line
    cell = grid.item(0, DEBIT)
    assert cell is not None and cell.text() == "12,345.60"  # formatted once left …
    assert cell.textAlignment() & Qt.AlignmentFlag.AlignRight  # … and right-aligned
    _enter(_editor(qtbot, dlg, 1, SUMMARY))
    account = _editor(qtbot, dlg, 1, ACCOUNT)
    assert grid.text(1, SUMMARY) == "提现备用"  # the 摘要 carries down
    type_text(account, "10201")
    _enter(_editor(qtbot, dlg, 1, ACCOUNT))
    # the last line balances itself: the difference on the empty side, ready to confirm
    credit = _editor(qtbot, dlg, 1, CREDIT)
    assert grid.text(1, CREDIT) == "12,345.60" and grid.text(1, DEBIT) == ""
    assert dlg.words_label.text() == "合计（大写）：壹万贰仟叁佰肆拾伍元陆角整"
    _enter(credit)
    _editor(qtbot, dlg, 2, SUMMARY)
    assert grid.text(1, CREDIT) == "12,345.60"
    dlg.save()
    assert dlg.saved_id is not None
    with env.db.read() as s:
        saved = get_voucher(s, dlg.saved_id)
    assert [(ln.account_code, ln.debit, ln.credit) for ln in saved.lines] == [
        ("101", Decimal("12345.60"), Decimal("0.00")), ("10201", Decimal("0.00"), Decimal("12345.60"))]
    dlg.grab().save(str(tmp_path / "voucher.png"))


def test_amounts_typed_in_any_accepted_form_show_alike(qtbot: Any, env: Env, tmp_path: Path) -> None:
    dlg = VoucherDialog(_ctx(env, tmp_path))
    qtbot.addWidget(dlg)
    for text, shown in (("1234.5", "1,234.50"), ("１２３４．５", "1,234.50"), ("¥1,234.5", "1,234.50"),
                        ("-20", "-20.00"), ("0", ""), ("12a", "12a")):
        dlg.grid.set_text(0, DEBIT, text)
        assert dlg.grid.text(0, DEBIT) == shown, text


@pytest.mark.parametrize("voided", [False, True])
def test_a_posted_voucher_opens_read_only_offering_red_reversal(qtbot: Any, env: Env, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch, voided: bool) -> None:
    posted = env.vouch(dt.date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"), post=not voided)
    if voided:
        with env.db.begin("test") as s:
            void_voucher(s, posted, user=env.maker, reason="重复")
    ctx = _ctx(env, tmp_path)
    dlg = VoucherDialog(ctx, voucher_id=posted)
    qtbot.addWidget(dlg)
    dlg.show()
    status = "作废" if voided else "记账"
    assert dlg.windowTitle() == f"记账凭证 记-0001（已{status}，只读）"
    assert dlg.grid.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not dlg.save_button.isVisible() and not dlg.date_edit.isEnabled()
    assert dlg.grid.text(0, DEBIT) == "300.00" and dlg.words_label.text() == "合计（大写）：叁佰元整"
    assert dlg.reverse_button.isVisible() is (not voided)
    dlg.save()  # Ctrl+S: nothing happens
    if voided:
        return
    assert dlg.reverse_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("记错科目", True))
    dlg.reverse_button.click()
    assert dlg.result() == dlg.DialogCode.Accepted and dlg.saved_id is not None
    with env.db.read() as s:
        rows = list_vouchers(s, env.book.id, "2026-03", "2026-03")
        red = get_voucher(s, dlg.saved_id)
    assert [r.status for r in rows] == ["记账", "填制"]
    assert red.voucher.reversal_of_id == posted and red.voucher.voucher_date == dt.date(2026, 3, 31)
    assert [(ln.debit, ln.credit) for ln in red.lines] == [(Decimal("-300.00"), Decimal("0.00")),
                                                           (Decimal("0.00"), Decimal("-300.00"))]
