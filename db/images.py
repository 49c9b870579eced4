"""Row images as canonical JSON: what the audit trail and sync packages carry (the change log carries none)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import FromClause, inspect


def jsonable(value: Any) -> Any:
    """Python value -> JSON value without losing exactness (Decimal as text, never float)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("行映像中不允许浮点数")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    raise TypeError(f"无法序列化的值类型：{type(value).__name__}")


_PLAIN = frozenset({str, int, bool, type(None)})  # jsonable gives these back as they are
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


class CanonicalJSON:
    """Text a bulk writer already made in :func:`canonical_json`'s form (a test of the writer proves
    it equal to ``canonical_json`` of the image): taken as it is, e.g. as an audit entry's image. A
    holder, not a ``str`` subclass: making one copies no text, and sqlite3 gets the plain ``str``."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON (keys sorted, no spaces, Chinese as itself). A flat image of plain
    values (most of them: a row's text, numbers and flags) skips ``jsonable``'s walk: same text."""
    if type(value) is CanonicalJSON:
        return value.text
    if type(value) is dict and all(type(k) is str and (type(v) in _PLAIN or (type(v) is list and all(map(_flat, v))))
                                   for k, v in value.items()):
        return _CANONICAL(value)  # also a list of flat dicts (a voucher's lines in its import image)
    return _CANONICAL(jsonable(value))


def _flat(d: object) -> bool:
    """A dict of plain values under text keys, which ``jsonable`` gives back as it is."""
    return type(d) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in d.items())


NOT_IMAGED = frozenset({"row_hash"})  # derived from the rest after the flush: not part of what was written


def row_image(obj: object) -> dict[str, Any]:
    """All column attributes of a mapped object, keyed by column name."""
    mapper = inspect(type(obj))
    return {attr.columns[0].name: jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs
            if attr.key not in NOT_IMAGED}


def values_image(table: FromClause, values: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`row_image` gives for a row of ``table`` written through the ORM with these values
    (a bulk writer's row dict): one walk of the imaged columns, plain values as they are."""
    out = {}
    for name, key in _imaged(table):
        x = values.get(key)
        out[name] = x if type(x) in _PLAIN else jsonable(x)  # jsonable gives these back as they are
    return out


@cache
def _imaged(table: FromClause) -> tuple[tuple[str, str], ...]:
    """(column name, attribute key) of each imaged column of ``table``, as ``row_image`` walks them."""
    return tuple((c.name, c.key) for c in table.columns if c.key not in NOT_IMAGED)


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of this record."""
    h = hashlib.sha256()
    h.update(prev_hash.encode("ascii"))
    h.update(canonical_json(payload).encode("utf-8"))
    return h.hexdigest()
