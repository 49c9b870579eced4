"""The sync protocol as a Hypothesis state machine over the REAL export/import code (issue #12
"Proof"; SYNC.md §4.5).

Two townships and one district, each a small real SQLite file (templates built once through the
services, copied per example). Random steps: rows created, edited and tombstoned through the
services on a township PC (the live one, or a replaced one still in use: its late sticks),
packages exported both ways into a bag of sticks, carried in any order, lost, imported twice,
truncated (refused, database unchanged), backups taken and restored on a "new PC" through the
CLI's restore path (new origin and keys; the district trusts the successor card; the reseed
and the forwarding of late records happen through ordinary packages).

Invariants after every step: each change_log gap-free per origin from 1; sync_counter equals
the highest seq per origin; no acknowledgement exceeds what the partner really holds. At the end
of every example, one reliable exchange both ways: every township's syncable rows are in the
district as they are on the township (id, rev, deleted, values), the district holds exactly the
union of the townships' rows (nothing else, nothing twice), per-book control totals and village
digests equal.

CI runs a modest number of examples; ``pytest --hypothesis-profile=release`` runs 10,000.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.backup import backup_file
from db.engine import Database
from db.migrate import open_database
from db.models import Household
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.members import create_household, update_household
from desktop_app.core.services.orgs import (
    create_book,
    create_organisation,
    create_region,
    remove_organisation,
)
from desktop_app.core.services.users import create_user, list_users
from desktop_app.core.services.vouchers import LineInput, record_auto_voucher
from desktop_app.sync import control, identity
from desktop_app.sync.apply import import_package
from desktop_app.sync.errors import PackageError
from desktop_app.sync.export import export_package
from tests.acting import keeper
from tests.sync.conftest import dump, make_district, syncable_rows, trust_each_other

TOWNS = (("大桥镇", "320115101"), ("小桥镇", "320115102"))


def _build_town(path: Path, n: int) -> Database:
    name, code = TOWNS[n]
    db = open_database(path)
    with db.begin("admin") as s:
        identity.set_site(s, "township", name, code)
        create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        # the township's own 区划 (test_two_townships_of_one_county_register_the_same_regions
        # covers the county, city and province that both register)
        create_region(s, code=code + "000", name=name, user=keeper(s))
        create_region(s, code=code + "201", name=name + "一村", user=keeper(s))
        org = create_organisation(s, name=f"{name}一村股份经济合作社", level="村",
                                  uscc=make_uscc(f"N2{code[:6]}MF{n}000001"), region_code=code + "201", user=keeper(s))
        create_book(s, organisation_id=org.id, name=f"{name}一村", kind="股份经济合作社", start_period="2026-01", user=keeper(s))
        create_household(s, organisation_id=org.id, number="001", user=list_users(s)[0])
    return db


@cache
def templates() -> tuple[Path, Path, Path]:
    """Two townships and a district that trust each other, built once per test process."""
    root = Path(tempfile.mkdtemp(prefix="sync-sm-templates-"))
    atexit.register(shutil.rmtree, root, True)
    a = _build_town(root / "a" / "town.db", 0)
    b = _build_town(root / "b" / "town.db", 1)
    d = make_district(root / "d" / "district.db")
    trust_each_other(a, d)
    trust_each_other(b, d)
    for x in (a, b, d):
        x.close()
    return root / "a" / "town.db", root / "b" / "town.db", root / "d" / "district.db"


@dataclass
class Town:
    n: int
    live: Database
    dead: list[Database] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    orgs: int = 0
    households: int = 1

    def pc(self, k: int) -> Database:
        """Mostly the live PC; now and then a replaced one still in use (its late sticks)."""
        return self.live if k < 3 or not self.dead else self.dead[k % len(self.dead)]


@dataclass(frozen=True)
class Stick:
    path: Path
    sender: uuid.UUID
    recipient: uuid.UUID


def _sql(db: Database, query: str, *params: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db.path)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def _counter(db: Database) -> dict[str, int]:
    return {str(o): int(str(s)) for o, s in _sql(db, "SELECT origin, last_seq FROM sync_counter")}


def restore_on_new_pc(backup: Path, target: Path, district: Database, replaced: Database) -> Database:
    """The CLI's restore of a backup on a new machine (new origin and keys); the district
    registers the successor's card (a succession of the replaced PC) and the new PC the district's."""
    from desktop_app.cli import main

    target.parent.mkdir(parents=True)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--data-dir", str(target.parent), "restore", "--db", str(target), str(backup)]) == 0
    new = open_database(target)
    assert new.origin != replaced.origin
    trust_each_other(new, district)
    with district.read() as s:
        old = identity.partner(s, replaced.origin)
        assert old is not None and old.retired_at is not None and old.successor == new.origin
    return new


def reliable_round(town: Database, district: Database, stick: Path) -> None:
    """Township → district, then district → township; every import must apply."""
    for src, dst in ((town, district), (district, town)):
        out = export_package(src, dst.origin, stick, actor="同步", data_dir=src.path.parent)
        if out.path is not None:
            rep = import_package(dst, out.path, actor="同步")
            assert not rep.already_imported and not rep.problems, rep.message


# 区划 every township of a county registers alike (ids from codes): the district holds one row,
# whose sync metadata (origin, time, and the stored row's hash over them) is the higher (rev, origin)
# writer's; the content is equal.
SHARED = {"region": ("origin", "updated_at", "row_hash")}


def _shared_as_content(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """``syncable_rows`` with the shared tables' writer columns left out (by this file's column
    order: a column a migration added comes last here, wherever the model declares it)."""
    rows = syncable_rows(db)
    con = sqlite3.connect(db.path)
    try:
        out = dict(rows)
        for table, cols in SHARED.items():
            names = [d[0] for d in con.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
            drop = {names.index(c) for c in cols if c in names}
            out[table] = [tuple(v for i, v in enumerate(r) if i not in drop) for r in rows[table]]
        return out
    finally:
        con.close()


def assert_converged(towns: list[Database], district: Database) -> None:
    """Every township's syncable rows are the district's copy of them; the district holds
    nothing else and nothing twice; control totals and village digests equal."""
    d_rows = _shared_as_content(district)
    union: dict[str, set[tuple[object, ...]]] = {t: set() for t in d_rows}
    for town in towns:
        t_rows = _shared_as_content(town)
        for table, rows in t_rows.items():
            d_set = set(d_rows[table])
            missing = [r for r in rows if r not in d_set]
            assert missing == [], f"{table}: {len(missing)} rows of {town.path} differ at the district"
            ids = {r[0] for r in rows}
            if table not in SHARED:
                assert not ids & {r[0] for r in union[table]}, f"{table}: a row held by two townships"
            union[table] |= set(rows)
    for table, rows in d_rows.items():
        assert len(rows) == len(set(rows)) == len(union[table]), f"{table}: the district holds other rows"
    for town in towns:
        orgs = [str(r[0]) for r in _sql(town, "SELECT id FROM organisation")]
        t_con, d_con = sqlite3.connect(town.path), sqlite3.connect(district.path)
        try:
            books = control.books_of(t_con.cursor(), orgs)
            assert control.books_of(d_con.cursor(), orgs) == books
            assert control.control_totals(t_con.cursor(), books) == control.control_totals(d_con.cursor(), books)
            assert control.digests(t_con.cursor(), orgs) == control.digests(d_con.cursor(), orgs)
        finally:
            t_con.close()
            d_con.close()


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        a, b, d = templates()
        self.root = Path(tempfile.mkdtemp(prefix="sync-sm-"))
        self.stick = self.root / "stick"
        self.stick.mkdir()
        self.district = open_database(backup_file(d, self.root / "d" / "district.db"))
        self.towns = [Town(i, open_database(backup_file(t, self.root / f"t{i}" / "town.db")))
                      for i, t in enumerate((a, b))]
        self.bag: list[Stick] = []
        self.pcs = 2
        self.uscc = 0

    # ---- helpers --------------------------------------------------------------------------
    def all_dbs(self) -> list[Database]:
        return [self.district, *(db for t in self.towns for db in (t.live, *t.dead))]

    def by_origin(self, origin: uuid.UUID) -> Database | None:
        return next((db for db in self.all_dbs() if db.origin == origin), None)

    def target(self, s: Stick, to_successor: bool) -> Database | None:
        """Where a stick is plugged in: its recipient, or (addressed to a replaced PC) the PC
        that replaced it, since the same township may carry an old stick to its new machine."""
        db = self.by_origin(s.recipient)
        if db is None:
            return None
        for t in self.towns:
            if to_successor and db in t.dead:
                return t.live
        return db

    def refused_unchanged(self, db: Database, path: Path, *words: str) -> None:
        before = dump(db)
        with pytest.raises(PackageError) as err:
            import_package(db, path, actor="同步")
        assert dump(db) == before
        for w in words:
            assert w in str(err.value), str(err.value)

    def carry(self, s: Stick, db: Database) -> None:
        before = dump(db)
        try:
            rep = import_package(db, s.path, actor="同步")
        except PackageError as exc:
            # the only legitimate refusals: a stick addressed to a replaced PC, carried to its
            # successor, which was restored from another PC's backup (not for this PC) or from an
            # older one lacking the start of what the stick carries (a gap, named); a stick
            # carried to the PC it was written for always applies
            assert db.origin != s.recipient, str(exc)
            assert any(w in str(exc) for w in ("尚未导入", "审计记录不连续", "不是发给本机的")), str(exc)
            assert dump(db) == before
            return
        assert not rep.problems

    # ---- rules ----------------------------------------------------------------------------
    @rule(t=st.integers(0, 1), pc=st.integers(0, 3), group=st.sampled_from(["一组", "二组", ""]))
    def create_household(self, t: int, pc: int, group: str) -> None:
        town = self.towns[t]
        db = town.pc(pc)
        town.households += 1
        with db.begin("王会计") as s:
            org = s.scalars(select(Household.organisation_id).order_by(Household.number)).first()
            assert org is not None
            create_household(s, organisation_id=org, number=f"{town.households:03d}{pc % 4}",
                             group_name=group, user=list_users(s)[0])

    @rule(t=st.integers(0, 1), pc=st.integers(0, 3), k=st.integers(0, 50), text=st.text("东西南北路号", max_size=6))
    def edit_household(self, t: int, pc: int, k: int, text: str) -> None:
        db = self.towns[t].pc(pc)
        with db.begin("王会计") as s:
            rows = s.scalars(select(Household.id).where(Household.deleted.is_(False)).order_by(Household.id)).all()
            update_household(s, rows[k % len(rows)], address=text or None, note=f"改{k}",
                             user=list_users(s)[0])

    @rule(t=st.integers(0, 1), pc=st.integers(0, 3), remove=st.booleans())
    def organisation_created_or_tombstoned(self, t: int, pc: int, remove: bool) -> None:
        """A 组-level organisation registered, or one registered by mistake taken back (a tombstone)."""
        town = self.towns[t]
        db = town.pc(pc)
        code = TOWNS[t][1]
        with db.begin("王会计") as s:
            from db.models import Organisation
            groups = s.scalars(select(Organisation.id).where(Organisation.level == "组", Organisation.deleted.is_(False))
                               .order_by(Organisation.id)).all()
            if remove and groups:
                remove_organisation(s, groups[0], user=keeper(s))
                return
            self.uscc += 1
            create_organisation(s, name=f"{TOWNS[t][0]}第{self.uscc}组", level="组",
                                uscc=make_uscc(f"N1{code[:6]}M{t}{self.uscc:07d}"), region_code=code + "201", user=keeper(s))

    @rule(t=st.integers(0, 1), pc=st.integers(0, 3), fen=st.integers(1, 10**9), month=st.integers(1, 12))
    def post_voucher(self, t: int, pc: int, fen: int, month: int) -> None:
        db = self.towns[t].pc(pc)
        from db.models import Book
        amount = Decimal(fen).scaleb(-2)
        with db.begin("王会计") as s:
            book = s.scalars(select(Book.id).order_by(Book.id)).first()
            assert book is not None
            record_auto_voucher(s, book_id=book, voucher_date=date(2026, month, 5), summary="收取租金",
                                lines=[LineInput("101", amount), LineInput("112", credit=amount)],
                                user=list_users(s)[0], source_kind="sync-sm", source_id=uuid.uuid4())

    @rule(t=st.integers(0, 1), pc=st.integers(0, 3), up=st.booleans())
    def export(self, t: int, pc: int, up: bool) -> None:
        town = self.towns[t]
        if up:
            src, dst = town.pc(pc), self.district
        else:
            src, dst = self.district, town.live
        out = export_package(src, dst.origin, self.stick, actor="同步", data_dir=src.path.parent)
        if out.path is None:
            assert out.nothing_to_send
            return
        assert out.path.exists() and not list(self.stick.glob(".*.part"))
        self.bag.append(Stick(out.path, src.origin, dst.origin))
        del self.bag[:-12]

    @precondition(lambda self: self.bag)
    @rule(i=st.integers(0, 11), to_successor=st.booleans())
    def carry_a_stick(self, i: int, to_successor: bool) -> None:
        s = self.bag[i % len(self.bag)]
        db = self.target(s, to_successor)
        if db is not None:
            self.carry(s, db)

    @precondition(lambda self: self.bag)
    @rule(i=st.integers(0, 11))
    def lose_a_stick(self, i: int) -> None:
        self.bag.pop(i % len(self.bag))

    @precondition(lambda self: self.bag)
    @rule(i=st.integers(0, 11))
    def import_twice(self, i: int) -> None:
        s = self.bag[i % len(self.bag)]
        db = self.target(s, False)
        assert db is not None
        self.carry(s, db)
        before = dump(db)
        again = import_package(db, s.path, actor="同步")
        assert again.already_imported and "无需重复导入" in again.message
        assert dump(db) == before

    @precondition(lambda self: self.bag)
    @rule(i=st.integers(0, 11), cut=st.floats(0.0, 0.999))
    def truncated_stick_is_refused(self, i: int, cut: float) -> None:
        s = self.bag[i % len(self.bag)]
        db = self.target(s, False)
        assert db is not None
        data = s.path.read_bytes()
        short = self.root / f"short_{s.path.name}"
        short.write_bytes(data[:int(len(data) * cut)])
        self.refused_unchanged(db, short)
        short.unlink()

    @rule(t=st.integers(0, 1))
    def backup(self, t: int) -> None:
        town = self.towns[t]
        town.backups.append(backup_file(town.live.path, self.root / "backups" / f"t{t}_{len(town.backups)}.db"))

    @precondition(lambda self: any(t.backups for t in self.towns))
    @rule(t=st.integers(0, 1), k=st.integers(0, 5))
    def restore_on_a_new_pc(self, t: int, k: int) -> None:
        town = self.towns[t] if self.towns[t].backups else self.towns[1 - t]
        self.pcs += 1
        new = restore_on_new_pc(town.backups[k % len(town.backups)], self.root / f"pc{self.pcs}" / "town.db",
                                self.district, town.live)
        assert all(new.origin != db.origin for db in self.all_dbs())
        town.dead.append(town.live)
        town.live = new

    # ---- invariants -----------------------------------------------------------------------
    @invariant()
    def logs_gap_free_and_counters_match(self) -> None:
        for db in self.all_dbs():
            spans = {str(o): (int(str(lo)), int(str(hi)), int(str(n))) for o, lo, hi, n in _sql(
                db, "SELECT origin, MIN(seq), MAX(seq), COUNT(*) FROM change_log GROUP BY origin")}
            for origin, (lo, hi, n) in spans.items():
                assert lo == 1 and n == hi, f"{db.path}: origin {origin[:8]} has gaps ({lo}..{hi}, {n} records)"
            assert _counter(db) == {o: hi for o, (_, hi, _) in spans.items()}

    @invariant()
    def acks_never_exceed_what_the_partner_holds(self) -> None:
        for db in self.all_dbs():
            for partner, origin, seq in _sql(db, "SELECT partner, origin, seq FROM sync_partner_has"):
                other = self.by_origin(uuid.UUID(hex=str(partner)))
                assert other is not None
                held = _counter(other).get(str(origin), 0)
                assert int(str(seq)) <= held, f"{db.path} believes {other.path} holds {seq} of {origin}, it holds {held}"

    def teardown(self) -> None:
        try:
            lives = [t.live for t in self.towns]
            for live in lives:
                reliable_round(live, self.district, self.stick)
            assert_converged(lives, self.district)
        finally:
            for db in self.all_dbs():
                db.close()
            shutil.rmtree(self.root, ignore_errors=True)


# CI: a modest count, and no shrinking (on these shared 2-core machines shrinking a 20-step
# history of real files takes minutes; the failing steps are printed as they are). The release
# profile (tests/conftest.py: 10,000 examples) keeps its count and shrinks.
_release = settings.default.max_examples > 1000
SyncMachine.TestCase.settings = settings(
    max_examples=settings.default.max_examples if _release else 15,
    stateful_step_count=60 if _release else 20, deadline=None,
    phases=list(Phase) if _release else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TestSyncStateMachine = SyncMachine.TestCase


# ---- hand-written examples ------------------------------------------------------------------

@dataclass
class Trio:
    a: Database
    b: Database
    district: Database
    root: Path
    stick: Path

    def carry(self, src: Database, dst: Database) -> None:
        out = export_package(src, dst.origin, self.stick, actor="同步", data_dir=src.path.parent)
        assert out.path is not None, out.message
        rep = import_package(dst, out.path, actor="同步")
        assert not rep.problems and not rep.already_imported


@pytest.fixture
def trio(tmp_path: Path) -> Iterator[Trio]:
    a, b, d = templates()
    stick = tmp_path / "stick"
    stick.mkdir()
    t = Trio(open_database(backup_file(a, tmp_path / "a" / "town.db")),
             open_database(backup_file(b, tmp_path / "b" / "town.db")),
             open_database(backup_file(d, tmp_path / "d" / "district.db")), tmp_path, stick)
    yield t
    for db in (t.a, t.b, t.district):
        db.close()


def _edit_first_household(db: Database, address: str) -> uuid.UUID:
    with db.begin("王会计") as s:
        hid = s.scalars(select(Household.id).order_by(Household.number)).first()
        assert hid is not None
        update_household(s, hid, address=address, user=list_users(s)[0])
        return hid


def _household(db: Database, hid: uuid.UUID) -> tuple[object, ...]:
    return _sql(db, "SELECT rev, origin, address FROM household WHERE id = ?", hid.hex)[0]


@pytest.mark.parametrize("old_first", [True, False])
def test_two_pc_identities_writing_the_same_row_keep_the_higher_rev_origin(trio: Trio, old_first: bool) -> None:
    """SYNC.md §4.5's mutation check: the machine does not catch a dropped (rev, origin)
    tie-break. A replaced PC still in use and its successor edit the same household to the same
    rev: the higher origin's image is kept at the district and on the successor, whatever the
    order the sticks arrive in."""
    backup = backup_file(trio.a.path, trio.root / "backup" / "town.db")
    new = restore_on_new_pc(backup, trio.root / "new" / "town.db", trio.district, trio.a)
    try:
        hid = _edit_first_household(trio.a, "旧电脑改的地址")
        assert _edit_first_household(new, "新电脑改的地址") == hid
        (old_rev, _, _), (new_rev, _, _) = _household(trio.a, hid), _household(new, hid)
        assert old_rev == new_rev  # the same rev from two writers: only the origin decides
        winner = max((trio.a, "旧电脑改的地址"), (new, "新电脑改的地址"), key=lambda x: x[0].origin.hex)
        expected = (new_rev, winner[0].origin.hex, winner[1])
        for src in ((trio.a, new) if old_first else (new, trio.a)):
            trio.carry(src, trio.district)
        trio.carry(trio.district, new)
        trio.carry(new, trio.district)
        assert _household(trio.district, hid) == expected
        assert _household(new, hid) == expected
        trio.carry(trio.b, trio.district)
        assert_converged([new, trio.b], trio.district)
    finally:
        new.close()


def test_a_pc_restored_behind_the_district_on_a_predecessor_can_still_send(trio: Trio) -> None:
    """A PC replaced twice from the same backup: the district holds the second PC's edit, the
    third PC does not (yet). The third PC's package re-sends the backup's records; the district
    is ahead of it on the second PC's origin, so it cannot compare digests: it must apply, and
    the district's package then brings the third PC up to date."""
    backup = backup_file(trio.a.path, trio.root / "backup" / "town.db")
    second = restore_on_new_pc(backup, trio.root / "second" / "town.db", trio.district, trio.a)
    third = None
    try:
        hid = _edit_first_household(second, "第二台电脑改的地址")
        trio.carry(second, trio.district)
        third = restore_on_new_pc(backup, trio.root / "third" / "town.db", trio.district, second)
        trio.carry(third, trio.district)  # the district is ahead on the second PC: not compared, applied
        trio.carry(trio.district, third)
        assert _household(third, hid)[2] == "第二台电脑改的地址"
        trio.carry(trio.b, trio.district)
        assert_converged([third, trio.b], trio.district)
    finally:
        second.close()
        if third is not None:
            third.close()


def test_two_townships_of_one_county_register_the_same_regions(trio: Trio) -> None:
    for db in (trio.a, trio.b):
        with db.begin("admin") as s:
            for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区")):
                create_region(s, code=code, name=name, user=keeper(s))
    trio.carry(trio.a, trio.district)
    trio.carry(trio.b, trio.district)  # refused today
    assert_converged([trio.a, trio.b], trio.district)
