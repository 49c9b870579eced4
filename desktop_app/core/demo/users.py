"""Demo users: one per role, all with the documented demo password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from desktop_app.core.services.users import create_user

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    ("admin", "系统管理员", ["sysadmin"]),
    ("kuaiji", "王会计", ["bookkeeper"]),
    ("shenhe", "李审核", ["reviewer"]),
    ("jiandu", "赵监督", ["supervisor"]),
    ("quji", "区经管站", ["district_admin"]),
]


def seed_users(session: Session, ctx: DemoContext) -> None:
    """The administrator first (a new database's setup), then the others made by it. The demo
    password is documented, so nobody is asked to change it."""
    admin = None
    for username, name, roles in DEMO_USERS:
        ctx.users[roles[0]] = create_user(session, username=username, display_name=name, password=DEMO_PASSWORD,
                                          roles=roles, actor=admin, must_change_password=False)
        admin = admin or ctx.users[roles[0]]
