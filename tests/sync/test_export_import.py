"""Township ⇄ district packages on real files: seed, increments, acks, replays (issue #12)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from db.migrate import open_database
from db.models import Book, Household, SyncOutbox, SyncPartnerHas
from desktop_app.core.services.users import list_users
from desktop_app.core.services.vouchers import LineInput, post_voucher, record_auto_voucher, review_voucher
from desktop_app.sync.apply import import_package, read_package
from desktop_app.sync.container import Container
from desktop_app.sync.errors import PackageError
from tests.acting import keeper
from tests.conftest import copy_of
from tests.sync.conftest import SyncPair, dump, syncable_rows


def _same_rows(pair: SyncPair) -> None:
    town, district = syncable_rows(pair.town), syncable_rows(pair.district)
    differing = [t for t in town if town[t] != district[t]]
    assert differing == []
    assert sum(len(v) for v in town.values()) > 1000


def _edit_post_and_delete(pair: SyncPair) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    with pair.town.begin("会计") as s:
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = "同步测试地址"
        gone = s.scalars(select(Household).order_by(Household.id.desc())).first()
        assert gone is not None and gone.id != h.id
        gone.deleted = True
        s.flush()
        book = s.scalars(select(Book).order_by(Book.id)).first()
        assert book is not None
        user = list_users(s)[0]
        v = record_auto_voucher(s, book_id=book.id, voucher_date=date(2026, 12, 5), summary="同步测试收租",
                                lines=[LineInput("101", Decimal("1234.56")), LineInput("112", credit=Decimal("1234.56"))],
                                user=user, source_kind="sync-test", source_id=uuid.uuid4())
        people = {u.roles[0]: u for u in list_users(s)}  # it waits for 审核 (the default); people post it
        review_voucher(s, v.id, user=people["reviewer"])
        post_voucher(s, v.id, user=people["bookkeeper"])
        return h.id, gone.id, v.id


def test_seed_then_edit_post_and_tombstone_travel_incrementally(sync_pair: SyncPair) -> None:
    out, rep = sync_pair.carry(sync_pair.town, sync_pair.district)
    assert out.path is not None and re.fullmatch(r"阳光台账_.+_至_江宁区经管站_\d{8}_0001\.slsync", out.path.name)
    assert rep.new_records == out.changes > 0 and rep.compared
    assert all(v.totals_matched and v.digest_matched for v in rep.villages) and len(rep.villages) >= 6
    _same_rows(sync_pair)
    kept = sync_pair.town.path.parent / "sync" / "outbox" / out.path.name
    assert kept.read_bytes() == out.path.read_bytes()

    # the district acknowledges; the township's next package carries only what is newer
    back, _ = sync_pair.carry(sync_pair.district, sync_pair.town)
    assert back.changes == 0
    with sync_pair.town.read() as s:
        has = s.scalar(select(SyncPartnerHas.seq).where(SyncPartnerHas.partner == sync_pair.district.origin,
                                                        SyncPartnerHas.origin == sync_pair.town.origin))
    assert has == out.changes

    hid, pid, vid = _edit_post_and_delete(sync_pair)
    out2, rep2 = sync_pair.carry(sync_pair.town, sync_pair.district)
    assert out2.ranges == {sync_pair.town.origin.hex: (out.changes + 1, out2.ranges[sync_pair.town.origin.hex][1])}
    assert 3 <= out2.changes < 40 and rep2.held_records == 0 and rep2.compared
    _same_rows(sync_pair)
    with sync_pair.district.read() as s:
        assert s.get(Household, hid).address == "同步测试地址"
        assert s.get(Household, pid).deleted is True
        from db.models import Voucher
        assert s.get(Voucher, vid).status == "记账"


def test_same_package_twice_is_a_no_op(sync_pair: SyncPair) -> None:
    out, _rep = sync_pair.carry(sync_pair.town, sync_pair.district)
    assert out.path is not None
    before = dump(sync_pair.district)
    again = import_package(sync_pair.district, out.path, actor="tester")
    assert again.already_imported and "无需重复导入" in again.message
    assert dump(sync_pair.district) == before


def test_unacked_changes_are_sent_again_and_out_of_order_is_harmless(sync_pair: SyncPair) -> None:
    first = sync_pair.export(sync_pair.town, sync_pair.district)  # this stick is "lost" for now
    _edit_post_and_delete(sync_pair)
    second = sync_pair.export(sync_pair.town, sync_pair.district)
    assert second.path is not None and first.path is not None
    origin = sync_pair.town.origin.hex
    assert second.ranges[origin][0] == 1  # nothing was acknowledged: everything again
    rep = import_package(sync_pair.district, second.path, actor="tester")
    assert rep.new_records == second.changes
    _same_rows(sync_pair)
    late = import_package(sync_pair.district, first.path, actor="tester")  # the lost stick turns up
    assert late.new_records == 0 and late.held_records == first.changes and "均已持有" in late.message
    _same_rows(sync_pair)


def test_gap_is_refused_naming_the_range(sync_pair: SyncPair, tmp_path: Path) -> None:
    # a district database restored from before the seed: the township, already acknowledged,
    # sends only what is newer, and the restored district refuses the gap by name
    restored_copy = copy_of(sync_pair.district.path, tmp_path / "restored")
    first, _ = sync_pair.carry(sync_pair.town, sync_pair.district)
    sync_pair.carry(sync_pair.district, sync_pair.town)
    _edit_post_and_delete(sync_pair)
    nxt = sync_pair.export(sync_pair.town, sync_pair.district)
    assert nxt.path is not None
    restored = open_database(restored_copy)
    try:
        before = dump(restored)
        with pytest.raises(PackageError) as err:
            import_package(restored, nxt.path, actor="tester")
        assert f"第 1–{first.changes} 号尚未导入" in str(err.value) and "更早的同步包" in str(err.value)
        assert dump(restored) == before
        assert first.path is not None  # the earlier stick fills the gap, then the later one applies
        import_package(restored, first.path, actor="tester")
        rep = import_package(restored, nxt.path, actor="tester")
        assert rep.new_records == nxt.changes and rep.compared
    finally:
        restored.close()


def test_dry_run_changes_nothing(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    before = dump(sync_pair.district)
    preview = read_package(sync_pair.district, out.path)
    assert preview.dry_run and preview.problems == () and preview.new_records == out.changes
    assert preview.sender_level_text == "乡镇" and preview.villages
    assert dump(sync_pair.district) == before


def test_district_package_carries_acks_only(sync_pair: SyncPair) -> None:
    out, _ = sync_pair.carry(sync_pair.town, sync_pair.district)
    back, rep = sync_pair.carry(sync_pair.district, sync_pair.town)
    assert back.changes == 0 and back.rows == 0 and rep.new_records == 0
    assert back.path is not None
    with _open_inner(sync_pair, back.path) as c:
        assert c.manifest["vector"][sync_pair.town.origin.hex] == out.changes
        assert c.manifest["ranges"] == {} and c.manifest["counts"] == {}


def _open_inner(pair: SyncPair, path: Path) -> Container:
    from desktop_app.sync import envelope, identity
    with pair.town.read() as s:
        private = identity.my_keys(s).enc_private
    inner = pair.stick.parent / f"{path.name}.zip"
    envelope.open_to_file(path, inner, private)
    return Container(inner)


def test_nothing_to_send_after_everything_is_acknowledged(sync_pair: SyncPair) -> None:
    sync_pair.carry(sync_pair.town, sync_pair.district)
    sync_pair.carry(sync_pair.district, sync_pair.town)
    again = sync_pair.export(sync_pair.town, sync_pair.district)
    assert again.nothing_to_send and again.path is None and "已确认收到" in again.message
    with sync_pair.town.read() as s:
        assert len(s.scalars(select(SyncOutbox)).all()) == 1


def test_attachments_travel_by_content_and_land_where_their_rows_point(sync_pair: SyncPair, tmp_path: Path) -> None:
    from db.models import Asset
    from desktop_app.core.services.assets import add_attachment

    photo = tmp_path / "发票.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    with sync_pair.town.begin("会计") as s:
        asset = s.scalars(select(Asset).order_by(Asset.id)).first()
        assert asset is not None
        row = add_attachment(s, asset.id, photo, attachments_dir=sync_pair.town.path.parent / "attachments", user=keeper(s))
    out, rep = sync_pair.carry(sync_pair.town, sync_pair.district)
    assert out.attachments == 1 and rep.attachments == 1
    landed = sync_pair.district.path.parent / "attachments" / row.stored_name
    assert landed.read_bytes() == photo.read_bytes()


def test_package_of_an_older_schema_is_accepted(sync_pair: SyncPair) -> None:
    from tests.sync.test_apply_rules import _tampered

    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    from alembic.script import ScriptDirectory

    from db.migrate import SCHEMA_HEADS, alembic_config

    schema = sorted(SCHEMA_HEADS)
    down = ScriptDirectory.from_config(alembic_config()).get_revision(schema[-1]).down_revision
    older = sorted(set(schema) - {schema[-1]} | ({down} if isinstance(down, str) else set(down or ())))
    assert older != schema
    old = _tampered(sync_pair, out.path, manifest={"schema": older})
    rep = import_package(sync_pair.district, old, actor="tester")
    assert rep.new_records == out.changes and rep.compared


def test_cancelled_export_and_import_leave_nothing_behind(sync_pair: SyncPair) -> None:
    from desktop_app.sync.export import export_package

    calls: list[tuple[int, int]] = []

    def cancel_soon(done: int, total: int) -> bool:
        calls.append((done, total))
        return len(calls) < 2

    with pytest.raises(PackageError, match="已取消导出"):
        export_package(sync_pair.town, sync_pair.district.origin, sync_pair.stick, actor="tester",
                       data_dir=sync_pair.town.path.parent, progress=cancel_soon)
    assert list(sync_pair.stick.iterdir()) == []
    with sync_pair.town.read() as s:
        assert s.scalars(select(SyncOutbox)).all() == []

    seen: list[tuple[int, int]] = []
    out = export_package(sync_pair.town, sync_pair.district.origin, sync_pair.stick, actor="tester",
                         data_dir=sync_pair.town.path.parent, progress=lambda d, t: seen.append((d, t)) is None)
    assert out.path is not None and seen[-1][0] == seen[-1][1]
    assert all(a[0] <= b[0] for a, b in pairwise(seen))
    before = dump(sync_pair.district)
    with pytest.raises(PackageError, match="已取消导入"):
        import_package(sync_pair.district, out.path, actor="tester", progress=lambda d, t: d < 1000)
    assert dump(sync_pair.district) == before
