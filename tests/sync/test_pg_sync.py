"""The district side of U盘同步 on both engines (issue #13): the township stays a SQLite file, the
district is a file or a PostgreSQL database, and the one sync code (db/pgcursor.py) must give the
same rows, the same refusals and the same acknowledgements on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db import rowhash
from db.base import Base
from db.changelog import driver_cursor
from db.engine import Database
from db.migrate import open_database
from db.models import Household, SyncPartnerHas, Voucher
from desktop_app.core.services.users import create_user
from desktop_app.sync import identity
from desktop_app.sync.apply import import_package, read_package
from desktop_app.sync.control import syncable_tables
from desktop_app.sync.errors import PackageError
from desktop_app.sync.status import partner_status
from tests.conftest import copy_of
from tests.pg_support import both_engines
from tests.sync.conftest import SyncPair, trust_each_other
from tests.sync.test_export_import import _edit_post_and_delete

pytestmark = both_engines


@pytest.fixture
def pair(demo_template: Path, tmp_path: Path, district_target: str) -> Iterator[SyncPair]:
    town = open_database(copy_of(demo_template, tmp_path / "town"))
    district = open_database(district_target, work_dir=tmp_path / "district-data")
    with district.begin("admin") as s:
        identity.set_site(s, "district", "江宁区经管站", "320115")
    trust_each_other(town, district)
    stick = tmp_path / "stick"
    stick.mkdir()
    yield SyncPair(town, district, stick)
    town.close()
    district.close()


def rows_of(db: Database, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows in SQLite's stored forms (on PostgreSQL through the sync cursor), sorted."""
    with db.read() as s:
        cur = driver_cursor(s)
        try:
            out = {}
            for t in tables:
                names = [c.name for c in Base.metadata.tables[t].columns]
                cols = ", ".join(f'"{n}"' for n in names)
                out[t] = sorted(cur.execute(f'SELECT {cols} FROM "{t}"').fetchall(), key=repr)
            return out
        finally:
            cur.close()


def hash_mismatches(db: Database) -> dict[str, int]:
    """Rows whose stored hash is not the hash of their stored values, per table (verify's check,
    here through the sync cursor so that it reads a PostgreSQL district in SQLite's stored forms)."""
    with db.read() as s:
        cur = driver_cursor(s)
        try:
            found = {t.name: len(list(rowhash.mismatches(cur, t))) for t in rowhash.hashed_tables()}
        finally:
            cur.close()
    return {t: n for t, n in found.items() if n}


def dump_all(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return rows_of(db, sorted(Base.metadata.tables))


def same_rows(pair: SyncPair) -> None:
    tables = [t.name for t in syncable_tables()]
    town, district = rows_of(pair.town, tables), rows_of(pair.district, tables)
    assert [t for t in tables if town[t] != district[t]] == []
    assert sum(len(v) for v in town.values()) > 1000


def test_round_trip_edits_and_acks_back_to_the_township(pair: SyncPair) -> None:
    out, rep = pair.carry(pair.town, pair.district)
    assert rep.new_records == out.changes > 0 and rep.compared and not rep.problems
    assert len(rep.villages) >= 6 and all(v.totals_matched and v.digest_matched for v in rep.villages)
    same_rows(pair)
    assert hash_mismatches(pair.district) == {}  # the senders' row hashes stand on either engine

    back, back_rep = pair.carry(pair.district, pair.town)  # the district's package: acks only
    assert back.changes == 0 and back_rep.new_records == 0
    with pair.town.read() as s:
        has = s.scalar(select(SyncPartnerHas.seq).where(SyncPartnerHas.partner == pair.district.origin,
                                                        SyncPartnerHas.origin == pair.town.origin))
    assert has == out.changes

    hid, gone, vid = _edit_post_and_delete(pair)
    out2, rep2 = pair.carry(pair.town, pair.district)
    assert 3 <= out2.changes < 40 and rep2.held_records == 0 and rep2.compared
    same_rows(pair)
    with pair.district.read() as s:
        h, g, v = s.get(Household, hid), s.get(Household, gone), s.get(Voucher, vid)
        assert h is not None and h.address == "同步测试地址"
        assert g is not None and g.deleted is True
        assert v is not None and v.status == "记账"
    again = pair.export(pair.district, pair.town)  # acks move on, never back
    assert again.path is not None
    import_package(pair.town, again.path, actor="tester")
    with pair.town.read() as s:
        assert s.scalar(select(SyncPartnerHas.seq).where(SyncPartnerHas.partner == pair.district.origin,
                                                         SyncPartnerHas.origin == pair.town.origin)) == \
            out.changes + out2.changes


def test_duplicate_and_out_of_order_imports(pair: SyncPair) -> None:
    first = pair.export(pair.town, pair.district)  # this stick is "lost" for now
    _edit_post_and_delete(pair)
    second = pair.export(pair.town, pair.district)
    assert first.path is not None and second.path is not None
    rep = import_package(pair.district, second.path, actor="tester")
    assert rep.new_records == second.changes and rep.compared
    same_rows(pair)
    before = dump_all(pair.district)
    again = import_package(pair.district, second.path, actor="tester")
    assert again.already_imported and "无需重复导入" in again.message
    assert dump_all(pair.district) == before
    late = import_package(pair.district, first.path, actor="tester")  # the lost stick turns up
    assert late.new_records == 0 and late.held_records == first.changes and "均已持有" in late.message
    same_rows(pair)


def test_refused_and_previewed_packages_leave_the_district_unchanged(pair: SyncPair) -> None:
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    before = dump_all(pair.district)
    preview = read_package(pair.district, out.path)
    assert preview.dry_run and preview.problems == () and preview.new_records == out.changes
    assert dump_all(pair.district) == before

    def cancel_halfway(done: int, total: int) -> bool:
        return done < total // 2  # rows and records already written when the officer cancels

    with pytest.raises(PackageError, match="已取消导入，本机数据未作任何改动"):
        import_package(pair.district, out.path, actor="tester", progress=cancel_halfway)
    assert dump_all(pair.district) == before
    rep = import_package(pair.district, out.path, actor="tester")  # then it goes in whole
    assert rep.new_records == out.changes and rep.compared
    same_rows(pair)


def test_local_writes_are_hashed_as_sqlite_stores_them(pair: SyncPair) -> None:
    """A district's own rows (its identity, a proposal's partner card …) written by the ORM carry the
    hash of their values in SQLite's stored forms on either engine: verify agrees on both."""
    pair.carry(pair.town, pair.district)
    with pair.district.begin("admin") as s:
        identity.set_site(s, "district", "江宁区农经站", "320115")
        create_user(s, username="tjy", display_name="区统计员", password="secret1", roles=["supervisor"])
    with pair.district.read() as s:
        cur = driver_cursor(s)
        try:
            stored = cur.execute("SELECT row_hash FROM app_user WHERE username = ?", ("tjy",)).fetchone()
        finally:
            cur.close()
    assert stored is not None and stored[0] is not None
    assert hash_mismatches(pair.district) == {}
    with pair.district.read() as s:
        status = {p.partner.origin: p for p in partner_status(s)}
    town = status[pair.town.origin]
    assert town.last_received is not None and town.received_total > 0
