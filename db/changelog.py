"""Writes the change log in the same transaction as every write of a syncable row.

ORM writes are caught by session hooks; bulk Core writers (imports, demo data, sync
apply) call :func:`bulk_insert`. Both end in :func:`_append_log`, the one place where
sequence numbers are handed out. A record is (origin, seq, table, row id, op, rev,
prev_rev): no row image, no hash (docs/DESIGN-NOTES.md note 6).

Both paths also write each row's content hash (``row_hash``, db/rowhash.py): the bulk writer
from the stored values it has just converted, the ORM hook by re-reading the flushed rows (found
by their table's primary key: business rows by ``id``, local settings by theirs).
"""

from __future__ import annotations

import gc
import marshal
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Table, Uuid, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from db import rowhash
from db.base import is_syncable
from db.pgcursor import Cursor, cursor_of
from db.types import ScaledDecimal, to_scaled_int, utcnow

_PENDING_KEY = "_pending_changes"
_HASH_KEY = "_pending_row_hashes"

# Checks run before any syncable row is written through the bulk path or logged; each raises to
# refuse. db knows nothing of what they check: the district database registers its refusal of
# local edits here (desktop_app/sync/district_guard.py), which the ORM hook alone would miss.
WRITE_CHECKS: list[Callable[[Session], None]] = []
_INSERT_LOG = "INSERT INTO change_log (origin, seq, table_name, row_id, op, rev, prev_rev) VALUES (?, ?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class Change:
    table_name: str
    row_id: uuid.UUID
    op: str  # insert / update / delete
    rev: int
    prev_rev: int


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a bulk writer allocates its rows (they hold no cycles;
    Python would otherwise rescan every live object again and again). Restored afterwards, with
    what was made meanwhile moved to the oldest generation (``freeze`` + ``unfreeze``): otherwise
    the first young-generation pass after ``enable`` walks every one of them (0.15 s after a
    100,000-row member check) only to find no garbage. They stay collectable there."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


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


def _processor(conn: Connection, column: Column[Any]) -> Processor:
    """The column type's own bind processor for this dialect (hex UUID, ISO text …); money and
    areas call ``to_scaled_int`` directly (what ``ScaledDecimal.process_bind_param`` does)."""
    if isinstance(column.type, ScaledDecimal):
        return partial(to_scaled_int, places=column.type.places)
    return column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)


def _is_hex_uuid(conn: Connection, column: Column[Any]) -> bool:
    t = column.type
    return isinstance(t, Uuid) and bool(t.as_uuid) and not (conn.dialect.supports_native_uuid and t.native_uuid)


_Convert = Callable[[Sequence[Any], list[Any]], list[tuple[Any, ...]]]
_CONVERTERS: dict[tuple[Any, ...], tuple[list[str], _Convert, list[tuple[str, Processor]]]] = {}


def _converter(conn: Connection, table: Table, first: Mapping[str, Any], constants: Mapping[str, Any],
               columns: tuple[str, ...] | None = None, stored: frozenset[str] = frozenset()
               ) -> tuple[list[str], Callable[[Sequence[Any]], list[tuple[Any, ...]]]]:
    """Column names, and a function turning rows into tuples of stored values.

    Each value is what an ORM write of the same row stores (the types' own processors); a key a
    row leaves out gets the column's default (a callable default, such as a new id, is written
    back into a dict row); values the same for every row (``constants``) are converted once.
    Rows are dicts, or (``columns``) tuples of those columns' values in that order. Values of
    the ``stored`` columns are given already in their stored form (an id as its hex text,
    ``db.types.uuid7_hex_many``) and taken as they are. The function is generated once per
    table and shape (which constants, columns and stored columns, which database-filled columns
    are left out) and kept, so a row costs one tuple display, not a call per column.
    """
    filled = tuple(c.key for c in table.columns
                   if c.key not in first and c.default is None and c.server_default is not None)
    key = (table, conn.dialect.name, tuple(sorted(constants)), filled, columns, stored)
    found = _CONVERTERS.get(key)
    if found is None:
        found = _CONVERTERS[key] = _make_converter(conn, table, set(filled), constants, columns, stored)
    names, convert, const_procs = found
    values = [proc(constants[k]) if proc else constants[k] for k, proc in const_procs]
    return names, lambda rows: convert(rows, values)


