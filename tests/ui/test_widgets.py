"""Input widgets: MoneyEdit, ID edits, dates, periods, the completer picker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.errors import ValidationError
from desktop_app.core.ids import make_ric, make_uscc
from desktop_app.ui.widgets import (
    CompleterPicker,
    DateEdit,
    IdNumberEdit,
    MoneyEdit,
    PeriodPicker,
    RegionCodeEdit,
    UsccEdit,
)
from tests.ui.helpers import show_active, type_text

GOOD_RIC = make_ric("110101", dt.date(1980, 1, 2), 13)
GOOD_USCC = make_uscc("N2110101MA0000000")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,234.5", Decimal("1234.50")),
        ("１，２３４．５", Decimal("1234.50")),
        ("¥12", Decimal("12.00")),
        ("￥0.5", Decimal("0.50")),
        ("12元", Decimal("12.00")),
    ],
)
def test_money_edit_parses_what_people_type(qtbot, typed: str, value: Decimal) -> None:
    edit = MoneyEdit()
    qtbot.addWidget(edit)
    type_text(edit, typed)
    assert edit.text() == typed
    assert edit.value() == value
    assert edit.error_message() == ""


def test_money_edit_shows_daxie_live(qtbot) -> None:
    edit = MoneyEdit()
    qtbot.addWidget(edit)
    type_text(edit, "1")
    assert edit.words() == "壹元整"
    type_text(edit, "234.5")
    assert edit.words() == "壹仟贰佰叁拾肆元伍角整"
    edit.setText("")
    assert edit.words() == ""
    assert edit.value() is None


def test_money_edit_marks_invalid_text_in_chinese(qtbot) -> None:
    edit = MoneyEdit(field="收款金额")
    qtbot.addWidget(edit)
    errors: list[str] = []
    edit.error_changed.connect(errors.append)
    type_text(edit, "12")
    assert edit.words() == "壹拾贰元整"
    type_text(edit, "a")  # can never become an amount: error at once, 大写 cleared
    assert edit.words() == ""
    assert edit.property("error") is True
    assert "不是有效的金额" in errors[-1]
    with pytest.raises(ValidationError) as info:
        edit.value()
    assert info.value.field == "收款金额"


def test_money_edit_is_neutral_while_typing_and_strict_when_done(qtbot) -> None:
    edit = MoneyEdit()
    qtbot.addWidget(edit)
    type_text(edit, "1,23")  # half-typed thousands: not yet an error
    assert edit.error_message() == "" and edit.words() == ""
    edit.editingFinished.emit()
    assert "千分位" in edit.error_message()


def test_money_edit_formats_on_finish_and_refuses_negative(qtbot) -> None:
    edit = MoneyEdit()
    qtbot.addWidget(edit)
    edit.setText("1234.5")
    edit.editingFinished.emit()
    assert edit.text() == "1,234.50"
    edit.setText("-5")
    with pytest.raises(ValidationError, match="负数"):
        edit.value()
    signed = MoneyEdit(allow_negative=True)
    qtbot.addWidget(signed)
    signed.setText("-5")
    assert signed.value() == Decimal("-5.00")
    assert signed.words() == "负伍元整"
    signed.setValue(Decimal("7"))
    assert signed.text() == "7.00"


def test_id_number_edit_neutral_until_complete(qtbot) -> None:
    edit = IdNumberEdit()
    qtbot.addWidget(edit)
    type_text(edit, GOOD_RIC[:17])
    assert edit.error_message() == ""  # incomplete is not wrong
    wrong_check = "0" if GOOD_RIC[-1] != "0" else "1"
    type_text(edit, wrong_check)
    assert "校验位" in edit.error_message()
    edit.setText(GOOD_RIC.lower())
    assert edit.error_message() == ""
    assert edit.value() == GOOD_RIC.upper()
    edit.setText("123")
    with pytest.raises(ValidationError, match="18位"):
        edit.value()


def test_uscc_and_region_edits(qtbot) -> None:
    uscc = UsccEdit()
    qtbot.addWidget(uscc)
    uscc.setText(GOOD_USCC.lower())
    assert uscc.value() == GOOD_USCC
    uscc.setText(GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1"))
    assert "校验位" in uscc.error_message()
    region = RegionCodeEdit()
    qtbot.addWidget(region)
    region.setText("110101001001")
    assert region.value() == "110101001001"


def test_date_edit(qtbot) -> None:
    edit = DateEdit(dt.date(2026, 10, 1))
    qtbot.addWidget(edit)
    assert edit.calendarPopup()
    assert edit.text() == "2026-10-01"
    assert edit.value() == dt.date(2026, 10, 1)
    optional = DateEdit(allow_empty=True)
    qtbot.addWidget(optional)
    assert optional.value() is None
    optional.setValue(dt.date(2024, 2, 29))
    assert optional.value() == dt.date(2024, 2, 29)
    with pytest.raises(ValueError):
        edit.setValue(None)


def test_period_picker(qtbot) -> None:
    picker = PeriodPicker("2026-10", kinds=("month", "quarter", "year"))
    qtbot.addWidget(picker)
    assert picker.value() == "2026-10"
    seen: list[str] = []
    picker.changed.connect(seen.append)
    picker.setValue("2026-Q3")
    assert picker.value() == "2026-Q3"
    picker.setValue("2025")
    assert picker.value() == "2025"
    assert seen[-1] == "2025"
    months_only = PeriodPicker("2026-01")
    qtbot.addWidget(months_only)
    with pytest.raises(ValidationError):
        months_only.setValue("2026-Q1")
    with pytest.raises(ValidationError):
        months_only.setValue("2026-13")


ORGS = [("110101001001", "东风村股份经济合作社"), ("110101001002", "张庄村股份经济合作社"), ("1001", "库存现金")]


def test_completer_picker_matches_code_name_and_initials(qtbot) -> None:
    picker = CompleterPicker(ORGS, field="集体经济组织")
    qtbot.addWidget(picker)
    assert [k for k, _ in picker.candidates("zzc")] == ["110101001002"]
    assert [k for k, _ in picker.candidates("东风")] == ["110101001001"]
    assert next(k for k, _ in picker.candidates("1001")) == "1001"  # code prefix first
    picker.setText("zzc")
    assert picker.value() == "110101001002"  # a unique match is accepted
    picker.setValue("1001")
    assert picker.text() == "1001 库存现金"
    assert picker.value() == "1001"
    picker.setText("村")
    with pytest.raises(ValidationError, match="多个"):
        picker.value()
    picker.setText("不存在")
    with pytest.raises(ValidationError, match="没有找到"):
        picker.value()


def test_completer_picker_popup_and_choice(qtbot) -> None:
    picker = CompleterPicker(ORGS, field="集体经济组织")
    qtbot.addWidget(picker)
    show_active(picker)
    picked: list[str] = []
    picker.picked.connect(picked.append)
    type_text(picker, "dfc")
    popup = picker.completer().popup()
    assert popup.isVisible()
    assert popup.model().rowCount() == 1
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picked == ["110101001001"]
    assert picker.value() == "110101001001"


def test_button_row_calls_each_handler_without_the_clicked_flag(qtbot: Any) -> None:
    """A handler with an optional first parameter (a page's ``print_selected(path=None)``) must get its
    default, not QPushButton.clicked's ``False`` (the 收款收据 page crashed so)."""
    from PySide6.QtWidgets import QPushButton, QWidget

    from desktop_app.ui.widgets.buttons import button_row

    got: list[object] = []

    def handler(path: object = None) -> None:
        got.append(path)

    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(button_row([("打印(&P)…", handler, "btn_print")]))
    host.findChild(QPushButton, "btn_print").click()
    assert got == [None]
