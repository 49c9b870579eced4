"""Personal data on screen (issue #17): a member's 身份证号 is shown masked (first 6 + last 4, as on
the public board, ``ids.mask_ric``) in every list, and the full number only on demand, to the
keepers of the member register (``permissions.REVEAL_ID_NUMBER``), each showing audited: who saw
whose numbers, when (the audit entry's own time and actor). Beside a masked number a birth date
shows its year only (``shown_birth``).

Files follow the same rule (``id_rule``): an export made by a keeper carries full numbers and is
audited as a reveal naming how many people's numbers went to which file (``record_id_export``);
anyone else's export carries masked numbers and says so (``IdRule.note``). The 分红花名册 发放稿
is the one document whose purpose needs full numbers (signing for cash or a bank transfer,
REFERENCE §3.5: masked only on public copies): it too is full for keepers only, audited.

Searching by number works on the stored value without showing it (``ric_matches``,
``ric_search_keys``): a whole number or its last 6 (or the visible first 6 / last 4) finds the
member; fragments of the masked middle find nothing, so typing cannot probe hidden digits."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import Member, Organisation
from desktop_app.core.errors import NotFoundError
from desktop_app.core.ids import mask_ric
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_members import PlanRoster
from desktop_app.core.services.auth import acting_user, require_role
from desktop_app.core.services.permissions import REVEAL_ID_NUMBER

__all__ = [
    "MASKED_NOTE",
    "IdRule",
    "export_ids",
    "id_rule",
    "mask_phone",
    "mask_ric",
    "masked_note",
    "record_id_export",
    "reveal_id_numbers",
    "ric_matches",
    "ric_query_key",
    "ric_search_keys",
    "shown_birth",
    "shown_ric",
]

MASKED_NOTE = "身份证号已隐去中间八位（只显示前6位和后4位）"


@dataclass(frozen=True)
class IdRule:
    """How a file made for one user shows 身份证号: full (a keeper's, audited) or masked."""

    full: bool

    def show(self, ric: str | None) -> str:
        if not ric:
            return ""
        return ric if self.full else mask_ric(ric)

    def roster(self, roster: PlanRoster) -> PlanRoster:
        """The 分红花名册 with its members' numbers as this rule shows them (the PDF and the xlsx
        print what they are given; ``masked_note`` tells them to say so)."""
        if self.full:
            return roster
        return replace(roster, lines=tuple(replace(ln, ric=self.show(ln.ric)) for ln in roster.lines))

    @property
    def note(self) -> str:
        """The line a masked file carries in its header ("" when full)."""
        return "" if self.full else MASKED_NOTE


def masked_note(rics: Iterable[str]) -> str:
    """``MASKED_NOTE`` when the numbers a document prints were masked (``mask_ric``'s stars)."""
    return MASKED_NOTE if any("*" in (r or "") for r in rics) else ""


def id_rule(session: Session, organisation_id: uuid.UUID | None, *, user: UserRow | None) -> IdRule:
    """Full numbers for the keepers of the register (``REVEAL_ID_NUMBER``) of this organisation
    (None: every organisation the user may see); masked for everyone else and without a user."""
    if user is None:
        return IdRule(False)
    me = require_role(session, user, organisation_id=organisation_id)
    return IdRule(any(me.has_role(r) for r in REVEAL_ID_NUMBER))


def record_id_export(session: Session, organisation_id: uuid.UUID | None, rule: IdRule, *, user: UserRow | None,
                     document: str, count: int, path: object, subject: str = "成员") -> None:
    """The audit entry of a file that carries full 身份证号 (nothing for a masked one): who, which
    document, how many people's numbers, to which file."""
    if not rule.full or user is None:
        return
    acting_user(session, user)
    org = session.get(Organisation, organisation_id) if organisation_id is not None else None
    scope = org.name if org is not None else "全部组织"
    record_audit(session, AuditRecord(
        "reveal", "member" if subject == "成员" else "contract", None,
        f"导出完整身份证号（{document}）：{scope} {count} 名{subject}的身份证号 → {path}",
        None, {"organisation_id": str(organisation_id) if organisation_id else None, "document": document,
               "count": count, "file": str(path)}))


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


def export_ids(session: Session, organisation_id: uuid.UUID | None, *, user: UserRow | None, document: str,
               path: object, write: Callable[[IdRule], int], subject: str = "成员") -> IdRule:
    """Write a file by the rule: ``write(rule)`` writes it and returns how many people's full
    numbers it holds; a full file is then audited (``record_id_export``)."""
    rule = id_rule(session, organisation_id, user=user)
    count = write(rule)
    record_id_export(session, organisation_id, rule, user=user, document=document, count=count, path=path,
                     subject=subject)
    return rule


def _clean_query(text: str) -> str:
    return "".join(text.split()).upper()


def _looks_like_id(q: str) -> bool:
    return bool(q) and q[:-1].isdigit() and (q[-1].isdigit() or q[-1] == "X")


def ric_matches(query: str, ric: str) -> bool:
    """Whether a typed number finds this stored 身份证号: all 18 characters, the last 4 to 6, or
    the first 6 (shown anyway); never a fragment of the masked middle."""
    q = _clean_query(query)
    if not _looks_like_id(q) or not ric:
        return False
    if len(q) == 18:
        return q == ric.upper()
    return 4 <= len(q) <= 6 and (ric.upper().endswith(q) or ric.startswith(q))


def _key(text: str) -> str:
    # private-use characters: nothing typed in a search box is a fragment of a key
    return "".join(chr(0xE000 + b) for b in hashlib.blake2b(text.encode(), digest_size=8).digest())


def ric_search_keys(ric: str | None) -> str:
    """Hidden search text for a list row: keys of the whole number and of its last 6, which only
    ``ric_query_key`` of the same whole number or last 6 can find."""
    code = (ric or "").upper()
    return f"{_key(code)}\x00{_key(code[-6:])}" if len(code) == 18 else ""


def ric_query_key(text: str) -> str | None:
    """The key a typed whole number (18) or last 6 searches for (None: not such a query)."""
    q = _clean_query(text)
    return _key(q) if len(q) in (6, 18) and _looks_like_id(q) else None


def mask_phone(phone: str) -> str:
    """A person's phone as a list shows it to those who do not keep the register: a mobile as
    138****1234, any other number with its last 4 digits only."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:] if digits else phone
