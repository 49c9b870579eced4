"""Form framework: all errors shown beside their fields, nothing saved until valid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from desktop_app.core.errors import ConflictError, UserError, ValidationError
from desktop_app.core.ids import make_ric
from desktop_app.ui.forms import Field, Form, FormDialog
from desktop_app.ui.widgets import IdNumberEdit, MoneyEdit
from tests.ui.helpers import show_active, type_text


def no_digits(value: str) -> str:
    if any(c.isdigit() for c in value):
        raise ValidationError("姓名不能含数字", field="name")
    return value


def fields() -> list[Field]:
    kind = QComboBox()
    kind.addItem("", None)
    kind.addItem("承包费", "rent")
    return [
        Field("name", "姓名", QLineEdit(), required=True, validator=no_digits),
        Field("amount", "金额", MoneyEdit(), required=True),
        Field("ric", "身份证号", IdNumberEdit()),
        Field("kind", "收款类型", kind, required=True),
    ]


def test_form_shows_every_error_next_to_its_field(qtbot) -> None:
    form = Form(fields())
    qtbot.addWidget(form)
    type_text(form.widget("name"), "张3")
    type_text(form.widget("amount"), "12x")
    assert form.collect() is None
    assert form.errors() == {
        "name": "姓名不能含数字",
        "amount": "“12x”不是有效的金额",
        "kind": "请选择收款类型",
    }
    assert form.error_labels["name"].isVisibleTo(form)
    assert not form.error_labels["ric"].isVisibleTo(form)
    assert form.widget("name").property("error") is True


def test_form_collects_clean_values(qtbot) -> None:
    form = Form(fields())
    qtbot.addWidget(form)
    ric = make_ric("110101", dt.date(1990, 5, 6), 21)
    form.set_values({"name": "张三", "amount": Decimal("1234.5"), "ric": ric.lower(), "kind": "rent"})
    assert form.collect() == {"name": "张三", "amount": Decimal("1234.50"), "ric": ric, "kind": "rent"}
    assert form.errors() == {}


def test_form_places_service_errors_by_name_or_label_else_banner(qtbot) -> None:
    form = Form(fields())
    qtbot.addWidget(form)
    assert form.show_error(ConflictError("该身份证号已登记", field="ric"))
    assert form.errors()["ric"] == "该身份证号已登记"
    assert form.show_error(ValidationError("金额超过合同余额", field="金额"))
    assert form.errors()["amount"] == "金额超过合同余额"
    assert not form.show_error(UserError("本期已结账，不能修改"))
    assert form.banner_text() == "本期已结账，不能修改"
    assert form.banner.isVisibleTo(form)


def test_live_validation_appears_under_the_field(qtbot) -> None:
    form = Form(fields())
    qtbot.addWidget(form)
    type_text(form.widget("ric"), "110101199005060000")
    assert "校验位" in form.errors()["ric"]
    form.widget("ric").clear()
    assert "ric" not in form.errors()


def test_money_words_are_placed_under_the_amount(qtbot) -> None:
    form = Form(fields())
    qtbot.addWidget(form)
    edit = form.widget("amount")
    assert isinstance(edit, MoneyEdit)
    assert edit.words_label.parent() is not None
    type_text(edit, "100")
    assert edit.words_label.text() == "壹佰元整"


def test_dialog_never_saves_an_invalid_form(qtbot) -> None:
    saved: list[dict[str, object]] = []
    dialog = FormDialog("登记收款", fields(), saved.append)
    qtbot.addWidget(dialog)
    assert not dialog.try_save()
    assert saved == []
    assert dialog.form.errors()["name"] == "请填写姓名"
    assert dialog.save_button.text() == "保存" and dialog.cancel_button.text() == "取消"


def test_dialog_stays_open_with_the_service_error_then_saves(qtbot) -> None:
    calls: list[dict[str, object]] = []

    def save(values: dict[str, object]) -> str:
        calls.append(values)
        if len(calls) == 1:
            raise ConflictError("金额超过合同余额", field="amount")
        return "receipt-id"

    dialog = FormDialog("登记收款", fields(), save, values={"name": "张三", "amount": Decimal(5), "kind": "rent"})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.form.errors() == {"amount": "金额超过合同余额"}
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert dialog.result() == FormDialog.DialogCode.Accepted
    assert dialog.result_value == "receipt-id"
    assert len(calls) == 2


def test_enter_moves_to_the_next_field_and_saves_on_the_last(qtbot) -> None:
    saved: list[dict[str, object]] = []
    flds = fields()[:2]
    dialog = FormDialog("登记收款", flds, saved.append)
    qtbot.addWidget(dialog)
    show_active(dialog)
    name, amount = flds[0].widget, flds[1].widget
    name.setFocus()
    type_text(name, "张三")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert amount.hasFocus()
    assert saved == []
    type_text(amount, "8")
    qtbot.keyClick(amount, Qt.Key.Key_Return)
    assert saved == [{"name": "张三", "amount": Decimal("8.00")}]
