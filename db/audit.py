"""The audit trail: every business write records who, when, what, before and after.

Entries are chained by SHA-256 (each hash covers the previous one), so an entry edited
or deleted behind the program's back breaks the chain and ``verify`` names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, insert, select, update
from sqlalchemy.orm import Session

from db.images import CanonicalJSON, canonical_json, chain_hash, jsonable
from db.models.audit import AuditEntry, AuditHead
from db.types import utcnow

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    action: str
    entity: str
    entity_id: str | None
    summary: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | CanonicalJSON | None = None  # CanonicalJSON: a bulk writer's image, already text


def audit_payload(n: int, at: str, actor: str, rec: Any, before: Any, after: Any) -> dict[str, Any]:
    return {
        "n": n, "at": at, "actor": actor, "action": rec.action, "entity": rec.entity,
        "entity_id": rec.entity_id, "summary": rec.summary, "before": before, "after": after,
    }


def _dumps(value: Any) -> str:
    """A scalar as ``json.dumps(jsonable(value), ensure_ascii=False)`` writes it (no keys, no separators
    to choose); text, whole numbers and None, seven of an entry's fields, without the general call."""
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(jsonable(value), ensure_ascii=False)


_encode_text = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) calls


def payload_json(n: int, at: str, actor: str, rec: Any, before_json: str | None, after_json: str | None) -> str:
    """``canonical_json(audit_payload(...))`` built from the canonical JSON of ``before`` and ``after``
    already made for the entry's columns: the keys in sorted order, the same separators, each
    image serialised once instead of three times. Byte-identical (tested), so old chains check."""
    return (f'{{"action":{_dumps(rec.action)},"actor":{_dumps(actor)},"after":{after_json or "null"},'
            f'"at":{_dumps(at)},"before":{before_json or "null"},"entity":{_dumps(rec.entity)},'
            f'"entity_id":{_dumps(rec.entity_id)},"n":{_dumps(n)},"summary":{_dumps(rec.summary)}}}')


def record_audit(session: Session, records: AuditRecord | Iterable[AuditRecord]) -> None:
    """Append audit entries (one or many) in the caller's transaction: the chain computed in one
    loop, the entries written with one executemany."""
    recs = [records] if isinstance(records, AuditRecord) else list(records)
    if not recs:
        return
    conn = session.connection()
    fast = conn.dialect.name == "sqlite"
    cursor = conn.connection.driver_connection.cursor() if fast else None  # type: ignore[union-attr]
    try:
        kept = session.info.get(_HEAD)
        if kept is not None:
            n, prev = kept
        else:
            if cursor is not None:
                head = cursor.execute("SELECT last_n, last_hash FROM audit_head WHERE id = 1").fetchone()
            else:
                head = conn.execute(select(AuditHead.last_n, AuditHead.last_hash).where(AuditHead.id == 1)).first()
            if head is None:
                conn.execute(insert(AuditHead).values(id=1, last_n=0, last_hash=GENESIS))
            n, prev = (head[0], head[1]) if head else (0, GENESIS)
        actor = str(session.info.get("actor") or "system")
        now = utcnow()
        at = now.isoformat()
        stored_at = _stored_at(conn, now) if fast else now
        sha256 = hashlib.sha256
        rows: list[Any] = []
        for rec in recs:
            n += 1
            before = canonical_json(rec.before) if rec.before is not None else None
            after = canonical_json(rec.after) if rec.after is not None else None
            digest = sha256((prev + payload_json(n, at, actor, rec, before, after)).encode("utf-8")).hexdigest()
            rows.append((n, stored_at, actor, rec.action, rec.entity, rec.entity_id, rec.summary, before, after,
                         prev, digest))
            prev = digest
        if cursor is not None:
            # SQLite: the driver's cursor with the statement written once (a user action audits
            # one entry; SQLAlchemy's per-statement work was most of its cost), values stored as
            # the ORM stores them (the time through the column type's own processor)
            cursor.executemany(_INSERT_ENTRY, rows)
            cursor.execute("UPDATE audit_head SET last_n = ?, last_hash = ? WHERE id = 1", (n, prev))
        else:
            conn.execute(insert(AuditEntry), [dict(zip(_ENTRY_COLUMNS, r, strict=True)) for r in rows])
            conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_n=n, last_hash=prev))
    finally:
        if cursor is not None:
            cursor.close()
    session.info[_HEAD] = (n, prev)


