"""Actions declared as data, shared by menus, toolbars and context menus."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from desktop_app.core.errors import PermissionDenied
from desktop_app.ui.actions import ActionRegistry, ActionSpec
from tests.ui.helpers import show_active


@dataclass
class Ctx:
    selected: int = 0
    can_write: bool = True


def make(window: QMainWindow, calls: list[object]) -> ActionRegistry:
    registry = ActionRegistry(window, icon_loader=lambda name: QIcon())
    registry.register_all(
        [
            ActionSpec("contract.new", "新增合同", handler=lambda ctx: calls.append(("new", ctx)), shortcut="Ctrl+N",
                       icon="add"),
            ActionSpec("contract.void", "作废合同", handler=lambda ctx: calls.append(("void", ctx)),
                       enabled_when=lambda ctx: ctx.selected == 1 and ctx.can_write),
            ActionSpec("contract.print", "打印", handler=lambda ctx: (_ for _ in ()).throw(
                PermissionDenied("您没有打印权限")), shortcut=QKeySequence.StandardKey.Print),
        ]
    )
    return registry


def test_one_qaction_shared_everywhere(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    registry = make(window, [])
    menu = registry.fill_menu(QMenu("合同", window), ["contract.new", None, "contract.void"])
    toolbar = registry.fill_toolbar(QToolBar(window), ["contract.new"])
    context = registry.context_menu(window, ["contract.void"])
    new = registry["contract.new"]
    assert new in menu.actions() and new in toolbar.actions()
    assert registry.action("contract.void") in context.actions()
    assert menu.actions()[1].isSeparator()
    assert new.text() == "新增合同"
    assert new.toolTip().startswith("新增合同（")


def test_update_enabled_and_context_reaches_handler(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    calls: list[object] = []
    registry = make(window, calls)
    registry.update_enabled(Ctx(selected=0))
    assert not registry["contract.void"].isEnabled()
    assert registry["contract.new"].isEnabled()
    ctx = Ctx(selected=1)
    registry.update_enabled(ctx)
    assert registry["contract.void"].isEnabled()
    registry["contract.void"].trigger()
    assert calls == [("void", ctx)]


def test_shortcut_triggers_the_handler(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    calls: list[object] = []
    make(window, calls)
    show_active(window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calls == [("new", None)]


def test_user_error_from_a_handler_is_shown_calmly(qtbot, shown_boxes) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    registry = make(window, [])
    registry["contract.print"].trigger()
    assert shown_boxes.texts == ["您没有打印权限"]


def test_duplicates_are_refused(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    registry = make(window, [])
    with pytest.raises(ValueError, match="twice"):
        registry.register(ActionSpec("contract.new", "x", handler=print))
    with pytest.raises(ValueError, match="taken"):
        registry.register(ActionSpec("other", "x", handler=print, shortcut="Ctrl+N"))
