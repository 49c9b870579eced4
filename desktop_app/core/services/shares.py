"""股份登记簿: share types, holdings and the events that change them (static management).

Holdings change only through recorded events (生不增、死不减): 初始登记, 继承 (from a deceased
member), 户内赠与 (within the household) and 决议调整 (by a resolution). Share counts are exact
4-decimal quantities; a negative count is refused.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Household, Member, Organisation, ShareEvent, ShareHolding, ShareType
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_members import CertificateRow, HoldingRow, ShareEventRow, ShareTypeRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.members import as_shares, get_household, member_to_change, positional
from desktop_app.core.services.permissions import ENTER_RECORDS

__all__ = [
    "DEFAULT_SHARE_TYPES", "adjust_shares", "create_share_type", "ensure_default_share_types",
    "household_certificate", "list_holdings", "list_share_types", "parse_shares", "register_shares",
    "share_history", "transfer_shares",
]

DEFAULT_SHARE_TYPES = (("RK", "人口股"), ("NL", "农龄股"))
SHARE_QUANTUM = Decimal("0.0001")
ZERO = Decimal("0.0000")
MAX_SHARES = Decimal("100000")


def parse_shares(value: object, *, field: str = "股数", allow_zero: bool = False, row: int | None = None) -> Decimal:
    """A share count: exact, at most 4 decimals, not negative."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError("股数必须是精确的数字", field=field, row=row)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError(f"股数“{value}”不是数字", field=field, row=row) from None
    if not number.is_finite():
        raise ValidationError("股数无效", field=field, row=row)
    if number < 0:
        raise ValidationError(f"股数不能为负数（{number}）", field=field, row=row)
    if number == 0 and not allow_zero:
        raise ValidationError("股数必须大于0", field=field, row=row)
    if number > MAX_SHARES:  # before quantize, which cannot hold 1e300 (InvalidOperation)
        raise ValidationError(f"股数“{value}”过大", field=field, row=row)
    if number != number.quantize(SHARE_QUANTUM):
        raise ValidationError(f"股数 {number} 超过4位小数", field=field, row=row)
    return number.quantize(SHARE_QUANTUM)


def _basis(text: str, field: str = "依据") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("股份变动必须注明依据（决议、协议或证明）", field=field)
    if len(text) > 200:
        raise ValidationError("依据不能超过200个字", field=field)
    return text


def list_share_types(session: Session, organisation_id: uuid.UUID) -> list[ShareTypeRow]:
    rows = session.execute(select(ShareType.id, ShareType.organisation_id, ShareType.code, ShareType.name,
                                  ShareType.sort_order)
                           .where(ShareType.organisation_id == organisation_id, ShareType.deleted.is_(False))
                           .order_by(ShareType.sort_order, ShareType.code))
    return [ShareTypeRow(*r) for r in rows]


def create_share_type(session: Session, *, organisation_id: uuid.UUID, code: str, name: str, user: UserRow,
                      sort_order: int | None = None) -> ShareTypeRow:
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    return _new_share_type(session, organisation_id, code, name, sort_order)


def _new_share_type(session: Session, organisation_id: uuid.UUID, code: str, name: str,
                    sort_order: int | None) -> ShareTypeRow:
    code = (code or "").strip().upper()
    name = (name or "").strip()
    if not code or len(code) > 10 or not code.isalnum():
        raise ValidationError("股份类型代码应为1到10位字母或数字", field="类型代码")
    if not name or len(name) > 20:
        raise ValidationError("股份类型名称不能为空，且不超过20个字", field="类型名称")
    existing = list_share_types(session, organisation_id)
    if any(t.code == code for t in existing):
        raise ConflictError(f"股份类型代码 {code} 已存在", field="类型代码")
    t = ShareType(organisation_id=organisation_id, code=code, name=name,
                  sort_order=sort_order if sort_order is not None else len(existing) + 1)
    session.add(t)
    session.flush()
    record_audit(session, AuditRecord("create", "share_type", str(t.id), f"新增股份类型 {name}", None, row_image(t)))
    return ShareTypeRow(t.id, t.organisation_id, t.code, t.name, t.sort_order)


