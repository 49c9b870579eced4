"""Alt+letter is a command key, never typing.

Qt lets a text field insert the character of an Alt+key that no shortcut claimed (Alt+8 on a
window whose role has fewer than 8 pages typed "8" into the focused amount). The guard, an
application-wide event filter, swallows such presses on text fields, spin boxes, editable combo
boxes and item views (a grid would open its editor with the digit). Shortcuts are matched before
the key press is delivered, so every claimed Alt+key still works. Ctrl+Alt is left alone: it is
AltGr on European keyboards and types real characters there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

__all__ = ["AltKeyGuard", "install_alt_guard"]

_TYPING = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit, QAbstractItemView)
_GUARD_PROPERTY = "alt_key_guard"


class AltKeyGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and isinstance(watched, QWidget) and isinstance(watched, _TYPING):
            mods = event.modifiers()
            alt_only = mods & Qt.KeyboardModifier.AltModifier and not mods & Qt.KeyboardModifier.ControlModifier
            if alt_only and event.text() and event.text().isprintable():
                event.accept()
                return True
        return False


def install_alt_guard(app: QApplication) -> AltKeyGuard:
    """Install the guard once per application (idempotent); returns it."""
    guard = app.property(_GUARD_PROPERTY)
    if isinstance(guard, AltKeyGuard):
        return guard
    guard = AltKeyGuard(app)
    app.installEventFilter(guard)
    app.setProperty(_GUARD_PROPERTY, guard)
    return guard
