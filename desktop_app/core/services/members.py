"""成员名册: households (户) and members, their status history, search and duplicate IDs.

Every refusal is a ``UserError`` in Chinese naming the field, raised before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Household, Member, MembershipEvent, Organisation, ShareHolding
from db.types import Mu4
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.ids import validate_ric
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_members import DuplicateRicRow, HouseholdRow, MemberRow, MembershipEventRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.personal_data import ric_matches
from desktop_app.core.textsearch import matches
from desktop_app.core.validate import clean_text

__all__ = [
    "RELATIONS", "MemberInput", "add_member", "check_member_input", "create_household",
    "find_duplicate_rics", "get_household", "get_member", "list_households", "list_members",
    "member_checker", "member_export_rows", "member_history", "member_to_change", "record_membership_event", "update_household", "update_member",
]

RELATIONS = ("户主", "配偶", "子", "女", "儿媳", "女婿", "孙子", "孙女", "父亲", "母亲", "兄弟", "姐妹", "其他")
# event kind -> status after it
EVENT_STATUS = {"确认": "在册", "迁入": "在册", "恢复": "在册", "迁出": "迁出", "死亡": "死亡", "丧失": "丧失"}
ZERO_SHARES = Decimal("0.0000")


def positional(cls: type) -> Any:
    """A row class called with SQL tuple values by position (mypy cannot count them)."""
    return cls


def _text(value: Any, field: str, *, required: bool = True, max_len: int = 50) -> str | None:
    return clean_text(value, field, max_len, required=required)


@dataclass(frozen=True)
class MemberInput:
    """One member as typed (or read from a spreadsheet row)."""

    household_number: str
    name: str
    ric: str
    relation: str
    group_name: str = ""
    confirmed_on: date | None = None
    joined_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class CheckedMember:
    household_number: str
    group_name: str
    name: str
    ric: str
    sex: str
    birth_date: date
    relation: str
    confirmed_on: date | None
    joined_on: date | None
    note: str | None


def check_member_input(m: MemberInput, *, today: date | None = None) -> CheckedMember:
    """Validate one member's fields (no database): name, 身份证号 (check digit, birth date not in
    the future), relation, dates. Raises ``ValidationError`` naming the field."""
    today = today or date.today()
    name = _text(m.name, "姓名") or ""
    ric = validate_ric(m.ric or "", field="身份证号", today=today)
    relation = _text(m.relation, "与户主关系", max_len=10) or ""
    if relation not in RELATIONS:
        raise ValidationError(f"与户主关系“{relation}”无效，应为：{'、'.join(RELATIONS)}", field="与户主关系")
    number = _text(m.household_number, "户号", max_len=20) or ""
    birth = date(int(ric[6:10]), int(ric[10:12]), int(ric[12:14]))  # validated above
    confirmed, joined = (d.date() if isinstance(d, datetime) else d for d in (m.confirmed_on, m.joined_on))
    for label, d in (("确认日期", confirmed), ("迁入日期", joined)):
        if d is not None and (d > today or d < birth):
            raise ValidationError(f"{label}应在出生日期之后、今天之前", field=label)
    return CheckedMember(number, _text(m.group_name, "组别", required=False, max_len=30) or "", name, ric,
                         "男" if int(ric[14:17]) % 2 else "女", birth, relation, confirmed, joined,
                         _text(m.note, "备注", required=False, max_len=200))


_RELATIONS = frozenset(RELATIONS)
_EARLIEST_BIRTH = date(1900, 1, 1)  # ids.validate_ric's bound
CheckedFields = tuple[str, str, str, str, str, date, str, date | None, date | None, str | None]


def member_checker(today: date) -> Callable[[Any, Any, Any, Any, Any, Any, Any, Any], CheckedFields]:
    """``check_member_input`` for many rows (an import): ``check(number, name, ric, relation, group,
    confirmed_on, joined_on, note)`` returns a ``CheckedMember``'s fields as a tuple, in its order.

    A row already clean — texts stripped, non-empty where required and within their lengths, an
    18-character 身份证号 of ASCII digits whose check character python-stdnum computes the same, a
    birth date from 1900 to ``today``, a known relation, dates between birth and ``today`` — is
    accepted here without building objects; any other row goes to ``check_member_input``, which
    has the last word and the message. Birth dates are remembered by their 8 digits (a file
    repeats them)."""
    from stdnum.cn.ric import calc_check_digit  # here: stdnum pulls in pydoc (off the start-up path)

    births: dict[str, date | None] = {}

    def birth_of(digits: str) -> date | None:
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            born = None
        births[digits] = born = born if born is not None and _EARLIEST_BIRTH <= born <= today else None
        return born

    def slow(*values: Any) -> CheckedFields:
        c = check_member_input(MemberInput(*values), today=today)
        return (c.household_number, c.group_name, c.name, c.ric, c.sex, c.birth_date, c.relation, c.confirmed_on,
                c.joined_on, c.note)

    def check(number: Any, name: Any, ric: Any, relation: Any, group: Any, confirmed: Any, joined: Any,
              note: Any) -> CheckedFields:
        if not (type(ric) is str and len(ric) == 18 and ric.isascii() and ric[:17].isdigit()
                and ric[17] in "0123456789X" and calc_check_digit(ric) == ric[17]
                and type(name) is str and type(relation) is str and type(number) is str and type(group) is str):
            return slow(number, name, ric, relation, group, confirmed, joined, note)
        digits = ric[6:14]
        born = births[digits] if digits in births else birth_of(digits)
        name_t, relation_t, number_t, group_t = name.strip(), relation.strip(), number.strip(), group.strip()
        if note is not None:
            if type(note) is not str:
                return slow(number, name, ric, relation, group, confirmed, joined, note)
            note = note.strip() or None
        if (born is None or not name_t or len(name_t) > 50 or relation_t not in _RELATIONS or not number_t
                or len(number_t) > 20 or len(group_t) > 30 or (note is not None and len(note) > 200)
                or (confirmed is not None and not (type(confirmed) is date and born <= confirmed <= today))
                or (joined is not None and not (type(joined) is date and born <= joined <= today))):
            return slow(number, name, ric, relation, group, confirmed, joined, note)
        return (number_t, group_t, name_t, ric, "男" if ric[16] in "13579" else "女", born, relation_t, confirmed,
                joined, note)

    return check


def _org(session: Session, organisation_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None or org.deleted:
        raise NotFoundError("找不到该组织", field="组织")
    return org


def _household_query() -> Any:
    n_members = (select(func.count()).where(Member.household_id == Household.id, Member.deleted.is_(False),
                                            Member.status == "在册").correlate(Household).scalar_subquery())
    n_shares = (select(share_sum(ShareHolding.shares))
                .join(Member, Member.id == ShareHolding.member_id)
                .where(Member.household_id == Household.id, ShareHolding.deleted.is_(False))
                .correlate(Household).scalar_subquery())
    return select(Household.id, Household.organisation_id, Household.number, Household.group_name,
                  Household.head_name, Household.address, Household.phone, Household.certificate_no,
                  Household.bank_tail, n_members, n_shares).where(Household.deleted.is_(False))


def share_sum(column: Any) -> Any:
    """SUM of a share column read back as Mu4 (0.0000 when there is nothing to add)."""
    return type_coerce(func.coalesce(func.sum(column), 0), Mu4())


def as_shares(value: Decimal) -> Decimal:
    """A share count with its four places (sums are typed in SQL by ``share_sum``)."""
    return value.quantize(ZERO_SHARES)


def _household_row(r: Any) -> HouseholdRow:
    return cast(HouseholdRow, positional(HouseholdRow)(*r[:10], as_shares(r[10])))


def list_households(session: Session, organisation_id: uuid.UUID, *, text: str | None = None) -> list[HouseholdRow]:
    rows = session.execute(_household_query().where(Household.organisation_id == organisation_id)
                           .order_by(Household.group_name, Household.number))
    out = [_household_row(r) for r in rows]
    if text:
        out = [h for h in out if matches(text, h.number, h.head_name, h.group_name)]
    return out


def get_household(session: Session, household_id: uuid.UUID) -> HouseholdRow:
    r = session.execute(_household_query().where(Household.id == household_id)).first()
    if r is None:
        raise NotFoundError("找不到该户", field="户")
    return _household_row(r)


def create_household(session: Session, *, organisation_id: uuid.UUID, number: str, user: UserRow,
                     group_name: str = "", address: str | None = None, phone: str | None = None,
                     certificate_no: str | None = None, bank_tail: str | None = None,
                     note: str | None = None) -> HouseholdRow:
    _org(session, organisation_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    number = _text(number, "户号", max_len=20) or ""
    if session.scalar(select(Household.id).where(Household.organisation_id == organisation_id,
                                                 Household.number == number)):
        raise ConflictError(f"户号 {number} 已存在", field="户号")
    tail = _text(bank_tail, "银行卡尾号", required=False, max_len=8)
    if tail is not None and not tail.isdigit():
        raise ValidationError("银行卡尾号只能是数字", field="银行卡尾号")
    h = Household(organisation_id=organisation_id, number=number,
                  group_name=_text(group_name, "组别", required=False, max_len=30) or "", head_name="",
                  address=_text(address, "地址", required=False, max_len=200),
                  phone=_text(phone, "电话", required=False, max_len=30),
                  certificate_no=_text(certificate_no, "股权证号", required=False, max_len=30),
                  bank_tail=tail, note=_text(note, "备注", required=False, max_len=200))
    session.add(h)
    session.flush()
    record_audit(session, AuditRecord("create", "household", str(h.id), f"新增户 {number}", None, row_image(h)))
    return get_household(session, h.id)


def update_household(session: Session, household_id: uuid.UUID, *, user: UserRow, **values: Any) -> HouseholdRow:
    """Fields: group_name, address, phone, certificate_no, bank_tail, note (户号 is not editable)."""
    h = session.get(Household, household_id)
    if h is None or h.deleted:
        raise NotFoundError("找不到该户", field="户")
    require_role(session, user, *ENTER_RECORDS, organisation_id=h.organisation_id)
    allowed = {"group_name": ("组别", 30), "address": ("地址", 200), "phone": ("电话", 30),
               "certificate_no": ("股权证号", 30), "bank_tail": ("银行卡尾号", 8), "note": ("备注", 200)}
    before = row_image(h)
    for key, value in values.items():
        if key not in allowed:
            raise ValidationError(f"不能修改字段 {key}", field=key)
        label, limit = allowed[key]
        text = _text(value, label, required=False, max_len=limit)
        if key == "bank_tail" and text is not None and not text.isdigit():
            raise ValidationError("银行卡尾号只能是数字", field=label)
        setattr(h, key, text if text is not None or key != "group_name" else "")
    session.flush()
    if row_image(h) != before:
        record_audit(session, AuditRecord("update", "household", str(h.id), f"修改户 {h.number}", before, row_image(h)))
    return get_household(session, h.id)


def _ensure_unique_ric(session: Session, organisation_id: uuid.UUID, ric: str, member_id: uuid.UUID | None) -> None:
    clash = session.execute(select(Member.id, Member.name, Household.number)
                            .join(Household, Household.id == Member.household_id)
                            .where(Member.organisation_id == organisation_id, Member.ric == ric,
                                   Member.deleted.is_(False))).first()
    if clash is not None and clash[0] != member_id:
        raise ConflictError(f"身份证号 {ric} 已登记为 {clash[2]} 户的成员 {clash[1]}，同一组织内不能重复",
                            field="身份证号")


def _sync_head(session: Session, household_id: uuid.UUID) -> None:
    h = session.get(Household, household_id)
    assert h is not None
    head = session.scalar(select(Member.name).where(Member.household_id == household_id, Member.relation == "户主",
                                                    Member.deleted.is_(False)).order_by(Member.status != "在册"))
    if head is not None and h.head_name != head:
        h.head_name = head


def add_member(session: Session, *, organisation_id: uuid.UUID, household_id: uuid.UUID, name: str, ric: str,
               relation: str, user: UserRow, confirmed_on: date | None = None, joined_on: date | None = None,
               note: str | None = None, today: date | None = None) -> MemberRow:
    """Add a member to a household; records a 确认 (or 迁入) event."""
    h = session.get(Household, household_id)
    if h is None or h.deleted or h.organisation_id != organisation_id:
        raise NotFoundError("找不到该户", field="户号")
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    c = check_member_input(MemberInput(h.number, name, ric, relation, h.group_name, confirmed_on, joined_on, note),
                           today=today)
    _ensure_unique_ric(session, organisation_id, c.ric, None)
    if c.relation == "户主" and session.scalar(select(Member.id).where(
            Member.household_id == household_id, Member.relation == "户主", Member.deleted.is_(False),
            Member.status == "在册")):
        raise ConflictError(f"{h.number} 户已有户主", field="与户主关系")
    m = Member(organisation_id=organisation_id, household_id=household_id, name=c.name, ric=c.ric, sex=c.sex,
               birth_date=c.birth_date, relation=c.relation, status="在册", confirmed_on=c.confirmed_on,
               joined_on=c.joined_on, note=c.note)
    session.add(m)
    session.flush()
    kind, on = ("迁入", c.joined_on) if c.joined_on else ("确认", c.confirmed_on or today or date.today())
    session.add(MembershipEvent(organisation_id=organisation_id, member_id=m.id, kind=kind, event_date=on,
                                basis="登记入册", status_after="在册"))
    _sync_head(session, household_id)
    session.flush()
    record_audit(session, AuditRecord("create", "member", str(m.id), f"新增成员 {c.name}（{h.number} 户）",
                                      None, row_image(m)))
    return get_member(session, m.id)


def update_member(session: Session, member_id: uuid.UUID, *, name: str | None = None, ric: str | None = None,
                  relation: str | None = None, note: str | None = None, today: date | None = None,
                  user: UserRow) -> MemberRow:
    m = member_to_change(session, member_id, user)
    h = session.get(Household, m.household_id)
    assert h is not None
    c = check_member_input(MemberInput(h.number, name if name is not None else m.name, ric or m.ric,
                                       relation or m.relation, h.group_name, m.confirmed_on, m.joined_on,
                                       note if note is not None else m.note), today=today)
    _ensure_unique_ric(session, m.organisation_id, c.ric, m.id)
    before = row_image(m)
    m.name, m.ric, m.sex, m.birth_date, m.relation, m.note = c.name, c.ric, c.sex, c.birth_date, c.relation, c.note
    _sync_head(session, h.id)
    session.flush()
    if row_image(m) != before:
        record_audit(session, AuditRecord("update", "member", str(m.id), f"修改成员 {m.name}", before, row_image(m)))
    return get_member(session, m.id)


def member_to_change(session: Session, member_id: uuid.UUID, user: UserRow, field: str = "成员") -> Member:
    """The member, once ``user`` may change its organisation's register."""
    m = session.get(Member, member_id)
    if m is None or m.deleted:
        raise NotFoundError("找不到该成员", field=field)
    require_role(session, user, *ENTER_RECORDS, organisation_id=m.organisation_id)
    return m


