"""Column types: exact money, UTC times, time-ordered UUIDs.

Money is stored as INTEGER 分 and comes back as ``Decimal``; a float never gets in
and a value with more decimals than the column holds is refused, never rounded.

SQLite's INTEGER is 64-bit; PostgreSQL's is 32-bit (±21,474,836.47 元 as 分). On PostgreSQL
every ``Integer`` column is therefore made BIGINT (money, 亩, row hashes, counters alike), by
the compile rule below — in the models and in the migrations, so both agree with one rule.
"""

from __future__ import annotations

import os
import re
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain, repeat
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn
from sqlalchemy.types import TypeDecorator


@compiles(Integer, "postgresql")
def _pg_integer_is_bigint(type_: Integer, compiler: Any, **kw: Any) -> str:
    """A table column's DDL says BIGINT; a CAST in a query keeps INTEGER (SQLAlchemy's own catalogue
    queries cast to INTEGER where PostgreSQL's functions take exactly that). Parameters are sent
    uncast (db/engine.py ``make_url_engine``)."""
    return "BIGINT" if isinstance(kw.get("type_expression"), Column) else "INTEGER"


@compiles(CreateColumn, "postgresql")
def _pg_serial_is_bigserial(element: CreateColumn, compiler: Any, **kw: Any) -> str:
    """An autoincrement key (``audit_entry.n``) is BIGSERIAL, 64-bit like every other integer."""
    spec: str = compiler.visit_create_column(element, **kw)
    return re.sub(r"^(\S+) SERIAL\b", r"\1 BIGSERIAL", spec, count=1)


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact decimal with ``places`` decimals stored as a scaled INTEGER."""

    impl = Integer
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__()
        self.places = places
        self._quantum = Decimal(1).scaleb(-places)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return to_scaled_int(value, self.places)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places).quantize(self._quantum)


def to_scaled_int(value: Any, places: int) -> int | None:
    """Decimal -> integer count of 10^-places units; refuses floats and excess decimals."""
    if type(value) is Decimal and value.is_finite():  # the common case, checked in full below otherwise
        scaled = value.scaleb(places)
        whole = int(scaled)
        if whole == scaled:
            return whole
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("金额不能用浮点数表示（请使用 Decimal）")
    if isinstance(value, int):
        return int(value) * int(10**places)
    if not isinstance(value, Decimal):
        raise TypeError(f"不支持的数值类型：{type(value).__name__}")
    if not value.is_finite():
        raise ValueError("数值无效")
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"数值 {value} 超过 {places} 位小数，拒绝保存（不做四舍五入）")
    fen: int = int(scaled.to_integral_value())
    return fen


class Fen(ScaledDecimal):
    """Money: INTEGER 分 in the database, ``Decimal`` with 2 places in Python."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(2)


class Mu4(ScaledDecimal):
    """Land area in 亩 (or quantities) with 4 exact decimals."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(4)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, stored as naive UTC, returned aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("时间必须带时区（UTC）")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


_uuid_lock = threading.Lock()
_last_ms = 0
_counter = 0
_random: list[int] = []
_RAND_62 = (1 << 62) - 1
_new_uuid = object.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit ms timestamp, 12-bit counter (monotonic within a ms), 62 random bits.

    Time-ordered keys keep SQLite's B-tree appends cheap (SYNC.md §3.1). Bulk writers make a
    hundred thousand at a time, so the OS randomness is read 8 KiB at a time and the value is
    set the way ``uuid.UUID.__init__`` sets it, without re-checking an int built here in range.
    """
    global _last_ms, _counter, _random
    with _uuid_lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave headroom
        if not _random:
            _random = list(struct.unpack(">1024Q", os.urandom(8192)))
        value = ((ms & 0xFFFFFFFFFFFF) << 80) | (0x7 << 76) | ((_counter & 0xFFF) << 64) | (0b10 << 62) \
            | (_random.pop() & _RAND_62)
    u: uuid.UUID = _new_uuid(uuid.UUID)
    _set(u, "int", value)
    _set(u, "is_safe", _UNKNOWN)
    return u


