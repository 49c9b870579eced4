"""The only place an Engine and a sessionmaker are built.

SQLite is opened with foreign keys on, WAL, ``synchronous=FULL`` (office PCs lose
power) and a busy timeout. The stdlib driver's own transaction handling is switched
off and SQLAlchemy emits BEGIN itself, as the SQLAlchemy SQLite dialect docs describe,
so that SAVEPOINT and transactional DDL work.

A district database may instead live on PostgreSQL (``postgresql+psycopg://…``, DESIGN-NOTES
"PostgreSQL district"): the same models, the same migrations; a writing transaction takes one
transaction-scoped advisory lock, PostgreSQL's counterpart of SQLite's ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url, select
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

import db.changelog  # noqa: F401  (registers the change-log session hooks)
from db.errors import DatabaseBusy, is_busy
from db.models.installation import Installation

BUSY_TIMEOUT_MS = 10_000  # how long a transaction waits for another writer, unless it asks otherwise


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
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()
        if not read_only:
            keep_wal_files(dbapi_conn)

    if not read_only:
        lock_file = Path(path).with_name(Path(path).name + ".lock")

        @event.listens_for(engine, "close")
        def _on_close(dbapi_conn: sqlite3.Connection, record: Any) -> None:
            # No window has the database open: this process may tidy the -wal and -shm away
            # as SQLite usually does (a window's lost locks are what keep_wal_files guards).
            if not window_holds(lock_file):
                keep_wal_files(dbapi_conn, keep=False)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN: a read-then-write (next voucher number, audit
        # chain head, change-log counter) then waits for another writer (busy_timeout) instead
        # of failing on the lock upgrade. Pure reads stay deferred so WAL lets them run alongside.
        options = conn.get_execution_options()
        # How long this transaction waits for another writer: a window asks its user after a
        # moment (``Database.begin(wait_ms=…)``) where a batch waits the full busy timeout.
        wait = int(options.get("sqlite_wait_ms", BUSY_TIMEOUT_MS))
        kept = conn.connection.info  # lives as long as the SQLite connection
        if kept.get("busy_timeout", BUSY_TIMEOUT_MS) != wait:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
            kept["busy_timeout"] = wait
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")

    return engine


_SQLITE_FCNTL_PERSIST_WAL = 10
_sqlite_lib: Any = None


def keep_wal_files(dbapi_conn: sqlite3.Connection, keep: bool = True) -> bool:
    """Never delete the -wal and -shm files when this connection closes (SQLITE_FCNTL_PERSIST_WAL).

    SQLite's locks on POSIX are fcntl locks, which belong to the process: when anything else in
    the process opens and closes the database file, all of them are gone. Qt's file dialog does
    exactly that (it reads every file of the folder it shows to tell its type) when the window's
    user browses the database's folder for an Excel file. A command-line write that ends then
    takes itself for the last connection: it checkpoints and deletes the -wal and -shm files the
    window still has open, and every later transaction of the window reads a WAL that no longer
    exists ("database disk image is malformed") until it restarts; its writes would go to the
    deleted file. With the files kept, every process goes on sharing the same -wal and -shm.
    Windows locks belong to the file handle, so there is nothing to do there. ``keep=False``
    restores SQLite's usual tidying (``make_engine`` does so at close while no window holds
    the database). True when set."""
    global _sqlite_lib
    if sys.platform == "win32":
        return False
    try:
        if _sqlite_lib is None:
            import _sqlite3

            lib = ctypes.CDLL(_sqlite3.__file__)  # the SQLite this module is linked to (its symbols resolve)
            lib.sqlite3_file_control.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
            lib.sqlite3_file_control.restype = ctypes.c_int
            _sqlite_lib = lib
        # pysqlite's Connection object begins with its sqlite3* handle, right after the object header
        handle = ctypes.c_void_p.from_address(id(dbapi_conn) + object.__basicsize__).value
        if not handle:
            return False
        on = ctypes.c_int(1 if keep else 0)
        return bool(_sqlite_lib.sqlite3_file_control(handle, b"main", _SQLITE_FCNTL_PERSIST_WAL,
                                                     ctypes.byref(on)) == 0)
    except (OSError, AttributeError, ImportError):
        return False


def window_holds(lock_file: Path) -> bool:
    """True when a program window holds the database's lock file (``desktop_app.dblock``: an
    exclusive ``flock`` on ``<database>.lock``, which, unlike SQLite's fcntl locks, no other file
    descriptor's close can drop). POSIX only."""
    if sys.platform == "win32":
        return False
    import fcntl

    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