def record_membership_event(session: Session, member_id: uuid.UUID, *, kind: str, event_date: date,
                            basis: str, user: UserRow, today: date | None = None) -> MemberRow:
    """确认 / 迁入 / 迁出 / 死亡 / 丧失 / 恢复, with its basis (决议、证明); keeps the history."""
    m = member_to_change(session, member_id, user)
    if kind not in EVENT_STATUS:
        raise ValidationError(f"变动类型应为：{'、'.join(EVENT_STATUS)}", field="变动类型")
    if not isinstance(event_date, date) or event_date > (today or date.today()) or event_date < m.birth_date:
        raise ValidationError("变动日期应在出生日期之后、今天之前", field="变动日期")
    basis_text = _text(basis, "依据", max_len=200) or ""
    after = EVENT_STATUS[kind]
    if m.status == "死亡" and kind != "恢复":
        raise ConflictError(f"{m.name} 已登记死亡，不能再办理“{kind}”", field="变动类型")
    if after == m.status and kind not in ("确认",):
        raise ConflictError(f"{m.name} 当前状态已是“{m.status}”", field="变动类型")
    before = row_image(m)
    m.status = after
    if after == "在册":
        m.left_on = None
        if kind == "迁入":
            m.joined_on = event_date
        if kind == "确认":
            m.confirmed_on = event_date
    else:
        m.left_on = event_date
    session.add(MembershipEvent(organisation_id=m.organisation_id, member_id=m.id, kind=kind, event_date=event_date,
                                basis=basis_text, status_after=after))
    session.flush()
    record_audit(session, AuditRecord("update", "member", str(m.id), f"成员 {m.name} {kind}（{basis_text}）",
                                      before, row_image(m)))
    return get_member(session, m.id)