def _make_converter(conn: Connection, table: Table, filled: set[str], constants: Mapping[str, Any],
                    columns: tuple[str, ...] | None, stored: frozenset[str] = frozenset()
                    ) -> tuple[list[str], _Convert, list[tuple[str, Processor]]]:
    names: list[str] = []
    exprs: list[str] = []
    env: dict[str, Any] = {}
    const_procs: list[tuple[str, Processor]] = []
    at = {k: i for i, k in enumerate(columns)} if columns is not None else None
    hashed = rowhash.is_hashed(table) and not filled  # else the rows are re-read (bulk_insert)
    # in the row hash's column order, so that the converted tuple is what the hash covers
    ordered = sorted(table.columns, key=lambda c: c.name) if hashed else list(table.columns)
    for i, col in enumerate(ordered):
        key, default = col.key, col.default
        if key in filled or col.name == rowhash.COLUMN:
            continue  # the database fills it; the hash is appended below
        names.append(col.name)
        proc = _processor(conn, col)
        env[f"p{i}"] = proc
        if key in constants:
            exprs.append(f"C[{len(const_procs)}]")
            const_procs.append((key, proc))
            continue
        if key in stored:  # given as stored: as it is, or (a native UUID column) through its processor
            value = f"r[{at[key]}]" if at is not None else f"r[{key!r}]"
            if isinstance(col.type, Uuid) and not _is_hex_uuid(conn, col) and proc is not None:
                env["UUID"] = uuid.UUID
                exprs.append(f"(None if (v{i} := {value}) is None else p{i}(UUID(v{i})))")
            else:
                exprs.append(value)
            continue
        if default is not None and default.is_callable:
            env[f"d{i}"] = default.arg  # type: ignore[attr-defined]
            if at is None:
                value = f"(r[{key!r}] if {key!r} in r else r.setdefault({key!r}, d{i}(None)))"
            else:  # a tuple row holds no place to write a made value back
                value = f"r[{at[key]}]" if key in at else f"d{i}(None)"
            if _is_hex_uuid(conn, col):  # a new id (uuid7): stored as its hex, as SQLAlchemy's processor does
                exprs.append(f"(None if (v{i} := {value}) is None else v{i}.hex)")
            else:
                exprs.append(f"p{i}({value})" if proc else value)
            continue
        env[f"f{i}"] = fixed = getattr(default, "arg", None) if default is not None else None
        if at is None:
            value = f"r.get({key!r}, f{i})"
        elif key in at:
            value = f"r[{at[key]}]"
        else:  # a column tuple rows leave out: its default, the same for every row, converted here once
            env[f"k{i}"] = proc(fixed) if proc else fixed
            exprs.append(f"k{i}")
            continue
        if _is_hex_uuid(conn, col):  # inlined: SQLAlchemy's processor stores value.hex
            exprs.append(f"(None if (v{i} := {value}) is None else v{i}.hex)")
        elif type(col.type) is Date and proc is not None:  # SQLite stores a date as its ISO text
            env["DATE"] = date
            exprs.append(f"(v{i}.isoformat() if type(v{i} := {value}) is DATE else p{i}(v{i}))")
        elif isinstance(col.type, Boolean) and proc is not None:  # SQLAlchemy's strict check is the fallback
            exprs.append(f"(1 if (v{i} := {value}) is True else 0 if v{i} is False else p{i}(v{i}))")
        elif isinstance(col.type, ScaledDecimal):  # inlined fast path of to_scaled_int, which has the last word
            env["D"] = Decimal
            exprs.append(f"(x{i} if type(v{i} := {value}) is D and v{i}.is_finite() and "
                         f"(x{i} := int(s{i} := v{i}.scaleb({col.type.places}))) == s{i} else p{i}(v{i}))")
        else:
            exprs.append(f"p{i}({value})" if proc else value)
    unknown = (set(columns or ()) | stored) - {c.key for c in table.columns}
    if unknown:
        raise ValueError(f"{table.name} has no column {sorted(unknown)}")
    if hashed:  # rowhash.tuple_hash inlined
        names.append(rowhash.COLUMN)
        env.update(H=rowhash.new_hasher, FB=int.from_bytes, M=marshal.dumps, V=rowhash.MARSHAL_VERSION)
        source = (f"def convert(rows, C):\n    return [(t := ({', '.join(exprs)},)) + "
                  "(FB((h := H()).update(M(t, V)) or h.digest(), 'big', signed=True),) for r in rows]\n")
    else:
        source = f"def convert(rows, C):\n    return [({', '.join(exprs)},) for r in rows]\n"
    exec(compile(source, f"<bulk insert {table.name}>", "exec"), env)  # our own column names and processors, never user text
    convert: _Convert = env["convert"]
    return names, convert, const_procs


