"""``CompleterPicker``: choose one of many (key, label) items by code, name or pinyin initials.

Used for organisation, account and counterparty pickers. Typing filters the popup in Python
with ``textsearch.matches`` (so "zs" finds 张三 and "1001" finds 1001 库存现金); codes that
start with the typed text come first.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QWidget

from desktop_app.core.errors import ValidationError
from desktop_app.core.textsearch import matches
from desktop_app.ui.widgets.base import ValidatedLineEdit

__all__ = ["CompleterPicker"]


class CompleterPicker(ValidatedLineEdit):
    """``value()`` is the chosen key (``None`` when empty) or raises ``ValidationError``."""

    picked = Signal(str)  # the key, when the user chooses an item

    def __init__(
        self,
        items: Iterable[tuple[str, str]] = (),
        *,
        field: str = "",
        max_shown: int = 50,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(field, parent)
        self.max_shown = max_shown
        self._items: list[tuple[str, str]] = []
        self._by_text: dict[str, str] = {}
        self._list = QStringListModel(self)
        completer = QCompleter(self._list, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self._on_activated)
        self.setCompleter(completer)
        self.textEdited.connect(self.refilter)
        self.setPlaceholderText("输入编号、名称或拼音首字母")
        self.set_items(items)

    # -- items --------------------------------------------------------------------------
    @staticmethod
    def item_text(key: str, label: str) -> str:
        return f"{key} {label}" if key != label else label

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        self._items = [(str(k), str(v)) for k, v in items]
        self._by_text = {self.item_text(k, v): k for k, v in self._items}

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def candidates(self, query: str) -> list[tuple[str, str]]:
        """Items matching ``query``: code-prefix hits first, then the rest in given order."""
        q = query.strip()
        if not q:
            return self._items[: self.max_shown]
        found = [(k, v) for k, v in self._items if matches(q, k, v)]
        found.sort(key=lambda kv: not kv[0].startswith(q))
        return found[: self.max_shown]

    def refilter(self, text: str) -> None:
        self._list.setStringList([self.item_text(k, v) for k, v in self.candidates(text)])
        completer = self.completer()
        if self.hasFocus() and self._list.rowCount():
            completer.complete()
        elif (popup := completer.popup()) is not None:
            popup.hide()

    # -- value --------------------------------------------------------------------------
    def label_for(self, key: str) -> str | None:
        return next((v for k, v in self._items if k == key), None)

    def parse(self, text: str) -> str:
        text = text.strip()
        if text in self._by_text:
            return self._by_text[text]
        exact = [k for k, v in self._items if text in (k, v)]
        if len(exact) == 1:
            return exact[0]
        found = self.candidates(text)
        if len(found) == 1:
            return found[0][0]
        what = self.field or "项目"
        if not found:
            raise ValidationError(f"没有找到“{text}”，请从列表中选择{what}", field=self.field or None)
        raise ValidationError(f"“{text}”对应多个{what}，请从列表中选择一个", field=self.field or None)

    def display_text(self, value: object) -> str:
        key = str(value)
        label = self.label_for(key)
        return key if label is None else self.item_text(key, label)

    def value(self) -> str | None:
        result: str | None = super().value()
        return result

    def _on_activated(self, text: str) -> None:
        key = self._by_text.get(text)
        if key is not None:
            self.setText(text)
            self.picked.emit(key)
