"""Personal data on screen (issue #17): a member's 身份证号 is shown masked (first 6 + last 4, as on
the public board, ``ids.mask_ric``) in every list, and the full number only on demand, to the
keepers of the member register (``permissions.REVEAL_ID_NUMBER``), each showing audited: who saw
whose numbers, when (the audit entry's own time and actor). Beside a masked number a birth date
shows its year only (``shown_birth``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import Member, Organisation
from desktop_app.core.errors import NotFoundError
from desktop_app.core.ids import mask_ric
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.permissions import REVEAL_ID_NUMBER

__all__ = ["mask_ric", "reveal_id_numbers", "shown_birth", "shown_ric"]


def shown_ric(ric: str | None, revealed: dict[uuid.UUID, str], member_id: uuid.UUID | None) -> str:
    """What a list shows for one member: the number revealed to this user, else the masked one."""
    if member_id is not None and member_id in revealed:
        return revealed[member_id]
    return mask_ric(ric) if ric else ""


def shown_birth(birth: date | None, revealed: bool) -> str:
    """A birth date beside a masked 身份证号 shows its year only: the eight masked digits are the
    birth date, so the full date beside first 6 + last 4 would give the whole number back."""
    if birth is None:
        return ""
    return birth.isoformat() if revealed else f"{birth.year}年"


def reveal_id_numbers(session: Session, organisation_id: uuid.UUID, *, user: UserRow,
                      member_ids: Sequence[uuid.UUID] | None = None, where: str = "成员名册") -> dict[uuid.UUID, str]:
    """The full 身份证号 of the organisation's members (``member_ids``: only those; None: all of
    its register), for ``user`` to see on ``where``; one audit entry names the members."""
    require_role(session, user, *REVEAL_ID_NUMBER, organisation_id=organisation_id)
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError("组织不存在")
    query = select(Member.id, Member.name, Member.ric).where(
        Member.organisation_id == organisation_id, Member.deleted.is_(False))
    if member_ids is not None:
        query = query.where(Member.id.in_(list(member_ids)))
    found = session.execute(query.order_by(Member.name)).all()
    if member_ids is not None and len(found) != len(set(member_ids)):
        raise NotFoundError("所选成员不在本组织的名册中")
    names = [name for _id, name, _ric in found]
    shown = "、".join(names[:5]) + (f"等 {len(names)} 人" if len(names) > 5 else "")
    record_audit(session, AuditRecord(
        "reveal", "member", str(found[0][0]) if len(found) == 1 else None,
        f"显示身份证号（{where}）：{org.name} {shown or '无成员'}",
        None, {"organisation_id": str(organisation_id), "where": where,
               "members": sorted(str(mid) for mid, _n, _r in found)}))
    return {mid: ric for mid, _name, ric in found}
