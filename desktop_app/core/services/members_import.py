"""Bulk member registration: validate → preview → apply, all or nothing (imports and demo data).

Validation collects every problem with its row and column in Chinese; ``apply`` refuses a
preview with errors, so nothing is written unless every row is right. Rows are written with
Core executemany (DESIGN §4) plus their change-log records, and one audit entry per import.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert, paused_gc
from db.models import Household, Member, Organisation, ShareEvent, ShareHolding
from db.types import uuid7, uuid7_hex_stream
from desktop_app.core.errors import NotFoundError, UserError, ValidationError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.members import MemberInput, member_checker
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.shares import (
    DEFAULT_SHARE_TYPES,
    ensure_default_share_types,
    list_share_types,
    parse_shares,
)

__all__ = [
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "MemberUpdate",
    "RawMember",
    "Registered",
    "RowProblem",
    "apply_member_import",
    "apply_member_updates",
    "free_household_numbers",
    "household_numbers",
    "registered_members",
    "validate_member_import",
    "validate_member_values",
]

ZERO = Decimal("0.0000")
CHUNK = 5000  # members written per bulk_insert round: memory stays flat for any file
_HOUSEHOLD = ("id", "number", "group_name", "head_name")
_MEMBER = ("id", "household_id", "name", "ric", "sex", "birth_date", "relation", "confirmed_on", "joined_on", "note")
_HOLDING = ("id", "member_id", "share_type_id", "shares")
_IDS, _MEMBER_IDS, _HOLDING_IDS = ("id",), ("id", "household_id"), ("id", "member_id", "share_type_id")  # given as hex


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One spreadsheet row: the member and shares per share-type name (raw cell values)."""

    row: int  # 1-based row number in the file
    member: MemberInput
    shares: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”：{self.message}"


class CheckedRow(NamedTuple):
    """One checked row: the member's fields (named as ``CheckedMember``'s) and the share counts
    by type name. A named tuple, immutable like a frozen dataclass: a 100,000-row file builds
    100,000 of them, and a tuple is built four times faster."""

    row: int
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
    shares: tuple[tuple[str, Decimal], ...]  # (share type name, count)

    @property
    def member(self) -> CheckedRow:
        """The member's fields (this row: it names them as ``CheckedMember`` does)."""
        return self


# One row as read: (row, 户号, 姓名, 身份证号, 与户主关系, 组别, 确认日期, 迁入日期, 备注, shares by type name),
# and what a reader adds after them (the xlsx importer: 状态, 迁出/死亡日期), which validation does not look at
RawMember = tuple[Any, ...]


@dataclass(frozen=True)
class ImportPreview:
    organisation_id: uuid.UUID
    rows: tuple[CheckedRow, ...]
    errors: tuple[RowProblem, ...]
    new_households: tuple[str, ...]
    members: int
    shares_total: Decimal

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    households: int
    members: int
    holdings: int
    shares_total: Decimal


def validate_member_import(session: Session, organisation_id: uuid.UUID, rows: Iterable[ImportRow], *,
                           today: date | None = None) -> ImportPreview:
    """Check every row (fields, duplicates in the file and in the organisation, one 户主 per new
    household, share counts by type); nothing is written. ``rows`` may be a generator."""
    return validate_member_values(session, organisation_id, (
        (r.row, m.household_number, m.name, m.ric, m.relation, m.group_name, m.confirmed_on, m.joined_on, m.note,
         r.shares) for r in rows for m in (r.member,)), today=today)


