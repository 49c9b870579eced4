"""Helpers for UI tests: typing Chinese safely, activating windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, one key event per character.

    ``qtbot.keyClicks`` aborts the process on non-ASCII text under PySide6, so characters are
    sent as Key_unknown events carrying the text.
    """
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def show_active(widget: QWidget) -> None:
    """Show and activate a top-level widget; shortcuts only fire in the active window.
    (``qtbot.waitActive`` is a context manager: called bare it waits for nothing.)"""
    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget)
