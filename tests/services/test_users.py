"""Users: scrypt passwords, roles, login, the last administrator, management by 系统管理员 only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEntry, User
from desktop_app.core.errors import ConflictError, PermissionDenied, UserError, ValidationError
from desktop_app.core.services.users import authenticate, create_user, require_role, set_password, update_user


def test_password_is_hashed_and_login_works(db) -> None:
    with db.begin() as s:
        u = create_user(s, username="kuaiji", display_name="王会计", password="secret99", roles=["bookkeeper"])
    with db.begin() as s:
        stored = s.scalar(select(User.password_hash))
        audit = s.execute(select(AuditEntry)).scalars().all()
        assert stored.startswith("scrypt$") and "secret99" not in stored
        assert all("secret99" not in (a.after_json or "") and "scrypt" not in (a.after_json or "") for a in audit)
        assert authenticate(s, "kuaiji", "secret99").id == u.id
        with pytest.raises(UserError, match="用户名或密码错误"):
            authenticate(s, "kuaiji", "wrong")
        with pytest.raises(UserError, match="用户名或密码错误"):
            authenticate(s, "nobody", "secret99")


def test_roles_and_refusals(db) -> None:
    with db.begin() as s:
        admin = create_user(s, username="admin", display_name="管理员", password="admin123", roles=["sysadmin"])
        clerk = create_user(s, username="k", display_name="k", password="123456", roles=["bookkeeper"], actor=admin)
        with pytest.raises(ValidationError, match="至少6位"):
            create_user(s, username="x", display_name="x", password="123", roles=["bookkeeper"], actor=admin)
        with pytest.raises(ValidationError, match="未知角色"):
            create_user(s, username="x", display_name="x", password="123456", roles=["boss"], actor=admin)
        with pytest.raises(ConflictError, match="已存在"):
            create_user(s, username="k", display_name="k", password="123456", roles=["bookkeeper"], actor=admin)
        with pytest.raises(PermissionDenied, match="审核员"):
            require_role(s, clerk, "reviewer")
        with pytest.raises(ConflictError, match="至少要保留一个启用的系统管理员"):
            update_user(s, admin.id, actor=admin, active=False)
        update_user(s, clerk.id, actor=admin, active=False)
        with pytest.raises(UserError, match="已停用"):
            authenticate(s, "k", "123456")
        set_password(s, admin.id, "newpass1", actor=admin)
        assert authenticate(s, "admin", "newpass1").has_role("sysadmin")
