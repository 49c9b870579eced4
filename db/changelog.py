"""Writes the change log in the same transaction as every write of a syncable row.

ORM writes are caught by session hooks; bulk Core writers (imports, demo data, sync
apply) call :func:`bulk_insert`. Both end in :func:`log_changes`, the one place where
sequence numbers are handed out. A record is (origin, seq, table, row id, op, rev,
prev_rev): no row image, no hash (docs/DESIGN-NOTES.md note 6).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, event
from sqlalchemy.orm import Session

from db.base import is_syncable
from db.types import utcnow

_PENDING_KEY = "_pending_changes"
_INSERT_LOG = "INSERT INTO change_log (origin, seq, table_name, row_id, op, rev, prev_rev) VALUES (?, ?, ?, ?, ?, ?, ?)"
_STAMPED = ("origin", "rev", "updated_at", "deleted")


@dataclass(frozen=True)
class Change:
    table_name: str
    row_id: uuid.UUID
    op: str  # insert / update / delete
    rev: int
    prev_rev: int


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


Processor = Callable[[Any], Any] | None
Getter = Callable[[dict[str, Any]], Any]


def _getter(key: str, proc: Processor, default: Any, constants: dict[str, Any]) -> Getter:
    """How one column's stored value is read from a row dict (see :func:`_dbapi_rows`)."""
    if key in constants:
        fixed = proc(constants[key]) if proc else constants[key]
        return lambda r: fixed
    if default is not None and default.is_callable:
        make = default.arg

        def made(r: dict[str, Any]) -> Any:
            if key not in r:
                r[key] = make(None)
            return proc(r[key]) if proc else r[key]
        return made
    fill = getattr(default, "arg", None) if default is not None else None
    if proc is None:
        return lambda r: r.get(key, fill)
    convert = proc
    return lambda r: convert(r.get(key, fill))


def _dbapi_rows(conn: Connection, table: Table, rows: list[dict[str, Any]],
                constants: dict[str, Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and one tuple of stored values per row.

    Each value goes through its column type's own bind processor for this dialect (hex UUID,
    integer 分, ISO text: exactly what an ORM write stores); a key a row leaves out gets the
    column's default (a callable default, such as a new id, is written back into the row).
    Values the same for every row (``constants``) are converted once.
    """
    names: list[str] = []
    getters: list[Getter] = []
    for col in table.columns:
        if col.key not in rows[0] and col.default is None and col.server_default is not None:
            continue  # the database fills it
        names.append(col.name)
        proc = col.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        getters.append(_getter(col.key, proc, col.default, constants))
    return names, [tuple([g(r) for g in getters]) for r in rows]


def bulk_insert(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """Insert syncable rows and their change-log records with DBAPI ``executemany``.

    Values are converted once by the column types' own bind processors (so the stored form is
    exactly what an ORM write stores) and bound straight through the driver's cursor; the
    rows get their sync metadata (origin, rev 1, updated_at) like :func:`stamp_rows`.
    """
    if not rows:
        return
    origin, now = session_origin(session), utcnow()
    table: Table = model.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    for row in rows:
        row["origin"] = origin
        row["rev"] = 1
        row["updated_at"] = now
        row.setdefault("deleted", False)
    names, values = _dbapi_rows(conn, table, rows, {"origin": origin, "rev": 1, "updated_at": now})
    sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, values)
    finally:
        cursor.close()
    log_changes(session, (Change(table.name, r["id"], "insert", 1, 0) for r in rows))


def log_changes(session: Session, changes: Iterable[Change]) -> int:
    """Append change records with gap-free per-origin sequence numbers; returns how many."""
    changes = list(changes)
    if not changes:
        return 0
    origin_hex = session_origin(session).hex
    conn = session.connection()  # works inside flush events too
    dbapi = conn.connection.driver_connection
    cursor = dbapi.cursor()  # type: ignore[union-attr]
    try:
        found = cursor.execute("SELECT last_seq FROM sync_counter WHERE origin = ?", (origin_hex,)).fetchone()
        if found is None:
            cursor.execute("INSERT INTO sync_counter (origin, last_seq) VALUES (?, 0)", (origin_hex,))
        start = found[0] if found else 0
        cursor.executemany(_INSERT_LOG, [
            (origin_hex, seq, ch.table_name, ch.row_id.hex, ch.op, ch.rev, ch.prev_rev)
            for seq, ch in enumerate(changes, start=start + 1)
        ])
        cursor.execute("UPDATE sync_counter SET last_seq = ? WHERE origin = ?", (start + len(changes), origin_hex))
    finally:
        cursor.close()
    return len(changes)


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
    log_changes(session, (Change(type(obj).__table__.name, obj.id, op, obj.rev, prev) for obj, op, prev in pending))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
