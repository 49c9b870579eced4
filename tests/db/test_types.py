"""Fen, ScaledDecimal, UtcDateTime and UUIDv7 against a real SQLite file."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from db.types import Fen, Mu4, UtcDateTime, uuid7


@pytest.fixture
def table(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("amount", Fen()),
              Column("area", Mu4()), Column("at", UtcDateTime()))
    md.create_all(engine)
    yield engine, t
    engine.dispose()


def test_fen_stores_integer_fen_and_returns_decimal(table) -> None:
    engine, t = table
    with engine.begin() as c:
        c.execute(insert(t).values(id=1, amount=Decimal("1234.56"), area=Decimal("12.3456")))
        raw = c.execute(text("SELECT amount, area, typeof(amount) FROM t")).one()
        back = c.execute(select(t.c.amount, t.c.area)).one()
    assert raw == (123456, 123456, "integer")
    assert back == (Decimal("1234.56"), Decimal("12.3456"))
    assert isinstance(back[0], Decimal) and str(back[0]) == "1234.56"


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("12.345"), Decimal("-1.239")])
def test_fen_refuses_three_decimals(table, bad: Decimal) -> None:
    engine, t = table
    with pytest.raises(Exception, match="超过 2 位小数"), engine.begin() as c:
        c.execute(insert(t).values(id=1, amount=bad))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_fen_refuses_float(table) -> None:
    engine, t = table
    with pytest.raises(Exception, match="浮点"), engine.begin() as c:
        c.execute(insert(t).values(id=1, amount=12.5))


def test_area_refuses_five_decimals(table) -> None:
    engine, t = table
    with pytest.raises(Exception, match="超过 4 位小数"), engine.begin() as c:
        c.execute(insert(t).values(id=1, area=Decimal("1.00001")))


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_fen_round_trip(value: Decimal) -> None:
    f = Fen()
    stored = f.process_bind_param(value, None)  # type: ignore[arg-type]
    assert isinstance(stored, int)
    assert f.process_result_value(stored, None) == value  # type: ignore[arg-type]


def test_utc_datetime_round_trip_and_refuses_naive(table) -> None:
    engine, t = table
    shanghai = timezone(timedelta(hours=8))
    at = datetime(2026, 10, 31, 23, 30, tzinfo=shanghai)
    with engine.begin() as c:
        c.execute(insert(t).values(id=1, at=at))
        back = c.execute(select(t.c.at)).scalar()
    assert back == at and back.tzinfo == UTC
    with pytest.raises(Exception, match="时区"), engine.begin() as c:
        c.execute(insert(t).values(id=2, at=datetime(2026, 1, 1)))


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_uuid7_behaves_as_any_uuid() -> None:
    """uuid7 sets the value as uuid.UUID's own constructor does: text, bytes, hash and equality agree."""
    for u in [uuid7() for _ in range(3000)]:  # more than one 8 KiB draw of randomness
        again = uuid.UUID(str(u))
        assert again == u and hash(again) == hash(u) and again.bytes == u.bytes and u.hex == again.hex
        assert u.is_safe == uuid.SafeUUID.unknown


def test_uuid7_many_continues_the_order_of_uuid7() -> None:
    """Batches and single ids interleave in one increasing order, each a valid v7 id, none repeated."""
    from db.types import uuid7_many, uuid7_stream

    ids = [uuid7(), *uuid7_many(5000), uuid7(), *uuid7_many(1), uuid7()]
    stream = uuid7_stream(batch=7)
    ids += [next(stream) for _ in range(20)]
    assert ids == sorted(ids, key=lambda u: u.int)
    assert len({u.int for u in ids}) == len(ids)
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in ids)
    assert ids[1] == uuid.UUID(ids[1].hex)  # a real UUID, equal to its parsed text
    assert uuid7_many(0) == []
