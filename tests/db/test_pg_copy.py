"""db.pg_copy: a database file copied into PostgreSQL row for row (a district outgrowing its file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from db.base import Base
from db.engine import Database
from db.errors import IntegrityProblem
from db.migrate import open_database
from db.models import Account, AccountPeriodTotal, Region
from db.pg_copy import copy_to_server

pytestmark = pytest.mark.pg


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def test_every_row_and_amount_arrives(demo_db: Database, pg_url: str, tmp_path: Path) -> None:
    copied = copy_to_server(demo_db, pg_url, work_dir=tmp_path)
    on_file = _counts(demo_db)
    assert copied == on_file and on_file["account"] > 100 and on_file["region"] > 1
    pg = open_database(pg_url, work_dir=tmp_path, create=False)
    try:
        assert _counts(pg) == on_file and pg.origin == demo_db.origin
        sums = select(func.sum(AccountPeriodTotal.debit), func.sum(AccountPeriodTotal.credit))
        parents = select(Region.code, Region.parent_id).order_by(Region.code)
        tree = select(Account.id, Account.parent_id).order_by(Account.id)
        with demo_db.read() as a, pg.read() as b:
            assert a.execute(sums).one() == b.execute(sums).one()
            assert a.execute(parents).all() == b.execute(parents).all()
            assert a.execute(tree).all() == b.execute(tree).all()
        with pg.begin("审计") as s:  # the audit chain numbers on after the copied entries
            top = s.execute(text("SELECT max(n) FROM audit_entry")).scalar()
            assert s.execute(text("SELECT nextval(pg_get_serial_sequence('audit_entry', 'n'))")).scalar() == top + 1
    finally:
        pg.close()


def test_a_foreign_database_is_refused_and_left_alone(demo_db: Database, pg_url: str, tmp_path: Path) -> None:
    raw = create_engine(pg_url)
    with raw.begin() as conn:
        conn.execute(text("CREATE TABLE notes (x text)"))
        conn.execute(text("INSERT INTO notes VALUES ('keep')"))
    try:
        with pytest.raises(IntegrityProblem, match="不是阳光台账的数据库"):
            copy_to_server(demo_db, pg_url, work_dir=tmp_path)
        with raw.connect() as conn:
            assert conn.execute(text("SELECT x FROM notes")).scalars().all() == ["keep"]
    finally:
        raw.dispose()
