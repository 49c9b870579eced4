"""Who is acting: logins (scrypt passwords, wrong-password lock-out, every attempt audited) and
the one check every service that takes a user makes (``require_role``).

A ``UserRow`` handed to a service is only a claim. ``require_role`` reads the user again from
this database (a made-up row, one from another database, or a disabled user is refused), checks
its roles from the database, and, given an organisation, the organisations the user is limited
to; the audit actor of the transaction becomes that user. What it read is kept for the rest of
the transaction (``session.info``) until a user or a user's organisations are added, changed or
deleted through the session (listeners below): a batch calls it for every book it writes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, object_session

from db.audit import AuditRecord, record_audit
from db.models import Book, Organisation, User, UserOrganisation
from db.types import utcnow
from desktop_app.core.errors import PermissionDenied, UserError, ValidationError
from desktop_app.core.rows import UserRow

ROLES: dict[str, str] = {
    "bookkeeper": "记账员",
    "reviewer": "审核员",
    "supervisor": "监督",
    "district_admin": "区级管理员",
    "sysadmin": "系统管理员",
}
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 6
FREE_FAILURES = 5  # wrong passwords in a row before logins are held back
FIRST_LOCK_SECONDS = 30  # then 60, 120 … for each further failure
MAX_LOCK_SECONDS = 15 * 60
PASSWORD_ENV = "SUNSHINE_LEDGER_PASSWORD"


def role_labels(roles: Iterable[str]) -> str:
    return "、".join(ROLES.get(r, r) for r in roles)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                         dklen=len(base64.b64decode(digest)))
    return hmac.compare_digest(got, base64.b64decode(digest))


def new_initial_password() -> str:
    """A random initial password for a new database's administrator (shown once, changed at the
    first login): 10 characters without look-alikes (0/O, 1/l/I)."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def check_password_text(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"密码至少{MIN_PASSWORD}位", field="密码")


def user_row(u: User) -> UserRow:
    return UserRow(u.id, u.username, u.display_name, tuple(r for r in u.roles.split(",") if r), u.active)


# --- the acting user -----------------------------------------------------------------------
@dataclass
class _Checked:
    """What ``require_role`` read in this transaction: users by (id, username) as stored, each
    user's organisations, each book's organisation."""

    users: dict[tuple[object, str], UserRow] = field(default_factory=dict)
    allowed: dict[uuid.UUID, frozenset[uuid.UUID]] = field(default_factory=dict)
    book_orgs: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)


_CHECKED = "auth.checked"  # session.info: _Checked, dropped by the listeners at the end of this file


def _checked(session: Session) -> _Checked:
    """The session's record, made when missing. Stored after the read it caches (whose autoflush
    may have forgotten an older record)."""
    checked = session.info.get(_CHECKED)
    if not isinstance(checked, _Checked):
        checked = session.info[_CHECKED] = _Checked()
    return checked


def forget_checked_users(session: Session) -> None:
    """Drop what ``require_role`` keeps (after writing users other than through the ORM)."""
    session.info.pop(_CHECKED, None)


def acting_user(session: Session, user: UserRow) -> UserRow:
    """The user as this database knows it now: refused unless it is a real, active user here."""
    checked = session.info.get(_CHECKED)
    kept = checked.users.get((user.id, user.username)) if isinstance(checked, _Checked) else None
    if kept is not None:
        return kept
    stored = session.get(User, user.id) if isinstance(user.id, uuid.UUID) else None
    if stored is None or stored.username != user.username:
        raise PermissionDenied(f"操作人“{user.username}”不是本数据库的用户，操作被拒绝")
    if not stored.active:
        raise PermissionDenied(f"用户 {stored.username} 已停用，不能再进行操作")
    me = user_row(stored)
    _checked(session).users[user.id, user.username] = me
    return me


