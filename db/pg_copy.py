"""Copy a district database file into PostgreSQL (a district that outgrows one file; tests; bench).

Every row of every table of the models goes across as SQLite stores it, through PostgreSQL's
``COPY`` (hex UUIDs, 0/1 booleans, ISO times and integer 分 are all valid input for the
PostgreSQL columns the same migrations made). The target must be an empty database, or one this
program made: its rows are replaced whole, in one transaction (all or nothing). Rows that refer to
rows of their own table (区划 parents, 科目 parents) are sent parents first, so the foreign keys are
checked as usual and no superuser setting is needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from db.engine import Database, make_url_engine, read_only_uri
from db.migrate import open_database

BATCH = 20_000


def copy_to_server(src: Database, url: str, *, work_dir: Path) -> dict[str, int]:
    """Make the database at ``url`` a copy of the SQLite database ``src`` (same rows, same
    installation origin); returns the rows copied per table."""
    if not src.is_file:
        raise ValueError("只能从数据库文件复制到 PostgreSQL")
    from db.base import Base

    open_database(url, work_dir=work_dir).close()  # the schema, migrated as usual
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    engine = make_url_engine(url)
    raw = engine.raw_connection()
    lite = sqlite3.connect(read_only_uri(src.path), uri=True)
    try:
        pg: Any = raw.driver_connection
        with pg.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables))
            for table in tables:
                names = [c.name for c in table.columns]
                columns = ", ".join(f'"{n}"' for n in names)
                rows = _rows(lite, table, names)
                n = 0
                with cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
                counts[table.name] = n
                serial = table.autoincrement_column
                if serial is not None and n:  # audit_entry.n: its sequence goes on after the copy
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{serial.name}'), "
                                f'(SELECT max("{serial.name}") FROM "{table.name}"))')
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        lite.close()
        raw.close()
        engine.dispose()
    return counts


def _rows(lite: sqlite3.Connection, table: Table, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The table's stored rows; those of a self-referencing table parents first."""
    sql = f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{table.name}"'
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        cursor = lite.execute(sql)
        while chunk := cursor.fetchmany(BATCH):
            yield from chunk
        return
    key = [c.name for c in table.primary_key.columns]
    at_key = [names.index(k) for k in key]
    at_ref = names.index(own[0])
    pending = lite.execute(sql).fetchall()
    done: set[Any] = set()
    while pending:  # parents first: each pass sends the rows whose parent has been sent
        later = []
        for row in pending:
            ref = row[at_ref]
            if ref is None or ref in done:
                yield row
                done.add(row[at_key[0]] if len(at_key) == 1 else tuple(row[i] for i in at_key))
            else:
                later.append(row)
        if len(later) == len(pending):  # a parent missing from the file: let the foreign key say so
            yield from later
            return
        pending = later
