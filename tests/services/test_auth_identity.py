"""The acting user (issue #16): services read the user from the database, user management is
for 系统管理员 only, wrong passwords are counted and held back in the database, every login is
audited, reset passwords must be changed, users can be limited to organisations."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.migrate import open_database
from db.models import AuditEntry, Book, Organisation, User
from db.types import utcnow
from desktop_app.core.errors import PermissionDenied, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import (
    FREE_FAILURES,
    acting_user,
    attempt_login,
    change_own_password,
    lock_seconds,
    must_change_password,
    require_role,
)
from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.periods import reopen_period
from desktop_app.core.services.users import (
    create_user,
    list_users,
    set_password,
    set_user_organisations,
    update_user,
)


def _users(db) -> dict[str, UserRow]:
    with db.read() as s:
        return {u.username: u for u in list_users(s)}


def _audit(db, action: str) -> list:
    with db.read() as s:
        return list(s.execute(select(AuditEntry.actor, AuditEntry.entity, AuditEntry.summary)
                              .where(AuditEntry.action == action).order_by(AuditEntry.n)))


def test_a_made_up_or_disabled_user_is_refused_and_roles_come_from_the_database(demo_db) -> None:
    users = _users(demo_db)
    fake = UserRow(uuid.uuid4(), "shenhe", "李审核", ("reviewer",), True)
    # the bookkeeper's real id claiming the reviewer role
    claimed = UserRow(users["kuaiji"].id, "kuaiji", "王会计", ("reviewer", "sysadmin"), True)
    with demo_db.begin() as s:
        book = s.scalars(select(Book)).first()
        with pytest.raises(PermissionDenied, match="不是本数据库的用户"):
            require_role(s, fake, "reviewer")
        with pytest.raises(PermissionDenied, match="审核员"):
            reopen_period(s, book.id, "2026-01", user=claimed, reason="试")
        with pytest.raises(PermissionDenied, match="系统管理员"):
            set_password(s, users["admin"].id, "stolen99", actor=claimed)
        update_user(s, users["shenhe"].id, actor=users["admin"], active=False)
    with demo_db.begin() as s, pytest.raises(PermissionDenied, match="已停用"):
        acting_user(s, users["shenhe"])


def test_only_the_administrator_manages_users(demo_db) -> None:
    users = _users(demo_db)
    for who in ("jiandu", "quji", "kuaiji", "shenhe"):
        with demo_db.begin() as s:
            with pytest.raises(PermissionDenied, match="系统管理员"):
                create_user(s, username=f"boss_{who}", display_name="x", password="secret99", roles=["sysadmin"],
                            actor=users[who])
            with pytest.raises(PermissionDenied, match="系统管理员"):
                update_user(s, users[who].id, actor=users[who], roles=["reviewer", "sysadmin"])
            with pytest.raises(PermissionDenied, match="系统管理员"):
                set_password(s, users["admin"].id, "mine1234", actor=users[who])
        with demo_db.begin() as s, pytest.raises(PermissionDenied, match="系统管理员"):
            create_user(s, username="nobody_asked", display_name="x", password="secret99", roles=["sysadmin"])
    with demo_db.read() as s:
        admin_row = s.scalar(select(User).where(User.username == "admin"))
        assert [u.roles for u in s.scalars(select(User).where(User.username.like("boss_%")))] == []
        assert attempt_login(s, "admin", "demo1234").user is not None and admin_row.must_change_password is False
    with demo_db.begin("somebody") as s:  # the audit actor is the administrator, whatever the session said
        made = create_user(s, username="xiaoli", display_name="小李", password="secret99", roles=["bookkeeper"],
                           actor=users["admin"])
        assert must_change_password(s, made)  # a password given by the administrator is changed at first login
    assert _audit(demo_db, "create")[-1].actor == "admin"


def test_wrong_passwords_lock_out_in_the_database_and_every_attempt_is_audited(db, tmp_path: Path) -> None:
    with db.begin() as s:
        create_user(s, username="kj", display_name="王会计", password="secret99", roles=["bookkeeper"])
    start = utcnow()
    for n in range(1, FREE_FAILURES + 1):
        with db.begin() as s:
            result = attempt_login(s, "kj", f"guess{n}", now=start)
        assert result.user is None and "用户名或密码错误" in result.message
    assert "请 30 秒后再试" in result.message and lock_seconds(FREE_FAILURES + 1) == 60
    db.close()
    again = open_database(tmp_path / "test.db")  # a restart does not forget the count
    try:
        with again.begin() as s:
            refused = attempt_login(s, "kj", "secret99", now=start + timedelta(seconds=10))
        assert refused.user is None and "连续输错 5 次" in refused.message and "20 秒" in refused.message
        with again.begin() as s:
            assert attempt_login(s, "kj", "wrong", now=start + timedelta(seconds=31)).user is None
            assert s.scalar(select(User.failed_logins)) == 6
        with again.begin() as s:  # the sixth wrong one doubled the wait
            assert attempt_login(s, "kj", "secret99", now=start + timedelta(seconds=80)).user is None
        with again.begin() as s:
            ok = attempt_login(s, "kj", "secret99", now=start + timedelta(seconds=92))
            assert ok.user is not None and ok.user.username == "kj"
            assert s.scalar(select(User.failed_logins)) == 0
        with again.begin() as s:
            assert attempt_login(s, "ghost", "x").user is None
        failed = _audit(again, "login_failed")
        assert len(failed) == 9 and all(e.entity == "app_user" for e in failed)
        assert "ghost" in failed[-1].summary and "guess" not in " ".join(e.summary for e in failed)
        assert [e.actor for e in _audit(again, "login")] == ["kj"]
    finally:
        again.close()


def test_a_reset_password_must_be_changed_by_its_owner(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        set_password(s, users["kuaiji"].id, "reset123", actor=users["admin"])
    with demo_db.begin() as s:
        result = attempt_login(s, "kuaiji", "reset123")
    assert result.user is not None and result.must_change_password
    with demo_db.begin() as s, pytest.raises(ValidationError, match="原密码不正确"):
        change_own_password(s, users["kuaiji"], "demo1234", "mine5678")
    with demo_db.begin() as s, pytest.raises(ValidationError, match="不能与原密码相同"):
        change_own_password(s, users["kuaiji"], "reset123", "reset123")
    with demo_db.begin() as s:
        change_own_password(s, users["kuaiji"], "reset123", "mine5678")
    with demo_db.begin() as s:
        result = attempt_login(s, "kuaiji", "mine5678")
    assert result.user is not None and not result.must_change_password


def test_a_user_limited_to_organisations_is_refused_elsewhere(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.read() as s:
        books = {b.organisation_id: b.id for b in s.scalars(select(Book))}
        orgs = [o for o in s.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
                if o.id in books]
    mine, other = orgs[0], orgs[1]
    with demo_db.begin("x") as s:
        set_user_organisations(s, users["kuaiji"].id, [mine.id], actor=users["admin"])
    entry = _audit(demo_db, "update")[-1]
    assert entry.actor == "admin" and mine.name in entry.summary
    with demo_db.begin() as s, pytest.raises(PermissionDenied, match=other.name):
        add_sub_account(s, book_id=books[other.id], parent_code="111", code="11199", name="外村账户",
                        user=users["kuaiji"])
    with demo_db.begin("cli") as s:
        add_sub_account(s, book_id=books[mine.id], parent_code="111", code="11199", name="本村账户",
                        user=users["kuaiji"])
    assert _audit(demo_db, "create")[-1].actor == "kuaiji"  # the actor is the user, not the session's "cli"
    with demo_db.begin() as s:
        set_user_organisations(s, users["kuaiji"].id, [], actor=users["admin"])
        add_sub_account(s, book_id=books[other.id], parent_code="111", code="11199", name="外村账户",
                        user=users["kuaiji"])
