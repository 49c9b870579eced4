"""Row content hashes: every row of a business table carries ``row_hash``, written with it.

The hash covers the row's STORED values — what SQLite returns for it (integers, text, NULL …),
in the order of the column names sorted, ``row_hash`` itself left out — so every path that
writes a row (ORM flush hooks, the bulk writer, sync apply, migrations) and ``verify`` compute
it with the one function here, from values they already hold or re-read. The values are
serialised by ``marshal`` format version 2 (typed: 1, '1' and NULL differ; strings as UTF-8; no
back-references, so equal values give equal bytes whatever objects hold them; a golden value in
tests/db/test_rowhash.py pins it) and hashed keyless (BLAKE2b, 64 bits, stored as a signed
INTEGER): about 1.5 µs a row. It finds a row edited behind the program's
back, not one whose hash a tamperer recomputed; that is what the anchors outside the file
(the audit head in sync packages and printed seals) are for (docs/DESIGN-NOTES.md note 34).

Rows are found by their table's primary key: a UUID ``id`` for every business row (read in
batches of ids), or the key of a local table (``key``, ``origin``, ``(partner, origin)``, the
site's 1: a handful of rows, read one by one; :func:`refresh_key`).

A migration that adds or changes a column of a hashed table recomputes its hashes
(:func:`fill_table`), since the stored values are what the hash covers.
"""

from __future__ import annotations

import marshal
import uuid
from collections.abc import Iterable, Iterator, Sequence
from hashlib import blake2b
from typing import Any

from sqlalchemy import Table, Uuid

from db.pgcursor import Cursor

COLUMN = "row_hash"
MARSHAL_VERSION = 2
_FROM_BYTES = int.from_bytes
_DUMPS = marshal.dumps


def row_hash(values: Sequence[Any]) -> int:
    """The hash of one row's stored values, given in :func:`hash_columns` order."""
    return tuple_hash(tuple(values))


# A fresh 64-bit BLAKE2b, copied from one made once: about half the cost of ``blake2b(digest_size=8)``,
# whose keyword parsing and parameter block are per call; the digest is the same.
new_hasher = blake2b(digest_size=8).copy


def tuple_hash(values: tuple[Any, ...]) -> int:
    """:func:`row_hash` of a tuple (the bulk writer's rows; no copy)."""
    h = new_hasher()
    h.update(_DUMPS(values, MARSHAL_VERSION))
    return _FROM_BYTES(h.digest(), "big", signed=True)


def is_hashed(table: Table) -> bool:
    return COLUMN in table.c


def hash_columns(table: Table | Iterable[str]) -> list[str]:
    """The columns a row hash covers, in hash order (names sorted, ``row_hash`` left out)."""
    names = [c.name for c in table.columns] if isinstance(table, Table) else list(table)
    return sorted(n for n in names if n != COLUMN)


def hashed_tables() -> list[Table]:
    """Every table of the models that carries ``row_hash``, by name."""
    import db.models  # noqa: F401  (registers every table)
    from db.base import Base

    return sorted((t for t in Base.metadata.tables.values() if is_hashed(t)), key=lambda t: t.name)


def _select(table: str, columns: Sequence[str]) -> str:
    # names unquoted: SQLite reads a double-quoted name that is no column as a string literal
    return f'SELECT {", ".join(columns)} FROM "{table}"'


def key_columns(table: Table) -> list[str]:
    """The columns a table's rows are found by: its primary key (``id``, or e.g. ``key``,
    ``(partner, origin)``)."""
    return [c.name for c in table.primary_key.columns]


def stored_key(values: Sequence[Any]) -> Any:
    """A row's key as :func:`refresh` and :func:`mismatches` give it: the stored value of a
    one-column key (hex text for a UUID), a tuple of them for a composite one."""
    out = tuple(v.hex if isinstance(v, uuid.UUID) else v for v in values)
    return out[0] if len(out) == 1 else out


def key_where(key: Sequence[str]) -> str:
    """``a = ? AND b = ?`` for a key's columns (with :func:`key_params`)."""
    return " AND ".join(f"{k} = ?" for k in key)


def key_params(key: Sequence[str], value: Any) -> tuple[Any, ...]:
    """The parameters of :func:`key_where` for a key as :func:`stored_key` gives it."""
    return tuple(value) if len(key) > 1 else (value,)


def refresh_key(table: Table) -> list[str] | None:
    """What :func:`refresh` is given as ``key`` for a table: None for a table keyed by a UUID
    ``id`` (every business row), else its key columns."""
    key = table.primary_key.columns
    if len(key) == 1 and key[0].name == "id" and isinstance(key[0].type, Uuid):
        return None
    return [c.name for c in key]