def ensure_default_share_types(session: Session, organisation_id: uuid.UUID, *, user: UserRow) -> list[ShareTypeRow]:
    """人口股 and 农龄股 unless the organisation already has share types (``user`` checked either way:
    a refused user learns nothing from whether they were made)."""
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    existing = list_share_types(session, organisation_id)
    if existing:
        return existing
    for i, (code, name) in enumerate(DEFAULT_SHARE_TYPES, start=1):
        _new_share_type(session, organisation_id, code, name, i)
    return list_share_types(session, organisation_id)


def _member(session: Session, member_id: uuid.UUID, field: str = "成员") -> Member:
    m = session.get(Member, member_id)
    if m is None or m.deleted:
        raise NotFoundError("找不到该成员", field=field)
    return m


def _share_type(session: Session, share_type_id: uuid.UUID, organisation_id: uuid.UUID) -> ShareType:
    t = session.get(ShareType, share_type_id)
    if t is None or t.deleted or t.organisation_id != organisation_id:
        raise NotFoundError("找不到该股份类型", field="股份类型")
    return t


def _holding(session: Session, m: Member, t: ShareType) -> ShareHolding:
    h = session.execute(select(ShareHolding).where(ShareHolding.member_id == m.id,
                                                   ShareHolding.share_type_id == t.id)).scalar()
    if h is None:
        h = ShareHolding(organisation_id=m.organisation_id, member_id=m.id, share_type_id=t.id, shares=ZERO)
        session.add(h)
    elif h.deleted:
        h.deleted, h.shares = False, ZERO
    return h


def _check_event_date(on: object) -> None:
    """Before any holding changes: a refused call must leave the session untouched."""
    if not isinstance(on, date) or on > date.today():
        raise ValidationError("变动日期不能晚于今天", field="变动日期")


def _event(session: Session, *, kind: str, org_id: uuid.UUID, t: ShareType, on: date, shares: Decimal, basis: str,
           from_m: Member | None, to_m: Member | None, summary: str, before: dict[str, Any]) -> ShareEventRow:
    e = ShareEvent(organisation_id=org_id, kind=kind, event_date=on, share_type_id=t.id,
                   from_member_id=from_m.id if from_m else None, to_member_id=to_m.id if to_m else None,
                   shares=shares, basis=basis)
    session.add(e)
    session.flush()
    record_audit(session, AuditRecord("share_" + {"初始登记": "register", "继承": "inherit", "户内赠与": "gift",
                                                  "决议调整": "adjust"}[kind],
                                      "share_event", str(e.id), summary, before, row_image(e)))
    return ShareEventRow(e.id, kind, on, t.name, from_m.name if from_m else None, to_m.name if to_m else None,
                         shares, basis)


def register_shares(session: Session, *, member_id: uuid.UUID, share_type_id: uuid.UUID, shares: object,
                    event_date: date, basis: str, user: UserRow) -> ShareEventRow:
    """初始登记: a member's first holding of a type (refused when one exists: use an adjustment)."""
    _check_event_date(event_date)
    m = member_to_change(session, member_id, user)
    t = _share_type(session, share_type_id, m.organisation_id)
    count = parse_shares(shares)
    basis = _basis(basis)
    h = _holding(session, m, t)
    if h.shares:
        raise ConflictError(f"{m.name} 已登记{t.name} {h.shares} 股；变动请办理继承、赠与或决议调整", field="股份类型")
    h.shares = count
    return _event(session, kind="初始登记", org_id=m.organisation_id, t=t, on=event_date, shares=count, basis=basis,
                  from_m=None, to_m=m, summary=f"{m.name} 初始登记{t.name} {count} 股", before={"shares": "0"})


