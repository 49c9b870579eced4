"""Users, roles and passwords (scrypt). Users are local to the installation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import User
from desktop_app.core.errors import ConflictError, NotFoundError, PermissionDenied, UserError, ValidationError
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


def _row(u: User) -> UserRow:
    return UserRow(u.id, u.username, u.display_name, tuple(r for r in u.roles.split(",") if r), u.active)


def _public(u: User) -> dict[str, object]:
    return {"username": u.username, "display_name": u.display_name, "roles": u.roles, "active": u.active}


def _check_roles(roles: Iterable[str]) -> str:
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ValidationError("至少选择一个角色", field="角色")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError(f"未知角色：{'、'.join(unknown)}", field="角色")
    return ",".join(roles)


def _check_password_text(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"密码至少{MIN_PASSWORD}位", field="密码")


def create_user(session: Session, *, username: str, display_name: str, password: str, roles: Iterable[str]) -> UserRow:
    username = (username or "").strip()
    if not username or len(username) > 50:
        raise ValidationError("用户名不能为空，且不超过50个字符", field="用户名")
    display_name = (display_name or "").strip() or username
    _check_password_text(password)
    role_text = _check_roles(roles)
    if session.scalar(select(User.id).where(User.username == username)):
        raise ConflictError(f"用户名 {username} 已存在", field="用户名")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), roles=role_text)
    session.add(user)
    session.flush()
    record_audit(session, AuditRecord("create", "app_user", str(user.id),
                                      f"新增用户 {username}（{role_labels(user.roles.split(','))}）", None, _public(user)))
    return _row(user)


def authenticate(session: Session, username: str, password: str) -> UserRow:
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar()
    if user is None or not check_password(password or "", user.password_hash):
        raise UserError("用户名或密码错误", field="密码")
    if not user.active:
        raise PermissionDenied("该用户已停用，请联系系统管理员", field="用户名")
    return _row(user)


def list_users(session: Session) -> list[UserRow]:
    return [_row(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def _get(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("找不到该用户")
    return user


def update_user(session: Session, user_id: uuid.UUID, *, display_name: str | None = None,
                roles: Iterable[str] | None = None, active: bool | None = None,
                expected: UserRow | None = None) -> UserRow:
    """With ``expected`` (an undo putting the old values back), only if nobody changed it since."""
    user = _get(session, user_id)
    if expected is not None and _row(user) != expected:
        raise ConflictError(f"用户 {user.username} 已被再次修改，不能撤销")
    before = _public(user)
    new_roles = _check_roles(roles) if roles is not None else user.roles
    new_active = user.active if active is None else active
    # Check before changing anything: a refused change must leave the session untouched.
    if before["active"] and "sysadmin" in user.roles.split(",") and (
        "sysadmin" not in new_roles.split(",") or not new_active
    ):
        others = session.scalars(select(User).where(User.id != user.id, User.active.is_(True))).all()
        if not any("sysadmin" in u.roles.split(",") for u in others):
            raise ConflictError("至少要保留一个启用的系统管理员", field="角色")
    if display_name is not None:
        user.display_name = display_name.strip() or user.username
    user.roles, user.active = new_roles, new_active
    session.flush()
    record_audit(session, AuditRecord("update", "app_user", str(user.id), f"修改用户 {user.username}", before, _public(user)))
    return _row(user)


def set_password(session: Session, user_id: uuid.UUID, password: str) -> None:
    _check_password_text(password)
    user = _get(session, user_id)
    user.password_hash = hash_password(password)
    session.flush()
    record_audit(session, AuditRecord("update", "app_user", str(user.id), f"重设用户 {user.username} 的密码"))


def require_role(user: UserRow, *roles: str) -> None:
    """Refuse unless the user holds one of ``roles``."""
    if not any(user.has_role(r) for r in roles):
        raise PermissionDenied(f"此操作需要{role_labels(roles)}权限")
