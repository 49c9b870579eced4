"""Sync identity on real SQLite files: keys per origin (install, restore), signed cards and their
fingerprint, trust both ways, the refusals, and a replaced PC's succession."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.audit import verify_audit_chain
from db.engine import Database
from db.migrate import open_database
from db.models import (
    AuditEntry,
    Installation,
    InstallationKey,
    Organisation,
    Region,
    SyncPartner,
    SyncPartnerHas,
)
from desktop_app.cli import main
from desktop_app.core.errors import UserError
from desktop_app.sync import identity
from desktop_app.sync.cards import Card, parse_card, read_card, write_card

FINGERPRINT = re.compile(r"^\d{4}( \d{4}){4}$")


def township(path: Path, name: str = "大桥镇", region: str | None = "320115106") -> Database:
    database = open_database(path)
    with database.begin("t") as s:
        identity.set_site(s, "township", name, region)
    return database


def district(path: Path, name: str = "江宁区经管站", region: str = "320115") -> Database:
    database = open_database(path)
    with database.begin("t") as s:
        identity.set_site(s, "district", name, region)
    return database


def card_of(database: Database) -> tuple[Card, bytes]:
    with database.begin("t") as s:
        return identity.my_card(s)


def sealed_backup(monkeypatch: pytest.MonkeyPatch, path: Path, folder: Path) -> Path:
    """A backup carried to a new PC: sealed with the administrator's backup passphrase (issue #19);
    the new PC's restore reads the passphrase from the same environment variable."""
    from tests.acting import keeper

    admin_db = open_database(path)  # the file's 系统管理员 sets the passphrase (issue #16)
    try:
        with admin_db.begin("admin") as s:
            keeper(s, "sysadmin", name="admin")
    finally:
        admin_db.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    monkeypatch.setenv("SUNSHINE_LEDGER_BACKUP_PASSPHRASE", "备份口令-换电脑用")
    assert main(["--user", "admin", "backup", "passphrase", "--db", str(path)]) == 0
    assert main(["backup", "--db", str(path), "--to", str(folder)]) == 0
    (sealed,) = folder.iterdir()
    assert sealed.suffix == ".slbak"
    return sealed


def trust(database: Database, card: Card) -> identity.TrustResult:
    with database.begin("admin") as s:
        return identity.trust_card(s, card, actor="admin")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    t, d = township(tmp_path / "t.db"), district(tmp_path / "d.db")
    yield t, d
    t.close()
    d.close()


def test_install_makes_keys_and_restore_makes_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    first = township(path)
    with first.begin() as s:
        keys, me = identity.my_keys(s), identity.site(s)
    first.close()
    assert keys.origin == first.origin and len(keys.sign_private) == len(keys.enc_public) == 32
    assert main(["backup", "--db", str(path)]) == 0  # a checked copy in the data folder's backups/
    (backup,) = (tmp_path / "backups").glob("*.db")
    assert main(["restore", str(backup), "--db", str(path)]) == 0
    again = open_database(path)
    with again.begin() as s:
        new_keys, new_me = identity.my_keys(s), identity.site(s)
        origins = s.scalars(select(Installation.id)).all()
        held_keys = s.scalars(select(InstallationKey.origin)).all()
    again.close()
    assert new_keys.origin == again.origin != keys.origin
    assert {new_keys.sign_public, new_keys.enc_public}.isdisjoint({keys.sign_public, keys.enc_public})
    assert new_me.site_id == me.site_id and new_me.name == "大桥镇"  # the site outlives the restore
    assert set(origins) == set(held_keys) == {keys.origin, new_keys.origin}


def test_card_round_trip_and_fingerprint(pair: tuple[Database, Database], tmp_path: Path) -> None:
    t, _ = pair
    card, data = card_of(t)
    path = write_card(tmp_path / "大桥镇", data)
    assert path.name == "大桥镇.slcard"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["name"] == "大桥镇" and doc["level"] == "township" and doc["region_code"] == "320115106"
    assert doc["origin"] == t.origin.hex and "sign_private" not in doc and "enc_private" not in doc
    back = read_card(path)
    assert back == card and back.level_text == "乡镇"
    assert FINGERPRINT.match(card.fingerprint), card.fingerprint
    again, _ = card_of(t)  # a new card of the same keys reads the same over the phone
    assert again.fingerprint == card.fingerprint


def test_fingerprints_differ_per_installation(tmp_path: Path) -> None:
    prints = set()
    for i in range(4):
        database = township(tmp_path / f"{i}.db")
        prints.add(card_of(database)[0].fingerprint)
        database.close()
    assert len(prints) == 4


