"""Migrations h0002 (``app_user_org`` keyed by ``id``, with row hashes), s0004 (the audit head
of each outgoing package; hashes on the package bookkeeping) and h0003 (hashes on the local tables
keyed by other columns) on files that already hold rows: every row kept and given the hash of its
stored values, and h0002 undone without losing a pair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from db import rowhash
from db.engine import make_engine
from db.migrate import alembic_config, upgrade
from db.pgcursor import cursor_of

USER, ORG, OTHER = "0" * 31 + "1", "0" * 31 + "2", "0" * 31 + "3"


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(sql).fetchall()
    finally:
        raw.close()


def _no_mismatch(path: Path, *tables: str) -> None:
    from db.base import Base

    raw = sqlite3.connect(path)
    try:
        for name in tables:
            assert list(rowhash.mismatches(raw.cursor(), Base.metadata.tables[name])) == [], name
            assert raw.execute(f"SELECT count(*) FROM {name} WHERE row_hash IS NULL").fetchone()[0] == 0, name
    finally:
        raw.close()


def _limit_a_user(engine: Engine) -> None:
    """A user limited to two villages before h0002, written as SQL both engines read."""
    when = {"t": "2026-11-30 08:00:00.000000", "r": "f" * 32}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO app_user (id, username, display_name, password_hash, roles, active, created_at) "
                          "VALUES (:u, 'jiandu', '赵监督', 'x', 'supervisor', true, :t)"), {"u": USER, **when})
        conn.execute(text("INSERT INTO region (id, code, name, level, origin, rev, updated_at, deleted) "
                          "VALUES (:r, '320115000000', '江宁区', '县', :r, 1, :t, false)"), when)
        for o in (ORG, OTHER):
            conn.execute(text("INSERT INTO organisation (id, name, level, uscc, region_id, origin, rev, updated_at, "
                              "deleted) VALUES (:o, :n, '村', :c, :r, :r, 1, :t, false)"),
                         {"o": o, "n": f"村{o[-1]}", "c": f"N2320115MF000000{o[-1]}X", **when})
            conn.execute(text("INSERT INTO app_user_org (user_id, organisation_id) VALUES (:u, :o)"), {"u": USER, "o": o})


def test_h0002_gives_every_user_organisation_pair_an_id_and_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    upgrade(engine, "h0001")
    _limit_a_user(engine)
    upgrade(engine, "h0002")
    rows = _rows(path, "SELECT user_id, organisation_id, length(id) FROM app_user_org ORDER BY organisation_id")
    assert rows == [(USER, ORG, 32), (USER, OTHER, 32)]
    _no_mismatch(path, "app_user_org")
    command.downgrade(alembic_config(engine), "h0001")
    assert _rows(path, "SELECT * FROM app_user_org ORDER BY organisation_id") == [(USER, ORG), (USER, OTHER)]
    engine.dispose()


@pytest.mark.pg
def test_h0002_on_a_postgresql_district_hashes_the_stored_forms(pg_url: str) -> None:
    """The same rows on a server: hashed over SQLite's stored forms (db/pgcursor.py), so verify agrees."""
    from db.base import Base
    from db.engine import make_url_engine

    engine = make_url_engine(pg_url)
    try:
        upgrade(engine, "h0001")
        _limit_a_user(engine)
        upgrade(engine, "h0002")
        with engine.connect() as conn:
            cur = cursor_of(conn.connection.driver_connection)
            try:
                table = Base.metadata.tables["app_user_org"]
                assert list(rowhash.mismatches(cur, table)) == []
                assert cur.execute("SELECT count(*) FROM app_user_org WHERE row_hash IS NOT NULL").fetchone()[0] == 2
            finally:
                cur.close()
    finally:
        engine.dispose()


