"""Forms declared as data: fields, a QFormLayout with an error line under each field, and
``collect()`` that returns validated values or shows every error and returns ``None``.

    form = Form([
        Field("name", "姓名", QLineEdit(), required=True),
        Field("amount", "金额", MoneyEdit(), required=True),
        Field("ric", "身份证号", IdNumberEdit()),
    ])
    values = form.collect()          # None -> errors are showing, nothing to save

``FormDialog`` wraps a form with 保存/取消; 保存 calls ``save(values)`` and stays open showing
the error next to its field when the service raises ``UserError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.ui.widgets.base import ERROR_COLOR, mark_error

__all__ = ["Field", "Form", "FormDialog", "read_widget", "write_widget"]

_ERROR_CSS = f"color: {ERROR_COLOR};"


@dataclass
class Field:
    """One form field. ``validator(value)`` returns the cleaned value (or ``None`` to keep it)
    and raises ``ValidationError`` with a Chinese message; it only runs on non-empty values."""

    name: str
    label: str
    widget: QWidget
    required: bool = False
    validator: Callable[[Any], Any] | None = None
    hint: str = ""


def read_widget(widget: QWidget) -> Any:
    """The widget's value: ``value()`` if it has one (may raise ValidationError), else by type.
    Empty text reads as ``None``."""
    value_fn = getattr(widget, "value", None)
    if callable(value_fn) and not isinstance(widget, QSpinBox | QDoubleSpinBox):
        return value_fn()
    if isinstance(widget, QLineEdit):
        return widget.text().strip() or None
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip() or None
    if isinstance(widget, QTextEdit):
        return widget.toPlainText().strip() or None
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if data is not None else (widget.currentText().strip() or None)
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QDateEdit):
        d = widget.date()
        return dt.date(d.year(), d.month(), d.day())
    raise TypeError(f"do not know how to read a {type(widget).__name__}")


def write_widget(widget: QWidget, value: Any) -> None:
    """Put ``value`` into the widget (the inverse of ``read_widget``)."""
    set_value = getattr(widget, "setValue", None)
    if isinstance(widget, QLineEdit) and not callable(set_value):
        widget.setText("" if value is None else str(value))
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.setPlainText("" if value is None else str(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        # compared in Python: Qt's findData sees a uuid.UUID (any Python object) only by identity,
        # so an equal id from another query would select nothing
        index = next((i for i in range(widget.count()) if widget.itemData(i) == value), -1)
        widget.setCurrentIndex(index if index >= 0 else widget.findText(str(value)))
    elif callable(set_value):
        set_value(value)
    else:
        raise TypeError(f"do not know how to fill a {type(widget).__name__}")


class Form(QWidget):
    """A QFormLayout of fields, each with a red error line under it, and a banner on top for
    errors that belong to no field."""

    def __init__(self, fields: Iterable[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: list[Field] = list(fields)
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique")
        self.banner = _error_label(self)
        self.layout_ = QFormLayout()
        self.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.error_labels: dict[str, QLabel] = {}
        for field in self.fields:
            self.layout_.addRow(self._label(field), self._cell(field))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.banner)
        outer.addLayout(self.layout_)

    def _label(self, field: Field) -> QLabel:
        text = f"{field.label}："
        if field.required:
            text = f"<span style='{_ERROR_CSS}'>*</span>{field.label}："
        label = QLabel(text, self)
        label.setBuddy(field.widget)
        if field.hint:
            label.setToolTip(field.hint)
        return label

    def _cell(self, field: Field) -> QWidget:
        cell = QWidget(self)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(field.widget)
        companion = getattr(field.widget, "companion_widget", None)
        if callable(companion):
            box.addWidget(companion())
        error = _error_label(cell)
        box.addWidget(error)
        self.error_labels[field.name] = error
        live = getattr(field.widget, "error_changed", None)
        if live is not None:  # widgets that validate as they are typed show it at once
            live.connect(lambda message, name=field.name: self.set_field_error(name, message or None))
        return cell

    # -- access ------------------------------------------------------------------------------
    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def widget(self, name: str) -> QWidget:
        return self.field(name).widget

    def set_values(self, values: Mapping[str, Any]) -> None:
        for f in self.fields:
            if f.name in values:
                write_widget(f.widget, values[f.name])

    # -- errors ------------------------------------------------------------------------------
    def errors(self) -> dict[str, str]:
        """Field name -> error text currently shown."""
        return {name: lbl.text() for name, lbl in self.error_labels.items() if lbl.text()}

    def banner_text(self) -> str:
        return self.banner.text()

    def set_field_error(self, name: str, message: str | None) -> None:
        label = self.error_labels[name]
        label.setText(message or "")
        label.setVisible(bool(message))
        mark_error(self.field(name).widget, message)

    def clear_errors(self) -> None:
        for f in self.fields:
            self.set_field_error(f.name, None)
        self._set_banner(None)

    def _set_banner(self, message: str | None) -> None:
        self.banner.setText(message or "")
        self.banner.setVisible(bool(message))

    def _field_for(self, name: str | None) -> Field | None:
        if not name:
            return None
        return next((f for f in self.fields if name in (f.name, f.label)), None)

    def show_error(self, err: UserError) -> bool:
        """Show a service's error next to the field it names (by field name or 中文 label);
        otherwise in the banner. Returns True when a field was found."""
        field = self._field_for(err.field)
        if field is None:
            self._set_banner(str(err))
            return False
        self.set_field_error(field.name, err.message)
        field.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # -- collect -----------------------------------------------------------------------------
    def collect(self) -> dict[str, Any] | None:
        """All values, validated; or ``None`` with every problem shown beside its field."""
        self.clear_errors()
        values: dict[str, Any] = {}
        first_bad: Field | None = None
        for f in self.fields:
            try:
                values[f.name] = self._read(f)
            except ValidationError as err:
                self.set_field_error(f.name, err.message)
                first_bad = first_bad or f
        if first_bad is not None:
            first_bad.widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        return values

    @staticmethod
    def _read(f: Field) -> Any:
        value = read_widget(f.widget)
        if value is None or value == "":
            if f.required:
                verb = "请选择" if isinstance(f.widget, QComboBox) or hasattr(f.widget, "picked") else "请填写"
                raise ValidationError(f"{verb}{f.label}", field=f.name)
            return None
        if f.validator is not None:
            cleaned = f.validator(value)
            if cleaned is not None:
                value = cleaned
        return value


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet(_ERROR_CSS)
    # No word wrap: a wrapped label's height is not propagated to an already shown dialog
    # (height-for-width), so it would overlap the next row; an unwrapped one widens the dialog.
    label.setWordWrap(False)
    label.setVisible(False)
    label.setObjectName("fieldError")
    return label


class FormDialog(QDialog):
    """A form with 保存/取消. 保存 validates, then calls ``save(values)``; a ``UserError``
    from ``save`` keeps the dialog open with the error shown. ``result_value`` holds what
    ``save`` returned. Enter moves to the next field; on the last field it saves."""

    def __init__(
        self,
        title: str,
        fields: Iterable[Field],
        save: Callable[[dict[str, Any]], Any],
        *,
        values: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.result_value: Any = None
        self.form = Form(fields, self)
        if values:
            self.form.set_values(values)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.try_save)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        for f in self.form.fields:
            f.widget.installEventFilter(self)

    def try_save(self) -> bool:
        values = self.form.collect()
        if values is None:
            return False
        try:
            self.result_value = self._save(values)
        except UserError as err:
            self.form.show_error(err)
            return False
        self.accept()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
                watched, QPlainTextEdit | QTextEdit
            ):
                if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    self.try_save()  # Ctrl+Enter saves from anywhere
                    return True
                widgets = [f.widget for f in self.form.fields]
                if watched is widgets[-1]:
                    self.try_save()
                else:
                    self.focusNextChild()
                return True
        return super().eventFilter(watched, event)
