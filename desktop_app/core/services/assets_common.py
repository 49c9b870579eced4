"""Shared checks of the assets area: Chinese messages naming the field, nothing written first."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.changelog import session_actor
from db.images import jsonable
from db.models import AssetHistory, Book, Organisation
from db.types import utcnow
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.money import parse_amount
from desktop_app.core.validate import clean_text


def text(value: Any, field: str, *, required: bool = True, max_len: int = 100) -> str | None:
    return clean_text(value, field, max_len, required=required)


def choice(value: Any, field: str, options: Iterable[str], default: str | None = None) -> str:
    t = (str(value) if value is not None else "").strip() or (default or "")
    opts = tuple(options)
    if t not in opts:
        raise ValidationError(f"{field}必须是：{'、'.join(opts)}", field=field)
    return t


def money(value: Any, field: str, *, allow_zero: bool = True, required: bool = True) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{field}不能为空", field=field)
        return Decimal("0.00")
    if isinstance(value, float):
        raise ValidationError(f"{field}必须是精确的数字", field=field)
    try:
        amount = parse_amount(value, field=field, allow_zero=True, allow_negative=True)
    except ValidationError as exc:
        raise ValidationError(f"{field}：{exc.message}", field=field) from None
    if amount < 0:
        raise ValidationError(f"{field}不能为负数", field=field)
    if amount == 0 and not allow_zero:
        raise ValidationError(f"{field}必须大于零", field=field)
    return amount


def decimal(value: Any, field: str, *, places: int = 4, required: bool = True, positive: bool = False,
            maximum: Decimal | None = None) -> Decimal | None:
    """An exact decimal with at most ``places`` decimals (亩, ㎡, %, units); never rounded."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{field}不能为空", field=field)
        return None
    if isinstance(value, float | bool):
        raise ValidationError(f"{field}必须是精确的数字", field=field)
    try:
        d = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError(f"{field}“{value}”不是有效的数字", field=field) from None
    if not d.is_finite():
        raise ValidationError(f"{field}不是有效的数字", field=field)
    if d != d.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(f"{field}最多{places}位小数（不做四舍五入），“{value}”超出", field=field)
    if d < 0:
        raise ValidationError(f"{field}不能为负数", field=field)
    if positive and d == 0:
        raise ValidationError(f"{field}必须大于零", field=field)
    if maximum is not None and d > maximum:
        raise ValidationError(f"{field}不能超过{maximum}", field=field)
    return d.quantize(Decimal(1).scaleb(-places))


def integer(value: Any, field: str, *, minimum: int = 1, maximum: int = 1200) -> int:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(f"{field}必须是整数", field=field)
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationError(f"{field}“{value}”不是整数", field=field) from None
    if n < minimum:
        raise ValidationError(f"{field}必须大于零" if minimum == 1 else f"{field}不能小于{minimum}", field=field)
    if n > maximum:
        raise ValidationError(f"{field}不能超过{maximum}", field=field)
    return n


def day(value: Any, field: str, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise ValidationError(f"{field}不能为空", field=field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError(f"{field}“{value}”不是有效日期（应为 2026-03-15）", field=field) from None


def check_org(session: Session, organisation_id: uuid.UUID) -> None:
    if session.scalar(select(Organisation.id).where(Organisation.id == organisation_id,
                                                    Organisation.deleted.is_(False))) is None:
        raise NotFoundError("找不到该组织", field="组织")


def diff(before: dict[str, Any], after: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str, str]]:
    out = []
    for key, label in labels.items():
        b, a = jsonable(before.get(key)), jsonable(after.get(key))
        if b != a:
            out.append((label, "" if b is None else str(b), "" if a is None else str(a)))
    return out


def write_history(session: Session, asset_id: uuid.UUID, action: str, summary: str,
                  changes: list[tuple[str, str, str]] | None = None) -> None:
    session.add(AssetHistory(asset_id=asset_id, at=utcnow(), actor=session_actor(session), action=action,
                             summary=summary[:300],
                             changes_json=json.dumps(changes, ensure_ascii=False)[:4000] if changes else None))


# The book that owns an organisation's registers when a parcel or project names none (rows made
# before schema a0002, imports, the demo): the cooperative's book, else the first book.
MAIN_BOOK_KINDS = ("股份经济合作社", "经济合作社", "经济联合社")
_ORG_BOOKS = (select(Book.id, Book.kind).where(Book.organisation_id == bindparam("org_id"), Book.deleted.is_(False))
              .order_by(Book.code))  # built once: building costs more than running


def main_book(session: Session, organisation_id: uuid.UUID) -> uuid.UUID | None:
    """The organisation's main book: its 股份经济合作社/经济合作社 book, else its first book."""
    from desktop_app.core.services.funds_base import reads

    books = reads(session).execute(_ORG_BOOKS, {"org_id": organisation_id}).all()
    ids: list[uuid.UUID] = [b.id for b in books if b.kind in MAIN_BOOK_KINDS] or [b.id for b in books[:1]]
    return ids[0] if ids else None


def register_book(session: Session, organisation_id: uuid.UUID, book_id: Any) -> uuid.UUID | None:
    """The book a new register row belongs to: the one given (it must be the organisation's), or
    the main book."""
    if book_id is None or book_id == "":
        return main_book(session, organisation_id)
    try:
        bid = book_id if isinstance(book_id, uuid.UUID) else uuid.UUID(str(book_id))
    except ValueError:
        raise ValidationError("账套无效", field="账套") from None
    if session.scalar(select(Book.id).where(Book.id == bid, Book.organisation_id == organisation_id,
                                            Book.deleted.is_(False))) is None:
        raise NotFoundError("该账套不属于本组织", field="账套")
    return bid


def owner_book(row_book: uuid.UUID | None, main: uuid.UUID | None) -> uuid.UUID | None:
    """Which book lists a register row: its own, or the main book when it names none."""
    return row_book if row_book is not None else main
