"""The refusals and rules of applying a package (issue #12): control totals, digests, the audit
chain, schema, signer, the (rev, origin) rule and a replaced PC's late records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.audit import GENESIS, audit_payload
from db.images import chain_hash
from db.migrate import new_installation, open_database
from db.models import Household
from desktop_app.sync import envelope, identity
from desktop_app.sync.apply import _upsert_sql, import_package
from desktop_app.sync.container import Container, canonical, rewrite
from desktop_app.sync.errors import PackageError
from tests.conftest import copy_of
from tests.sync.conftest import SyncPair, dump, syncable_rows, trust_each_other


def _tampered(pair: SyncPair, package: Path, *, members: Callable[[Container], dict[str, bytes]] | None = None,
              manifest: dict[str, Any] | None = None) -> Path:
    """The package as the township (holding its own signing key) could have built it dishonestly:
    opened, changed, re-hashed, re-signed and sealed again for the district."""
    with pair.district.read() as s:
        private = identity.my_keys(s).enc_private
        public = identity.my_keys(s).enc_public
    with pair.town.read() as s:
        sign_private = identity.my_keys(s).sign_private
    inner, changed = package.with_suffix(".inner"), package.with_suffix(".changed")
    envelope.open_to_file(package, inner, private)
    with Container(inner) as c:
        replace = members(c) if members else {}
    rewrite(inner, changed, replace, sign_private, manifest)
    out = package.with_name("tampered_" + package.name)
    with changed.open("rb") as src, out.open("wb") as dest:
        envelope.seal(src, dest, public)
    return out


def _refused(pair: SyncPair, package: Path, *words: str) -> str:
    before = dump(pair.district)
    with pytest.raises(PackageError) as err:
        import_package(pair.district, package, actor="tester")
    assert dump(pair.district) == before
    for w in words:
        assert w in str(err.value), str(err.value)
    return str(err.value)


def test_control_totals_mismatch_is_refused_by_the_totals_check(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None

    def more_debit(c: Container) -> dict[str, bytes]:
        ctl = c.read_json("control.json")
        book, period, vouchers, lines, debit, credit = ctl["totals"][0]
        ctl["totals"][0] = [book, period, vouchers, lines, debit + 100, credit]
        return {"control.json": canonical(ctl)}

    bad = _tampered(sync_pair, out.path, members=more_debit)
    message = _refused(sync_pair, bad, "导入后对账不符", "账套", "发送方", "本机导入后", "借方", " 元")
    assert "签名" not in message
    # the untouched package still imports
    assert import_package(sync_pair.district, out.path, actor="tester").compared


def test_village_digest_mismatch_is_refused(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None

    def other_digest(c: Container) -> dict[str, bytes]:
        d = c.read_json("digests.json")
        org = sorted(d)[0]
        d[org] = ["0" * 64, d[org][1]]
        return {"digests.json": canonical(d)}

    _refused(sync_pair, _tampered(sync_pair, out.path, members=other_digest), "数据与发送方不一致")


def test_newer_schema_is_refused_with_the_upgrade_message(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    bad = _tampered(sync_pair, out.path, manifest={"schema": ["s0001", "z9999"]})
    _refused(sync_pair, bad, "更新版本的阳光台账", "z9999", "请先升级本程序")


def test_changed_member_without_resigning_fails_the_signature(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    with sync_pair.district.read() as s:
        keys = identity.my_keys(s)
    inner, changed = out.path.with_suffix(".inner"), out.path.with_suffix(".changed")
    envelope.open_to_file(out.path, inner, keys.enc_private)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    stranger = Ed25519PrivateKey.generate().private_bytes_raw()
    rewrite(inner, changed, {}, stranger, {"stream_seq": 99})
    bad = out.path.with_name("resigned_" + out.path.name)
    with changed.open("rb") as src, bad.open("wb") as dest:
        envelope.seal(src, dest, keys.enc_public)
    _refused(sync_pair, bad, "签名不符")


def test_unknown_signer_is_refused_naming_its_fingerprint(sync_pair: SyncPair, tmp_path: Path) -> None:
    stranger = open_database(tmp_path / "stranger" / "s.db")
    try:
        with stranger.begin("admin") as s:
            identity.set_site(s, "township", "陌生镇", "320115101")
        with sync_pair.district.read() as s:
            from desktop_app.sync.cards import parse_card
            card = parse_card(identity.my_card(s)[1])
        with stranger.begin("admin") as s:
            identity.trust_card(s, card, actor="admin")  # it knows the district; the district does not know it
        out = sync_pair.export(stranger, sync_pair.district)
        assert out.path is not None
        with stranger.read() as s:
            from desktop_app.sync.cards import parse_card as pc
            fp = pc(identity.my_card(s)[1]).fingerprint
        _refused(sync_pair, out.path, "未被信任", fp, "sync trust")
    finally:
        stranger.close()


def _rechain(db_path: Path, n: int, summary: str) -> None:
    """Rewrite audit entry ``n`` behind the program's back and re-chain everything after it,
    so that the township's own chain still verifies."""
    con = sqlite3.connect(db_path)
    try:
        rows = con.execute("SELECT n, at, actor, action, entity, entity_id, summary, before_json, after_json "
                           "FROM audit_entry ORDER BY n").fetchall()
        prev = GENESIS
        db = open_database(db_path)
        try:
            from db.models.audit import AuditEntry
            with db.read() as s:
                ats = {e.n: e.at.isoformat() for e in s.scalars(select(AuditEntry))}
        finally:
            db.close()
        for (k, _at, actor, action, entity, entity_id, text, before, after) in rows:
            text = summary if k == n else text
            rec = type("R", (), {"action": action, "entity": entity, "entity_id": entity_id, "summary": text})
            digest = chain_hash(prev, audit_payload(k, ats[k], actor, rec, json.loads(before) if before else None,
                                               json.loads(after) if after else None))
            con.execute("UPDATE audit_entry SET summary = ?, prev_hash = ?, hash = ? WHERE n = ?", (text, prev, digest, k))
            prev = digest
        con.execute("UPDATE audit_head SET last_hash = ? WHERE id = 1", (prev,))
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("acked", [False, True])
def test_audit_history_rewritten_after_sending_is_refused(sync_pair: SyncPair, acked: bool) -> None:
    sync_pair.carry(sync_pair.town, sync_pair.district)
    if acked:
        sync_pair.carry(sync_pair.district, sync_pair.town)
    with sync_pair.town.read() as s:
        from db.models.sync import SyncPartnerHas
        anchor = s.scalar(select(SyncPartnerHas.audit_n).where(SyncPartnerHas.partner == sync_pair.district.origin,
                                                                SyncPartnerHas.origin == sync_pair.town.origin)) or 0
    target = anchor if acked else 5
    sync_pair.town.close()
    _rechain(sync_pair.town.path, target, "被改写的历史")
    sync_pair.town = open_database(sync_pair.town.path)
    with sync_pair.town.begin("会计") as s:  # something new to send
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = "改写之后"
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    _refused(sync_pair, out.path, f"第 {target} 条审计记录与此前收到的不一致", "历史记录在发出后被改写")


