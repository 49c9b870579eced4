"""Starting from nothing (issue #15): an organisation with its 区划 and its first book in one step.

The command line (``org add``) and the 组织与账套 import both call ``setup_organisation``; it adds
what the 组织与账套 page's forms add (``orgs.create_region``, ``create_organisation``,
``create_book``), so the codes are checked by the same rules (USCC check character and N1/N2/N3
prefix, 12-digit 区划代码 of the right level). What a village's list usually leaves out is filled
in the way a person would: the level from the USCC's prefix, the book's kind from the
organisation's name, a missing village 区划 added under the organisation's name.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Region
from desktop_app.core.errors import ValidationError
from desktop_app.core.ids import ORG_USCC_PREFIX, region_level, region_parent, validate_region_code
from desktop_app.core.rows import BookRow, OrgRow, UserRow
from desktop_app.core.services import orgs
from desktop_app.core.validate import clean_text

__all__ = [
    "OrgSetup",
    "add_book",
    "book_kind_for",
    "default_start_period",
    "ensure_region",
    "org_level",
    "region_name_for",
    "setup_organisation",
]

_LEVEL_WORDS = {"组": "组", "组级": "组", "村民小组": "组", "小组": "组", "村": "村", "村级": "村",
                "乡镇": "乡镇", "乡镇级": "乡镇", "乡": "乡镇", "镇": "乡镇", "街道": "乡镇", "乡级": "乡镇", "镇级": "乡镇"}
_SUFFIXES = ("股份经济合作联合社", "股份经济联合社", "经济联合社", "股份经济合作社", "经济合作社", "集体经济组织")


def org_level(text: str | None, uscc: str | None = None) -> str:
    """组/村/乡镇 as written (村级, 镇 …); blank: the level the USCC's N1/N2/N3 prefix says."""
    word = re.sub(r"\s+", "", text or "")
    if word:
        level = _LEVEL_WORDS.get(word)
        if level is None:
            raise ValidationError(f"层级“{word}”无法识别，应为 组、村 或 乡镇", field="层级")
        return level
    code = (uscc or "").strip().upper()
    for level, prefix in ORG_USCC_PREFIX.items():
        if code.startswith(prefix):
            return level
    raise ValidationError("请填写层级（组、村 或 乡镇）；统一社会信用代码不以 N1/N2/N3 开头，无法判断", field="层级")


def book_kind_for(org_name: str, level: str) -> str:
    """The kind of an organisation's own first book: from its name (…股份经济合作社 …)."""
    name = org_name.strip()
    for kind in ("股份经济合作社", "经济联合社", "经济合作社"):
        if name.endswith(kind) or (kind == "经济联合社" and name.endswith("股份经济合作联合社")):
            return kind
    return "经济联合社" if level == "乡镇" else "股份经济合作社"


def region_name_for(org_name: str) -> str:
    """A 区划's name from the organisation's (新华村股份经济合作社 → 新华村)."""
    name = org_name.strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def default_start_period(today: date | None = None) -> str:
    """January of this year (the 新增账套 form's default)."""
    return f"{(today or date.today()).year}-01"


def ensure_region(session: Session, code: str, name: str | None, *, user: UserRow, township: str | None = None) -> bool:
    """Add the 区划 ``code`` when this database has none (named ``name``), and its township (named
    ``township``) when it is a village's and the township is missing too. True if one was added."""
    code = validate_region_code(code)
    if session.scalar(select(Region.id).where(Region.code == code, Region.deleted.is_(False))) is not None:
        return False
    parent = region_parent(code)
    if township and region_level(code) == "村" and parent is not None and session.scalar(
            select(Region.id).where(Region.code == parent, Region.deleted.is_(False))) is None:
        orgs.create_region(session, code=parent, name=township, user=user)
    if not (name or "").strip():
        raise ValidationError(f"区划代码 {code} 尚未登记，请写明区划名称", field="区划名称")
    orgs.create_region(session, code=code, name=name or "", user=user)
    return True


@dataclass(frozen=True)
class OrgSetup:
    organisation: OrgRow
    book: BookRow | None
    region_added: bool


def setup_organisation(session: Session, *, name: str, uscc: str, region_code: str, user: UserRow,
                       level: str | None = None,
                       legal_rep: str | None = None, phone: str | None = None, address: str | None = None,
                       region_name: str | None = None, township: str | None = None,
                       book_name: str | None = None, chart_version: str = "2023", start_period: str | None = None,
                       book_kind: str | None = None, with_book: bool = True) -> OrgSetup:
    """Register an organisation (its 区划 first when missing) and, with ``with_book``, its first
    book (named after it unless ``book_name``). All through the forms' services, audited."""
    lvl = org_level(level, uscc)
    clean_text(name, "名称", 100)  # the form's first check, before a 区划 is named after it
    added = ensure_region(session, region_code, region_name or region_name_for(name or ""), township=township,
                          user=user)
    org = orgs.create_organisation(session, name=name, level=lvl, uscc=uscc, region_code=region_code,
                                   legal_rep=legal_rep, phone=phone, address=address, user=user)
    book = None
    if with_book:
        book = orgs.create_book(session, organisation_id=org.id, name=book_name or org.name,
                                kind=book_kind or book_kind_for(org.name, org.level), chart_version=chart_version,
                                start_period=start_period or default_start_period(), user=user)
    return OrgSetup(org, book, added)


def add_book(session: Session, organisation_id: uuid.UUID, *, user: UserRow, name: str | None = None,
             chart_version: str = "2023",
             start_period: str | None = None, kind: str | None = None, credit_code: str | None = None) -> BookRow:
    """One more book for an organisation (named after it unless ``name``; kind from its name)."""
    org = orgs.get_organisation(session, organisation_id)
    return orgs.create_book(session, organisation_id=org.id, name=name or org.name,
                            kind=kind or book_kind_for(org.name, org.level), chart_version=chart_version,
                            start_period=start_period or default_start_period(), credit_code=credit_code, user=user)