@pytest.mark.parametrize("edit", ["name", "region_code", "sign_public", "enc_public", "origin", "signature", "extra"])
def test_a_tampered_card_is_refused(pair: tuple[Database, Database], edit: str) -> None:
    t, _ = pair
    _, data = card_of(t)
    other_db = township(t.path.with_name("other.db"), "小桥镇")
    other = json.loads(card_of(other_db)[1])
    other_db.close()
    doc = json.loads(data)
    if edit == "name":
        doc["name"] = "大桥镇（改）"
    elif edit == "region_code":
        doc["region_code"] = "320115107"
    elif edit in ("sign_public", "enc_public", "origin"):
        doc[edit] = other[edit]
    elif edit == "signature":
        doc["signature"] = other["signature"]
    else:
        doc["note"] = "x"
    with pytest.raises(UserError, match="签名无法验证"):
        parse_card(json.dumps(doc, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("data", [b"", b"not json", b"{}", "{\"kind\": \"别的\"}".encode(), b"\xff\xfe"])
def test_not_a_card(data: bytes) -> None:
    with pytest.raises(UserError, match="不是有效的阳光台账同步名片"):
        parse_card(data)


def test_trust_both_ways(pair: tuple[Database, Database]) -> None:
    t, d = pair
    t_card, d_card = card_of(t)[0], card_of(d)[0]
    got = trust(d, t_card)
    assert got.outcome == "new" and got.retired is None and t_card.fingerprint in got.message
    assert trust(t, d_card).outcome == "new"
    with d.begin() as s:
        (p,) = identity.partners(s)
        assert (p.origin, p.name, p.level, p.fingerprint, p.trusted_by) == (t.origin, "大桥镇", "township",
                                                                           t_card.fingerprint, "admin")
        assert identity.partner(s, t.origin) == p
        assert identity.partner_by_sign_key(s, t_card.sign_public) == p
        assert identity.partner_by_sign_key(s, d_card.sign_public) is None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "sync_trust")).one()
        assert entry.actor == "admin" and "大桥镇" in entry.summary and t_card.fingerprint in entry.summary
        assert verify_audit_chain(s.connection()) == []
    with t.begin() as s:
        assert [p.origin for p in identity.partners(s)] == [d.origin]
    again = trust(d, t_card)  # the same card twice: a no-op that says so
    assert again.outcome == "already" and "已登记过" in again.message
    with d.begin() as s:
        assert len(identity.partners(s)) == 1
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "sync_trust")).all()) == 1


def test_refusals(pair: tuple[Database, Database], tmp_path: Path) -> None:
    t, d = pair
    other_t = township(tmp_path / "t2.db", "小桥镇", "320115107")
    other_d = district(tmp_path / "d2.db", "浦口区经管站", "320111")
    unnamed = open_database(tmp_path / "unnamed.db")
    try:
        cases = [
            (t, card_of(t)[0], "本机自己的名片"),
            (d, card_of(d)[0], "本机自己的名片"),
            (t, card_of(other_t)[0], "乡镇电脑只登记区经管站"),
            (d, card_of(other_d)[0], "另一个区级数据库"),
            (d, card_of(unnamed)[0], "还没有名称"),
        ]
        far = township(tmp_path / "far.db", "远方镇", "110105001")
        cases.append((d, card_of(far)[0], "不属于本区"))
        for database, card, message in cases:
            with pytest.raises(UserError, match=message):
                trust(database, card)
        trust(t, card_of(d)[0])
        d3 = district(tmp_path / "d3.db", "秦淮区经管站", "320104")
        with pytest.raises(UserError, match="不能再登记另一个区"):
            trust(t, card_of(d3)[0])
        d3.close()
        for database in (t, d):
            with database.begin() as s:
                assert len(identity.partners(s)) == (1 if database is t else 0)
        far.close()
    finally:
        for x in (other_t, other_d, unnamed):
            x.close()


def test_a_card_with_known_origin_but_other_keys_is_refused(pair: tuple[Database, Database]) -> None:
    t, d = pair
    card, _ = card_of(t)
    trust(d, card)
    forged = Card(**{**card.__dict__, "sign_public": card_of(d)[0].sign_public})
    with pytest.raises(UserError, match="密钥与已登记的不同"):
        trust(d, forged)


