"""首页's items by the user's role: 待审核凭证 for a 审核员, 待记账凭证 for a 记账员 (issue #17), each
naming the book and month of its earliest voucher, where 前往 takes the user. Read-only, Qt-free."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Book, Voucher
from desktop_app.core.periods import period_label
from desktop_app.core.rows import UserRow
from desktop_app.core.services.home import DueItem, cut_lines

ITEMS = (("review", "reviewer"), ("post", "bookkeeper"))  # (item key, the role it is for), in 首页 order


def voucher_item(session: Session, orgs: list[uuid.UUID], names: dict[uuid.UUID, str], user: UserRow,
                  key: str) -> DueItem:
    """待审核 (a reviewer: 填制 vouchers someone else made; nobody reviews their own) or 待记账
    (a bookkeeper: reviewed vouchers), per book with its earliest month; 前往 opens the first."""
    status, title, verb = ("填制", "待审核凭证", "审核") if key == "review" else ("审核", "待记账凭证", "记账")
    query = (select(Book.organisation_id, Book.id, Book.code, Book.name, func.min(Voucher.period), func.count())
             .join(Voucher, Voucher.book_id == Book.id)
             .where(Book.deleted.is_(False), Book.organisation_id.in_(orgs), Voucher.deleted.is_(False),
                    Voucher.status == status)
             .group_by(Book.id).order_by(func.min(Voucher.period), Book.code))
    if key == "review":
        query = query.where(or_(Voucher.maker_id.is_(None), Voucher.maker_id != user.id))
    rows = list(session.execute(query))
    count = sum(n for *_, n in rows)
    if rows:
        summary = f"{len(rows)} 个账套共 {count} 张凭证待{verb}，最早 {period_label(rows[0][4])}"
    else:
        summary = f"没有待{verb}的凭证"
    lines = [f"{names.get(org, '')} {code} {name}：{n} 张，自{period_label(first)}起"
             for org, _bid, code, name, first, n in rows]
    go = rows[0] if rows else None
    return DueItem(key, title, count, summary, cut_lines(lines), "vouchers", organisation_id=go[0] if go else None,
                   book_id=go[1] if go else None, period=go[4] if go else None)