def refresh(cursor: Cursor, table: str, columns: Sequence[str], ids: Sequence[Any],
            key: Sequence[str] | None = None) -> dict[Any, int]:
    """Re-read the rows ``ids`` (stored key values, :func:`stored_key`: hex text for UUIDs) and
    write their hashes; returns key → hash. For writers that store rows with Core statements (sync
    apply, SQL). ``key``: None for a table keyed by a UUID ``id`` (read in batches); else the
    table's key columns (:func:`refresh_key`: the local settings and identities, a handful of rows,
    read one by one)."""
    if key is not None:
        return _refresh_by_key(cursor, table, columns, ids, key)
    out: dict[Any, int] = {}
    at = list(columns).index("id")
    sql = _select(table, columns) + " WHERE id IN (SELECT value FROM json_each(?))"
    import json

    for start in range(0, len(ids), 50_000):
        chunk = list(ids[start:start + 50_000])
        for row in cursor.execute(sql, (json.dumps(chunk),)).fetchall():
            out[row[at]] = tuple_hash(row)
    cursor.executemany(f'UPDATE "{table}" SET {COLUMN} = ? WHERE id = ?', [(h, i) for i, h in out.items()])
    return out


def _refresh_by_key(cursor: Cursor, table: str, columns: Sequence[str], keys: Sequence[Any],
                    key: Sequence[str]) -> dict[Any, int]:
    at = [list(columns).index(k) for k in key]
    where = key_where(key)
    select = _select(table, columns) + f" WHERE {where}"
    out: dict[Any, int] = {}
    for value in keys:
        row = cursor.execute(select, key_params(key, value)).fetchone()
        if row is not None:
            out[row[at[0]] if len(at) == 1 else tuple(row[i] for i in at)] = tuple_hash(tuple(row))
    cursor.executemany(f'UPDATE "{table}" SET {COLUMN} = ? WHERE {where}',
                       [(h, *key_params(key, k)) for k, h in out.items()])
    return out


def refresh_rows(cursor: Cursor, table: Table, keys: Iterable[Any]) -> dict[Any, int]:
    """:func:`refresh` of the rows of a model's table by their keys (stored forms, or Python
    values: UUIDs are turned into their stored hex; a composite key as a tuple): for writers of
    the local tables with Core statements or SQL (the installation, sync acknowledgements)."""
    stored = [stored_key(k if isinstance(k, tuple) else (k,)) for k in keys]
    return refresh(cursor, str(table.name), hash_columns(table), stored, refresh_key(table))


def fill_table(cursor: Cursor, table: str) -> int:
    """Compute and store the hash of every row of ``table`` (migrations); returns the rows."""
    names = [r[1] for r in cursor.execute(f'PRAGMA table_info("{table}")')]
    columns = hash_columns(names)
    rows = cursor.execute(_select(table, ["rowid", *columns])).fetchall()
    cursor.executemany(f'UPDATE "{table}" SET {COLUMN} = ? WHERE rowid = ?', [(tuple_hash(r[1:]), r[0]) for r in rows])
    return len(rows)


def fill_by_id(cursor: Cursor, table: str, columns: Iterable[str]) -> int:
    """:func:`fill_table` on either engine (through :func:`refresh`), for a table keyed by ``id``
    whose columns the migration names; returns the rows."""
    ids = [r[0] for r in cursor.execute(f'SELECT id FROM "{table}"').fetchall()]
    return len(refresh(cursor, table, hash_columns(columns), ids))


def fill_by_key(cursor: Cursor, table: str, columns: Iterable[str], key: Sequence[str]) -> int:
    """:func:`fill_by_id` for a table keyed by other columns (a migration names them)."""
    keys = [r[0] if len(key) == 1 else tuple(r)
            for r in cursor.execute(f'SELECT {", ".join(key)} FROM "{table}"').fetchall()]
    return len(refresh(cursor, table, hash_columns(columns), keys, key))


def mismatches(cursor: Cursor, table: Table, batch: int = 20_000) -> Iterator[tuple[Any, int | None]]:
    """Stream the table; yield (row key as stored, stored hash) of each row whose stored hash is
    not the hash of its stored values (NULL included). The key is the ``id`` (or other one-column
    key) as stored, or a tuple of a composite key's stored values (:func:`stored_key`)."""
    columns = hash_columns(table)
    n = len(columns)
    rows = cursor.execute(_select(table.name, [*columns, COLUMN]))
    at = [columns.index(k) for k in key_columns(table)]
    while chunk := rows.fetchmany(batch):
        for row in [r for r in chunk if tuple_hash(r[:n]) != r[n]]:
            yield (row[at[0]] if len(at) == 1 else tuple(row[i] for i in at)), row[n]
