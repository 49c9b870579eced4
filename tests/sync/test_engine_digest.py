"""Maintained village state digests (issue #12 speed; desktop_app/sync/control.py).

The digest of a village is the sum modulo 2**128 of h(table|id|rev) over its syncable rows. It is
kept in ``village_digest`` and brought up to date from the change log (export) or from the revs
of the rows an import wrote, so a package costs what it carries, not the villages it touches.

What a REV digest proves, and what it does not: a row edited behind the program's back with its
rev left unchanged (raw SQL changing a name) is NOT seen by it — contents are proven by the audit
chain, the period seals and the summaries. A rev rewritten, or a row removed, IS seen: by
``verify`` (the kept digest against a recompute from the rows) and, once the row travels again,
by the district's comparison after applying the package.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, select

from db.engine import Database
from db.migrate import open_database
from db.models import Book, Member, Organisation
from desktop_app.core.services.integrity import check_village_digests
from desktop_app.core.services.users import list_users
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
from desktop_app.core.services.voucher_lines import LineInput
from desktop_app.sync import control
from desktop_app.sync.apply import import_package
from desktop_app.sync.errors import PackageError
from tests.conftest import copy_of
from tests.sync.conftest import SyncPair, dump, make_district, trust_each_other


def kept(db: Database) -> dict[str, tuple[str, int]]:
    con = sqlite3.connect(db.path)
    try:
        return {o: (d, n) for o, d, n in con.execute("SELECT organisation_id, digest, rows FROM village_digest")}
    finally:
        con.close()


def recomputed(db: Database) -> dict[str, tuple[str, int]]:
    con = sqlite3.connect(db.path)
    try:
        return control.full_digests(con.cursor())
    finally:
        con.close()


def refreshed(db: Database) -> dict[str, tuple[str, int]]:
    """The kept digests brought up to date (what the next export does first)."""
    con = sqlite3.connect(db.path)
    try:
        found = control.refresh_digests(con.cursor())
        con.commit()
        return found
    finally:
        con.close()


def verify_problems(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return check_village_digests(conn)


def post(db: Database, vouchers: int, month: date, *, seed: int, book_index: int = 0) -> uuid.UUID:
    """Posted vouchers (4 lines each) in one book of the township; returns the book."""
    rng = random.Random(seed)
    with db.begin("tester") as s:
        user = list_users(s)[0]
        book_id = s.scalars(select(Book.id).order_by(Book.id)).all()[book_index]
        batch = []
        for i in range(vouchers):
            amount = Decimal(rng.randint(100, 500_000)).scaleb(-2)
            batch.append(BulkVoucher(date(month.year, month.month, 1 + i % 28), f"摘要校验凭证{i}",
                                     [LineInput("101", debit=amount), LineInput("101", debit=amount),
                                      LineInput("102", credit=amount), LineInput("102", credit=amount)]))
        bulk_post_vouchers(s, book_id, batch, maker=user)
    return book_id


def edit_members(db: Database, how: Callable[[Member, int], None], n: int = 3) -> list[uuid.UUID]:
    with db.begin("tester") as s:
        members = s.scalars(select(Member).order_by(Member.id).limit(n)).all()
        for i, m in enumerate(members):
            how(m, i)
        return [m.id for m in members]


def test_kept_digest_equals_the_recompute_after_seed_edits_tombstones_and_restores(sync_pair: SyncPair) -> None:
    town, district = sync_pair.town, sync_pair.district
    assert kept(town) == {}  # first use on an old file: computed whole once, by the first export
    sync_pair.carry(town, district)
    assert kept(town) == recomputed(town) and kept(town)
    assert kept(district) == recomputed(district) == recomputed(town)
    sync_pair.carry(district, town)

    def rename(m: Member, i: int) -> None:
        m.name = f"{m.name}甲"

    def tombstone(m: Member, i: int) -> None:
        m.deleted = True

    def restore(m: Member, i: int) -> None:
        m.deleted = False

    ids = edit_members(town, rename)
    edit_members(town, tombstone)
    post(town, 5, date(2026, 12, 1), seed=1)
    # the log slice names each member twice (rename, tombstone): one change 1 → 3 each
    assert refreshed(town) == recomputed(town)
    out, report = sync_pair.carry(town, district)
    assert report.compared and all(v.digest_matched for v in report.villages if v.rows)
    assert kept(district) == recomputed(district) == recomputed(town) == kept(town)

    edit_members(town, restore)
    edit_members(town, rename)
    _, report = sync_pair.carry(town, district)
    assert report.compared
    assert kept(district) == recomputed(district) == recomputed(town) == kept(town)
    with town.read() as s:
        assert [s.get(Member, i).rev for i in ids] == [5, 5, 5]  # type: ignore[union-attr]  # 4 edits
    assert verify_problems(town) == [] and verify_problems(district) == []
    # a package that is replayed or carries only what is held leaves the digests as they are
    before = kept(district)
    assert import_package(district, out.path, actor="tester").already_imported  # type: ignore[arg-type]
    assert kept(district) == before


def test_a_new_village_and_an_empty_district_start_from_nothing(sync_pair: SyncPair) -> None:
    town, district = sync_pair.town, sync_pair.district
    sync_pair.carry(town, district)
    with town.read() as s:
        orgs = {o.hex for o in s.scalars(select(Organisation.id))}
    villages = set(kept(district))
    assert villages and villages <= orgs
    assert all(n > 0 for _, n in kept(district).values())


def test_rev_unchanged_content_edit_is_not_seen_but_a_rewritten_rev_and_a_removed_row_are(
        sync_pair: SyncPair) -> None:
    town, district = sync_pair.town, sync_pair.district
    sync_pair.carry(town, district)
    sync_pair.carry(district, town)
    con = sqlite3.connect(town.path)
    ids = [r[0] for r in con.execute("SELECT id FROM member ORDER BY id LIMIT 3")]
    con.execute("UPDATE member SET name = '改名' WHERE id = ?", (ids[0],))  # rev unchanged: not seen (by design)
    con.commit()
    assert verify_problems(town) == []
    con.execute("UPDATE member SET rev = rev + 7 WHERE id = ?", (ids[1],))  # rev rewritten
    con.commit()
    problems = verify_problems(town)
    assert len(problems) == 1 and "版本号被改写或记录被删除" in problems[0]
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("DELETE FROM member WHERE id = ?", (ids[2],))  # a row removed
    con.commit()
    con.close()
    problems = verify_problems(town)
    assert len(problems) == 1  # the same village: its kept digest has rows the file no longer holds
    assert "（按变更日志" in problems[0]

    # the rewritten row travels again (edited in the program): the district, which holds its
    # true history, refuses the package — the township's kept digest took the forged rev away
    with town.begin("tester") as s:
        m = s.get(Member, uuid.UUID(hex=ids[1]))
        assert m is not None
        m.name = f"{m.name}乙"
    out = sync_pair.export(town, district)
    assert out.path is not None
    before = dump(district)
    with pytest.raises(PackageError, match="数据与发送方不一致"):
        import_package(district, out.path, actor="tester")
    assert dump(district) == before


# -- a monthly package's work follows the package, not the villages' history -----------------------

@contextmanager
def vm_steps(db: Database) -> Iterator[list[int]]:
    """SQLite virtual-machine steps (in hundreds; each statement counted from its start) run on
    ``db``'s connections meanwhile: the rows the database reads and writes, counted, not timed."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    def on_checkout(dbapi_conn: sqlite3.Connection, record: object, proxy: object) -> None:
        dbapi_conn.set_progress_handler(tick, 100)

    def on_checkin(dbapi_conn: sqlite3.Connection, record: object) -> None:
        dbapi_conn.set_progress_handler(None, 0)

    event.listen(db.engine, "checkout", on_checkout)
    event.listen(db.engine, "checkin", on_checkin)
    try:
        yield count
    finally:
        event.remove(db.engine, "checkout", on_checkout)
        event.remove(db.engine, "checkin", on_checkin)