_ENTRY_COLUMNS = ("n", "at", "actor", "action", "entity", "entity_id", "summary", "before_json", "after_json",
                  "prev_hash", "hash")
_INSERT_ENTRY = (f"INSERT INTO audit_entry ({', '.join(_ENTRY_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))})")


def _stored_at(conn: Connection, when: datetime) -> Any:
    """``when`` as the ``at`` column's type stores it on this connection's dialect."""
    proc = _AT_PROCESSORS.get(conn.dialect.name, _UNSET)
    if proc is _UNSET:
        dialect = conn.dialect
        proc = _AT_PROCESSORS[dialect.name] = AuditEntry.__table__.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    return proc(when) if proc is not None else when


_UNSET: Any = object()
_AT_PROCESSORS: dict[str, Any] = {}


# session.info: (last_n, last_hash) as this transaction left audit_head, so the next record_audit of
# the same transaction need not read it again (a batch writes hundreds of entries one by one). Only
# record_audit writes the chain. A rolled-back savepoint takes its entries with it, and another
# transaction may move the head once this one ends, so any rollback and the end of the outermost
# transaction drop what is kept; a released savepoint keeps it (its entries stay in the
# transaction, and services wrap most actions in one).
_HEAD = "_audit_head_kept"


def _forget_head(session: Session, *_: Any) -> None:
    session.info.pop(_HEAD, None)


def _forget_head_unless_released(session: Session, transaction: Any) -> None:
    if not transaction.nested:
        session.info.pop(_HEAD, None)


event.listen(Session, "after_soft_rollback", _forget_head)
event.listen(Session, "after_transaction_end", _forget_head_unless_released)


@dataclass(frozen=True)
class ChainBreak:
    n: int
    message: str


def verify_audit_chain(conn: Connection) -> list[ChainBreak]:
    """Recompute the chain; returns every entry whose hash or link does not match."""
    problems: list[ChainBreak] = []
    prev, expected_n = GENESIS, 1
    for e in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.n)):
        if e.n != expected_n:
            problems.append(ChainBreak(e.n, f"审计记录编号不连续：缺少第 {expected_n} 条（可能被删除）"))
        if e.prev_hash != prev:
            problems.append(ChainBreak(e.n, f"第 {e.n} 条审计记录与上一条的链接不符（上一条可能被改动或删除）"))
        before = json.loads(e.before_json) if e.before_json is not None else None
        after = json.loads(e.after_json) if e.after_json is not None else None
        digest = chain_hash(e.prev_hash, audit_payload(e.n, e.at.isoformat(), e.actor, e, before, after))
        if digest != e.hash:
            problems.append(ChainBreak(e.n, f"第 {e.n} 条审计记录（{e.summary}）的内容与其哈希不符：已被程序以外的方式修改"))
        prev, expected_n = e.hash, e.n + 1
    head = conn.execute(select(AuditHead.last_n, AuditHead.last_hash).where(AuditHead.id == 1)).first()
    last_n = expected_n - 1
    if head is not None and (head[0], head[1]) != (last_n, prev):
        if head[0] > last_n:
            problems.append(ChainBreak(last_n + 1, f"审计日志最后的 {head[0] - last_n} 条记录（第 {last_n + 1}–{head[0]} 条）已被删除"))
        else:
            problems.append(ChainBreak(last_n, "审计日志的末尾与记录的链尾不符：可能被程序以外的方式修改"))
    return problems

