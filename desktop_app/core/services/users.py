"""User management (系统管理员 only): users, roles, passwords, the organisations a user is
limited to. Users are local to the installation. Logins and the acting-user check are in
``auth``; its names are re-exported here for the callers that import them from this module."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import Organisation, User, UserOrganisation
from desktop_app.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import (
    MIN_PASSWORD,
    ROLES,
    authenticate,
    check_password,
    check_password_text,
    hash_password,
    require_role,
    role_labels,
    user_organisations,
    user_row,
)

__all__ = ["MIN_PASSWORD", "ROLES", "authenticate", "check_password", "create_user", "hash_password", "list_users",
           "require_role", "role_labels", "set_password", "set_user_organisations", "update_user",
           "user_organisations"]



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


def _has_sysadmin(session: Session) -> bool:
    return any("sysadmin" in r.split(",") for r in session.scalars(select(User.roles).where(User.active.is_(True))))


def _admin(session: Session, actor: UserRow | None) -> UserRow | None:
    """User management needs a 系统管理员. Before a database has one (a new database being set
    up: ``init``, the demo, the first administrator) the setup itself may create users."""
    if actor is None:
        if _has_sysadmin(session):
            raise PermissionDenied("管理用户需要系统管理员权限：请以系统管理员身份登录后操作")
        return None
    return require_role(session, actor, "sysadmin")


def create_user(session: Session, *, username: str, display_name: str, password: str, roles: Iterable[str],
                actor: UserRow | None = None, must_change_password: bool | None = None) -> UserRow:
    """A new user. ``actor``: the 系统管理员 creating it (see ``_admin``). The password an
    administrator gives must be changed at the user's first login (``must_change_password``
    defaults to that; a new database's setup decides for itself)."""
    admin = _admin(session, actor)
    username = (username or "").strip()
    if not username or len(username) > 50:
        raise ValidationError("用户名不能为空，且不超过50个字符", field="用户名")
    display_name = (display_name or "").strip() or username
    check_password_text(password)
    role_text = _check_roles(roles)
    if session.scalar(select(User.id).where(User.username == username)):
        raise ConflictError(f"用户名 {username} 已存在", field="用户名")
    must_change = admin is not None if must_change_password is None else must_change_password
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), roles=role_text,
                must_change_password=must_change)
    session.add(user)
    session.flush()
    record_audit(session, AuditRecord("create", "app_user", str(user.id),
                                      f"新增用户 {username}（{role_labels(user.roles.split(','))}）", None, _public(user)))
    return user_row(user)


def list_users(session: Session) -> list[UserRow]:
    return [user_row(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def _get(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("找不到该用户")
    return user


def update_user(session: Session, user_id: uuid.UUID, *, actor: UserRow, display_name: str | None = None,
                roles: Iterable[str] | None = None, active: bool | None = None,
                expected: UserRow | None = None) -> UserRow:
    """With ``expected`` (an undo putting the old values back), only if nobody changed it since."""
    _admin(session, actor)
    user = _get(session, user_id)
    if expected is not None and user_row(user) != expected:
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
    return user_row(user)


def set_password(session: Session, user_id: uuid.UUID, password: str, *, actor: UserRow) -> None:
    """An administrator resets a user's password; the user must change it at the next login
    (a wrong-password lock-out ends with it)."""
    _admin(session, actor)
    check_password_text(password)
    user = _get(session, user_id)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    record_audit(session, AuditRecord("update", "app_user", str(user.id), f"重设用户 {user.username} 的密码（下次登录须修改）"))


def set_user_organisations(session: Session, user_id: uuid.UUID, organisation_ids: Iterable[uuid.UUID], *,
                           actor: UserRow) -> frozenset[uuid.UUID]:
    """Limit a user to these organisations (none: all of them)."""
    _admin(session, actor)
    user = _get(session, user_id)
    wanted = frozenset(organisation_ids)
    known = frozenset(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted)))) if wanted else wanted
    if known != wanted:
        raise ValidationError("所选组织有的已不存在，请刷新后重选", field="组织")
    before = user_organisations(session, user.id)
    if before == wanted:
        return wanted
    for row in session.scalars(select(UserOrganisation).where(
            UserOrganisation.user_id == user.id, UserOrganisation.organisation_id.in_(before - wanted))):
        session.delete(row)
    session.add_all(UserOrganisation(user_id=user.id, organisation_id=o) for o in wanted - before)
    session.flush()
    names = session.scalars(select(Organisation.name).where(Organisation.id.in_(wanted)).order_by(Organisation.name))
    record_audit(session, AuditRecord(
        "update", "app_user", str(user.id),
        f"限定用户 {user.username} 的组织：{'、'.join(names) if wanted else '全部组织'}"[:300],
        {"organisations": sorted(str(o) for o in before)}, {"organisations": sorted(str(o) for o in wanted)}))
    return wanted
