"""The applied member import writes tuples (no dict per row) with the organisation given once:
what it stores is what a form's write stores (same columns, defaults, stored forms and row
hashes) and every row has its change-log record."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import select

from db import rowhash
from db.changelog import bulk_insert
from db.models import Household, Member, ShareHolding
from desktop_app.core.ids import make_ric
from desktop_app.core.services import members_import

from .conftest import Village


def _ric(i: int) -> str:
    return make_ric("320115", date(1970 + i, 3, 1 + i), (2 * i + 1) % 1000)


def _stored(v: Village, table: str) -> list[dict[str, Any]]:
    con = sqlite3.connect(v.db.path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f'SELECT * FROM "{table}" ORDER BY id')]
    finally:
        con.close()


def test_imported_rows_are_stored_as_a_dict_row_of_the_same_values(empty_village: Village) -> None:
    v = empty_village
    rows = [(2, "001", "张建国", _ric(1), "户主", "第一组", date(2019, 12, 31), None, "批量登记", {"人口股": 1, "农龄股": "0.5"}),
            (3, "001", "李秀英", _ric(2), "配偶", "第一组", None, date(2020, 5, 1), None, {"人口股": 1})]
    with v.db.begin("test") as s:
        preview = members_import.validate_member_values(s, v.org.id, rows, today=date(2026, 11, 23))
        assert preview.ok
        result = members_import.apply_member_import(s, preview, event_date=date(2019, 12, 31), basis="2019年清产核资",
                                                   user=v.user)
    assert (result.households, result.members, result.holdings) == (1, 2, 3)
    members, households, holdings = _stored(v, "member"), _stored(v, "household"), _stored(v, "share_holding")
    org = v.org.id.hex
    assert [(m["name"], m["organisation_id"], m["status"], m["confirmed_on"], m["joined_on"], m["note"], m["left_on"],
             m["deleted"], m["rev"]) for m in members] == [
        ("张建国", org, "在册", "2019-12-31", None, "批量登记", None, 0, 1),
        ("李秀英", org, "在册", "2019-12-31", "2020-05-01", None, None, 0, 1)]  # no 确认日期: the import's date
    assert [(h["number"], h["head_name"], h["organisation_id"], h["address"]) for h in households] == [
        ("001", "张建国", org, None)]
    assert sorted(h["shares"] for h in holdings) == [5000, 10000, 10000]  # 4 exact decimals as integers
    assert {h["organisation_id"] for h in holdings} == {org}

    # the same values written as dict rows (the path every other writer takes) store the same bytes
    with v.db.begin("test") as s:
        again: dict[str, uuid.UUID] = {}
        for model, stored in ((Household, households), (Member, members), (ShareHolding, holdings)):
            copy = {c.key: getattr(s.get(model, uuid.UUID(hex=stored[0]["id"])), c.key)
                    for c in model.__table__.columns
                    if c.name not in {"id", "origin", "rev", "updated_at", "deleted", "row_hash"}}
            if model is Member:
                copy["household_id"], copy["ric"] = again["household"], _ric(9)
            if model is ShareHolding:
                copy["member_id"] = again["member"]
            if model is Household:
                copy["number"] = "002"
            again[model.__tablename__] = new_id = uuid.uuid4()
            bulk_insert(s, model, [{"id": new_id, **copy}])
    for table, first, unique in (("household", households[0], {"number"}),
                                 ("member", members[0], {"household_id", "ric"}),
                                 ("share_holding", holdings[0], {"member_id"})):
        copied = next(r for r in _stored(v, table) if r["id"] == again[table].hex)
        skip = {"id", "updated_at", "row_hash"} | unique
        assert {k: x for k, x in copied.items() if k not in skip} == {k: x for k, x in first.items() if k not in skip}
    hashed = {t.name: t for t in rowhash.hashed_tables()}
    con = sqlite3.connect(v.db.path)
    try:
        cursor = con.cursor()
        for table in ("household", "member", "share_holding"):
            assert list(rowhash.mismatches(cursor, hashed[table])) == []
        logged = dict(cursor.execute("SELECT row_id, table_name FROM change_log WHERE op = 'insert'").fetchall())
        seqs = [n for (n,) in cursor.execute("SELECT seq FROM change_log ORDER BY seq")]
    finally:
        con.close()
    for table in ("household", "member", "share_holding"):
        assert all(logged.get(r["id"]) == table for r in _stored(v, table))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # gap-free


def test_a_value_given_both_per_row_and_for_every_row_is_refused(empty_village: Village) -> None:
    """Which of the two would be stored is a guess: the writer is told, nothing is written."""
    v = empty_village
    with v.db.begin("test") as s:
        with pytest.raises(ValueError, match="both per row and for every row"):
            bulk_insert(s, Household, [(uuid.uuid4(), "009", v.org.id)], columns=("id", "number", "organisation_id"),
                        constants={"organisation_id": v.org.id})
        with pytest.raises(ValueError, match="both per row and for every row"):
            bulk_insert(s, ShareHolding, [{"id": uuid.uuid4(), "organisation_id": v.org.id, "member_id": uuid.uuid4(),
                                           "share_type_id": uuid.uuid4(), "shares": D(1)}],
                        constants={"organisation_id": v.org.id})
        assert s.scalars(select(Household.id)).all() == []
