"""Ids made as hex text in bulk (``uuid7_hex_many``, for bulk writers that store them as they are)
are UUIDv7 keys exactly as ``uuid.UUID.hex`` spells them, and continue one increasing order with
``uuid7`` and ``uuid7_many``."""

from __future__ import annotations

import uuid

from db.types import uuid7, uuid7_hex_many, uuid7_hex_stream, uuid7_many


def test_hex_ids_are_uuid7_in_one_order_with_the_others() -> None:
    ids = [uuid7().hex, *uuid7_hex_many(9000), *(u.hex for u in uuid7_many(300)), *uuid7_hex_many(1),
           uuid7().hex, *uuid7_hex_many(5000), uuid7().hex]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for h in ids:
        u = uuid.UUID(hex=h)
        assert (u.version, u.variant, u.hex) == (7, uuid.RFC_4122, h)  # lower case, 32 digits: the stored form
    assert uuid7_hex_many(0) == [] and uuid7_hex_many(-1) == []


def test_more_than_a_millisecond_counter_borrows_the_next_millisecond() -> None:
    ids = uuid7_hex_many(3 * 4096)  # one clock read: the 12-bit counter runs out at least twice
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len({h[:12] for h in ids}) >= 3


def test_the_stream_gives_one_at_a_time_in_order() -> None:
    stream = uuid7_hex_stream(batch=7)
    ids = [next(stream) for _ in range(30)]
    assert ids == sorted(ids) and len(set(ids)) == 30 and all(len(h) == 32 for h in ids)