def member_history(session: Session, member_id: uuid.UUID) -> list[MembershipEventRow]:
    """Status history, oldest first. A member registered in bulk (import, demo) has no event row
    for the initial 确认: it is shown from ``confirmed_on``."""
    rows = [MembershipEventRow(*r) for r in session.execute(
        select(MembershipEvent.id, MembershipEvent.member_id, MembershipEvent.kind, MembershipEvent.event_date,
               MembershipEvent.basis, MembershipEvent.status_after)
        .where(MembershipEvent.member_id == member_id, MembershipEvent.deleted.is_(False))
        .order_by(MembershipEvent.event_date, MembershipEvent.updated_at))]
    if not any(r.kind in ("确认", "迁入") for r in rows):
        m = session.get(Member, member_id)
        if m is not None and m.confirmed_on is not None:
            rows.insert(0, MembershipEventRow(m.id, m.id, "确认", m.confirmed_on, "批量登记入册", "在册"))
    return rows


def _member_query() -> Any:
    shares = (select(share_sum(ShareHolding.shares))
              .where(ShareHolding.member_id == Member.id, ShareHolding.deleted.is_(False))
              .correlate(Member).scalar_subquery())
    return (select(Member.id, Member.organisation_id, Member.household_id, Household.number, Household.group_name,
                   Household.head_name, Member.name, Member.ric, Member.sex, Member.birth_date, Member.relation,
                   Member.status, Member.confirmed_on, Member.joined_on, Member.left_on, Member.note, shares)
            .join(Household, Household.id == Member.household_id).where(Member.deleted.is_(False)))


