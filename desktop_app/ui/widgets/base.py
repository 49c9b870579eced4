"""Shared behaviour of validating inputs: a neutral/error look and an ``error_changed`` signal.

An input is *neutral* while the user is still typing (an incomplete 身份证号 is not yet
wrong), shows an *error* once the text can no longer become valid or when editing finishes,
and ``value()`` either returns the cleaned value (``None`` for empty) or raises
``ValidationError`` with a Chinese message, marking the widget.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop_app.core.errors import ValidationError

__all__ = ["ERROR_COLOR", "ERROR_STYLE", "ValidatedLineEdit", "fold", "mark_error"]

ERROR_COLOR = "#c0392b"
ERROR_STYLE = f"border: 1px solid {ERROR_COLOR}; background: #fdecea;"


def mark_error(widget: QWidget, message: str | None) -> None:
    """Show or clear the error look on any input widget (property ``error`` for style sheets)."""
    has_error = bool(message)
    if bool(widget.property("error")) == has_error and widget.toolTip() == (message or ""):
        return
    widget.setProperty("error", has_error)
    widget.setToolTip(message or "")
    # A type selector for the Qt base class matches the widget itself, not its children.
    qt_class = next(c.__name__ for c in type(widget).__mro__ if c.__module__.startswith("PySide6."))
    widget.setStyleSheet(f"{qt_class} {{ {ERROR_STYLE} }}" if has_error else "")


def fold(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and strip."""
    return unicodedata.normalize("NFKC", text).strip()


class ValidatedLineEdit(QLineEdit):
    """A line edit whose text parses to a value. Subclasses implement ``parse`` and may
    override ``is_complete`` (when live typing should already show an error) and
    ``display_text`` (how a valid value is written back when editing finishes)."""

    error_changed = Signal(str)  # "" when the error clears
    value_changed = Signal(object)  # the parsed value (or None) after each valid change

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self._error = ""
        self.textChanged.connect(self._on_text_changed)
        self.editingFinished.connect(self._on_editing_finished)

    # -- to override ------------------------------------------------------------------
    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def is_complete(self, text: str) -> bool:
        """True when the text is as long as it gets, so a parse error is final."""
        return False

    def display_text(self, value: Any) -> str:
        return str(value)

    # -- public -------------------------------------------------------------------------
    def error_message(self) -> str:
        return self._error

    def value(self) -> Any:
        """The parsed value, ``None`` when empty; raises ``ValidationError`` (and marks)."""
        text = self.text()
        if not text.strip():
            self._set_error("")
            return None
        try:
            value = self.parse(text)
        except ValidationError as err:
            self._set_error(err.message)
            raise
        self._set_error("")
        return value

    def setValue(self, value: Any) -> None:
        self.setText("" if value is None else self.display_text(value))

    # -- internals ------------------------------------------------------------------------
    def _set_error(self, message: str) -> None:
        mark_error(self, message)
        if message != self._error:
            self._error = message
            self.error_changed.emit(message)

    def _on_text_changed(self, text: str) -> None:
        if not text.strip():
            self._set_error("")
            self.value_changed.emit(None)
            return
        try:
            value = self.parse(text)
        except ValidationError as err:
            self._set_error(err.message if self.is_complete(text) else "")
            return
        self._set_error("")
        self.value_changed.emit(value)

    def _on_editing_finished(self) -> None:
        try:
            value = self.value()
        except ValidationError:
            return
        if value is not None:
            shown = self.display_text(value)
            if shown != self.text():
                self.setText(shown)
