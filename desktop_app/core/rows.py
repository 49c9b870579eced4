"""Frozen rows that services hand to the UI, reports and the CLI (never ORM objects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RegionRow:
    id: uuid.UUID
    code: str
    name: str
    level: str
    parent_id: uuid.UUID | None


@dataclass(frozen=True)
class OrgRow:
    id: uuid.UUID
    name: str
    level: str
    uscc: str
    region_code: str
    region_name: str
    township_code: str | None
    township_name: str | None
    legal_rep: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class BookRow:
    id: uuid.UUID
    organisation_id: uuid.UUID
    code: str
    name: str
    kind: str
    chart_version: str
    start_period: str
    credit_code: str | None = None  # the book's own 统一社会信用代码 (a 村民委员会's), if recorded


@dataclass(frozen=True)
class AccountRow:
    id: uuid.UUID
    book_id: uuid.UUID
    code: str
    name: str
    category: str
    normal_side: str
    parent_id: uuid.UUID | None
    level: int
    is_leaf: bool
    is_standard: bool
    active: bool


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool

    def has_role(self, role: str) -> bool:
        return role in self.roles