def validate_member_values(session: Session, organisation_id: uuid.UUID, rows: Iterable[RawMember], *,
                           today: date | None = None) -> ImportPreview:
    """``validate_member_import`` of rows as tuples (``RawMember``: what the xlsx reader streams).
    Each row is looked at once, against sets and dicts, so the cost per row does not grow with
    the file; the fields go through ``members.member_checker`` (``check_member_input``'s rules)."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.deleted:
        raise NotFoundError("找不到该组织", field="组织")
    types = {t.name for t in list_share_types(session, organisation_id)} or {n for _, n in DEFAULT_SHARE_TYPES}
    existing_rics = dict(session.execute(select(Member.ric, Member.name).where(
        Member.organisation_id == organisation_id, Member.deleted.is_(False))).all())
    existing_households = set(session.scalars(select(Household.number).where(
        Household.organisation_id == organisation_id, Household.deleted.is_(False))))
    existing_heads = set(session.scalars(select(Household.number).join(Member, Member.household_id == Household.id).where(
        Household.organisation_id == organisation_id, Member.relation == "户主", Member.status == "在册",
        Member.deleted.is_(False))))
    check = member_checker(today or date.today())
    errors: list[RowProblem] = []
    checked: list[CheckedRow] = []
    seen: dict[str, int] = {}
    heads: dict[str, int] = {}
    first_row: dict[str, int] = {}  # household number -> first row naming it
    parsed: dict[tuple[str, type, object], Decimal] = {}  # (type name, cell) -> count: a file repeats a few
    total = ZERO
    new_row = tuple.__new__
    for r in rows:
        row = r[0]
        try:
            c = check(*r[1:9])
        except ValidationError as e:
            errors.append(RowProblem(row, e.field or "", e.message))
            continue
        number, ric = c[0], c[3]
        if ric in existing_rics:
            errors.append(RowProblem(row, "身份证号", f"{ric} 已登记为本组织成员 {existing_rics[ric]}"))
        elif ric in seen:
            errors.append(RowProblem(row, "身份证号", f"{ric} 与第{seen[ric]}行重复"))
        else:
            seen[ric] = row
        if c[6] == "户主":
            if number in existing_heads:
                errors.append(RowProblem(row, "与户主关系", f"户号 {number} 已有户主"))
            elif number in heads:
                errors.append(RowProblem(row, "与户主关系", f"户号 {number} 已在第{heads[number]}行登记户主"))
            heads.setdefault(number, row)
        if number not in first_row:
            first_row[number] = row
        counts: list[tuple[str, Decimal]] = []
        for name, raw in r[9].items():
            key = (name, type(raw), raw)  # by type too: True == 1, but True is refused
            count = parsed.get(key)
            if count is None:
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    continue
                if name not in types:
                    errors.append(RowProblem(row, name, f"本组织没有股份类型“{name}”"))
                    continue
                try:
                    count = parsed[key] = parse_shares(raw, field=name, allow_zero=True, row=row)
                except ValidationError as e:
                    errors.append(RowProblem(row, name, e.message))
                    continue
                except (InvalidOperation, OverflowError):  # 1e300: too many digits to check exactly
                    errors.append(RowProblem(row, name, f"股数“{raw}”过大，不是合理的股数"))
                    continue
            if count:
                counts.append((name, count))
                total += count
        checked.append(new_row(CheckedRow, (row, *c, tuple(counts))))
    new_households = sorted(first_row.keys() - existing_households)
    errors.extend(RowProblem(first_row[number], "与户主关系", f"新户 {number} 没有登记户主")
                  for number in new_households if number not in heads)
    errors.sort(key=lambda e: e.row)
    return ImportPreview(organisation_id, tuple(checked), tuple(errors), tuple(new_households), len(checked), total)


def apply_member_import(session: Session, preview: ImportPreview, *, event_date: date, basis: str, user: UserRow,
                        progress: Progress | None = None) -> ImportResult:
    """Write a clean preview: households, members, holdings and one 初始登记 event per share type.
    A member's 确认 is ``member.confirmed_on`` and their initial registration is derived from the
    batch event (``member_history``/``share_history`` show both), not a row per member.

    Rows go to ``bulk_insert`` in chunks of ``CHUNK`` members (each chunk's new households first),
    so memory stays flat however long the file is; every step is a dict or set look-up.
    ``user`` must be one who enters the organisation's records (``require_role``: the import's
    audit entry names them)."""
    user = require_role(session, user, *ENTER_RECORDS, organisation_id=preview.organisation_id)
    if preview.errors:
        raise UserError(f"导入数据有 {len(preview.errors)} 处错误，未写入任何数据。第一处：{preview.errors[0]}")
    org_id = preview.organisation_id
    type_ids = {t.name: t.id for t in ensure_default_share_types(session, org_id, user=user)}
    # ids as their stored hex text (bulk_insert's ``stored``): made in bulk, no UUID object or .hex per cell
    type_hex = {name: type_id.hex for name, type_id in type_ids.items()}
    households = {number: hid.hex for number, hid in session.execute(select(Household.number, Household.id).where(
        Household.organisation_id == org_id, Household.deleted.is_(False)))}
    existing = set(households)
    heads = {c.household_number: c.name for c in preview.rows if c.relation == "户主"}
    tally: dict[str, list[Decimal]] = {name: [] for name in type_ids}  # the counts given per share type
    n_households = n_holdings = 0
    rows = preview.rows
    steps = (len(rows) + CHUNK - 1) // CHUNK + 1
    new_id = uuid7_hex_stream().__next__  # ids made thousands at a time
    same = {"organisation_id": org_id}  # converted once per chunk, not per row
    with paused_gc():  # no cycles among the rows; the collector would rescan them at every chunk
        for start in range(0, len(rows), CHUNK):
            if progress is not None:
                progress.report(start // CHUNK, steps, "正在写入成员数据")
            new_h: list[tuple[Any, ...]] = []
            members: list[tuple[Any, ...]] = []
            holdings: list[tuple[Any, ...]] = []
            add_member, add_holding = members.append, holdings.append
            for (_, number, group, name, ric, sex, birth, relation, confirmed, joined, note,
                 shares) in rows[start:start + CHUNK]:
                hid = households.get(number)
                if hid is None:
                    hid = households[number] = new_id()
                    new_h.append((hid, number, group, heads.get(number, "")))
                mid = new_id()
                add_member((mid, hid, name, ric, sex, birth, relation, confirmed or event_date, joined, note))
                for type_name, count in shares:
                    add_holding((new_id(), mid, type_hex[type_name], count))
                    tally[type_name].append(count)
            # tuples in these columns' order: 100,000s of rows build no dict each (bulk_insert)
            bulk_insert(session, Household, new_h, columns=_HOUSEHOLD, constants=same, stored=_IDS)
            bulk_insert(session, Member, members, columns=_MEMBER, constants={**same, "status": "在册"},
                        stored=_MEMBER_IDS)
            bulk_insert(session, ShareHolding, holdings, columns=_HOLDING, constants=same, stored=_HOLDING_IDS)
            n_households += len(new_h)
            n_holdings += len(holdings)
    # one 初始登记 event per share type for the whole batch; share_history derives each member's line
    bulk_insert(session, ShareEvent, [
        {"id": uuid7(), "organisation_id": org_id, "kind": "初始登记", "event_date": event_date,
         "share_type_id": type_ids[name], "from_member_id": None, "to_member_id": None,
         "shares": sum(counts, ZERO), "basis": f"{basis}（批量登记 {len(counts)} 人）"[:200]}
        for name, counts in tally.items() if counts])
    for number in heads.keys() & existing:  # existing households whose head came with this import
        h = session.get(Household, uuid.UUID(households[number]))
        if h is not None and not h.head_name:
            h.head_name = heads[number]
    result = ImportResult(n_households, len(rows), n_holdings, preview.shares_total)
    record_audit(session, AuditRecord("import", "member", str(org_id),
                                      f"批量登记成员 {result.members} 人、新户 {result.households} 户、"
                                      f"股份 {result.shares_total} 股（{basis}）", None,
                                      {"households": result.households, "members": result.members,
                                       "holdings": result.holdings, "shares": str(result.shares_total)}))
    if progress is not None:
        progress.report(steps, steps, "成员数据已写入")
    return result


# --- 更新已有 / 跳过已有 (issue #15): the registered members an import is compared with ------------


class Registered(NamedTuple):
    """A registered member as an import compares it (``values`` keyed as the import's fields:
    name, relation, group_name, note, confirmed_on, joined_on, left_on and ``share:<type name>``)."""

    member_id: uuid.UUID
    household_id: uuid.UUID
    household_number: str
    status: str
    values: dict[str, Any]


def registered_members(session: Session, organisation_id: uuid.UUID) -> dict[str, Registered]:
    """身份证号 → the member as registered, with its holdings by share type name (two queries)."""
    from db.models import ShareType

    out: dict[str, Registered] = {}
    by_id: dict[uuid.UUID, dict[str, Any]] = {}
    q = (select(Member.id, Member.household_id, Household.number, Member.status, Member.ric, Member.name,
                Member.relation, Household.group_name, Member.note, Member.confirmed_on, Member.joined_on,
                Member.left_on)
         .join(Household, Household.id == Member.household_id)
         .where(Member.organisation_id == organisation_id, Member.deleted.is_(False)))
    for mid, hid, number, status, ric, name, relation, group, note, confirmed, joined, left in session.execute(q):
        values = {"name": name, "relation": relation, "group_name": group or "", "note": note,
                  "confirmed_on": confirmed, "joined_on": joined, "left_on": left}
        out[ric] = Registered(mid, hid, number, status, values)
        by_id[mid] = values
    q2 = (select(ShareHolding.member_id, ShareType.name, ShareHolding.shares)
          .join(ShareType, ShareType.id == ShareHolding.share_type_id)
          .where(ShareHolding.organisation_id == organisation_id, ShareHolding.deleted.is_(False)))
    for mid, type_name, shares in session.execute(q2):
        if mid in by_id:
            by_id[mid][f"share:{type_name}"] = Decimal(shares).quantize(Decimal("0.0001"))
    return out


def household_numbers(session: Session, organisation_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(Household.number).where(Household.organisation_id == organisation_id)))


def free_household_numbers(taken: set[str]) -> Iterator[str]:
    """New 户号 that collide with none in ``taken`` (which grows as they are handed out): after the
    largest numeric one, zero-padded to the width the numeric ones have (3 when there are none)."""
    numeric = [n for n in taken if n.isdigit()]
    width = max((len(n) for n in numeric), default=3)
    i = max((int(n) for n in numeric), default=0)
    while True:
        i += 1
        number = str(i).zfill(width)
        if number not in taken:
            taken.add(number)
            yield number


@dataclass(frozen=True)
class MemberUpdate:
    """One registered member's changed fields (only those), as 更新已有 writes them."""

    row: int
    member_id: uuid.UUID
    household_id: uuid.UUID
    changes: Mapping[str, Any]  # name, relation, note, group_name, confirmed_on, joined_on, share:<type name>


