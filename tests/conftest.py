"""Shared test setup: offscreen Qt, real SQLite files in a temp dir."""

from __future__ import annotations

import os

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from db.backup import backup_file
from db.engine import Database
from db.migrate import open_database

pytest_plugins = ["tests.pg_support"]  # PostgreSQL fixtures: pg_url, engine_kind (tests/pg_support.py)

# Property tests run a modest number of examples in CI; before a release run the whole suite's
# properties (the sync state machine above all) with `pytest --hypothesis-profile=release`.
settings.register_profile("ci", deadline=None)
settings.register_profile("release", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database file (real SQLite on disk)."""
    database = open_database(tmp_path / "test.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo township built once per test session; tests get copies of it."""
    from desktop_app.core.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_database(path)
    with database.begin("demo") as s:
        build_demo(s, villages=6, years=1, seed=7)
    database.close()
    return path


TWO_YEAR_DEMO = {"villages": 3, "years": 2, "seed": 2026}  # what `demo --villages 3 --years 2` builds


@pytest.fixture(scope="session")
def two_year_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-year demo township (2025-01 … 2026-11), built once per test session: modules that
    tie every month of it to the books copy it (``copy_of``) instead of building their own."""
    from desktop_app.core.demo import build_demo

    path = tmp_path_factory.mktemp("two_year_demo") / "demo.db"
    database = open_database(path)
    with database.begin("demo") as s:
        build_demo(s, **TWO_YEAR_DEMO)
    database.close()
    return path


def copy_of(template: Path, folder: Path) -> Path:
    """A private copy of a template database (the SQLite online backup), safe to change."""
    return backup_file(template, folder / template.name)


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database, safe to change."""
    path = backup_file(demo_template, tmp_path / "demo.db")
    database = open_database(path)
    yield database
    database.close()