def test_succession_after_a_restore_on_a_new_pc(pair: tuple[Database, Database], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    t, d = pair
    old_card = card_of(t)[0]
    trust(d, old_card)
    with d.begin() as s:  # what the old PC had acknowledged: kept for its late sticks
        s.add(SyncPartnerHas(partner=t.origin, origin=d.origin, seq=5, audit_n=3))
    t.close()
    sealed = sealed_backup(monkeypatch, t.path, tmp_path / "bk")
    new_pc = tmp_path / "new_pc.db"
    assert main(["restore", str(sealed), "--db", str(new_pc)]) == 0
    replaced = open_database(new_pc)
    try:
        new_card = card_of(replaced)[0]
        assert new_card.site_id == old_card.site_id and new_card.origin != old_card.origin
        got = trust(d, new_card)
        assert got.outcome == "succession" and got.retired is not None and got.retired.origin == old_card.origin
        assert "新电脑" in got.message and "迟到" in got.message
        with d.begin() as s:
            old = identity.partner(s, old_card.origin)
            assert old is not None and not old.active and old.successor == new_card.origin
            new = identity.partner(s, new_card.origin)
            assert new is not None and new.active
            assert identity.partner_by_sign_key(s, old_card.sign_public) == old  # late sticks still verify
            kept = s.scalars(select(SyncPartnerHas).where(SyncPartnerHas.partner == old_card.origin)).one()
            assert (kept.seq, kept.audit_n) == (5, 3)
            assert not s.scalars(select(SyncPartnerHas).where(SyncPartnerHas.partner == new_card.origin)).all()
            assert [p.origin for p in identity.partners(s, include_retired=False)] == [new_card.origin]
        with pytest.raises(UserError, match="已被替换的旧电脑"):
            trust(d, old_card)
    finally:
        replaced.close()


def test_township_named_after_its_township_organisation(demo_db: Database) -> None:
    with demo_db.begin() as s:
        me = identity.site(s)
        town = s.execute(select(Region.name, Region.code).join(Organisation, Organisation.region_id == Region.id)
                         .where(Organisation.level == "乡镇")).one()
        assert me.level == "township" and me.named and (me.name, me.region_code) == tuple(town)
        assert me.region_code is not None and len(me.region_code) == 12
        card, _ = identity.my_card(s)
        assert (card.name, card.region_code) == (me.name, me.region_code)
        renamed = identity.set_site(s, "township", "阳光街道办事处", me.region_code)
        assert renamed.name == "阳光街道办事处"


def test_a_fresh_township_is_unnamed(tmp_path: Path) -> None:
    database = open_database(tmp_path / "x.db")
    with database.begin() as s:
        me = identity.site(s)
        assert (me.name, me.named, me.level, me.region_code) == ("本机", False, "township", None)
    database.close()
    raw = sqlite3.connect(tmp_path / "x.db")
    assert raw.execute("SELECT count(*) FROM sync_partner").fetchone() == (0,)
    raw.close()


def test_sync_partner_rows_hold_the_card(pair: tuple[Database, Database]) -> None:
    t, d = pair
    card = card_of(t)[0]
    trust(d, card)
    with d.begin() as s:
        row = s.get(SyncPartner, t.origin)
        assert row is not None
        assert (row.sign_public, row.enc_public, row.site_id, row.region_code) == (
            card.sign_public, card.enc_public, card.site_id, card.region_code)


def test_a_township_follows_its_district_to_a_new_pc(pair: tuple[Database, Database], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    t, d = pair
    old = card_of(d)[0]
    trust(t, old)
    d.close()
    sealed = sealed_backup(monkeypatch, d.path, tmp_path / "bk")
    new_pc = tmp_path / "district_new.db"
    assert main(["restore", str(sealed), "--db", str(new_pc)]) == 0
    replaced = open_database(new_pc)
    try:
        new = card_of(replaced)[0]
        assert (new.level, new.name, new.site_id) == ("district", "江宁区经管站", old.site_id)
        got = trust(t, new)  # the same district on a new PC: not "a second district"
        assert got.outcome == "succession" and got.retired is not None and got.retired.origin == old.origin
        with t.begin() as s:
            assert [p.origin for p in identity.partners(s, include_retired=False)] == [new.origin]
    finally:
        replaced.close()


def test_a_renamed_partner_card_updates_the_name(pair: tuple[Database, Database]) -> None:
    t, d = pair
    trust(d, card_of(t)[0])
    with t.begin() as s:
        identity.set_site(s, "township", "大桥街道", "320115106")
    renamed = card_of(t)[0]
    got = trust(d, renamed)
    assert got.outcome == "already" and "已将名称更新为乡镇“大桥街道”" in got.message
    with d.begin() as s:
        (p,) = identity.partners(s)
        assert (p.name, p.fingerprint) == ("大桥街道", renamed.fingerprint)
        assert verify_audit_chain(s.connection()) == []