def test_higher_rev_then_higher_origin_wins(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "t.db")
    con.execute("CREATE TABLE household (id TEXT PRIMARY KEY, origin TEXT, rev INT, address TEXT)")
    sql = _upsert_sql("household", ["id", "origin", "rev", "address"])
    con.execute(sql, ("a", "5" * 32, 2, "v2"))
    con.execute(sql, ("a", "9" * 32, 1, "older rev"))
    assert con.execute("SELECT address FROM household").fetchone()[0] == "v2"
    con.execute(sql, ("a", "1" * 32, 2, "same rev, lower origin"))
    assert con.execute("SELECT address FROM household").fetchone()[0] == "v2"
    con.execute(sql, ("a", "7" * 32, 2, "same rev, higher origin"))
    assert con.execute("SELECT address FROM household").fetchone()[0] == "same rev, higher origin"
    con.execute(sql, ("a", "0" * 32, 3, "newer rev"))
    assert con.execute("SELECT address, origin FROM household").fetchone() == ("newer rev", "0" * 32)
    con.close()


def test_replaced_pc_gets_the_late_records_of_the_old_one(sync_pair: SyncPair, tmp_path: Path) -> None:
    """A township PC restored from a backup on a new machine: the district registers the
    succession, the old PC's late stick is still accepted (retired key), and the district's
    package to the new PC forwards the old PC's records the backup lacks."""
    sync_pair.carry(sync_pair.town, sync_pair.district)
    sync_pair.carry(sync_pair.district, sync_pair.town)
    backup = copy_of(sync_pair.town.path, tmp_path / "backup")
    with sync_pair.town.begin("会计") as s:  # work done on the old PC after the backup
        h = s.scalars(select(Household).order_by(Household.id)).first()
        assert h is not None
        h.address = "旧电脑最后的修改"
        hid = h.id
    late = sync_pair.export(sync_pair.town, sync_pair.district)  # the late stick, not yet carried

    new_pc = open_database(backup)
    with new_pc.engine.begin() as conn:
        new_installation(conn, "新电脑", "restore")
    new_pc.close()
    new_pc = open_database(backup)
    try:
        assert new_pc.origin != sync_pair.town.origin
        trust_each_other(new_pc, sync_pair.district)  # the district sees the same site: a succession
        with sync_pair.district.read() as s:
            old = identity.partner(s, sync_pair.town.origin)
            assert old is not None and old.retired_at is not None and old.successor == new_pc.origin
        assert late.path is not None
        rep = import_package(sync_pair.district, late.path, actor="tester")  # signed by the retired PC
        assert rep.new_records == late.changes > 0
        down = sync_pair.export(sync_pair.district, new_pc)
        assert down.path is not None and sync_pair.town.origin.hex in down.ranges
        got = import_package(new_pc, down.path, actor="tester")
        assert got.new_records == late.changes
        with new_pc.read() as s:
            assert s.get(Household, hid).address == "旧电脑最后的修改"
        assert syncable_rows(new_pc) == syncable_rows(sync_pair.district)
    finally:
        new_pc.close()


def test_a_row_sent_twice_into_an_empty_table_is_a_damaged_package(sync_pair: SyncPair) -> None:
    """A seed's rows are plainly inserted and counted from their values (no read-back): the same
    row twice would count twice in the village digest, so it is refused, nothing written."""
    import zstandard

    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None

    def household_twice(c: Container) -> dict[str, bytes]:
        with c.open("changes.jsonl.zst") as raw:
            lines = zstandard.ZstdDecompressor().stream_reader(raw).read().split(b"\n")
        twice = next(line for line in lines if line.startswith(b'{"k":"r","t":"household"'))
        return {"changes.jsonl.zst": zstandard.ZstdCompressor().compress(b"\n".join([*lines, twice, b""]))}

    _refused(sync_pair, _tampered(sync_pair, out.path, members=household_twice), "household", "已全部撤销")
    assert import_package(sync_pair.district, out.path, actor="tester").compared
