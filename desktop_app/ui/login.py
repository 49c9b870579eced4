"""The login dialog and the first-run choice (new database, open one, or the demo)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.engine import Database
from desktop_app.core.errors import UserError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.users import authenticate


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, *, username: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.user: UserRow | None = None
        self.setWindowTitle("登录 — 阳光台账")
        self.username = QLineEdit(username)
        self.username.setObjectName("login_username")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color: #c0392b;")
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        form.addRow("", self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel(f"阳光台账　<span style='color:#777'>{db.path.name}</span>")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()

    def try_login(self) -> None:
        try:
            with self.db.begin(self.username.text().strip() or "login") as s:
                self.user = authenticate(s, self.username.text(), self.password.text())
        except UserError as exc:
            self.error.setText(exc.message)
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()


class FirstRunDialog(QDialog):
    """No database yet: create one, open an existing file, or try the demo."""

    NEW, OPEN, DEMO = "new", "open", "demo"

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self.path: Path = default_path
        self.setWindowTitle("欢迎使用阳光台账")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"还没有数据库。数据将保存在：\n{default_path}"))
        for key, text in ((self.NEW, "新建数据库(&N)"), (self.OPEN, "打开已有数据库(&O)…"), (self.DEMO, "打开示例数据库(&D)")):
            btn = QPushButton(text)
            btn.setObjectName(f"first_run_{key}")
            btn.clicked.connect(lambda _=False, k=key: self._choose(k))
            layout.addWidget(btn)

    def _choose(self, key: str) -> None:
        if key == self.OPEN:
            name, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.path.parent), "阳光台账数据库 (*.db)")
            if not name:
                return
            self.path = Path(name)
        elif key == self.DEMO:
            self.path = self.path.with_name("demo.db")
        self.choice = key
        self.accept()
