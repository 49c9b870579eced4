"""What Alt+letter does in one window: every mnemonic and Alt-shortcut that is live at once.

Live at once means what Qt's shortcut map would consider: the window's menu bar titles, its
visible buttons / buddied labels / group boxes / tab texts, and QAction / QShortcut objects with
an Alt key sequence that belong to the window (an action only inside a menu is live only while
that menu is open, so it is not counted)."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
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


def alt_keys(window: QWidget) -> dict[str, list[str]]:
    """Alt key -> what claims it (a description per claimant) in ``window`` as it is now."""
    found: dict[str, list[str]] = defaultdict(list)
    for bar in window.findChildren(QMenuBar):
        if bar.window() is window:
            for action in bar.actions():
                if (key := mnemonic(action.text())) and action.isVisible():
                    found[key].append(f"菜单 {action.text()}")
    for button in window.findChildren(QAbstractButton):
        if _live(button, window):
            key = _alt_key(button.shortcut()) or mnemonic(button.text())
            if key:
                found[key].append(f"按钮 {button.text()}")
    for label in window.findChildren(QLabel):
        if _live(label, window) and label.buddy() is not None and (key := mnemonic(label.text())):
            found[key].append(f"标签 {label.text()}")
    for box in window.findChildren(QGroupBox):
        if _live(box, window) and box.isCheckable() and (key := mnemonic(box.title())):
            found[key].append(f"分组 {box.title()}")
    for bar in window.findChildren(QTabBar):
        if _live(bar, window):
            for i in range(bar.count()):
                if bar.isTabVisible(i) and (key := mnemonic(bar.tabText(i))):
                    found[key].append(f"标签页 {bar.tabText(i)}")
    for action in window.findChildren(QAction):
        owner = action.parent()
        if isinstance(owner, QWidget) and owner.window() is window and action in owner.actions() \
                and (owner is window or _live(owner, window)):
            for seq in action.shortcuts():
                if key := _alt_key(seq):
                    found[key].append(f"动作 {action.text()}")
    for shortcut in window.findChildren(QShortcut):
        owner = shortcut.parent()
        if shortcut.isEnabled() and isinstance(owner, QWidget) and (owner is window or _live(owner, window)):
            if key := _alt_key(shortcut.key()):
                found[key].append(f"快捷键 {shortcut.key().toString()}")
    return dict(found)


def clashes(window: QWidget) -> dict[str, list[str]]:
    """The Alt keys claimed more than once (Qt would then only cycle focus between them)."""
    return {k: v for k, v in alt_keys(window).items() if len(v) > 1}


def stray_mnemonics(window: QWidget) -> list[str]:
    """Visible labels whose "(&X)" has no buddy: Qt shows the "&" itself and the key does nothing."""
    return [label.text() for label in window.findChildren(QLabel)
            if _live(label, window) and label.buddy() is None and label.textFormat() != Qt.TextFormat.RichText
            and mnemonic(label.text()) and "<" not in label.text()]