def bulk_insert(session: Session, model: type, rows: Sequence[Any], *, columns: Sequence[str] | None = None,
                constants: Mapping[str, Any] | None = None, stored: Iterable[str] = ()) -> None:
    """Insert syncable rows and their change-log records with DBAPI ``executemany``.

    Values are converted once, exactly as an ORM write stores them (:func:`_converter`), and
    bound straight through the driver's cursor in the session's transaction. Rows are dicts,
    which get their sync metadata (origin, rev 1, updated_at) from :func:`stamp_rows`; or, with
    ``columns``, tuples of those columns' values in that order (a writer of 100,000s of rows
    builds no dict per row; the metadata is given once for all). ``constants``: values the same
    for every row (an organisation id), given and converted once instead of in every row.
    ``stored``: columns whose values the rows hold already in their stored form — ids as hex
    text (``db.types.uuid7_hex_many``), which a writer of 100,000s of rows makes in bulk
    instead of a ``UUID`` object and a ``.hex`` per cell; taken as they are.
    """
    if not rows:
        return
    for check in WRITE_CHECKS:
        check(session)
    if columns is None:
        stamp_rows(session, rows)
        first = rows[0]
        origin, meta = first["origin"], {"origin": first["origin"], "rev": 1, "updated_at": first["updated_at"]}
    else:
        first = dict.fromkeys(columns)
        origin = session_origin(session)
        meta = {"origin": origin, "rev": 1, "updated_at": utcnow(), "deleted": False}
    table: Table = model.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    given = {**(constants or {}), **meta}
    if first.keys() & (constants or {}).keys() or (columns is not None and given.keys() & set(columns)):
        raise ValueError(f"{table.name}: a column given both per row and for every row")  # which would win is a guess
    names, convert = _converter(conn, table, {**first, **given}, given,
                                tuple(columns) if columns is not None else None, frozenset(stored))
    values = convert(rows)
    at, name = names.index("id"), str(table.name)  # a plain str: sqlite3 adapts a subclass per row
    cursor = driver_cursor(session)
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({", ".join(names)}) '
                           f'VALUES ({", ".join("?" * len(names))})', values)
        origin_hex = origin.hex
        start = _reserve(cursor, origin_hex, len(values))
        # one record per row; what is the same in every record is written into the statement
        # (a hex origin and our own table name: no user text), so each binds its seq and row id,
        # paired in C (zip, itemgetter) with no Python step per record
        cursor.executemany(_insert_log_for(origin_hex, name), zip(range(start, start + len(values)),
                                                                  map(itemgetter(at), values), strict=True))
        if rowhash.is_hashed(table) and rowhash.COLUMN not in names:  # a database-filled column
            rowhash.refresh(cursor, name, rowhash.hash_columns(table), [v[at] for v in values])
    finally:
        cursor.close()


