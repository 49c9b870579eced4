"""The only place an Engine and a sessionmaker are built.

SQLite is opened with foreign keys on, WAL, ``synchronous=FULL`` (office PCs lose
power) and a busy timeout. The stdlib driver's own transaction handling is switched
off and SQLAlchemy emits BEGIN itself, as the SQLAlchemy SQLite dialect docs describe,
so that SAVEPOINT and transactional DDL work.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

import db.changelog  # noqa: F401  (registers the change-log session hooks)
from db.models.installation import Installation


def make_engine(path: Path | str, *, echo: bool = False) -> Engine:
    engine = create_engine(f"sqlite+pysqlite:///{Path(path)}", echo=echo)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN (driver quirk fix)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
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


@dataclass
class Database:
    """An open database file: engine, session factory and this installation's origin."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    origin: uuid.UUID

    def session(self, actor: str = "system", *, write: bool = True) -> Session:
        s = self.sessions(bind=self.engine.execution_options(sqlite_immediate=True) if write else self.engine)
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
