"""Row hashes: the bulk writer, the ORM hooks and a raw re-read compute the same hash of a row.

The hash covers the stored values (db/rowhash.py): booleans stored 0/1, dates as ISO text, NULLs,
UUIDs as hex text, money as integer 分, areas as integer 1/10000 亩.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import UniqueConstraint, inspect, select

from db import rowhash
from db.base import Base
from db.changelog import bulk_insert
from db.engine import Database
from db.migrate import open_database
from db.models import Asset, Contract, Entry, Household, Member, Period, ResourceParcel, ShareHolding, User
from tests.conftest import copy_of


def _stored(path: Path, table: str, row_id: uuid.UUID) -> dict[str, Any]:
    raw = sqlite3.connect(path)
    try:
        cur = raw.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id.hex,))
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))
    finally:
        raw.close()


def _hash_of(stored: dict[str, Any]) -> int:
    return rowhash.row_hash([stored[c] for c in rowhash.hash_columns(stored)])


def test_every_row_of_the_demo_has_the_hash_of_its_stored_values(demo_template: Path) -> None:
    """The demo writes through both paths (bulk for vouchers, members, accounts …; the ORM for
    organisations, books, users, contracts …): every stored hash is the raw re-read's."""
    raw = sqlite3.connect(demo_template)
    try:
        cur = raw.cursor()
        filled = 0
        for table in rowhash.hashed_tables():
            assert list(rowhash.mismatches(cur, table)) == [], table.name
            filled += cur.execute(f'SELECT count(*) FROM "{table.name}" WHERE row_hash IS NOT NULL').fetchone()[0]
        assert filled > 10_000
    finally:
        raw.close()


def test_every_business_table_carries_row_hash() -> None:
    syncable = {t.name for t in Base.metadata.tables.values() if {"origin", "rev", "deleted"} <= set(t.c.keys())}
    hashed = {t.name for t in rowhash.hashed_tables()}
    assert syncable | {"app_user"} <= hashed
    assert "audit_entry" not in hashed and "change_log" not in hashed  # chained / ordering only


def _copy_values(obj: Any, tag: str) -> dict[str, Any]:
    """An ORM row's values as a new row's dict: new id, unique columns made unique again."""
    table = obj.__table__
    unique = {c.name for con in table.constraints if isinstance(con, UniqueConstraint) for c in con.columns}
    unique |= {c.name for c in table.columns if c.unique}
    out: dict[str, Any] = {}
    for attr in inspect(type(obj)).column_attrs:
        key = attr.key
        if key in ("id", "origin", "rev", "updated_at", "row_hash"):
            continue
        value = getattr(obj, key)
        if attr.columns[0].name in unique and isinstance(value, str) and not key.endswith("_id"):
            value = f"{value}{tag}"
        elif attr.columns[0].name in unique and isinstance(value, int) and not isinstance(value, bool):
            value = value + (1000 if tag == "o" else 2000)
        out[key] = value
    return out


MODELS = [Member, Household, ResourceParcel, ShareHolding, Entry, Period, Asset, Contract]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_bulk_and_orm_store_the_same_values_and_hashes(model: type, demo_template: Path, tmp_path: Path) -> None:
    """The same row written by the ORM and by bulk_insert: the same stored values (all but id and
    time) and each one's stored hash equal to the hash of its raw re-read."""
    path = copy_of(demo_template, tmp_path)
    db: Database = open_database(path)
    try:
        with db.begin("test") as s:
            source = s.execute(select(model).order_by(model.id).limit(1)).scalar_one()
            orm_values, bulk_values = _copy_values(source, "o"), _copy_values(source, "b")
            if model is ShareHolding:  # unique per (member, share type): two new members of the household
                orm_values["member_id"], bulk_values["member_id"] = _new_member(s, source.member_id)
            orm_row = model(**orm_values)
            s.add(orm_row)
            s.flush()
            bulk_id = uuid.uuid4()
            bulk_insert(s, model, [{"id": bulk_id, **bulk_values}])
            orm_id = orm_row.id
            orm_hash = orm_row.row_hash
        table = model.__table__.name  # type: ignore[attr-defined]
        a, b = _stored(path, table, orm_id), _stored(path, table, bulk_id)
        assert a["row_hash"] == _hash_of(a) == orm_hash
        assert b["row_hash"] == _hash_of(b)
        skip = {"id", "updated_at", "row_hash", "member_id"}
        unique = {c.name for con in model.__table__.constraints  # type: ignore[attr-defined]
                  if isinstance(con, UniqueConstraint) for c in con.columns}
        same = {k: v for k, v in a.items() if k not in skip | unique}
        assert same == {k: v for k, v in b.items() if k not in skip | unique}
        kinds = {type(v) for v in a.values()}
        assert kinds <= {int, str, type(None)}  # what SQLite stores: no bool, Decimal, date or UUID objects
    finally:
        db.close()


