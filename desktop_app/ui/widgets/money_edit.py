"""``MoneyEdit``: an amount input that accepts what people type and shows the 大写 live."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.money import amount_in_words, format_amount, parse_amount
from desktop_app.ui.widgets.base import ValidatedLineEdit, fold

__all__ = ["MoneyEdit", "words_for"]

# Characters an amount can contain (after NFKC); anything else is an error at once.
_AMOUNT_CHARS = set("0123456789,.+-()¥￥元人民币 \u2212")


def words_for(amount: Decimal) -> str:
    """大写 for display beside an input; negatives get a leading 负."""
    if amount < 0:
        return "负" + amount_in_words(-amount)
    return amount_in_words(amount)


class MoneyEdit(ValidatedLineEdit):
    """Accepts "1,234.5", full-width digits, "¥12", "12元"; ``value() -> Decimal | None``.

    ``words_label`` shows the 大写 as the user types; place it with ``companion_widget()``
    (the form framework does) or use ``with_words()`` for a ready-made edit + label block.
    When editing finishes a valid amount is rewritten as ``1,234.50``.
    """

    def __init__(
        self,
        field: str = "金额",
        *,
        allow_negative: bool = False,
        allow_zero: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        self.words_label = QLabel()
        self.words_label.setObjectName("moneyWords")
        self.words_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        super().__init__(field, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("0.00")
        self.value_changed.connect(self._show_words)
        self.error_changed.connect(self._on_error)
        self.textChanged.connect(self._clear_words_if_invalid)

    def parse(self, text: str) -> Decimal:
        return parse_amount(
            text, field=self.field, allow_negative=self.allow_negative, allow_zero=self.allow_zero
        )

    def is_complete(self, text: str) -> bool:
        return any(c not in _AMOUNT_CHARS for c in fold(text))

    def display_text(self, value: Any) -> str:
        return format_amount(value)

    def value(self) -> Decimal | None:
        result: Decimal | None = super().value()
        return result

    def words(self) -> str:
        return self.words_label.text()

    def companion_widget(self) -> QWidget:
        return self.words_label

    def with_words(self, parent: QWidget | None = None) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self)
        layout.addWidget(self.words_label)
        return box

    def _show_words(self, value: Decimal | None) -> None:
        self.words_label.setText("" if value is None else words_for(value))

    def _clear_words_if_invalid(self, _text: str) -> None:
        # value_changed fires only for valid text; stale words must not stay beside bad input.
        if self.error_message() or not self._parses():
            self.words_label.clear()

    def _parses(self) -> bool:
        try:
            self.parse(self.text())
        except Exception:
            return False
        return True

    def _on_error(self, message: str) -> None:
        if message:
            self.words_label.clear()
