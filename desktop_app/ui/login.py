"""The login dialog and the first-run choice (new database, open one, or the demo).

The login dialog is the program's first window and must paint about as soon as a bare Qt window
(issue #18): this module imports only what it needs to paint; what logging in needs (the database
worker's helpers, the error dialogs) and what the other dialogs need is imported where it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.opening import DatabaseOpening

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from db.engine import Database
    from desktop_app.core.rows import UserRow

# the demo's accounts by role (core.demo.users.DEMO_USERS, auth.ROLES' words; literal here: the
# login paints before the core is imported), 监督 among them
DEMO_HINT = ("示例账号（密码均为 demo1234）：kuaiji（记账员）、shenhe（审核员）、jiandu（监督）、"
             "admin（系统管理员）、quji（区级管理员）")


class LoginDialog(QDialog):
    """Shown at once; the database may still be opening behind it (``DatabaseOpening``).

    登录 pressed before the database is open waits for it and then logs in; a database that
    cannot be opened closes the dialog (rejected) and the caller shows ``opening.error``.
    ``first_painted`` is emitted once, just after the first paint (before the opening starts).
    """

    first_painted = Signal()

    def __init__(self, db: Database | DatabaseOpening, parent: QWidget | None = None, *, username: str = "") -> None:
        super().__init__(parent)
        self.opening = db if isinstance(db, DatabaseOpening) else DatabaseOpening.ready(db)
        self.user: UserRow | None = None
        self.must_change_password = False
        self._login_pending = False
        self._opened_seen = False
        self._painted = False
        self.setWindowTitle("登录 — 阳光台账")
        username = username or self.opening.username
        self.username = QLineEdit(username)
        self.username.setObjectName("login_username")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color: #c0392b;")
        self.status = QLabel("")
        self.status.setObjectName("login_status")
        self.status.setStyleSheet("color: #777;")
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        # Building the demo (first run) reports its steps here instead of a silent wait.
        self.progress = QProgressBar()
        self.progress.setObjectName("login_progress")
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        form.addRow("", self.error)
        form.addRow("", self.status)
        form.addRow("", self.progress)
        if self.opening.hint:
            hint = QLabel(self.opening.hint)
            hint.setObjectName("login_hint")
            hint.setWordWrap(True)
            form.addRow("", hint)
        # Plain buttons: QDialogButtonBox looks up the style's standard icons (about 11 ms, a
        # tenth of a bare window's start) before the dialog can paint.
        self.ok_button = QPushButton("登录")
        self.ok_button.setObjectName("login_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.try_login)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        title = QLabel(f"阳光台账　<span style='color:#777'>{self.opening.path.name}</span>")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addLayout(buttons)
        (self.password if username else self.username).setFocus()
        self.setObjectName("login_dialog")
        self.opening.opened.connect(self._on_opened)
        self.opening.progressed.connect(self._on_progress)
        if self.opening.done:
            self._on_opened()
        else:
            self.status.setText(self.opening.status)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            # Start opening only now: the worker's imports would otherwise take turns with
            # this dialog's first paint for the interpreter lock.
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        self.opening.start()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.opening.done:
            return  # a report queued before the database was open arrives after it
        if not self.progress.isVisible():
            # Room for the bar and two lines of step text, once: the dialog keeps its size
            # while the steps run (a long village name wraps instead of widening it).
            self.status.setWordWrap(True)
            self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 2 + 2)
            self.progress.setVisible(True)
            self.adjustSize()
        self.progress.setRange(0, max(total, 0))  # 0..0: busy, the total is not known yet
        self.progress.setValue(min(done, total) if total > 0 else 0)
        if text:
            waiting = "　打开后自动登录" if self._login_pending else ""
            self.status.setText(text + waiting)

    def _on_opened(self) -> None:
        if not self.opening.done or self._opened_seen:
            return  # the signal and the check in __init__ can both arrive
        self._opened_seen = True
        if self.opening.error is not None:
            self.setEnabled(False)
            self.reject()
            return
        self.status.setText("")
        if self.progress.isVisible():
            self._fold_progress()
        if self._login_pending:
            self._login_pending = False
            self.ok_button.setEnabled(True)
            self.try_login()

    def _fold_progress(self) -> None:
        """The steps are done: the bar and the room kept for two lines of step text go, and
        the dialog shrinks back to its usual height (a shown window keeps its size by itself,
        which left an empty band where the bar was)."""
        self.progress.setVisible(False)
        self.status.setMinimumHeight(0)
        self.status.setWordWrap(False)
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), self.heightForWidth(self.width()) if self.hasHeightForWidth() else self.sizeHint().height())

    def try_login(self) -> None:
        if not self.opening.done:  # pressed before the database is open: log in once it is
            self.opening.start()
            self._login_pending = True
            self.ok_button.setEnabled(False)
            self.status.setText(self.opening.status + "　打开后自动登录")
            return
        db = self.opening.db
        if db is None:
            return
        from desktop_app.core.services.auth import attempt_login
        from desktop_app.ui.tasks import run_on_db, write_transaction

        # The attempt is committed whether it succeeds or not: wrong passwords are counted
        # (the lock-out lives in the database) and every attempt is in the audit log.
        username, password = self.username.text(), self.password.text()  # widgets: GUI thread only
        result = run_on_db(lambda: write_transaction(db, "login", lambda s: attempt_login(s, username, password)))
        if result.user is None:
            self.error.setText(result.message)
            self.password.selectAll()
            self.password.setFocus()
            return
        self.user = result.user
        self.must_change_password = result.must_change_password
        self.accept()


class ChangePasswordDialog(QDialog):
    """A new password for the user who just logged in. ``forced``: an initial or reset
    password, the main window does not open until it is changed (取消 logs out)."""

    def __init__(self, db: Database, user: UserRow, parent: QWidget | None = None, *, forced: bool = False) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.setObjectName("change_password_dialog")
        self.setWindowTitle("修改密码 — 阳光台账")
        self.old = self._password("change_old")
        self.new = self._password("change_new")
        self.again = self._password("change_again")
        self.error = QLabel("")
        self.error.setObjectName("change_error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        if forced:
            note = QLabel(f"{user.display_name}，您刚才登录用的是临时密码（程序生成的初始密码，或管理员重设的密码），"
                          "请先改为只有您自己知道的密码，然后才能使用本程序。")
            note.setObjectName("change_forced_note")
            note.setWordWrap(True)
            layout.addWidget(note)
        form = QFormLayout()
        form.addRow("原密码（刚才登录用的）" if forced else "原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("再次输入新密码", self.again)
        form.addRow("", self.error)
        layout.addLayout(form)
        ok = QPushButton("修改密码")
        ok.setObjectName("change_ok")
        ok.setDefault(True)
        ok.clicked.connect(self.try_change)
        cancel = QPushButton("退出登录" if forced else "取消")
        cancel.setObjectName("change_cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(ok)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self.setMinimumWidth(380)

    @staticmethod
    def _password(name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def try_change(self) -> None:
        from desktop_app.core.errors import UserError
        from desktop_app.core.services.auth import change_own_password
        from desktop_app.ui.tasks import run_on_db, write_transaction

        if self.new.text() != self.again.text():
            self.error.setText("两次输入的新密码不一致")
            self.again.selectAll()
            self.again.setFocus()
            return
        db, user, old, new = self.db, self.user, self.old.text(), self.new.text()
        try:
            run_on_db(lambda: write_transaction(db, user.username, lambda s: change_own_password(s, user, old, new)))
        except UserError as exc:
            self.error.setText(exc.message)
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
            from PySide6.QtWidgets import QFileDialog

            name, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.path.parent), "阳光台账数据库 (*.db)")
            if not name:
                return
            self.path = Path(name)
        elif key == self.DEMO:
            self.path = self.path.with_name("demo.db")
        self.choice = key
        self.accept()
