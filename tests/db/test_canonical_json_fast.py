"""The fast paths of the audit's JSON (a flat image of plain values; a scalar field of an entry)
write exactly what the general path writes: chains made before them still check."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from db.audit import _dumps
from db.images import canonical_json, jsonable

TEXTS = ["", "东湖村", 'quote " and \\ slash', "tab\tnew\nline", "\u2028分隔", "emoji 😀", "控制\x01字符", "a" * 300]


def _general(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _value(rng: random.Random) -> Any:
    return rng.choice([None, True, False, 0, -7, 2**70, rng.choice(TEXTS), Decimal("12.30"), uuid.UUID(int=rng.getrandbits(128)),
                       date(2026, 12, 3), datetime(2026, 12, 3, 9, 5, 1, 250), [1, "二"], {"k": Decimal("1.5")},
                       # a voucher's lines: flat dicts of plain values (the fast path), or with one that is not
                       [{"account": "101", "debit": "5.00", "line": 1}, {"summary": rng.choice(TEXTS), "x": None}],
                       [{"debit": Decimal("5.00")}], [{"nested": {"a": 1}}], [], [{}], [{1: "x"}]])


def test_images_are_written_as_the_general_path_writes_them() -> None:
    rng = random.Random(18)
    for _ in range(3000):
        image = {rng.choice([*TEXTS, "b", "a", "身份证号"]): _value(rng) for _ in range(rng.randint(0, 8))}
        assert canonical_json(image) == _general(image)
    assert canonical_json({1: "x", "1": "y"}) == _general({1: "x", "1": "y"})  # a non-text key: the general path
    assert canonical_json([{"a": 1}]) == _general([{"a": 1}])


def test_scalar_fields_are_written_as_json_dumps_writes_them() -> None:
    for value in [*TEXTS, None, 0, 5, -12, 2**80, True, False, Decimal("0.10"), date(2026, 1, 31),
                  uuid.UUID(int=7)]:
        assert _dumps(value) == json.dumps(jsonable(value), ensure_ascii=False), value


def test_a_writer_s_canonical_text_is_taken_as_it_is_and_stored_as_plain_text() -> None:
    """``CanonicalJSON``: a bulk writer's image made as text is what ``canonical_json`` gives back, as a
    plain ``str`` (sqlite3 adapts a str subclass through its protocol lookup, a row at a time)."""
    from db.images import CanonicalJSON

    image = {"lines": [{"account": "101", "debit": "5.00"}], "summary": "收租金"}
    text = CanonicalJSON(_general(image))
    out = canonical_json(text)
    assert out == canonical_json(image) and type(out) is str
    assert canonical_json("plain text") == '"plain text"'  # only the marked type is taken as JSON