def _member_row(r: Any) -> MemberRow:
    return cast(MemberRow, positional(MemberRow)(*r[:16], as_shares(r[16])))


def get_member(session: Session, member_id: uuid.UUID) -> MemberRow:
    r = session.execute(_member_query().where(Member.id == member_id)).first()
    if r is None:
        raise NotFoundError("找不到该成员", field="成员")
    return _member_row(r)


def list_members(session: Session, organisation_id: uuid.UUID, *, text: str | None = None,
                 household_id: uuid.UUID | None = None, statuses: Sequence[str] | None = None) -> list[MemberRow]:
    """成员名册 in household order. ``text`` matches name (also pinyin or its initials), 身份证号,
    or 户号 (exact)."""
    q = _member_query().where(Member.organisation_id == organisation_id)
    if household_id is not None:
        q = q.where(Member.household_id == household_id)
    if statuses:
        q = q.where(Member.status.in_(list(statuses)))
    q = q.order_by(Household.group_name, Household.number, Member.relation != "户主", Member.birth_date)
    rows = [_member_row(r) for r in session.execute(q)]
    query = (text or "").strip()
    if query:
        upper = query.upper()
        if upper.replace("X", "").isdigit() and len(upper) >= 4:  # personal_data's rule: no probing the middle
            rows = [r for r in rows if ric_matches(upper, r.ric) or r.household_number == query]
        else:
            rows = [r for r in rows if r.household_number == query or matches(query, r.name)]
    return rows


