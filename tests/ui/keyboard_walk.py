"""What Alt+letter does in one window: every mnemonic and Alt-shortcut that is live at once.

Live at once means what Qt's shortcut map would consider: the window's menu bar titles, its
visible buttons / buddied labels / group boxes / tab texts, and QAction / QShortcut objects with
an Alt key sequence that belong to the window (an action only inside a menu is live only while
that menu is open, so it is not counted).

``dead_mnemonics`` presses each claimed Alt key in turn and checks its claimant is the one Qt
delivers the shortcut to (a button whose ``setShortcut("Ctrl+N")`` replaced its "(&N)" is not);
a spy takes the shortcut event, so no handler runs and no dialog opens."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShortcutEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QTabBar, QWidget

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    m = _MNEMONIC.search(text.replace("&&", ""))
    return m.group(1).upper() if m else None


def _alt_key(seq: QKeySequence) -> str | None:
    text = seq.toString(QKeySequence.SequenceFormat.PortableText)
    if text.startswith("Alt+") and "," not in text and text.count("+") == 1:
        return text[4:].upper()
    return None


def _live(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.window() is window


def claims(window: QWidget) -> list[tuple[str, str, QObject, bool]]:
    """(Alt key, description, the object Qt hands the shortcut to, whether it is enabled) for
    everything that claims an Alt key in ``window`` as it is now."""
    found: list[tuple[str, str, QObject, bool]] = []
    for bar in window.findChildren(QMenuBar):
        if bar.window() is window:
            for action in bar.actions():
                if (key := mnemonic(action.text())) and action.isVisible():
                    found.append((key, f"菜单 {action.text()}", bar, action.isEnabled()))
    for button in window.findChildren(QAbstractButton):
        if _live(button, window):
            key = _alt_key(button.shortcut()) or mnemonic(button.text())
            if key:
                found.append((key, f"按钮 {button.text()}", button, button.isEnabled()))
    for label in window.findChildren(QLabel):
        if _live(label, window) and label.buddy() is not None and (key := mnemonic(label.text())):
            found.append((key, f"标签 {label.text()}", label, label.buddy().isEnabled()))
    for box in window.findChildren(QGroupBox):
        if _live(box, window) and box.isCheckable() and (key := mnemonic(box.title())):
            found.append((key, f"分组 {box.title()}", box, box.isEnabled()))
    for bar in window.findChildren(QTabBar):
        if _live(bar, window):
            for i in range(bar.count()):
                if bar.isTabVisible(i) and (key := mnemonic(bar.tabText(i))):
                    found.append((key, f"标签页 {bar.tabText(i)}", bar, bar.isTabEnabled(i)))
    for action in window.findChildren(QAction):
        owner = action.parent()
        if isinstance(owner, QWidget) and owner.window() is window and action in owner.actions() \
                and (owner is window or _live(owner, window)):
            for seq in action.shortcuts():
                if key := _alt_key(seq):
                    found.append((key, f"动作 {action.text()}", action, action.isEnabled()))
    for shortcut in window.findChildren(QShortcut):
        owner = shortcut.parent()
        if shortcut.isEnabled() and isinstance(owner, QWidget) and (owner is window or _live(owner, window)):
            if key := _alt_key(shortcut.key()):
                found.append((key, f"快捷键 {shortcut.key().toString()}", shortcut, owner.isEnabled()))
    return found


def alt_keys(window: QWidget) -> dict[str, list[str]]:
    """Alt key -> what claims it (a description per claimant) in ``window`` as it is now."""
    found: dict[str, list[str]] = defaultdict(list)
    for key, text, _target, _enabled in claims(window):
        found[key].append(text)
    return dict(found)


class _ShortcutSpy(QObject):
    """Takes every shortcut event of the objects it watches: records who got it, runs nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[tuple[QObject, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut:  # PySide hands some of them over as a plain QEvent
            self.hits.append((watched, isinstance(event, QShortcutEvent) and event.isAmbiguous()))
            return True
        return False


def dead_mnemonics(window: QWidget) -> list[str]:
    """The enabled claimants of an Alt key (claimed once) that pressing Alt+key does not reach.
    ``window`` must be the active window: shortcuts only fire there."""
    dead = []
    by_key: dict[str, list[tuple[str, QObject, bool]]] = defaultdict(list)
    for key, text, target, enabled in claims(window):
        by_key[key].append((text, target, enabled))
    spy = _ShortcutSpy()
    for key, found in sorted(by_key.items()):
        if len(found) != 1 or not found[0][2]:
            continue  # a clash is reported by ``clashes``; a disabled one is meant not to fire
        text, target, _enabled = found[0]
        target.installEventFilter(spy)
        spy.hits.clear()
        QTest.keyClick(window.windowHandle(), getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
        target.removeEventFilter(spy)
        if (target, False) not in spy.hits:
            dead.append(f"Alt+{key} {text}")
    return dead


def clashes(window: QWidget) -> dict[str, list[str]]:
    """The Alt keys claimed more than once (Qt would then only cycle focus between them)."""
    return {k: v for k, v in alt_keys(window).items() if len(v) > 1}


def stray_mnemonics(window: QWidget) -> list[str]:
    """Visible labels whose "(&X)" has no buddy: Qt shows the "&" itself and the key does nothing."""
    return [label.text() for label in window.findChildren(QLabel)
            if _live(label, window) and label.buddy() is None and label.textFormat() != Qt.TextFormat.RichText
            and mnemonic(label.text()) and "<" not in label.text()]
