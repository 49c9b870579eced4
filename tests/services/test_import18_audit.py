"""The audit chain written in one loop (db.audit.payload_json) hashes the very bytes the
verifier recomputes from the stored entry: old and new databases check out the same way."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from db.audit import AuditRecord, audit_payload, payload_json, record_audit, verify_audit_chain
from db.engine import Database
from db.images import canonical_json, chain_hash, jsonable
from db.models.audit import AuditEntry

RECORDS = [
    AuditRecord("create", "member", str(uuid.UUID(int=7)), "新增成员 王建国（000001 户）", None,
                {"name": "王建国", "shares": Decimal("1.5000"), "born": date(1950, 1, 1), "tags": ["户主", None],
                 "nested": {"b": 1, "a": "“引号”\\ 和 \"双引号\"\n换行"}}),
    AuditRecord("update", "household", None, "修改户 000002", {"phone": None, "z": True, "a": 0},
                {"phone": "13800000000", "z": False, "a": -1}),
    AuditRecord("import", "member", "org", "批量登记成员 3 人", None, None),
    AuditRecord("delete", "asset", "x", "", {}, {"at": datetime(2026, 11, 23, 8, 30), "emoji": "𠀋\u3000"}),
]


def test_payload_json_is_the_canonical_json_of_the_payload() -> None:
    for n, rec in enumerate(RECORDS, start=1):
        before = jsonable(rec.before) if rec.before is not None else None
        after = jsonable(rec.after) if rec.after is not None else None
        expected = canonical_json(audit_payload(n, "2026-11-23T08:30:00+00:00", "王会计", rec, before, after))
        got = payload_json(n, "2026-11-23T08:30:00+00:00", "王会计", rec,
                           canonical_json(before) if before is not None else None,
                           canonical_json(after) if after is not None else None)
        assert got == expected


def test_entries_written_at_once_verify_and_hash_as_before(db: Database) -> None:
    with db.begin("王会计") as s:
        record_audit(s, RECORDS[0])
        record_audit(s, RECORDS[1:])
    with db.begin() as s:
        conn = s.connection()
        entries = list(conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.n)))
        assert verify_audit_chain(conn) == []
    mine = [e for e in entries if e.summary in {r.summary for r in RECORDS}]
    assert [e.action for e in mine] == ["create", "update", "import", "delete"]
    for e in entries:  # each hash is the verifier's: SHA-256 over the previous hash and the payload
        before = json.loads(e.before_json) if e.before_json else None
        after = json.loads(e.after_json) if e.after_json else None
        assert e.hash == chain_hash(e.prev_hash, audit_payload(e.n, e.at.isoformat(), e.actor, e, before, after))
    assert mine[-1].after_json == '{"at":"2026-11-23T08:30:00","emoji":"𠀋\u3000"}'


def test_an_entry_changed_behind_the_programs_back_is_named(db: Database) -> None:
    with db.begin("王会计") as s:
        record_audit(s, RECORDS)
    with db.begin() as s:
        conn = s.connection()
        last = conn.execute(select(AuditEntry.n).order_by(AuditEntry.n.desc())).scalar()
        conn.exec_driver_sql("UPDATE audit_entry SET summary = '改过' WHERE n = ?", (last - 1,))
        breaks = verify_audit_chain(conn)
    assert [b.n for b in breaks] == [last - 1]
