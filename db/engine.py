"""The only place an Engine and a sessionmaker are built.

SQLite is opened with foreign keys on, WAL, ``synchronous=FULL`` (office PCs lose
power) and a busy timeout. The stdlib driver's own transaction handling is switched
off and SQLAlchemy emits BEGIN itself, as the SQLAlchemy SQLite dialect docs describe,
so that SAVEPOINT and transactional DDL work.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

import db.changelog  # noqa: F401  (registers the change-log session hooks)
from db.models.installation import Installation


def make_engine(path: Path | str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """``read_only`` opens the file as SQLite's ``mode=ro`` (a file the user may not write):
    reading works, any write fails with SQLite's read-only error, and the journal mode is left
    as it is."""
    if read_only:
        url = f"sqlite+pysqlite:///{read_only_uri(Path(path))}&uri=true"
    else:
        url = f"sqlite+pysqlite:///{Path(path)}"
    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN (driver quirk fix)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN: a read-then-write (next voucher number, audit
        # chain head, change-log counter) then waits for another writer (busy_timeout) instead
        # of failing on the lock upgrade. Pure reads stay deferred so WAL lets them run alongside.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def read_only_uri(path: Path) -> str:
    """SQLite URI opening ``path`` read-only. In a folder nobody may write (a CD, a read-only share)
    SQLite cannot make the WAL index it needs, so a file without a pending WAL is then opened
    ``immutable`` (it cannot change under us: nobody can write there)."""
    uri = f"file:{quote(path.resolve().as_posix())}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size):
        uri += "&immutable=1"
    return uri


@dataclass
class Database:
    """An open database file: engine, session factory and this installation's origin."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    origin: uuid.UUID
    read_only: bool = False  # opened ``mode=ro``: reads work, a write fails with SQLite's read-only error

    def session(self, actor: str = "system", *, write: bool = True) -> Session:
        immediate = write and not self.read_only
        s = self.sessions(bind=self.engine.execution_options(sqlite_immediate=True) if immediate else self.engine)
        s.info["origin"] = self.origin
        s.info["actor"] = actor
        return s

    @contextmanager
    def begin(self, actor: str = "system") -> Iterator[Session]:
        """One transaction per user action: commits on success, rolls back on any error."""
        with self.session(actor) as s, s.begin():
            yield s

    @contextmanager
    def read(self, actor: str = "system") -> Iterator[Session]:
        """A read-only transaction that never waits for a writer (WAL snapshot)."""
        with self.session(actor, write=False) as s, s.begin():
            yield s
            s.rollback()

    def close(self) -> None:
        self.engine.dispose()


def current_origin(session: Session) -> uuid.UUID | None:
    return session.execute(
        select(Installation.id).where(Installation.retired_at.is_(None)).order_by(Installation.created_at.desc())
    ).scalar()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