URL_DIALECTS = ("postgresql",)  # the servers a district database may live on
# Writers to a PostgreSQL database queue on this lock (pg_advisory_xact_lock: released at
# COMMIT/ROLLBACK) the way SQLite writers queue on BEGIN IMMEDIATE; readers never take it.
PG_WRITE_LOCK = 0x5367_4C65_6467  # "SgLedg"


def is_database_url(target: str | os.PathLike[str]) -> bool:
    """True when ``--db`` names a database server (``postgresql+psycopg://…``), not a file."""
    return isinstance(target, str) and "://" in target and not Path(target).exists()


def check_database_url(url: str) -> str:
    """The URL's dialect name, or ``ValueError`` (Chinese) for a URL this program cannot use."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"无法识别的数据库地址：{safe_url(url)}") from None
    if parsed.get_backend_name() not in URL_DIALECTS:
        raise ValueError(f"不支持的数据库类型 {parsed.get_backend_name()}：--db 只接受数据库文件，"
                         "或区级数据库的 PostgreSQL 地址 postgresql+psycopg://用户@主机/库名")
    if parsed.get_driver_name() != "psycopg":
        raise ValueError(f"PostgreSQL 地址请写作 postgresql+psycopg://…（本程序使用 psycopg 驱动）：{safe_url(url)}")
    if not parsed.database:
        raise ValueError(f"PostgreSQL 地址中缺少数据库名：{safe_url(url)}")
    return parsed.get_backend_name()


def safe_url(url: str) -> str:
    """The URL as it may be printed: any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def make_url_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine on a database server (PostgreSQL). Writing transactions serialise on
    ``PG_WRITE_LOCK`` (see ``Database.session``); the isolation level stays READ COMMITTED."""
    check_database_url(url)
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    # Every integer column is BIGINT here (db/types.py); psycopg's dialect would still cast each
    # integer parameter ``::INTEGER`` and so refuse a 64-bit 分 value. Sent without a cast, psycopg
    # types each value by its size (int2 … int8), as the column or the function expects.
    engine.dialect.colspecs = {**engine.dialect.colspecs, sqltypes.Integer: _UncastInteger}

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("sqlite_immediate", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")

    return engine


class _UncastInteger(sqltypes.Integer):
    render_bind_cast = False


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
    """An open database: engine, session factory and this installation's origin.

    ``work_dir`` is the data folder beside the database (temporary files, attachments,
    backups): a file's own folder for SQLite; for a server database (``dialect_name`` other
    than ``"sqlite"``) the folder the caller named, and ``path`` is then only a label
    (``work_dir / <database name>``) with no file behind it.
    """

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    origin: uuid.UUID
    read_only: bool = False  # opened ``mode=ro``: reads work, a write fails with SQLite's read-only error
    work_dir: Path = field(default_factory=Path)  # empty: the file's folder

    def __post_init__(self) -> None:
        if self.work_dir == Path():
            self.work_dir = self.path.parent

    @property
    def url(self) -> str:
        """The SQLAlchemy URL the engine connects to (with any password: never print it; see ``safe_url``)."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def dialect_name(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return str(self.engine.dialect.name)

    @property
    def is_file(self) -> bool:
        """True for a SQLite file (``path`` is a real file that can be copied and backed up)."""
        return self.dialect_name == "sqlite"

    def session(self, actor: str = "system", *, write: bool = True, wait_ms: int | None = None) -> Session:
        options: dict[str, Any] = {"sqlite_immediate": True} if write and not self.read_only else {}
        if wait_ms is not None and self.dialect_name == "sqlite":
            options["sqlite_wait_ms"] = wait_ms
        s = self.sessions(bind=self.engine.execution_options(**options) if options else self.engine)
        s.info["origin"] = self.origin
        s.info["actor"] = actor
        return s

    @contextmanager
    def begin(self, actor: str = "system", *, wait_ms: int | None = None) -> Iterator[Session]:
        """One transaction per user action: commits on success, rolls back on any error.

        Another writer holding the lock past the wait (``wait_ms``, else the busy timeout) is a
        ``DatabaseBusy`` with its Chinese message, never SQLite's "database is locked"."""
        try:
            with self.session(actor, wait_ms=wait_ms) as s, s.begin():
                yield s
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusy() from exc
            raise

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


def server_work_dir(data_dir: Path, url: str) -> Path:
    """The data folder of a server database under the program's data folder: one per database
    (``data_dir/postgresql/<host>-<name>``), so two district databases never share attachments."""
    parsed = make_url(url)
    host = str(parsed.host or parsed.query.get("host") or "local").strip("/").replace("/", "_")
    return data_dir / "postgresql" / f"{host}-{parsed.database}"