def uuid7_many(n: int) -> list[uuid.UUID]:
    """``n`` UUIDv7 keys in increasing order, made under one lock and one clock read (a bulk
    writer's ids: about half the cost of ``n`` calls of :func:`uuid7`)."""
    global _last_ms, _counter
    if n <= 0:
        return []
    values = []
    randoms = struct.unpack(f">{n}Q", os.urandom(8 * n))
    with _uuid_lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        counter = _counter
        for r in randoms:
            counter += 1
            if counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                ms += 1
                counter = 0
            values.append(((ms & 0xFFFFFFFFFFFF) << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | (r & _RAND_62))
        _last_ms, _counter = ms, counter
    out = []
    for value in values:
        u: uuid.UUID = _new_uuid(uuid.UUID)
        _set(u, "int", value)
        _set(u, "is_safe", _UNKNOWN)
        out.append(u)
    return out


def uuid7_stream(batch: int = 4096) -> Iterator[uuid.UUID]:
    """New ids one at a time, made ``batch`` at a time by :func:`uuid7_many` (an iterator in C)."""
    return chain.from_iterable(map(uuid7_many, repeat(batch)))


_COUNTER_HEX = [f"7{c:03x}" for c in range(0x1000)]  # version nibble 7, then the 12-bit counter
_VARIANT = 1 << 63  # variant bits 0b10 above the 62 random bits


def uuid7_hex_many(n: int) -> list[str]:
    """``n`` UUIDv7 keys as their hex text (``uuid.UUID.hex``: the stored form, DESIGN-NOTES 6), in
    increasing order and continuing the order of :func:`uuid7` and :func:`uuid7_many`: for a bulk
    writer that stores them (``bulk_insert(stored=…)``) and needs no ``UUID`` object. The random
    halves are formatted in one ``bytes.hex`` and each key is three strings joined, about a
    quarter of the cost of ``uuid7_many`` plus ``.hex`` per key."""
    global _last_ms, _counter
    if n <= 0:
        return []
    randoms = struct.unpack(f">{n}Q", os.urandom(8 * n))
    low = struct.pack(f">{n}Q", *[(r & _RAND_62) | _VARIANT for r in randoms]).hex()
    out: list[str] = []
    with _uuid_lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms, last = _last_ms, _counter  # continue this millisecond's counter
        else:
            last = (int.from_bytes(os.urandom(2), "big") & 0x3FF) - 1  # the first key gets the fresh counter
        done = 0
        while done < n:
            if last >= 0xFFF:  # counter exhausted: borrow the next millisecond
                ms, last = ms + 1, -1
            k = min(n - done, 0xFFF - last)  # counters last+1 .. last+k in this millisecond
            head = f"{ms & 0xFFFFFFFFFFFF:012x}"
            out += [head + c + low[j:j + 16] for c, j in zip(_COUNTER_HEX[last + 1:last + 1 + k],
                                                              range(16 * done, 16 * (done + k), 16), strict=True)]
            done, last = done + k, last + k
        _last_ms, _counter = ms, last
    return out


def uuid7_hex_stream(batch: int = 4096) -> Iterator[str]:
    """New ids as hex text one at a time, made ``batch`` at a time by :func:`uuid7_hex_many` (an
    iterator in C: ``next`` of it costs no Python frame)."""
    return chain.from_iterable(map(uuid7_hex_many, repeat(batch)))



def compare_integer_as_bigint(context: Any, inspected_column: Any, metadata_column: Any,
                              inspected_type: Any, metadata_type: Any) -> bool | None:
    """Alembic ``compare_type`` hook: on PostgreSQL a model's ``Integer`` (money included) is the
    BIGINT the rule above made, not a difference; everything else is compared as Alembic does."""
    impl = metadata_type.impl if isinstance(metadata_type, TypeDecorator) else metadata_type
    if context.dialect.name == "postgresql" and isinstance(impl, Integer) and type(impl) is not BigInteger:
        return type(inspected_type).__name__ != "BIGINT"
    return None
