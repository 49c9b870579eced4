"""Where each organisation sits for the district's reports: its township (the parent 乡镇 region)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db.models import Organisation, Region

VILLAGE_LEVEL = "村"


@dataclass(frozen=True)
class Village:
    """An organisation as the district lists it (a 村 usually; a 组 or the 乡镇's own in oversight)."""

    organisation_id: uuid.UUID
    name: str
    uscc: str
    region_code: str
    township: str  # the 乡镇 region's name
    township_code: str  # its 12-digit code
    level: str = VILLAGE_LEVEL


_PARENT = aliased(Region)
_PLACES = (select(Organisation.id, Organisation.name, Organisation.uscc, Organisation.level, Region.code, Region.name,
                  Region.level, _PARENT.name, _PARENT.code)
           .join(Region, Region.id == Organisation.region_id)
           .outerjoin(_PARENT, _PARENT.id == Region.parent_id)
           .where(Organisation.deleted.is_(False))
           .order_by(Region.code, Organisation.uscc))


def places(session: Session) -> list[Village]:
    """Every organisation with its township, in region-code order: a 乡镇 organisation is its own
    township; a region without a parent row takes the township code from its first 9 digits."""
    out = []
    for oid, name, uscc, level, code, rname, rlevel, pname, pcode in session.execute(_PLACES):
        if rlevel == "乡镇":
            town, town_code = rname, code
        else:
            town, town_code = pname or "", pcode or (code[:9] + "000")
        out.append(Village(oid, name, uscc, code, town, town_code, level))
    return out


def villages(session: Session) -> list[Village]:
    """Every village collective (organisation level 村), in region-code order."""
    return [p for p in places(session) if p.level == VILLAGE_LEVEL]