def session_user(session: Session) -> UserRow | None:
    """The user a transaction acts for: the command line's login, else the user its actor names
    (a window's transaction is begun with the logged-in user's name). None when there is none;
    a row found is still only a claim for ``require_role``."""
    cli = session.info.get("cli_user")
    if isinstance(cli, UserRow):
        return cli
    stored = session.scalar(select(User).where(User.username == str(session.info.get("actor") or "")))
    return user_row(stored) if stored is not None else None


def writing_user(session: Session) -> UserRow:
    """``session_user``, refused when the transaction acts for no user (a write needs a login)."""
    user = session_user(session)
    if user is None:
        raise PermissionDenied("没有登录的操作人，不能写入：请先登录")
    return user


def user_organisations(session: Session, user_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """The organisations a user is limited to; empty: all of them."""
    return frozenset(session.scalars(select(UserOrganisation.organisation_id)
                                     .where(UserOrganisation.user_id == user_id)))


def require_role(session: Session, user: UserRow, *roles: str, organisation_id: uuid.UUID | None = None,
                 book_id: uuid.UUID | None = None) -> UserRow:
    """Refuse unless ``user`` is a real, active user of this database holding one of ``roles``
    (any role when none are named) and, given an organisation (or a book), may work on it.
    Returns the user as stored; the transaction's audit actor becomes that user."""
    me = acting_user(session, user)
    if roles and not any(me.has_role(r) for r in roles):
        raise PermissionDenied(f"此操作需要{role_labels(roles)}权限（{me.display_name}：{role_labels(me.roles) or '无角色'}）")
    if book_id is not None and organisation_id is None:
        known = session.info.get(_CHECKED)
        organisation_id = known.book_orgs.get(book_id) if isinstance(known, _Checked) else None
        if organisation_id is None:
            organisation_id = session.scalar(select(Book.organisation_id).where(Book.id == book_id))
            if organisation_id is not None:  # a book never moves to another organisation
                _checked(session).book_orgs[book_id] = organisation_id
    if organisation_id is not None:
        known = session.info.get(_CHECKED)
        allowed = known.allowed.get(me.id) if isinstance(known, _Checked) else None
        if allowed is None:
            allowed = user_organisations(session, me.id)
            _checked(session).allowed[me.id] = allowed
        if allowed and organisation_id not in allowed:
            name = session.scalar(select(Organisation.name).where(Organisation.id == organisation_id)) or "该组织"
            raise PermissionDenied(f"用户 {me.display_name} 只负责指定的组织，不能处理“{name}”的数据")
    session.info["actor"] = me.username
    return me


def may_see(session: Session, user: UserRow, organisation_id: uuid.UUID) -> bool:
    """Whether the organisation is among those the user works on (navigation filters by this)."""
    allowed = user_organisations(session, user.id)
    return not allowed or organisation_id in allowed


# --- logging in ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to. The attempt is recorded (audit, failure count) in the
    caller's transaction, which must be committed even when the login failed."""

    user: UserRow | None
    message: str = ""  # why not, in Chinese
    must_change_password: bool = False

    def accepted(self) -> UserRow:
        """The user, or the refusal as a ``UserError`` (raise it after committing)."""
        if self.user is None:
            raise UserError(self.message, field="密码")
        return self.user


def lock_seconds(failures: int) -> int:
    """How long logins are held back after ``failures`` wrong passwords in a row."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(FIRST_LOCK_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS))


def _wait_text(seconds: float) -> str:
    seconds = max(1, int(seconds + 0.999))
    return f"{seconds} 秒" if seconds < 60 else f"{(seconds + 59) // 60} 分钟"


def attempt_login(session: Session, username: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a password. Wrong passwords are counted in the database; from the fifth in a row
    logins for that user wait a growing time (30 s, 1 min, 2 min … up to 15 min), during
    which even the right password is refused. Every attempt is written to the audit log."""
    now = now or utcnow()
    name = (username or "").strip()
    user = session.execute(select(User).where(User.username == name)).scalar()
    session.info["actor"] = name[:50] or "login"

    def refuse(summary: str, message: str, entity_id: str | None = None) -> LoginResult:
        record_audit(session, AuditRecord("login_failed", "app_user", entity_id, summary[:300]))
        return LoginResult(None, message)

    if user is None:
        return refuse(f"登录失败：用户名 {name[:50]} 不存在", "用户名或密码错误")
    if user.locked_until is not None and user.locked_until > now:
        wait = _wait_text((user.locked_until - now).total_seconds())
        return refuse(f"登录被拒绝：{user.username} 密码错误次数过多，尚在等待中",
                      f"密码已连续输错 {user.failed_logins} 次，请 {wait}后再试", str(user.id))
    if not check_password(password or "", user.password_hash):
        user.failed_logins += 1
        hold = lock_seconds(user.failed_logins)
        user.locked_until = now + timedelta(seconds=hold) if hold else None
        session.flush()
        message = "用户名或密码错误"
        if hold:
            message += f"。密码已连续输错 {user.failed_logins} 次，请 {_wait_text(hold)}后再试"
        elif user.failed_logins >= FREE_FAILURES - 2:
            message += f"（再错 {FREE_FAILURES - user.failed_logins} 次将暂停登录）"
        return refuse(f"登录失败：{user.username} 密码错误（连续第 {user.failed_logins} 次）", message, str(user.id))
    if not user.active:
        return refuse(f"登录失败：{user.username} 已停用", "该用户已停用，请联系系统管理员", str(user.id))
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    record_audit(session, AuditRecord("login", "app_user", str(user.id), f"{user.username} 登录"))
    return LoginResult(user_row(user), must_change_password=user.must_change_password)


def authenticate(session: Session, username: str, password: str) -> UserRow:
    """``attempt_login`` raising on refusal. The failure is recorded in ``session``'s
    transaction: a caller that wants it kept commits first (``attempt_login``), then raises."""
    return attempt_login(session, username, password).accepted()


def change_own_password(session: Session, user: UserRow, old_password: str, new_password: str) -> None:
    """A user replaces their own password (after an initial or reset one: required)."""
    me = acting_user(session, user)
    stored = session.get(User, me.id)
    assert stored is not None
    if not check_password(old_password or "", stored.password_hash):
        raise ValidationError("原密码不正确", field="原密码")
    check_password_text(new_password)
    if new_password == old_password:
        raise ValidationError("新密码不能与原密码相同", field="新密码")
    stored.password_hash = hash_password(new_password)
    stored.must_change_password = False
    session.flush()
    session.info["actor"] = me.username
    record_audit(session, AuditRecord("update", "app_user", str(stored.id), f"{stored.username} 修改了自己的密码"))


def must_change_password(session: Session, user: UserRow) -> bool:
    stored = session.get(User, user.id)
    return bool(stored is not None and stored.must_change_password)


# --- what require_role keeps is forgotten when users change or the transaction ends ---------
def _forget_if_user(session: Session, instance: object) -> None:
    if isinstance(instance, (User, UserOrganisation)):
        session.info.pop(_CHECKED, None)


def _user_set(target: object, value: object, old: object, initiator: object) -> None:
    session = object_session(target)
    if session is not None:
        session.info.pop(_CHECKED, None)


def _user_statement(state: ORMExecuteState) -> None:
    if (_CHECKED in state.session.info and not state.is_select and state.bind_mapper is not None
            and state.bind_mapper.class_ in (User, UserOrganisation)):
        state.session.info.pop(_CHECKED, None)


def _transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction (committed, rolled back or closed)
        session.info.pop(_CHECKED, None)


event.listen(Session, "transient_to_pending", _forget_if_user)
event.listen(Session, "persistent_to_deleted", _forget_if_user)
event.listen(Session, "do_orm_execute", _user_statement)
event.listen(Session, "after_transaction_end", _transaction_end)
for _end in ("after_commit", "after_rollback", "after_soft_rollback"):  # a savepoint rolled back too
    event.listen(Session, _end, lambda session, *_: session.info.pop(_CHECKED, None))
for _model in (User, UserOrganisation):
    for _column in _model.__mapper__.column_attrs:
        event.listen(getattr(_model, _column.key), "set", _user_set)