def _new_member(s: Any, member_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    m = s.get(Member, member_id)
    ids = []
    for tag in ("o", "b"):
        copy = Member(**_copy_values(m, tag))
        s.add(copy)
        s.flush()
        ids.append(copy.id)
    return ids[0], ids[1]


def test_an_orm_update_rewrites_the_hash(db: Database) -> None:
    from desktop_app.core.services.users import create_user

    with db.begin("test") as s:
        user = create_user(s, username="kj", display_name="会计", password="secret1", roles=["bookkeeper"])
    with db.begin("test") as s:
        row = s.get(User, user.id)
        assert row is not None
        first = row.row_hash
        row.roles = "bookkeeper,reviewer"
        s.flush()
        assert row.row_hash != first
    stored = _stored(db.path, "app_user", user.id)
    assert stored["roles"] == "bookkeeper,reviewer" and stored["row_hash"] == _hash_of(stored)


def test_migration_fills_the_hash_of_existing_rows(tmp_path: Path) -> None:
    """h0001 on a file at the heads before it: every existing row gets the hash of its stored values."""
    from db.engine import make_engine
    from db.migrate import alembic_config, upgrade

    path = tmp_path / "old.db"
    engine = make_engine(path)
    from alembic.script import ScriptDirectory

    merged = ScriptDirectory.from_config(alembic_config()).get_revision("h0001").down_revision
    for rev in merged:  # every head h0001 merges, nothing more: rows written without hashes
        upgrade(engine, rev)
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO region (id, code, name, level, parent_id, origin, rev, updated_at, deleted) "
                "VALUES ('00000000000000000000000000000001', '320000000000', '江苏省', '省', NULL, "
                "'00000000000000000000000000000009', 1, '2026-01-01 00:00:00.000000', 0)")
    raw.commit()
    raw.close()
    upgrade(engine, "h0001")
    engine.dispose()
    raw = sqlite3.connect(path)
    try:
        cur = raw.cursor()
        present = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in rowhash.hashed_tables():  # the tables of later branches (k0001, r0001 …) are not there yet,
            if table.name in present and rowhash.COLUMN in {  # nor the hashes later revisions add (h0002, s0004)
                    r[1] for r in cur.execute(f'PRAGMA table_info("{table.name}")')}:
                assert list(rowhash.mismatches(cur, table)) == [], table.name
        assert cur.execute("SELECT row_hash FROM region").fetchone()[0] is not None
    finally:
        raw.close()


def test_the_hash_of_a_row_is_pinned() -> None:
    """A stored hash must read the same under every later Python: the serialisation (marshal
    format 2) and the digest are fixed; equal strings give equal bytes interned or not."""
    import sys

    values = ["01a2", 1, None, "东湖村", -200000, 2**40, "2026-01-01"]
    assert rowhash.row_hash(values) == 1989072892913700121
    interned, built = sys.intern("abc_def"), "".join(["abc", "_def"])
    assert rowhash.row_hash([interned, interned]) == rowhash.row_hash([built, built])
    assert rowhash.row_hash([1]) != rowhash.row_hash(["1"]) != rowhash.row_hash([None])
