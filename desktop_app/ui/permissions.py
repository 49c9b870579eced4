"""The GUI shows only what the user may do: a button or action whose service the logged-in
user's roles would refuse is disabled, its tooltip naming who may use it (“仅限审核员使用”).

The role sets come from ``core/services/permissions.py``, the same ones the services check.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QWidget

from desktop_app.core.services.permissions import Roles, may, who_may
from desktop_app.ui.context import AppContext

ROLES_PROPERTY = "permission_roles"  # the role set a gated button or action needs (tests read it)


def gate(target: QWidget | QAction, ctx: AppContext, roles: Roles) -> bool:
    """Disable ``target`` with a tooltip naming who may, unless the user holds one of ``roles``.
    Returns whether the user may."""
    target.setProperty(ROLES_PROPERTY, ",".join(roles))
    allowed = may(ctx.user.roles, roles)
    if not allowed:
        target.setEnabled(False)
        target.setToolTip(f"{who_may(roles)}（当前用户：{ctx.user.display_name}）")
    return allowed


def gate_buttons(root: QWidget, ctx: AppContext, rules: Mapping[str, Roles]) -> None:
    """Gate the buttons under ``root`` by object name (``btn_new`` → its role set). A name in
    ``rules`` that matches no button is a mistake in the page, so it fails loudly."""
    for name, roles in rules.items():
        buttons = [b for b in root.findChildren(QAbstractButton) if b.objectName() == name]
        if not buttons:
            raise LookupError(f"no button named {name!r} to gate on {type(root).__name__}")
        for button in buttons:
            gate(button, ctx, roles)


def press(root: QWidget, name: str) -> None:
    """Do what the button named ``name`` does, as a click: nothing when it is gated off. A
    double-click on a row goes through its edit button this way, so it is gated alike."""
    button = root.findChild(QAbstractButton, name)
    if button is not None:
        button.click()
