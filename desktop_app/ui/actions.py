"""Actions declared once as data and shared by menus, toolbars and context menus.

    ACTIONS = [
        ActionSpec("contract.new", "新增合同", handler=new_contract, shortcut="Ctrl+N", icon="add"),
        ActionSpec("contract.delete", "作废合同", handler=void_contract,
                   enabled_when=lambda ctx: ctx.selected_count == 1),
    ]
    registry = ActionRegistry(main_window, icon_loader=load_icon)
    registry.register_all(ACTIONS)
    registry.fill_menu(menu, ["contract.new", None, "contract.delete"])   # None = separator
    registry.update_enabled(context)     # after selection / page / role changes

A handler receives the context last passed to ``update_enabled`` (``None`` before that).
A ``UserError`` raised by a handler is shown calmly; anything else reaches the excepthook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from desktop_app.core.errors import UserError
from desktop_app.ui.errors import show_user_error

__all__ = ["ActionRegistry", "ActionSpec", "plain_text"]


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    handler: Callable[[Any], Any]
    shortcut: str | QKeySequence.StandardKey | None = None
    icon: str | None = None
    enabled_when: Callable[[Any], bool] | None = None
    tip: str = ""
    checkable: bool = False


class ActionRegistry(QObject):
    """Creates each QAction once (parented to ``window`` so its shortcut works anywhere in
    it) and hands the same object to every menu, toolbar and context menu."""

    def __init__(
        self,
        window: QWidget,
        *,
        icon_loader: Callable[[str], QIcon] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._icon_loader = icon_loader
        self._specs: dict[str, ActionSpec] = {}
        self._actions: dict[str, QAction] = {}
        self._shortcuts: dict[str, str] = {}
        self.context: Any = None

    def register(self, spec: ActionSpec) -> QAction:
        if spec.id in self._specs:
            raise ValueError(f"action {spec.id!r} registered twice")
        action = QAction(spec.text, self._window)
        action.setObjectName(spec.id)
        if spec.shortcut is not None:
            seq = QKeySequence(spec.shortcut)
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            if key in self._shortcuts:
                raise ValueError(f"shortcut {key} of {spec.id!r} is taken by {self._shortcuts[key]!r}")
            self._shortcuts[key] = spec.id
            action.setShortcut(seq)
        tip = spec.tip or spec.text
        if spec.shortcut is not None:
            tip = f"{tip}（{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}）"
        action.setToolTip(tip)
        action.setStatusTip(spec.tip or plain_text(spec.text))
        if spec.icon and self._icon_loader is not None:
            action.setIcon(self._icon_loader(spec.icon))
        action.setCheckable(spec.checkable)
        action.triggered.connect(lambda _checked=False, s=spec: self.trigger(s.id))
        self._window.addAction(action)
        self._specs[spec.id] = spec
        self._actions[spec.id] = action
        return action

    def register_all(self, specs: Iterable[ActionSpec]) -> None:
        for spec in specs:
            self.register(spec)

    def action(self, action_id: str) -> QAction:
        return self._actions[action_id]

    __getitem__ = action

    def ids(self) -> list[str]:
        return list(self._actions)

    def trigger(self, action_id: str) -> Any:
        """Run the handler (also what the QAction does); returns its result."""
        spec = self._specs[action_id]
        if not self._actions[action_id].isEnabled():
            return None
        try:
            return spec.handler(self.context)
        except UserError as err:
            show_user_error(self._window, err)
            return None

    def update_enabled(self, context: Any) -> None:
        """Remember ``context`` and enable each action whose ``enabled_when(context)`` holds."""
        self.context = context
        for action_id, spec in self._specs.items():
            if spec.enabled_when is not None:
                self._actions[action_id].setEnabled(bool(spec.enabled_when(context)))

    # -- containers ----------------------------------------------------------------------------
    def fill_menu(self, menu: QMenu, ids: Sequence[str | None]) -> QMenu:
        for action_id in ids:
            if action_id is None:
                menu.addSeparator()
            else:
                menu.addAction(self._actions[action_id])
        return menu

    def fill_toolbar(self, toolbar: QToolBar, ids: Sequence[str | None]) -> QToolBar:
        for action_id in ids:
            if action_id is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self._actions[action_id])
        return toolbar

    def context_menu(self, parent: QWidget, ids: Sequence[str | None]) -> QMenu:
        """A fresh QMenu (for ``customContextMenuRequested``) holding the shared actions."""
        return self.fill_menu(QMenu(parent), ids)


def plain_text(text: str) -> str:
    """A menu text without its mnemonic, for the status bar: “撤销上次保存(&U)” → “撤销上次保存”."""
    return re.sub(r"\(&\w\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
