"""Which organisation (and book) an audit entry belongs to. The audit table has no such column, so it is
worked out from what the entry names: its object id when that is a book or an organisation, the
``organisation_id``/``book_id`` of its before/after images, else the row its object id or an image's
``…_id`` names (one query per table for a page of entries, following a foreign key where that row
has neither column). ``(None, None)``: an entry of the whole township (users, logins, regions, sync)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from db.base import Base
from db.models import Book, Organisation

__all__ = ["ScopeResolver", "hex_id", "load_image", "referenced_table"]


def hex_id(value: Any) -> str | None:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, str) and value:
        try:
            return uuid.UUID(value).hex
        except ValueError:
            return None
    return None



def referenced_table(entity: str, key: str) -> str | None:
    """The table the entity's own column ``key`` is a foreign key to (the schema knows best: a
    contract's ``counterparty_id`` is a 合同相对方, not a member), None when it has none."""
    table = Base.metadata.tables.get(entity)
    column = table.c.get(key) if table is not None else None
    if column is None or not column.foreign_keys:
        return None
    return next(iter(column.foreign_keys)).column.table.name


@dataclass
class ScopeResolver:
    """Works out (organisation, book) of entries, a page at a time, with one query per table."""

    session: Session
    book_org: dict[str, str] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)
    book_names: dict[str, str] = field(default_factory=dict)
    _links: dict[str, tuple[str, str, str] | None] = field(default_factory=dict)
    # (table, row id) -> ("at", organisation, book) | ("ref", table, row id) | ("none", None, None)
    _rows: dict[tuple[str, str], tuple[str, str | None, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for bid, oid, name in self.session.execute(select(Book.id, Book.organisation_id, Book.name)):
            self.book_org[bid.hex] = oid.hex
            self.book_names[bid.hex] = name
        for oid, name in self.session.execute(select(Organisation.id, Organisation.name)):
            self.org_names[oid.hex] = name

    def _link(self, table_name: str, depth: int = 0) -> tuple[str, str, str] | None:
        """How a table's row names its organisation: (column, "org" | "book" | "ref", table referred to)."""
        if table_name in self._links:
            return self._links[table_name]
        table = Base.metadata.tables.get(table_name)
        found: tuple[str, str, str] | None = None
        if table is not None and "id" in table.c:
            if table_name == "organisation":
                found = ("id", "org", "")
            elif table_name == "book":
                found = ("id", "book", "")
            elif "organisation_id" in table.c:
                found = ("organisation_id", "org", "")
            elif "book_id" in table.c:
                found = ("book_id", "book", "")
            elif depth < 2:
                for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
                    target = fk.column.table.name
                    if target != table_name and self._link(target, depth + 1) is not None:
                        found = (fk.parent.name, "ref", target)
                        break
        if depth == 0 or found is not None:
            self._links[table_name] = found
        return found

    def resolve(self, entries: Sequence[Any]) -> list[tuple[str | None, str | None]]:
        """(organisation hex, book hex) of each entry ((None, None): the whole township's)."""
        out: list[tuple[str | None, str | None] | None] = []
        wants: list[list[tuple[str, str]]] = []
        for e in entries:
            got, refs = self._direct(e)
            out.append(got)
            wants.append(refs)
        self._look_up([r for got, refs in zip(out, wants, strict=True) if got is None for r in refs])
        result: list[tuple[str | None, str | None]] = []
        for got, refs in zip(out, wants, strict=True):
            if got is None:
                got = next((f for f in (self._follow(r) for r in refs) if f is not None), (None, None))
            result.append(got)
        return result

    def _direct(self, e: Any) -> tuple[tuple[str | None, str | None] | None, list[tuple[str, str]]]:
        """What the entry itself says (its object is a book or an organisation, or an image names
        one), else the rows to read: its object's, and those its images' ``…_id`` fields name."""
        eid = hex_id(e.entity_id)
        if eid in self.book_org:
            return (self.book_org[eid], eid), []
        if eid in self.org_names:
            return (eid, None), []
        images = [img for img in (load_image(e.after_json), load_image(e.before_json)) if isinstance(img, dict)]
        for img in images:
            book = hex_id(img.get("book_id"))
            if book in self.book_org:
                return (self.book_org[book], book), []
            org = hex_id(img.get("organisation_id"))
            if org in self.org_names:
                return (org, None), []
        refs: list[tuple[str, str]] = []
        if eid is not None and self._link(e.entity) is not None:
            refs.append((e.entity, eid))
        for img in images:
            for key, value in img.items():
                name = key[:-3] if key.endswith("_id") else key
                ref = hex_id(value) if isinstance(value, str) else None
                if ref is not None and name != e.entity and self._link(name) is not None:
                    refs.append((name, ref))
        return None, refs

    def _follow(self, ref: tuple[str, str]) -> tuple[str | None, str | None] | None:
        for _ in range(4):
            tag, a, b = self._rows.get(ref, ("none", None, None))
            if tag == "at":
                return a, b
            if tag != "ref" or a is None or b is None:
                return None
            ref = (a, b)
        return None

    def _look_up(self, refs: list[tuple[str, str]]) -> None:
        """Read the rows ``refs`` name (one query per table), then the rows those point at."""
        for _ in range(3):
            todo: dict[str, set[str]] = {}
            for table_name, rid in refs:
                if (table_name, rid) not in self._rows:
                    todo.setdefault(table_name, set()).add(rid)
            refs = []
            for table_name, ids in todo.items():
                link = self._link(table_name)
                if link is None:
                    continue
                column, kind, target = link
                table: Table = Base.metadata.tables[table_name]
                found = {hex_id(k): hex_id(v) for k, v in self.session.execute(
                    select(table.c.id, table.c[column]).where(table.c.id.in_([uuid.UUID(i) for i in ids])))}
                for rid in ids:
                    value = found.get(rid)
                    if value is None:
                        self._rows[(table_name, rid)] = ("none", None, None)
                    elif kind == "ref":
                        self._rows[(table_name, rid)] = ("ref", target, value)
                        refs.append((target, value))
                    elif kind == "book":
                        self._rows[(table_name, rid)] = ("at", self.book_org.get(value), value)
                    else:
                        self._rows[(table_name, rid)] = ("at", value, None)
            if not refs:
                return


def load_image(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
