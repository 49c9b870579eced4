"""``bulk_insert(stored=…)``: ids given already as their stored hex text (what the applied member
import makes in bulk) are stored byte for byte as the same ids given as ``UUID`` objects, with the
same row hash and a change-log record each."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import pytest

from db import rowhash
from db.changelog import bulk_insert
from db.models import Household

from .conftest import Village


def _stored(v: Village) -> dict[str, dict[str, Any]]:
    con = sqlite3.connect(v.db.path)
    con.row_factory = sqlite3.Row
    try:
        return {r["number"]: dict(r) for r in con.execute('SELECT * FROM household')}
    finally:
        con.close()


def test_ids_given_as_hex_text_store_what_uuids_store(empty_village: Village) -> None:
    v = empty_village
    ids = {n: uuid.uuid4() for n in ("101", "102", "103", "104")}
    columns = ("id", "number", "group_name", "head_name")
    with v.db.begin("test") as s:
        same = {"organisation_id": v.org.id}
        bulk_insert(s, Household, [(ids["101"], "101", "第一组", "张三")], columns=columns, constants=same)
        bulk_insert(s, Household, [(ids["102"].hex, "102", "第一组", "张三")], columns=columns, constants=same,
                    stored=("id",))
        bulk_insert(s, Household, [{"id": ids["103"], "number": "103", "group_name": "第一组", "head_name": "张三",
                                    "organisation_id": v.org.id}])
        bulk_insert(s, Household, [{"id": ids["104"].hex, "number": "104", "group_name": "第一组", "head_name": "张三",
                                    "organisation_id": v.org.id.hex}], stored=("id", "organisation_id"))
    rows = _stored(v)
    assert {n: rows[n]["id"] for n in ids} == {n: i.hex for n, i in ids.items()}
    skip = {"id", "number", "updated_at", "row_hash"}
    first = {k: x for k, x in rows["101"].items() if k not in skip}
    assert first["organisation_id"] == v.org.id.hex and first["address"] is None
    for n in ("102", "103", "104"):
        assert {k: x for k, x in rows[n].items() if k not in skip} == first
    con = sqlite3.connect(v.db.path)
    try:
        cursor = con.cursor()
        table = next(t for t in rowhash.hashed_tables() if t.name == "household")
        assert list(rowhash.mismatches(cursor, table)) == []
        logged = {r[0]: r[1:] for r in cursor.execute(
            "SELECT row_id, origin, typeof(origin), table_name, op, rev, typeof(rev), prev_rev, typeof(prev_rev), "
            "typeof(seq) FROM change_log WHERE table_name = 'household'")}
        origin = cursor.execute("SELECT origin FROM household WHERE number = '101'").fetchone()[0]
    finally:
        con.close()
    # one record per row, each what the ORM hook's records hold (text origin, integers)
    assert {logged[i.hex] for i in ids.values()} == {
        (origin, "text", "household", "insert", 1, "integer", 0, "integer", "integer")}


def test_a_stored_column_the_table_lacks_is_refused(empty_village: Village) -> None:
    v = empty_village
    with v.db.begin("test") as s:
        with pytest.raises(ValueError, match="no_such_column"):
            bulk_insert(s, Household, [(uuid.uuid4().hex, "105")], columns=("id", "number"),
                        constants={"organisation_id": v.org.id}, stored=("id", "no_such_column"))