def apply_member_updates(session: Session, organisation_id: uuid.UUID, updates: Iterable[MemberUpdate], *,
                         event_date: date, basis: str, user: UserRow, today: date | None = None,
                         groups: Mapping[uuid.UUID, str] | None = None) -> int:
    """Write 更新已有's changes through the services a form edit calls, so each is checked and
    audited like one: ``members.update_member`` (姓名, 与户主关系, 备注), ``members.update_household``
    (组别, once per household), ``members.record_membership_event`` (确认日期: a 确认 with ``basis``),
    ``shares.adjust_shares`` (股数 per type: a 决议调整 with ``basis``). 迁入日期 has no form of its
    own for a member in the register: it is set here with the same audit record as a form edit.
    ``groups``: households whose 组别 the file changes (household → new 组别), each once through
    ``members.update_household``. ``user`` is checked once here (``require_role``, the
    organisation's record keepers) and again by each service it is handed to. Returns the
    members changed."""
    from db.images import row_image
    from desktop_app.core.services.members import record_membership_event, update_household, update_member
    from desktop_app.core.services.shares import adjust_shares

    user = require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    type_ids = {t.name: t.id for t in ensure_default_share_types(session, organisation_id, user=user)}
    groups_done: set[uuid.UUID] = set()
    for household_id, group_name in (groups or {}).items():
        groups_done.add(household_id)
        update_household(session, household_id, group_name=group_name, user=user)
    n = 0
    for u in updates:
        c = u.changes
        fields = {k: c[k] for k in ("name", "relation", "note") if k in c}
        if fields:
            update_member(session, u.member_id, **fields, today=today, user=user)
        if "group_name" in c and u.household_id not in groups_done:
            groups_done.add(u.household_id)
            update_household(session, u.household_id, group_name=c["group_name"], user=user)
        if "confirmed_on" in c:
            record_membership_event(session, u.member_id, kind="确认", event_date=c["confirmed_on"], basis=basis,
                                    today=today, user=user)
        if "joined_on" in c:
            m = session.get(Member, u.member_id)
            if m is None or m.deleted or m.organisation_id != organisation_id:
                raise NotFoundError("找不到该成员", field="成员", row=u.row)
            before = row_image(m)
            m.joined_on = c["joined_on"]
            session.flush()
            record_audit(session, AuditRecord("update", "member", str(m.id), f"修改成员 {m.name} 迁入日期（{basis}）",
                                              before, row_image(m)))
        for key, value in c.items():
            if key.startswith("share:"):
                adjust_shares(session, member_id=u.member_id, share_type_id=type_ids[key[6:]], new_shares=value,
                              event_date=event_date, basis=basis, user=user)
        n += 1
    return n