def _insert_log_for(origin_hex: str, table: str) -> str:
    """:data:`_INSERT_LOG` of new rows of ``table`` (op insert, rev 1, prev_rev 0) from ``origin_hex``,
    binding only (seq, row id): it stores the same values."""
    if not (origin_hex.isalnum() and origin_hex.isascii() and table.replace("_", "").isalnum() and table.isascii()):
        raise ValueError(f"not a hex origin or a table name: {origin_hex!r}, {table!r}")
    return ("INSERT INTO change_log (origin, seq, table_name, row_id, op, rev, prev_rev) "
            f"VALUES ('{origin_hex}', ?, '{table}', ?, 'insert', 1, 0)")


def driver_cursor(session: Session) -> Cursor:
    """A cursor of the driver connection under the session's transaction (works inside flush
    events); on PostgreSQL one that speaks SQLite's dialect and stored forms (db/pgcursor.py)."""
    return cursor_of(session.connection().connection.driver_connection)


def _reserve(cursor: Cursor, origin_hex: str, n: int) -> int:
    """The first of ``n`` sequence numbers handed out from the origin's counter (the one place)."""
    found = cursor.execute("SELECT last_seq FROM sync_counter WHERE origin = ?", (origin_hex,)).fetchone()
    if found is None:
        cursor.execute("INSERT INTO sync_counter (origin, last_seq) VALUES (?, 0)", (origin_hex,))
    start = found[0] if found else 0
    cursor.execute("UPDATE sync_counter SET last_seq = ? WHERE origin = ?", (start + n, origin_hex))
    return int(start) + 1


def _append_log(cursor: Cursor, origin_hex: str, records: list[tuple[str, str, str, int, int]]) -> None:
    """(table, row id hex, op, rev, prev_rev) records numbered on from the origin's counter."""
    start = _reserve(cursor, origin_hex, len(records))
    cursor.executemany(_INSERT_LOG, [(origin_hex, seq, *rec) for seq, rec in enumerate(records, start=start)])


def log_changes(session: Session, changes: Iterable[Change]) -> int:
    """Append change records with gap-free per-origin sequence numbers; returns how many."""
    records = [(ch.table_name, ch.row_id.hex, ch.op, ch.rev, ch.prev_rev) for ch in changes]
    if records:
        for check in WRITE_CHECKS:
            check(session)
        cursor = driver_cursor(session)
        try:
            _append_log(cursor, session_origin(session).hex, records)
        finally:
            cursor.close()
    return len(records)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    to_hash: list[Any] = session.info.setdefault(_HASH_KEY, [])
    to_hash.extend(obj for obj in session.new if rowhash.is_hashed(type(obj).__table__))
    to_hash.extend(obj for obj in session.dirty if rowhash.is_hashed(type(obj).__table__)
                   and session.is_modified(obj, include_collections=False))
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
    if pending:
        log_changes(session, (Change(str(type(obj).__table__.name), obj.id, op, obj.rev, prev)
                              for obj, op, prev in pending))
    to_hash = session.info.pop(_HASH_KEY, None)
    if to_hash:  # on PostgreSQL over SQLite's stored forms too (db/pgcursor.py), so verify agrees
        _write_row_hashes(session, to_hash)


def _write_row_hashes(session: Session, objects: list[Any]) -> None:
    """Re-read the rows the flush wrote (their stored values) and store each one's hash; the
    objects get the same value as committed state, so a later flush does not write it again.
    Rows are found by their table's primary key, whatever it is: ``id`` for business rows, e.g.
    ``key`` or ``(partner, origin)`` for the local settings and identities."""
    by_table: dict[Table, dict[Any, Any]] = {}
    for obj in objects:
        table = type(obj).__table__
        if rowhash.refresh_key(table) is None:
            by_table.setdefault(table, {})[obj.id.hex] = obj
        else:
            key = inspect(type(obj)).primary_key_from_instance(obj)
            by_table.setdefault(table, {})[rowhash.stored_key(key)] = obj
    cursor = driver_cursor(session)
    try:
        for table, objs in by_table.items():
            hashes = rowhash.refresh(cursor, str(table.name), rowhash.hash_columns(table), list(objs),
                                     rowhash.refresh_key(table))
            for key, value in hashes.items():
                set_committed_value(objs[key], rowhash.COLUMN, value)
    finally:
        cursor.close()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_HASH_KEY, None)
