"""Alembic environment: always run programmatically (db/migrate.py) against a given engine.

All pending migrations run in ONE transaction (SQLite has transactional DDL; Alembic's SQLite
default would commit after each script): a kill or an error part-way leaves the file at its old
version, and the next open starts the upgrade again from there.

Fault hook for tests: ``SUNSHINE_LEDGER_MIGRATE_FAULT=<revision>`` kills this process (SIGKILL)
right after that revision's script has run, before the transaction commits.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from sqlalchemy import Engine

import db.models  # noqa: F401  (registers every table)
from db.base import Base

config = context.config
target_metadata = Base.metadata
FAULT_ENV = "SUNSHINE_LEDGER_MIGRATE_FAULT"


def _fault_hook(ctx: Any, step: Any, heads: Collection[Any], run_args: Mapping[str, Any]) -> None:
    fault = os.environ.get(FAULT_ENV)
    if fault and fault in step.up_revision_ids:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("migrations are run through db.migrate with an engine")
    with engine.connect() as connection, connection.begin():  # one transaction: all or nothing
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite can only ALTER through table copies
            compare_type=True,
            transaction_per_migration=False,
            on_version_apply=_fault_hook if os.environ.get(FAULT_ENV) else None,
        )
        with context.begin_transaction():  # a no-op inside the transaction begun above
            context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not used")
run_migrations_online()
