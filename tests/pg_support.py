"""PostgreSQL for the tests: a fresh database per test on the throwaway server of scripts/test.sh.

The server URL comes from ``SUNSHINE_LEDGER_TEST_PG`` (``postgresql+psycopg://postgres@/postgres?host=DIR``,
printed by ``scripts/pg-test-server.sh start DIR``). Without it, every test that asks for PostgreSQL
is skipped with the reason; ``SUNSHINE_LEDGER_REQUIRE_PG=1`` (set by scripts/test.sh, so CI) turns
that skip into a failure: CI can never silently leave PostgreSQL out.

Fixtures:
- ``pg_url``: the URL of a new, empty database (dropped after the test);
- ``pg_migrated_url``: the same, with this program's schema already made (cloned from a template
  database migrated once per session and worker: a migration takes about a second, a clone a few ms);
- ``engine_kind``: ``"sqlite"`` or ``"postgresql"``; parametrize a test over both with
  ``@pytest.mark.parametrize("engine_kind", ENGINE_KINDS, indirect=True)`` or use ``both_engines``
  (the postgresql case carries the ``pg`` mark).
- ``district_target``: where a test's district database goes (a file path or a PG URL), by ``engine_kind``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Engine

from db.engine import Database

PG_ENV = "SUNSHINE_LEDGER_TEST_PG"
REQUIRE_ENV = "SUNSHINE_LEDGER_REQUIRE_PG"
ENGINE_KINDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.pg))
both_engines = pytest.mark.parametrize("engine_kind", ENGINE_KINDS, indirect=True)

_TEMPLATE_PREFIX = "ledger_template_"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg: needs the PostgreSQL test server (SUNSHINE_LEDGER_TEST_PG)")


def server_url() -> URL | None:
    raw = os.environ.get(PG_ENV, "").strip()
    return make_url(raw) if raw else None


def require_server() -> URL:
    """The server URL, or skip (fail when PostgreSQL is required) with the reason."""
    url = server_url()
    if url is None:
        reason = (f"没有 PostgreSQL 测试服务器：环境变量 {PG_ENV} 未设置"
                  "（scripts/test.sh 会启动一个临时服务器并设置它）")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(reason + f"，而 {REQUIRE_ENV}=1 要求必须测试 PostgreSQL")
        pytest.skip(reason)
    return url


def _admin(url: URL) -> Engine:
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def create_database(server: URL, *, template: str | None = None) -> URL:
    """A new database on ``server`` (a copy of ``template`` when given); its URL."""
    name = f"t_{_worker()}_{uuid.uuid4().hex[:12]}"
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        admin.dispose()
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test (dropped after it)."""
    server = require_server()
    url = create_database(server)
    yield url_text(url)
    drop_database(server, str(url.database))


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a database migrated to this program's schema once for the session (and worker)."""
    from db.migrate import open_database

    server = require_server()
    url = create_database(server)
    name = f"{_TEMPLATE_PREFIX}{_worker()}_{uuid.uuid4().hex[:8]}"
    database = open_database(url_text(url), work_dir=tmp_path_factory.mktemp("pg_template"))
    database.close()
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{url.database}" RENAME TO "{name}"'))
    finally:
        admin.dispose()
    yield name
    drop_database(server, name)


@pytest.fixture
def pg_migrated_url(pg_template: str) -> Iterator[str]:
    """A new PostgreSQL database with this program's schema (and the template's installation row:
    a test that needs its own identity opens it and gets the one the template made)."""
    server = require_server()
    url = create_database(server, template=pg_template)
    yield url_text(url)
    drop_database(server, str(url.database))


@pytest.fixture(params=["sqlite"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` (default) or ``"postgresql"`` when parametrized (``both_engines``)."""
    kind = str(request.param)
    if kind == "postgresql":
        require_server()
    return kind


@pytest.fixture
def district_target(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where this test's district database goes: a new file, or a new empty PostgreSQL database."""
    if engine_kind == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "district" / "district.db")


def mirror_database(src: Database, url: str, work_dir: Path) -> Database:
    """Make the database at ``url`` an exact copy of ``src`` (every row of every table, the same
    installation origin; ``db.pg_copy``) and open it. Run again, it copies afresh.

    This is how a district on PostgreSQL gets its rows in tests while the sync import is not yet
    dialect-aware (DESIGN-NOTES 35): the SQLite district is built by the real export and import,
    and its rows are carried over as stored."""
    from db.migrate import open_database
    from db.pg_copy import copy_to_server

    copy_to_server(src, url, work_dir=work_dir)
    return open_database(url, work_dir=work_dir, create=False)
