"""Who runs a command: ``--user NAME`` on every command, the password from a prompt or the
environment variable ``SUNSHINE_LEDGER_PASSWORD``, checked like the login window (counted,
held back after wrong ones, audited). A command that would change the database without a
logged-in user is refused before its first write, so nothing is half-applied; the audit actor
of every transaction is the logged-in user. ``passwd`` changes one's own password (required
after an initial or reset one before any other command runs).

Commands that need no login: making a database (``init``, ``demo``), checking or copying the
file (``verify``, ``self-test``, ``backup``, ``restore``). Reading needs no login either, except
where the data is personal (members' 身份证号: ``require_login``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.engine import Database
from desktop_app.core.errors import UserError
from desktop_app.core.rows import UserRow

PASSWORD_ENV = "SUNSHINE_LEDGER_PASSWORD"
NEW_PASSWORD_ENV = "SUNSHINE_LEDGER_NEW_PASSWORD"
NO_LOGIN = frozenset({"init", "demo", "self-test", "verify", "backup", "restore"})
LOGIN_HINT = (f"请用 --user 用户名 指定操作人，密码在提示时输入（或由环境变量 {PASSWORD_ENV} 提供）")
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b(?!\s+INTO\s+\"?temp\"?\.)", re.IGNORECASE)


def add_user_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", metavar="用户名",
                   help=f"操作人（修改数据和查看个人信息的命令必须提供）；密码在提示时输入，或由环境变量 {PASSWORD_ENV} 提供")


def take_user_option(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """``--user NAME`` (or ``--user=NAME``) taken out of the command line wherever it stands:
    after a nested action (``plan import … --user kuaiji``) as well as after the command."""
    rest: list[str] = []
    user = None
    items = iter(argv)
    for item in items:
        if item == "--user":
            user = next(items, None)
            if user is None:
                rest.append(item)  # argparse says the name is missing
        elif item.startswith("--user="):
            user = item.split("=", 1)[1]
        else:
            rest.append(item)
    return rest, user


def read_password(prompt: str, env: str = PASSWORD_ENV) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"需要密码：请在终端中运行以便输入密码，或设置环境变量 {env}")
    return getpass.getpass(prompt)


def login(args: argparse.Namespace, *, force: bool = False) -> None:
    """Authenticate ``--user`` (sets ``args.acting``; None without ``--user``). Raises ``UserError``
    for a wrong password, a held-back login, or a password that must be changed first."""
    from desktop_app.cli import open_db
    from desktop_app.core.services.auth import attempt_login

    args.acting = None
    name = getattr(args, "user", None)
    if (args.command in NO_LOGIN and not force) or not name:  # ``force``: a command that decides itself (restore)
        return
    password = read_password(f"用户 {name} 的密码：")
    args.logging_in = True
    db = open_db(args)
    try:
        try:
            with db.begin(name) as s:  # committed either way: the attempt is counted and audited
                result = attempt_login(s, name, password)
        except DBAPIError as exc:
            if "readonly" not in str(exc).lower():
                raise
            result = _read_only_login(db, name, password)  # a read-only file: checked, not recorded
    finally:
        db.close()
        args.logging_in = False
    user = result.accepted()
    if result.must_change_password and args.command != "passwd":
        raise UserError(f"用户 {name} 的密码是初始密码或已被管理员重设，须先修改后才能使用："
                        f"请运行 python -m desktop_app passwd --user {name}（或在图形界面登录时修改）")
    args.acting, args.login_password = user, password


def _read_only_login(db: Database, name: str, password: str) -> Any:
    """A database file nobody may write (reading still works): the password is checked, but the
    attempt cannot be counted or audited; the command can only read anyway."""
    from sqlalchemy import select

    from db.models import User
    from desktop_app.core.services.auth import LoginResult, check_password, user_row

    with db.read(name) as s:
        stored = s.scalar(select(User).where(User.username == name))
        if stored is None or not stored.active or not check_password(password, stored.password_hash):
            return LoginResult(None, "用户名或密码错误")
        return LoginResult(user_row(stored), must_change_password=stored.must_change_password)


def guard_writes(db: Database, args: argparse.Namespace) -> Database:
    """Refuse the first write of a command run without a logged-in user; make the logged-in
    user every transaction's audit actor (``cli_user`` reads it back)."""
    if getattr(args, "command", None) in NO_LOGIN:
        return db

    def check(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if args.command == "sync" and getattr(args, "dry_run", False):
            return  # a package's trial import is rolled back and prints only villages and counts: no login
        if getattr(args, "acting", None) is None and not getattr(args, "logging_in", False) and _WRITE.match(statement):
            raise UserError(f"此命令会修改数据库，需要登录：{LOGIN_HINT}", field="--user")

    def stamp(session: Session, *_rest: Any) -> None:
        acting = getattr(args, "acting", None)
        session.info["cli_user"] = acting
        if acting is not None:
            session.info["actor"] = acting.username

    event.listen(db.engine, "before_cursor_execute", check)
    event.listen(db.sessions, "after_begin", stamp)
    return db


def cli_user(session: Session, *roles: str) -> UserRow:
    """The logged-in user of this command, checked by the services' own rule (``require_role``)."""
    from desktop_app.core.services.auth import require_role

    session.connection()  # the transaction is stamped with the login when it begins, on first use
    user = session.info.get("cli_user")
    if user is None:
        raise UserError(f"此命令需要操作人：{LOGIN_HINT}", field="--user")
    return require_role(session, user, *roles)


def require_login(args: argparse.Namespace, what: str) -> None:
    """Reading personal data (members' 身份证号 …) needs a logged-in user too."""
    if getattr(args, "acting", None) is None:
        raise UserError(f"{what}含个人信息（身份证号等），需要登录：{LOGIN_HINT}", field="--user")


def initial_admin_password() -> tuple[str, bool]:
    """The new administrator's password: from the environment, typed twice at a terminal, or
    made up (then shown once). Returns (password, whether it must be shown)."""
    from desktop_app.core.services.auth import check_password_text, new_initial_password

    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        check_password_text(value)
        return value, False
    if not sys.stdin.isatty():
        return new_initial_password(), True
    first = getpass.getpass("系统管理员的初始密码（直接回车则自动生成）：")
    if not first:
        return new_initial_password(), True
    check_password_text(first)
    if getpass.getpass("再次输入：") != first:
        raise UserError("两次输入的密码不一致，数据库未创建管理员")
    return first, False


def cmd_passwd(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.core.services.auth import change_own_password

    if getattr(args, "acting", None) is None:
        raise UserError(f"请说明修改谁的密码：{LOGIN_HINT}", field="--user")
    new = read_password("新密码：", NEW_PASSWORD_ENV)
    if NEW_PASSWORD_ENV not in os.environ and getpass.getpass("再次输入新密码：") != new:
        raise UserError("两次输入的新密码不一致，密码未修改")
    db = open_db(args)
    try:
        with db.begin(args.acting.username) as s:
            change_own_password(s, args.acting, args.login_password, new)
    finally:
        db.close()
    print(f"用户 {args.acting.username} 的密码已修改")
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    add("passwd", cmd_passwd, f"修改自己的密码（--user 用户名；新密码在提示时输入，或由环境变量 {NEW_PASSWORD_ENV} 提供）")
