"""Migrations build the same schema as the models; old and foreign files are handled safely."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db.base import Base
from db.engine import make_engine
from db.errors import DatabaseTooNew, IntegrityProblem
from db.ids import region_id
from db.migrate import SCHEMA_HEADS, current_revisions, head_revisions, open_database, upgrade
from desktop_app.core.services.integrity import verify_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_migrations_match_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "m.db")
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_new_database_is_at_heads_with_one_installation(tmp_path: Path) -> None:
    db = open_database(tmp_path / "n.db")
    try:
        assert current_revisions(db.engine) == head_revisions()
        with db.engine.connect() as c:
            modes = c.exec_driver_sql("PRAGMA journal_mode").scalar(), c.exec_driver_sql("PRAGMA foreign_keys").scalar()
        assert modes == ("wal", 1)
    finally:
        db.close()


def test_database_newer_than_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(path).close()
    raw = sqlite3.connect(path)
    # one branch of the file is at a revision this program has never heard of
    raw.execute("UPDATE alembic_version SET version_num = 'zz9999' "
                "WHERE rowid = (SELECT min(rowid) FROM alembic_version)")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="更新版本"):
        open_database(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE t (x)")
    raw.commit()
    raw.close()
    with pytest.raises(IntegrityProblem, match="不是阳光台账的数据库"):
        open_database(path)


RELEASED = sorted([*FIXTURES.glob("schema-*.db"), *FIXTURES.glob("schema-*.db.gz")])


def _money_sums(execute: object, tables: list[str]) -> dict[str, int]:
    """Sum of every 分 column (``Fen`` in the models) present in the file, as stored integers:
    an upgrade may add tables and columns but must not change one figure of the money kept."""
    from db.types import Fen

    sums: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        present = {r[1] for r in execute(f'PRAGMA table_info("{table.name}")')}  # type: ignore[operator]
        for col in table.columns:
            if isinstance(col.type, Fen) and col.name in present:
                row = list(execute(f'SELECT coalesce(sum("{col.name}"), 0) FROM "{table.name}"'))  # type: ignore[operator]
                sums[f"{table.name}.{col.name}"] = int(row[0][0])
    return sums


@pytest.mark.parametrize("fixture", RELEASED, ids=lambda p: p.name)
def test_every_released_schema_upgrades_without_losing_rows(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name.removesuffix(".gz")
    data = fixture.read_bytes()
    path.write_bytes(gzip.decompress(data) if fixture.suffix == ".gz" else data)
    raw = sqlite3.connect(path)
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
    before = {t: raw.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    money_before = _money_sums(raw.execute, tables)
    old_revisions = {r[0] for r in raw.execute("SELECT version_num FROM alembic_version")}
    raw.close()
    db = open_database(path, backup_dir=tmp_path / "backups")
    try:
        assert current_revisions(db.engine) == head_revisions()
        with db.engine.connect() as c:
            after = {t: c.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables}
            money_after = _money_sums(c.exec_driver_sql, tables)
            problems = [p for r in verify_database(c) for p in r.problems]
    finally:
        db.close()
    assert after == before
    if before.get("entry"):  # a file with books (0001's has none): the sums compare real money, not zeros
        assert money_before["entry.debit"] > 0 and money_before["entry.debit"] == money_before["entry.credit"]
    assert money_before.keys() <= money_after.keys()  # new money columns may come (a0002's project budget)
    assert {k: money_after[k] for k in money_before} == money_before, "an upgrade must not move one 分"
    assert problems == [], "an upgraded file must still verify (chains, seals, totals)"
    if old_revisions != head_revisions():
        assert list((tmp_path / "backups").glob("*.db")), "an upgrade must leave a backup copy"
        from db.backup import list_backups

        assert [(e.reason_text, e.verified) for e in list_backups(tmp_path / "backups")] == [("升级前", True)]


_ORDERING = "SELECT origin, seq, table_name, row_id, op, rev, prev_rev FROM change_log ORDER BY origin, seq"


@pytest.mark.parametrize("fixture", RELEASED, ids=lambda p: p.name)
def test_slim_change_log_keeps_every_record_of_an_old_file(fixture: Path, tmp_path: Path) -> None:
    """0003 drops the row images and hashes; every record's ordering fields survive, and a record
    deleted afterwards is still caught by verify."""
    path = tmp_path / fixture.name.removesuffix(".gz")
    data = fixture.read_bytes()
    path.write_bytes(gzip.decompress(data) if fixture.suffix == ".gz" else data)
    raw = sqlite3.connect(path)
    renamed = {old: region_id(code).hex for old, code in raw.execute("SELECT id, code FROM region")}  # 0004
    before = [(o, s, t, renamed.get(r, r) if t == "region" else r, *rest)
              for o, s, t, r, *rest in raw.execute(_ORDERING).fetchall()]
    raw.close()
    open_database(path, backup_dir=tmp_path / "b").close()  # upgrade
    raw = sqlite3.connect(path)
    after = raw.execute(_ORDERING).fetchall()
    columns = [r[1] for r in raw.execute("PRAGMA table_info(change_log)")]
    ddl = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'change_log'").fetchone()[0]
    raw.execute("DELETE FROM change_log WHERE seq = 3")
    raw.commit()
    raw.close()
    assert len(before) > 3 and after == before
    assert columns == ["origin", "seq", "table_name", "row_id", "op", "rev", "prev_rev"]
    assert "WITHOUT ROWID" in ddl
    db = open_database(path)
    try:
        with db.engine.connect() as c:
            problems = {r.name: r.problems for r in verify_database(c)}["变更日志连续并覆盖每条同步数据"]
    finally:
        db.close()
    assert any("在第 2 条之后是第 4 条" in p for p in problems)


def test_schema_heads_constant_matches_the_migration_scripts() -> None:
    """SCHEMA_HEADS lets start-up skip Alembic; a new migration must be added to it."""
    assert SCHEMA_HEADS == head_revisions(), (
        f"db/migrate.py SCHEMA_HEADS 应为 {sorted(head_revisions())}（新增迁移后请同步）"
    )


def test_opening_an_up_to_date_database_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "ready.db"
    open_database(path).close()
    code = (
        "import sys; from db.migrate import open_database; "
        f"db = open_database({str(path)!r}); db.close(); "
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("fixture", RELEASED, ids=lambda p: p.name)
def test_region_ids_are_made_from_their_codes(fixture: Path, tmp_path: Path) -> None:
    """0004: every 区划 gets the id of its code, references follow, and nothing dangles."""
    path = tmp_path / fixture.name.removesuffix(".gz")
    data = fixture.read_bytes()
    path.write_bytes(gzip.decompress(data) if fixture.suffix == ".gz" else data)
    raw = sqlite3.connect(path)
    orgs_before = sorted(raw.execute("SELECT o.uscc, r.code FROM organisation o JOIN region r ON r.id = o.region_id"))
    raw.close()
    open_database(path, backup_dir=tmp_path / "b").close()
    raw = sqlite3.connect(path)
    regions = raw.execute("SELECT id, code FROM region").fetchall()
    orgs_after = sorted(raw.execute("SELECT o.uscc, r.code FROM organisation o JOIN region r ON r.id = o.region_id"))
    problems = raw.execute("PRAGMA foreign_key_check").fetchall()
    raw.close()
    assert regions and all(rid == region_id(code).hex for rid, code in regions)
    assert orgs_after == orgs_before and not problems