def test_s0004_hashes_the_packages_already_written_and_read(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    upgrade(engine, "s0003")
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO sync_outbox (id, recipient, stream_seq, file_name, sha256, size, changes, ranges_json, "
                "kept_copy, created_at, created_by) VALUES (?, ?, 1, '上报.slsync', ?, 10, 3, '{}', 'x', "
                "'2026-11-30 08:00:00.000000', 'kuaiji')", ("a" * 32, "b" * 32, "c" * 64))
    raw.execute("INSERT INTO sync_inbox (id, sender, stream_seq, file_name, sha256, changes, ranges_json, report_json, "
                "created_at, imported_at, imported_by) VALUES (?, ?, 1, '回执.slsync', ?, 0, '{}', '{}', "
                "'2026-11-30 08:00:00.000000', '2026-11-30 09:00:00.000000', 'kuaiji')",
                ("d" * 32, "b" * 32, "e" * 64))
    raw.commit()
    raw.close()
    upgrade(engine, "s0004")
    engine.dispose()
    _no_mismatch(path, "sync_outbox", "sync_inbox")
    # a package written before s0004 recorded no head: nothing for verify to hold the chain to
    assert _rows(path, "SELECT audit_n, audit_hash FROM sync_outbox") == [(None, None)]


LOCAL = ("installation", "site", "sync_partner", "sync_partner_has", "backup_setting", "district_setting")


def _local_rows(engine: Engine) -> None:
    """One row in each local table before h0003 (the site's row s0001 made), as SQL both engines read."""
    when = {"t": "2026-11-30 08:00:00.000000", "me": "a" * 32, "p": "b" * 32, "s": "c" * 32}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO installation (id, name, created_at, reason) VALUES (:me, '本机', :t, 'install')"),
                     when)
        conn.execute(text("INSERT INTO sync_partner (origin, site_id, name, level, region_code, sign_public, enc_public, "
                          "fingerprint, trusted_at, trusted_by) VALUES (:p, :s, '江宁区经管站', 'district', '320115', "
                          ":k, :k, 'ABCD', :t, 'admin')"), {**when, "k": b"\x01" * 32})
        conn.execute(text("INSERT INTO sync_partner_has (partner, origin, seq, audit_n) VALUES (:p, :me, 5, 3)"), when)
        for table, key, value in (("backup_setting", "passphrase", "scrypt$x"), ("district_setting", "tiers", "0,5,10")):
            conn.execute(text(f"INSERT INTO {table} (key, value, updated_at, updated_by) VALUES (:k, :v, :t, 'admin')"),
                         {**when, "k": key, "v": value})


def test_h0003_hashes_every_row_of_the_local_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    upgrade(engine, "h0002")
    upgrade(engine, "b0001")
    _local_rows(engine)
    upgrade(engine, "h0003")
    engine.dispose()
    assert [_rows(path, f"SELECT count(*) FROM {t}")[0][0] for t in LOCAL] == [1] * len(LOCAL)
    _no_mismatch(path, *LOCAL)
    raw = sqlite3.connect(path)  # and the hash is the row's: a key swapped afterwards no longer matches
    raw.execute("UPDATE sync_partner SET sign_public = randomblob(32)")
    raw.commit()
    raw.close()
    with pytest.raises(AssertionError):
        _no_mismatch(path, "sync_partner")


@pytest.mark.pg
def test_h0003_on_a_postgresql_district_hashes_the_stored_forms(pg_url: str) -> None:
    from db.base import Base
    from db.engine import make_url_engine

    engine = make_url_engine(pg_url)
    try:
        upgrade(engine, "h0002")
        upgrade(engine, "b0001")
        _local_rows(engine)
        upgrade(engine, "h0003")
        with engine.connect() as conn:
            cur = cursor_of(conn.connection.driver_connection)
            try:
                for name in LOCAL:
                    assert list(rowhash.mismatches(cur, Base.metadata.tables[name])) == [], name
                    assert cur.execute(f"SELECT count(*) FROM {name} WHERE row_hash IS NULL").fetchone()[0] == 0, name
            finally:
                cur.close()
    finally:
        engine.dispose()
