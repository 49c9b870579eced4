"""The acting user a test's setup writes as: services take one and check it (issue #16)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import User
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.permissions import ENTER_RECORDS


def keeper(session: Session, *roles: str, name: str | None = None) -> UserRow:
    """An active user of this database holding one of ``roles`` (default: a keeper of the records,
    记账员, 审核员 or 系统管理员); a database without one gets one (the first of ``roles``,
    password secret1, named ``name``), as the fixtures make them."""
    from desktop_app.core.services.users import create_user

    roles = roles or ENTER_RECORDS
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)):
        row = user_row(user)
        if any(r in roles for r in row.roles):
            return row
    name = name or ("kj" if roles[0] == "bookkeeper" else roles[0])
    return create_user(session, username=name, display_name=name, password="secret1", roles=[roles[0]])
