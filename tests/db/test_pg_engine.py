"""A district database on PostgreSQL: the same migrations build the models' schema, money is BIGINT
分, a URL opens like a file, and what is not this program's database is refused untouched."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from db.base import Base
from db.engine import check_database_url, is_database_url, safe_url
from db.errors import DatabaseTooNew, IntegrityProblem
from db.migrate import current_revisions, open_database
from db.models.sync import ReceivedControlTotal
from db.types import compare_integer_as_bigint, uuid7
from tests.pg_support import PG_ENV, REQUIRE_ENV

pytestmark = pytest.mark.pg


def test_pg_server_is_given_when_required() -> None:
    """scripts/test.sh (so CI) sets SUNSHINE_LEDGER_REQUIRE_PG=1 and starts a server: the PostgreSQL
    tests then run, never skip."""
    if os.environ.get(REQUIRE_ENV) != "1":
        pytest.skip(f"{REQUIRE_ENV} 未设置（开发者手动运行 pytest）")
    assert os.environ.get(PG_ENV), f"{REQUIRE_ENV}=1 但没有 {PG_ENV}"


def test_migrations_build_the_models_schema_on_pg(pg_url: str, tmp_path: Path) -> None:
    db = open_database(pg_url, work_dir=tmp_path / "work")
    try:
        assert db.dialect_name == "postgresql"
        on_file = open_database(tmp_path / "same.db")
        try:
            assert current_revisions(db.engine) == current_revisions(on_file.engine)
        finally:
            on_file.close()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": compare_integer_as_bigint}),
                                    Base.metadata)
        assert diff == [], f"models and migrations disagree on PostgreSQL: {diff}"
    finally:
        db.close()


def test_money_is_bigint_fen_and_round_trips_beyond_int32(pg_migrated_url: str, tmp_path: Path) -> None:
    db = open_database(pg_migrated_url, work_dir=tmp_path)
    try:
        columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("received_control_total")}
        assert type(columns["debit"]).__name__ == "BIGINT"
        big = Decimal("98765432101.23")  # 9,876,543,210,123 分: far past a 32-bit INTEGER
        row = ReceivedControlTotal(package_id=uuid7(), book_id=uuid7(), period="2025-01", vouchers=1, lines=2,
                                   debit=big, credit=Decimal("0.01"))
        with db.begin() as s:
            s.add(row)
        with db.read() as s:
            got = s.execute(select(ReceivedControlTotal.debit, ReceivedControlTotal.credit)).one()
            raw = s.execute(text("SELECT debit FROM received_control_total")).scalar()
        assert got == (big, Decimal("0.01"))
        assert raw == 9_876_543_210_123
    finally:
        db.close()


def test_url_database_has_work_dir_and_label_path(pg_migrated_url: str, tmp_path: Path) -> None:
    db = open_database(pg_migrated_url, work_dir=tmp_path / "data")
    try:
        assert db.work_dir == tmp_path / "data" and db.work_dir.is_dir()
        assert db.path.parent == db.work_dir and not db.path.exists()
        assert db.url.startswith("postgresql+psycopg://") and not db.is_file
    finally:
        db.close()


def test_reopening_is_not_a_new_installation(pg_url: str, tmp_path: Path) -> None:
    first = open_database(pg_url, work_dir=tmp_path)
    first.close()
    again = open_database(pg_url, work_dir=tmp_path, create=False)
    try:
        assert again.origin == first.origin
    finally:
        again.close()


def test_empty_database_without_create_is_refused(pg_url: str, tmp_path: Path) -> None:
    with pytest.raises(IntegrityProblem, match="还没有初始化"):
        open_database(pg_url, work_dir=tmp_path, create=False)


def test_foreign_database_is_refused_untouched(pg_url: str, tmp_path: Path) -> None:
    raw = create_engine(pg_url)
    with raw.begin() as conn:
        conn.execute(text("CREATE TABLE other (x integer)"))
    try:
        with pytest.raises(IntegrityProblem, match="不是阳光台账的数据库"):
            open_database(pg_url, work_dir=tmp_path)
        assert inspect(raw).get_table_names() == ["other"]
    finally:
        raw.dispose()


def test_newer_database_is_refused(pg_migrated_url: str, tmp_path: Path) -> None:
    raw = create_engine(pg_migrated_url)
    with raw.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zz9999' WHERE version_num = (SELECT min(version_num) FROM alembic_version)"))
    raw.dispose()
    with pytest.raises(DatabaseTooNew, match="更新版本"):
        open_database(pg_migrated_url, work_dir=tmp_path)


def test_url_needs_a_work_dir(pg_migrated_url: str) -> None:
    with pytest.raises(IntegrityProblem, match="数据目录"):
        open_database(pg_migrated_url)


def test_url_checks_without_a_server() -> None:
    assert is_database_url("postgresql+psycopg://u@/d?host=/tmp")
    assert not is_database_url("ledger.db") and not is_database_url(Path("a://b"))
    assert check_database_url("postgresql+psycopg://u:pw@h/d") == "postgresql"
    with pytest.raises(ValueError, match="不支持的数据库类型"):
        check_database_url("mysql+pymysql://u@h/d")
    with pytest.raises(ValueError, match="psycopg"):
        check_database_url("postgresql+psycopg2://u@h/d")
    with pytest.raises(ValueError, match="缺少数据库名"):
        check_database_url("postgresql+psycopg://u@h")
    assert "secret" not in safe_url("postgresql+psycopg://u:secret@h/d")


def test_writers_queue_on_the_write_lock_and_readers_do_not(pg_migrated_url: str, tmp_path: Path) -> None:
    """PostgreSQL's counterpart of SQLite's BEGIN IMMEDIATE: a writing transaction holds one advisory
    lock until it ends, so a second writer waits (here: gives up after 200 ms); a reader never takes it."""
    from sqlalchemy.exc import OperationalError

    from db.engine import PG_WRITE_LOCK

    db = open_database(pg_migrated_url, work_dir=tmp_path)
    other = create_engine(pg_migrated_url)
    try:
        def try_lock() -> bool:
            with other.connect() as conn:
                conn.execute(text("SET lock_timeout = '200ms'"))
                try:
                    conn.execute(text(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})"))
                except OperationalError:
                    return False
                conn.rollback()
                return True

        with db.read() as s:
            s.connection()
            assert try_lock()
        with db.begin() as s:
            s.connection()
            assert not try_lock()
        assert try_lock()  # released at COMMIT
    finally:
        other.dispose()
        db.close()