def monthly_steps(template: Path, folder: Path, history: int) -> tuple[int, int, int]:
    """(export steps, import steps, rows of the touched village): a township with ``history``
    more vouchers in its first book, carried and acknowledged, then one month of 3 vouchers there."""
    town = open_database(copy_of(template, folder / "town"))
    district = make_district(folder / "district" / "district.db")
    trust_each_other(town, district)
    stick = folder / "stick"
    stick.mkdir()
    pair = SyncPair(town, district, stick)
    try:
        if history:
            post(town, history, date(2026, 11, 1), seed=3)  # the demo's open month
        pair.carry(town, district)
        pair.carry(district, town)
        book = post(town, 3, date(2026, 12, 1), seed=4)
        with town.read() as s:
            org = s.get(Book, book).organisation_id.hex  # type: ignore[union-attr]
        with vm_steps(town) as exported:
            out = pair.export(town, district)
        assert out.path is not None and out.changes == 3 + 12
        with vm_steps(district) as imported:
            report = import_package(district, out.path, actor="tester")
        assert report.compared and report.new_records == 15
        assert kept(district) == recomputed(district)
        return exported[0], imported[0], kept(town)[org][1]
    finally:
        town.close()
        district.close()


def test_monthly_package_work_follows_the_package_not_the_village(demo_template: Path, tmp_path: Path) -> None:
    small_export, small_import, small_rows = monthly_steps(demo_template, tmp_path / "small", 0)
    big_export, big_import, big_rows = monthly_steps(demo_template, tmp_path / "big", 3000)
    assert big_rows >= small_rows + 15000  # the touched village holds 15,000 more rows
    # the same package costs about the same work however much history the village has (the
    # digests of each touched village were read row by row before: work grew with the village)
    assert big_export <= small_export * 1.25 + 10, (small_export, big_export)
    assert big_import <= small_import * 1.25 + 10, (small_import, big_import)
    # and far less than reading the villages once (what the digests cost before: about 100 times more)
    con = sqlite3.connect(tmp_path / "big" / "town" / demo_template.name)
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    con.set_progress_handler(tick, 100)
    control.full_digests(con.cursor())
    con.close()
    assert big_export + big_import < steps[0] / 10, (big_export, big_import, steps[0])
