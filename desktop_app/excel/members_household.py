"""The roster import's household rules (issue #15), split from ``import_members`` (DESIGN §9):
组别 belongs to the household, a household has one 户主, and a new member who died or moved out is
registered and then given that event."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from desktop_app.core.cellvalues import CellError
from desktop_app.excel.importers import Change, RowOutcome, shown

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.core.services.members_import import MemberUpdate, Registered

LEFT = {"迁出": "迁出", "死亡": "死亡", "丧失": "丧失"}  # a 状态 other than 在册 → the membership event that makes it


def households_regrouped(held: Mapping[str, Registered], groups: Mapping[uuid.UUID, Mapping[str, list[int]]],
               problems: list[tuple[int, str, str]], outcomes: list[RowOutcome]) -> dict[uuid.UUID, str]:
    """组别 is the household's: one change per household whose rows in the file all name the same new
    组别 (one outcome line, at its first row: "户 080401 组别：一组 → 三组（4人）"); rows of one
    household naming different 组别 are a problem at each of them."""
    out: dict[uuid.UUID, str] = {}
    if not groups:
        return out
    at = {o.row: i for i, o in enumerate(outcomes)}
    current: dict[uuid.UUID, tuple[str, str]] = {}
    people: Counter[uuid.UUID] = Counter()
    for reg in held.values():
        if reg.household_id in groups:
            current[reg.household_id] = (reg.household_number, reg.values["group_name"])
            people[reg.household_id] += reg.status == "在册"
    for hid, named in groups.items():
        number, old = current[hid]
        if len(named) > 1:
            said = "；".join(f"第{'、'.join(map(str, rows))}行为“{g}”" for g, rows in named.items())
            for rows in named.values():
                for row in rows:
                    problems.append((row, "group_name", f"户 {number} 的各行组别不一致（{said}）：组别属于整户，"
                                                        "请把本户各行的组别写成相同"))
            continue
        ((new, rows),) = named.items()
        if new != old:
            out[hid] = new
            line = RowOutcome(min(rows), number, f"户 {number}", "changed",
                              (Change("组别", shown(old), f"{shown(new)}（{people[hid]}人）"),))
            i = at.get(line.row)
            if i is not None and outcomes[i].status == "unchanged":  # the row's member is otherwise as registered
                outcomes[i] = line
            else:
                outcomes.append(line)
    return out


def record_leaving(session: Session, organisation_id: uuid.UUID, leaving: list[tuple[str, str, date]], *, basis: str,
           user: Any, today: date | None) -> None:
    from sqlalchemy import select

    from db.models import Member
    from desktop_app.core.services.members import record_membership_event

    rics = [ric for ric, _, _ in leaving]
    ids: dict[str, uuid.UUID] = {}
    for start in range(0, len(rics), 500):
        ids.update(session.execute(select(Member.ric, Member.id).where(
            Member.organisation_id == organisation_id, Member.deleted.is_(False),
            Member.ric.in_(rics[start:start + 500]))).all())
    for ric, kind, day in leaving:
        record_membership_event(session, ids[ric], kind=kind, event_date=day, basis=basis, user=user,
                                today=today)


def two_heads(held: Mapping[str, Registered], updates: list[MemberUpdate]) -> list[tuple[int, str, str]]:
    """更新已有 may make a member 户主 only where the household's head stops being one (in the same
    file): a household with two heads in the register afterwards is a problem at the new head's row."""
    changed = {u.member_id: u for u in updates if "relation" in u.changes}
    if not any(u.changes["relation"] == "户主" for u in changed.values()):
        return []
    heads: dict[uuid.UUID, list[tuple[str, uuid.UUID]]] = {}
    for reg in held.values():
        u = changed.get(reg.member_id)
        relation = u.changes["relation"] if u is not None else reg.values["relation"]
        if relation == "户主" and reg.status == "在册":
            heads.setdefault(reg.household_id, []).append((reg.values["name"], reg.member_id))
    out = []
    for u in changed.values():
        names = heads.get(u.household_id, [])
        if u.changes["relation"] == "户主" and len(names) > 1:
            others = "、".join(n for n, mid in names if mid != u.member_id)
            out.append((u.row, "relation", f"该户已有户主 {others}：一户只能有一名户主。请在同一文件中把原户主的"
                                           "与户主关系一并改为其他关系，或在成员页办理"))
    return out


def new_statuses(rows: Sequence[int], rics: list[str], statuses: list[str], lefts: list[Any], held: Mapping[str, Any],
              problems: list[tuple[int, str, str]], leaving: dict[int, tuple[str, str, date]]) -> None:
    """The 状态 and 迁出/死亡日期 of new rows (a registered row's are compared in ``check``): a member
    who died or moved out is registered and then given that event, on that date."""
    if set(statuses) <= {"", "在册"} and not any(lefts):
        return
    for row, ric, status, left in zip(rows, rics, statuses, lefts, strict=True):
        if ric in held:
            continue
        status = status.replace(" ", "")
        if type(left) is CellError:
            continue
        if status in ("", "在册"):
            if left is not None:
                problems.append((row, "left_on", f"填了迁出/死亡日期 {left.isoformat()}，但状态{'为“在册”' if status else '空白'}："
                                                 "请在“状态”列填写迁出、死亡或丧失，或删去该日期"))
            continue
        if status not in LEFT:
            problems.append((row, "status", f"状态“{status}”无法识别：应为在册、{'、'.join(LEFT)}之一"))
        elif left is None:
            problems.append((row, "left_on", f"状态为“{status}”的成员须填写迁出/死亡日期（如 2024-05-01）"))
        else:
            leaving[row] = (ric, LEFT[status], left)
