"""The driver cursor of the sync write path on either engine (issue #13; DESIGN-NOTES 35).

Sync apply, control totals, digests, acks, status, export and the change-log writer speak to the
database through the driver cursor in SQLite's dialect: ``?`` parameters, ``INSERT OR IGNORE``,
``temp.`` tables, ``json_each(?)`` of an id list, and SQLite's STORED forms of values (hex UUID
text, ISO dates, ``YYYY-MM-DD HH:MM:SS.ffffff`` times, 0/1 booleans, integer 分). On a PostgreSQL
district :func:`cursor_of` wraps psycopg's cursor in :class:`PgCursor`, which translates those few
constructs (one table, :func:`translate`) and hands back every value in SQLite's stored form
(:func:`stored`), so the logic above it — and the row hashes, which cover stored forms — is ONE
copy for both engines. Rows are written in bulk with :func:`copy_upsert` (COPY into a staging
table, then one INSERT … ON CONFLICT), which also lets PostgreSQL parse the stored forms by column.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Protocol


class Cursor(Protocol):
    """What the sync code uses of a DBAPI cursor (sqlite3's, or :class:`PgCursor`)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, seq: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ..., /) -> list[Any]: ...

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Any]: ...


_IDS = "(SELECT value::uuid AS value FROM json_array_elements_text(?::json)) AS json_ids"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"%", "%%"),
    (r"\bPRAGMA defer_foreign_keys=ON\b", "SET CONSTRAINTS ALL DEFERRED"),
    (r"\bWITHOUT ROWID\b", ""),
    (r"\b(id|book_id) TEXT\b", r"\1 UUID"),  # the id columns of the temp tables
    (r"\btemp\.", "pg_temp."),
    (r"\bjson_each\(\?\)", _IDS),
    (r"\bSELECT \?, ", "SELECT ?::text, "),
    (r"\b(\w+\.)?deleted = 0\b", r"\1deleted = false"),
    (r"\bMAX\(([\w.]+), (excluded\.\w+)\)", r"GREATEST(\1, \2)"),  # SQLite's two-argument MAX/MIN
    (r"\bMIN\(([\w.]+), (excluded\.\w+)\)", r"LEAST(\1, \2)"),
    (r"\?", "%s"),
))


@cache
def translate(sql: str) -> str:
    """A statement of the sync code in PostgreSQL's words."""
    ignore = sql.lstrip().startswith("INSERT OR IGNORE ")
    if ignore:
        sql = sql.replace("INSERT OR IGNORE ", "INSERT ", 1)
    for pattern, repl in _RULES:
        sql = pattern.sub(repl, sql)
    return sql + " ON CONFLICT DO NOTHING" if ignore else sql


def stored(value: Any) -> Any:
    """A PostgreSQL value in the form SQLite stores it (what packages, digests and row hashes use)."""
    t = type(value)
    if t is uuid.UUID:
        return value.hex
    if t is bool:
        return int(value)
    if t is datetime:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if t is date:
        return value.isoformat()
    if t is Decimal:  # PostgreSQL's numeric results (SUM of BIGINT 分 is integral: an int, as SQLite gives);
        # only a non-integral computed value (never money, which is integer 分) becomes a float, as SQLite stores it
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _row(row: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    return None if row is None else tuple(stored(v) for v in row)


class PgCursor:
    """psycopg's cursor speaking the sync code's SQLite dialect (see the module docstring)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    @property
    def rowcount(self) -> int:
        return int(self.raw.rowcount)

    @property
    def description(self) -> Any:
        return self.raw.description

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        self.raw.execute(translate(sql), tuple(params))  # always parsed: "%" was doubled
        return self

    def executemany(self, sql: str, seq: Any) -> PgCursor:
        rows = [tuple(p) for p in seq]
        if rows:
            self.raw.executemany(translate(sql), rows)
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return _row(self.raw.fetchone())

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(stored(v) for v in r) for r in self.raw.fetchall()]

    def fetchmany(self, size: int = 1000) -> list[tuple[Any, ...]]:
        return [tuple(stored(v) for v in r) for r in self.raw.fetchmany(size)]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while chunk := self.fetchmany(2000):
            yield from chunk

    def close(self) -> None:
        self.raw.close()


def cursor_of(driver: Any) -> Cursor:
    """A cursor of the driver connection: sqlite3's own, or psycopg's wrapped."""
    if isinstance(driver, sqlite3.Connection):
        return driver.cursor()
    return PgCursor(driver.cursor())


def is_pg(cursor: Cursor) -> bool:
    return isinstance(cursor, PgCursor)


def errors() -> tuple[type[BaseException], ...]:
    """The driver errors a write may raise on either engine."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def copy_insert(cursor: PgCursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """New rows in SQLite's stored forms COPY'd straight into ``table`` (no conflict possible)."""
    with cursor.raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(r)


def copy_upsert(cursor: PgCursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                update_where: str) -> int:
    """Rows in SQLite's stored forms COPY'd into a staging table shaped like ``columns`` of
    ``table`` (PostgreSQL parses each by its column's type), then upserted on ``id`` in one
    statement (``update_where``: the condition on ``excluded`` and ``"table"``); returns the rows written."""
    stage = f"sync_stage_{table}"
    cols = ", ".join(f'"{c}"' for c in columns)
    raw = cursor.raw
    raw.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS SELECT {cols} FROM "{table}" LIMIT 0')
    shape = [r[0] for r in raw.execute(f'SELECT * FROM pg_temp."{stage}" LIMIT 0').description or ()]
    if shape != list(columns):  # a package of another row shape on this connection before
        raw.execute(f'DROP TABLE pg_temp."{stage}"')
        raw.execute(f'CREATE TEMP TABLE "{stage}" AS SELECT {cols} FROM "{table}" LIMIT 0')
    raw.execute(f'TRUNCATE pg_temp."{stage}"')
    with raw.copy(f'COPY pg_temp."{stage}" ({cols}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(r)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "id")
    raw.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM pg_temp."{stage}" '
                f"ON CONFLICT (id) DO UPDATE SET {sets} WHERE {update_where}")
    return int(raw.rowcount)
