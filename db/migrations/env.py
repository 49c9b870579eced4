"""Alembic environment: always run programmatically (db/migrate.py) against a given engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import db.models  # noqa: F401  (registers every table)
from db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("migrations are run through db.migrate with an engine")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite can only ALTER through table copies
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not used")
run_migrations_online()