def member_export_rows(session: Session, organisation_id: uuid.UUID,
                       share_type_ids: Sequence[uuid.UUID]) -> Iterator[tuple[Any, ...]]:
    """成员名册 for export, streamed in ``list_members``' order (ties by member): 户号, 组别, 户主, 姓名,
    身份证号, 性别, 出生日期, 与户主关系, 状态, 确认日期, 迁入日期, 迁出/死亡日期, the shares of each
    type in ``share_type_ids``, 合计股数, 备注 (text, "" when none). One grouped query over the
    holdings (no query per member), read in batches: memory does not grow with the roster."""
    per_type = [share_sum(case((ShareHolding.share_type_id == t, ShareHolding.shares))) for t in share_type_ids]
    q = (select(Household.number, Household.group_name, Household.head_name, Member.name, Member.ric, Member.sex,
                Member.birth_date, Member.relation, Member.status, Member.confirmed_on, Member.joined_on,
                Member.left_on, *per_type, share_sum(ShareHolding.shares), Member.note)
         .join(Household, Household.id == Member.household_id)
         .outerjoin(ShareHolding, (ShareHolding.member_id == Member.id) & ShareHolding.deleted.is_(False))
         .where(Member.organisation_id == organisation_id, Member.deleted.is_(False))
         .group_by(Member.id)
         .order_by(Household.group_name, Household.number, Member.relation != "户主", Member.birth_date, Member.id)
         .execution_options(yield_per=2000))
    first_share, note = 12, 13 + len(share_type_ids)
    for r in session.execute(q):
        yield (*r[:first_share], *r[first_share:note], r[note] or "")  # share sums typed Mu4 in SQL


def find_duplicate_rics(session: Session, organisation_id: uuid.UUID | None = None) -> list[DuplicateRicRow]:
    """身份证号 registered more than once: within one organisation, or (``None``) across all of them
    (the district's check)."""
    dup = select(Member.ric).where(Member.deleted.is_(False)).group_by(Member.ric).having(func.count() > 1)
    if organisation_id is not None:
        dup = (select(Member.ric).where(Member.deleted.is_(False), Member.organisation_id == organisation_id)
               .group_by(Member.ric).having(func.count() > 1))
    q = (select(Member.ric, Organisation.name, Household.number, Member.name)
         .join(Household, Household.id == Member.household_id)
         .join(Organisation, Organisation.id == Member.organisation_id)
         .where(Member.deleted.is_(False), Member.ric.in_(dup)).order_by(Member.ric, Organisation.name))
    if organisation_id is not None:
        q = q.where(Member.organisation_id == organisation_id)
    found: dict[str, list[tuple[str, str, str]]] = {}
    for ric, org, number, name in session.execute(q):
        found.setdefault(ric, []).append((org, number, name))
    return [DuplicateRicRow(ric, tuple(v)) for ric, v in found.items()]