def transfer_shares(session: Session, *, kind: str, from_member_id: uuid.UUID, to_member_id: uuid.UUID,
                    share_type_id: uuid.UUID, shares: object, event_date: date, basis: str,
                    user: UserRow) -> ShareEventRow:
    """继承 (the giver must be registered as deceased) or 户内赠与 (both in the same household)."""
    _check_event_date(event_date)
    if kind not in ("继承", "户内赠与"):
        raise ValidationError("转移类型应为 继承 或 户内赠与", field="变动类型")
    giver = member_to_change(session, from_member_id, user, "转出成员")
    taker = member_to_change(session, to_member_id, user, "转入成员")
    if giver.id == taker.id:
        raise ValidationError("转出和转入不能是同一成员", field="转入成员")
    if giver.organisation_id != taker.organisation_id:
        raise ValidationError("股份只能在本组织成员之间转移", field="转入成员")
    if kind == "继承" and giver.status != "死亡":
        raise ConflictError(f"{giver.name} 未登记死亡，不能办理继承", field="转出成员")
    if kind == "户内赠与" and giver.household_id != taker.household_id:
        raise ConflictError("户内赠与只能在同一户的成员之间进行", field="转入成员")
    t = _share_type(session, share_type_id, giver.organisation_id)
    count = parse_shares(shares)
    basis = _basis(basis)
    src = _holding(session, giver, t)
    if src.shares < count:
        raise ConflictError(f"{giver.name} 只有{t.name} {src.shares} 股，不能转出 {count} 股", field="股数")
    dst = _holding(session, taker, t)
    before = {"from": str(src.shares), "to": str(dst.shares)}
    src.shares, dst.shares = src.shares - count, dst.shares + count
    return _event(session, kind=kind, org_id=giver.organisation_id, t=t, on=event_date, shares=count, basis=basis,
                  from_m=giver, to_m=taker, summary=f"{kind}：{giver.name} → {taker.name} {t.name} {count} 股",
                  before=before)


def adjust_shares(session: Session, *, member_id: uuid.UUID, share_type_id: uuid.UUID, new_shares: object,
                  event_date: date, basis: str, user: UserRow) -> ShareEventRow:
    """决议调整: set a holding to ``new_shares`` by a resolution (the basis names it)."""
    _check_event_date(event_date)
    m = member_to_change(session, member_id, user)
    t = _share_type(session, share_type_id, m.organisation_id)
    count = parse_shares(new_shares, allow_zero=True)
    basis = _basis(basis)
    h = _holding(session, m, t)
    before = {"shares": str(h.shares)}
    delta = count - h.shares
    if delta == 0:
        raise ConflictError(f"{m.name} 的{t.name}已是 {count} 股", field="股数")
    h.shares = count
    return _event(session, kind="决议调整", org_id=m.organisation_id, t=t, on=event_date, shares=delta, basis=basis,
                  from_m=None, to_m=m, summary=f"决议调整：{m.name} {t.name} {before['shares']} → {count} 股",
                  before=before)


def list_holdings(session: Session, organisation_id: uuid.UUID, *, household_id: uuid.UUID | None = None,
                  include_zero: bool = False) -> list[HoldingRow]:
    """The 股份登记簿: one row per member holding shares, per type, in household order."""
    types = list_share_types(session, organisation_id)
    q = (select(Member.id, Member.household_id, Household.number, Household.group_name, Household.head_name,
                Member.name, Member.ric, Member.relation, Member.status, ShareHolding.share_type_id,
                ShareHolding.shares)
         .join(Household, Household.id == Member.household_id)
         .outerjoin(ShareHolding, (ShareHolding.member_id == Member.id) & ShareHolding.deleted.is_(False))
         .where(Member.organisation_id == organisation_id, Member.deleted.is_(False))
         .order_by(Household.group_name, Household.number, Member.relation != "户主", Member.birth_date))
    if household_id is not None:
        q = q.where(Member.household_id == household_id)
    rows: dict[uuid.UUID, list[Any]] = {}
    amounts: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = {}
    for r in session.execute(q):
        rows.setdefault(r[0], list(r[:9]))
        if r[9] is not None:
            amounts.setdefault(r[0], {})[r[9]] = as_shares(r[10])
    out = []
    for member_id, base in rows.items():
        per = amounts.get(member_id, {})
        by_type = tuple((t.name, per.get(t.id, ZERO)) for t in types)
        total = sum((v for _, v in by_type), ZERO)
        if total or include_zero:
            out.append(positional(HoldingRow)(*base[:9], by_type, total))
    return out


