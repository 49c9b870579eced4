"""Login, forced password change, 注销/切换用户, pages a role may not use, one window per
database (issue #16). Real widgets offscreen on a copy of the demo database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import AuditEntry
from desktop_app.core.services.users import list_users, set_password
from desktop_app.dblock import DatabaseInUse, DatabaseLock, lock_path, read_holder
from desktop_app.ui.context import AppContext
from desktop_app.ui.login import ChangePasswordDialog, LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import WindowSettings

ROOT = Path(__file__).resolve().parents[2]


def _login(qtbot, db, username: str, password: str) -> LoginDialog:
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def test_wrong_passwords_are_held_back_and_audited_from_the_login_window(qtbot, demo_db) -> None:
    for _ in range(5):
        dialog = _login(qtbot, demo_db, "kuaiji", "guess")
        assert dialog.user is None
    assert "请 30 秒后再试" in dialog.error.text()
    right = _login(qtbot, demo_db, "kuaiji", "demo1234")  # the right password waits too
    assert right.user is None and "连续输错 5 次" in right.error.text()
    with demo_db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("login%"))))
    assert actions == ["login_failed"] * 6


def test_a_reset_password_is_changed_before_the_main_window(qtbot, demo_db) -> None:
    with demo_db.begin() as s:
        users = {u.username: u for u in list_users(s)}
        set_password(s, users["kuaiji"].id, "reset123", actor=users["admin"])
    dialog = _login(qtbot, demo_db, "kuaiji", "reset123")
    assert dialog.user is not None and dialog.must_change_password
    change = ChangePasswordDialog(demo_db, dialog.user, forced=True)
    qtbot.addWidget(change)
    assert "临时密码" in change.findChild(type(change.error), "change_forced_note").text()
    change.old.setText("reset123")
    change.new.setText("mine5678")
    change.again.setText("mine567")
    change.try_change()
    assert change.error.text() == "两次输入的新密码不一致" and not change.result()
    change.again.setText("mine5678")
    change.try_change()
    assert change.result() == 1
    again = _login(qtbot, demo_db, "kuaiji", "mine5678")
    assert again.user is not None and not again.must_change_password


def test_log_out_closes_the_window_and_forbidden_pages_say_who_may(qtbot, demo_db, tmp_path: Path) -> None:
    supervisor = _login(qtbot, demo_db, "jiandu", "demo1234").user
    assert supervisor is not None
    window = MainWindow(AppContext(demo_db, supervisor, WindowSettings(tmp_path / "s.json")))
    qtbot.addWidget(window)
    window.show()
    index = next(i for i, p in enumerate(window.pages) if p.id == "users")
    assert not window.tabs.isTabEnabled(index)
    assert "仅限系统管理员" in window.tabs.tabToolTip(index)
    assert window.tabs.isTabEnabled(window.tabs.currentIndex())
    action = window.actions_table["logout"]
    assert action.shortcut().toString() == "Ctrl+Shift+L" and "注销/切换用户" in action.text()
    action.trigger()
    assert window.logout_requested and not window.isVisible()


def test_a_second_window_on_the_same_database_is_refused_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    first = DatabaseLock(db)
    first.acquire("王会计（kuaiji）")
    try:
        with pytest.raises(DatabaseInUse) as refused:
            DatabaseLock(db).acquire()
        text = str(refused.value)
        assert "王会计（kuaiji）" in text and f"进程 {os.getpid()}" in text and "已在另一个阳光台账窗口中打开" in text
    finally:
        first.release()
    assert not lock_path(db).exists()
    second = DatabaseLock(db)
    second.acquire("李审核")
    second.release()


def test_a_lock_left_by_a_crashed_program_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    child = ("import os, sys\nfrom pathlib import Path\nfrom desktop_app.dblock import DatabaseLock\n"
             "DatabaseLock(Path(sys.argv[1])).acquire('赵监督')\nos._exit(9)\n")  # dies holding it
    done = subprocess.run([sys.executable, "-c", child, str(db)], cwd=ROOT, timeout=60)
    assert done.returncode == 9 and read_holder(db) is not None and read_holder(db).user == "赵监督"
    lock = DatabaseLock(db)
    lock.acquire("王会计")
    try:
        assert lock.stale_recovered is not None and lock.stale_recovered.user == "赵监督"
        assert json.loads(lock_path(db).read_text(encoding="utf-8"))["user"] == "王会计"
    finally:
        lock.release()
