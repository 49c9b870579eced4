"""用户管理 (系统管理员 only): users, roles, passwords, the organisations a user is limited to.
Every call names the logged-in administrator (``actor``); the services check it."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.rows import OrgRow, UserRow
from desktop_app.core.services import users as svc
from desktop_app.core.services.orgs import list_organisations
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, UndoEntry
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.tables import RowTableModel

COLUMNS = [
    Column("username", "用户名", width=120),
    Column("display_name", "姓名", "pinyin-text", width=120),
    Column("roles", "角色", width=220, formatter=lambda r: svc.role_labels(r)),
    Column("active", "状态", width=60, formatter=lambda a: "启用" if a else "停用"),
]


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class RoleChecks(QWidget):
    """One check box per role; ``value()`` is the tuple of checked role codes."""

    def __init__(self, checked: tuple[str, ...] = ()) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {code: QCheckBox(label) for code, label in svc.ROLES.items()}
        for code, box in self.boxes.items():
            box.setChecked(code in checked)
            layout.addWidget(box)

    def value(self) -> tuple[str, ...] | None:
        return tuple(c for c, b in self.boxes.items() if b.isChecked()) or None


class OrgChecks(QListWidget):
    """The organisations to limit a user to; none checked: all of them."""

    def __init__(self, orgs: list[OrgRow], checked: frozenset[uuid.UUID]) -> None:
        super().__init__()
        self.setMinimumHeight(200)
        for org in orgs:
            item = QListWidgetItem(org.name)
            item.setData(Qt.ItemDataRole.UserRole, org.id)
            item.setCheckState(Qt.CheckState.Checked if org.id in checked else Qt.CheckState.Unchecked)
            self.addItem(item)

    def value(self) -> tuple[uuid.UUID, ...]:
        items = (self.item(i) for i in range(self.count()))
        return tuple(i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked)


class UsersPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model = RowTableModel(COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:users")
        self.view.row_activated.connect(lambda _r: self.edit_user())
        buttons = QHBoxLayout()
        for text, handler in (("新增用户(&N)", self.new_user), ("修改角色/状态(&M)", self.edit_user),
                              ("重设密码(&W)", self.reset_password), ("限定组织(&O)", self.limit_organisations)):
            btn = QPushButton(text)
            btn.clicked.connect(handler)
            buttons.addWidget(btn)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in ("user", "refresh") else None)
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(self.ctx.read(svc.list_users))

    def _selected(self) -> UserRow | None:
        row = self.view.current_row()
        if not isinstance(row, UserRow):
            show_user_error(self, "请先在列表中选择一个用户")
            return None
        return row

    def new_user(self) -> None:
        fields = [Field("username", "用户名", QLineEdit(), required=True),
                  Field("display_name", "姓名", QLineEdit(), required=True),
                  Field("password", "初始密码", _password(), required=True),
                  Field("roles", "角色", RoleChecks(("bookkeeper",)), required=True)]
        dialog = FormDialog("新增用户", fields, lambda v: self.ctx.call(svc.create_user, actor=self.ctx.user, **v), parent=self)
        if dialog.exec():
            row: UserRow = dialog.result_value
            # A user is never deleted (the audit trail names them); taking the creation back disables it.
            self.ctx.saved("user", (row.id,), undo=UndoEntry(
                f"新增用户「{row.username}」（撤销后该用户停用）", "user", (row.id,),
                lambda s: svc.update_user(s, row.id, actor=self.ctx.user, active=False, expected=row)))

    def edit_user(self) -> None:
        user = self._selected()
        if user is None:
            return
        active = QCheckBox("启用")
        active.setChecked(user.active)
        fields = [Field("display_name", "姓名", QLineEdit(user.display_name), required=True),
                  Field("roles", "角色", RoleChecks(user.roles), required=True), Field("active", "状态", active)]
        dialog = FormDialog(f"修改用户：{user.username}", fields,
                            lambda v: self.ctx.call(svc.update_user, user.id, actor=self.ctx.user, **v), parent=self)
        if dialog.exec():
            row: UserRow = dialog.result_value
            self.ctx.saved("user", (row.id,), undo=UndoEntry(
                f"修改用户「{user.username}」", "user", (row.id,),
                lambda s: svc.update_user(s, row.id, actor=self.ctx.user, display_name=user.display_name, roles=user.roles,
                                          active=user.active, expected=row)))

    def reset_password(self) -> None:
        user = self._selected()
        if user is None:
            return
        dialog = FormDialog(f"重设密码：{user.username}（该用户下次登录时须修改）",
                            [Field("password", "新密码", _password(), required=True)],
                            lambda v: self.ctx.call(svc.set_password, user.id, v["password"], actor=self.ctx.user),
                            parent=self)
        if dialog.exec():
            self.ctx.notify("user", (user.id,))

    def limit_organisations(self) -> None:
        user = self._selected()
        if user is None:
            return
        orgs = self.ctx.read(list_organisations)
        checks = OrgChecks(orgs, self.ctx.read(svc.user_organisations, user.id))
        field = Field("organisations", "只负责", checks, hint="不勾选任何组织：可处理全部组织")
        dialog = FormDialog(f"限定组织：{user.username}", [field], lambda v: self.ctx.call(
            svc.set_user_organisations, user.id, v["organisations"] or (), actor=self.ctx.user), parent=self)
        if dialog.exec():
            self.ctx.notify("user", (user.id,))


PAGE = PageSpec("users", "用户管理", 95, UsersPage, roles=("sysadmin",), site="both")