def share_history(session: Session, organisation_id: uuid.UUID, member_id: uuid.UUID | None = None) -> list[ShareEventRow]:
    """Share events, oldest first. For one member, an initial registration made in bulk (one
    event per share type for the whole batch) is shown as the member's own 初始登记 line, its
    count derived from the current holding and the member's later events."""
    giver, taker = Member.__table__.alias("giver"), Member.__table__.alias("taker")
    q = (select(ShareEvent.id, ShareEvent.kind, ShareEvent.event_date, ShareType.name, giver.c.name, taker.c.name,
                ShareEvent.shares, ShareEvent.basis)
         .join(ShareType, ShareType.id == ShareEvent.share_type_id)
         .outerjoin(giver, giver.c.id == ShareEvent.from_member_id)
         .outerjoin(taker, taker.c.id == ShareEvent.to_member_id)
         .where(ShareEvent.organisation_id == organisation_id, ShareEvent.deleted.is_(False))
         .order_by(ShareEvent.event_date, ShareEvent.updated_at))
    if member_id is None:
        return [ShareEventRow(*r) for r in session.execute(q)]
    rows = [ShareEventRow(*r) for r in session.execute(
        q.where((ShareEvent.from_member_id == member_id) | (ShareEvent.to_member_id == member_id)))]
    m = _member(session, member_id)
    net: dict[uuid.UUID, Decimal] = {}
    for type_id, from_id, count in session.execute(
            select(ShareEvent.share_type_id, ShareEvent.from_member_id, ShareEvent.shares)
            .where((ShareEvent.from_member_id == member_id) | (ShareEvent.to_member_id == member_id),
                   ShareEvent.deleted.is_(False))):
        net[type_id] = net.get(type_id, ZERO) + (-count if from_id == member_id else count)
    batch = {r[0]: r for r in session.execute(
        select(ShareEvent.share_type_id, ShareEvent.id, ShareEvent.event_date, ShareEvent.basis)
        .where(ShareEvent.organisation_id == organisation_id, ShareEvent.from_member_id.is_(None),
               ShareEvent.to_member_id.is_(None), ShareEvent.kind == "初始登记", ShareEvent.deleted.is_(False)))}
    derived = []
    for t in list_share_types(session, organisation_id):
        h = session.execute(select(ShareHolding.shares).where(
            ShareHolding.member_id == member_id, ShareHolding.share_type_id == t.id,
            ShareHolding.deleted.is_(False))).scalar() or ZERO
        initial = h - net.get(t.id, ZERO)
        if initial > 0 and t.id in batch:
            _, event_id, on, basis = batch[t.id]
            derived.append(ShareEventRow(event_id, "初始登记", on, t.name, None, m.name, initial, basis))
    return sorted(derived, key=lambda r: r.event_date) + rows


def household_certificate(session: Session, household_id: uuid.UUID) -> CertificateRow:
    """The data of a household's 股权证."""
    h = get_household(session, household_id)
    org_name = session.scalar(select(Organisation.name).where(Organisation.id == h.organisation_id)) or ""
    holders = tuple(list_holdings(session, h.organisation_id, household_id=household_id))
    names = tuple(t.name for t in list_share_types(session, h.organisation_id))
    return CertificateRow(h, org_name, holders, names, sum((x.total for x in holders), ZERO))
