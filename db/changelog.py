"""Writes the change log in the same transaction as every write of a syncable row.

ORM writes are caught by session hooks; bulk Core writers (imports, demo data, sync
apply) call :func:`stamp_rows` and :func:`log_changes` themselves. Both end in
:func:`log_changes`, so there is one place where sequence numbers and hashes are made.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from db.base import is_syncable
from db.images import change_hash, row_image, row_json
from db.models.sync import ChangeLog, SyncCounter
from db.types import utcnow

_PENDING_KEY = "_pending_changes"


@dataclass(frozen=True)
class Change:
    table_name: str
    row_id: uuid.UUID
    op: str  # insert / update / delete
    rev: int
    prev_rev: int
    row: dict[str, Any]  # column name -> Python value (Decimal, UUID, date …) or its JSON form


def session_origin(session: Session) -> uuid.UUID:
    origin = session.info.get("origin")
    if not isinstance(origin, uuid.UUID):
        raise RuntimeError("session has no installation origin; open it through db.engine.Database")
    return origin


def session_actor(session: Session) -> str:
    return str(session.info.get("actor") or "system")


def stamp_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Give new rows for a bulk insert their sync metadata (origin, rev 1, updated_at)."""
    origin, now = session_origin(session), utcnow()
    for row in rows:
        row["origin"] = origin
        row["rev"] = 1
        row["updated_at"] = now
        row.setdefault("deleted", False)


def bulk_insert(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """Core executemany insert of syncable rows plus their change-log records."""
    if not rows:
        return
    stamp_rows(session, rows)
    table = model.__table__  # type: ignore[attr-defined]
    session.connection().execute(table.insert(), rows)  # Core executemany: no ORM bookkeeping
    log_changes(session, (Change(table.name, r["id"], "insert", 1, 0, r) for r in rows))


def log_changes(session: Session, changes: Iterable[Change]) -> int:
    """Append change records with gap-free per-origin sequence numbers; returns how many."""
    changes = list(changes)
    if not changes:
        return 0
    origin, actor, now = session_origin(session), session_actor(session), utcnow()
    conn = session.connection()  # works inside flush events too
    counter = conn.execute(
        select(SyncCounter.last_seq, SyncCounter.last_hash).where(SyncCounter.origin == origin)
    ).first()
    if counter is None:
        conn.execute(insert(SyncCounter).values(origin=origin, last_seq=0, last_hash="0" * 64))
        seq, prev_hash = 0, "0" * 64
    else:
        seq, prev_hash = counter
    records = []
    origin_text = str(origin)
    for ch in changes:
        seq += 1
        text = row_json(ch.row)
        digest = change_hash(prev_hash, origin_text, seq, ch.table_name, str(ch.row_id), ch.op, ch.rev,
                             ch.prev_rev, text)
        records.append({
            "origin": origin, "seq": seq, "table_name": ch.table_name, "row_id": ch.row_id,
            "op": ch.op, "rev": ch.rev, "prev_rev": ch.prev_rev,
            "row_json": text, "actor": actor, "at": now,
            "prev_hash": prev_hash, "hash": digest,
        })
        prev_hash = digest
    conn.execute(insert(ChangeLog), records)
    conn.execute(
        update(SyncCounter).where(SyncCounter.origin == origin).values(last_seq=seq, last_hash=prev_hash)
    )
    return len(records)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if not session.info.get("origin"):
        return  # sessions outside Database (migrations, raw tools) keep no log
    pending: list[tuple[object, str, int]] = session.info.setdefault(_PENDING_KEY, [])
    origin, now = session_origin(session), utcnow()
    for obj in session.deleted:
        if is_syncable(type(obj)):
            raise RuntimeError(f"同步数据不得物理删除（{type(obj).__name__}）：请设置 deleted 标记")
    for obj in session.new:
        if is_syncable(type(obj)):
            obj.origin, obj.rev, obj.updated_at = origin, 1, now
            if obj.deleted is None:
                obj.deleted = False
            pending.append((obj, "insert", 0))
    for obj in session.dirty:
        if is_syncable(type(obj)) and session.is_modified(obj, include_collections=False):
            prev = obj.rev
            op = "delete" if obj.deleted else "update"
            obj.origin, obj.rev, obj.updated_at = origin, prev + 1, now
            pending.append((obj, op, prev))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    log_changes(
        session,
        (
            Change(type(obj).__table__.name, obj.id, op, obj.rev, prev, row_image(obj))
            for obj, op, prev in pending
        ),
    )


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
