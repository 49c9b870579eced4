"""The end of the audit chain each package carried is kept in ``sync_outbox`` (migration s0004):
``verify`` on the sending PC itself reports a chain that no longer extends what it has sent — a
tail trimmed or a chain recomputed with sqlite3 after the package left — and the district refuses
the next package of such a PC.

Real files: a demo township and a district that trust each other (tests/sync/conftest.py), real
packages on a folder standing in for the stick, edits with the stdlib ``sqlite3`` module.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, update

from db.audit import audit_payload
from db.engine import Database
from db.images import chain_hash
from db.models import AuditEntry, AuditHead, Organisation, User
from desktop_app.cli import main
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.orgs import update_organisation
from desktop_app.sync.apply import import_package
from desktop_app.sync.errors import PackageError
from tests.sync.conftest import SyncPair


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    return code, capsys.readouterr().out


def _recompute_from(path: Path, n: int, summary: str) -> None:
    """What a tamperer who knows the chain's rule does: entry ``n`` rewritten, every hash after it
    computed again, ``audit_head`` moved to the new end. The chain then verifies on its own."""
    engine = create_engine(f"sqlite:///{path}")  # read typed, as the chain's rule sees the entries
    try:
        with engine.begin() as conn:
            t = AuditEntry.__table__
            prev = conn.execute(select(t.c.hash).where(t.c.n == n - 1)).scalar_one()
            for e in conn.execute(select(t).where(t.c.n >= n).order_by(t.c.n)).all():
                rec = SimpleNamespace(action=e.action, entity=e.entity, entity_id=e.entity_id,
                                      summary=summary if e.n == n else e.summary)
                before = json.loads(e.before_json) if e.before_json is not None else None
                after = json.loads(e.after_json) if e.after_json is not None else None
                digest = chain_hash(prev, audit_payload(e.n, e.at.isoformat(), e.actor, rec, before, after))
                conn.execute(update(t).where(t.c.n == e.n).values(summary=rec.summary, prev_hash=prev, hash=digest))
                prev = digest
            conn.execute(update(AuditHead.__table__).values(last_hash=prev))
    finally:
        engine.dispose()


def _trim_to(path: Path, n: int) -> None:
    raw = sqlite3.connect(path)
    try:
        raw.execute("DELETE FROM audit_entry WHERE n > ?", (n,))
        raw.execute("UPDATE audit_head SET last_n = ?, last_hash = (SELECT hash FROM audit_entry WHERE n = ?)", (n, n))
        raw.commit()
    finally:
        raw.close()


def _outbox(path: Path) -> list[tuple[str, int, str]]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute("SELECT file_name, audit_n, audit_hash FROM sync_outbox ORDER BY created_at").fetchall()
    finally:
        raw.close()


def _rename_a_village(db: Database, phone: str) -> None:
    """A new business write on the township after the tamper (its audit entries follow on)."""
    with db.begin("kuaiji") as s:
        org = s.scalars(select(Organisation).where(Organisation.level == "村").order_by(Organisation.name)).first()
        kuaiji = s.scalars(select(User).where(User.username == "kuaiji")).one()
        assert org is not None
        update_organisation(s, org.id, user=user_row(kuaiji), phone=phone)


@pytest.fixture
def sent(sync_pair: SyncPair) -> tuple[SyncPair, str, int, str]:
    """One package from the township applied at the district; the outbox row names the chain's end
    as the package carried it."""
    out, _ = sync_pair.carry(sync_pair.town, sync_pair.district)
    assert out.path is not None
    raw = sqlite3.connect(sync_pair.town.path)
    head_n = raw.execute("SELECT last_n FROM audit_head").fetchone()[0]
    raw.close()
    (name, n, sent_hash), = _outbox(sync_pair.town.path)
    assert name == out.path.name
    assert n == head_n - 1 and sent_hash is not None  # the package's own 导出同步包 entry follows it
    return sync_pair, name, n, sent_hash


def test_the_outbox_records_the_audit_head_the_package_carried(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    pair, _, n, sent_hash = sent
    raw = sqlite3.connect(pair.town.path)
    assert raw.execute("SELECT hash FROM audit_entry WHERE n = ?", (n,)).fetchone()[0] == sent_hash
    raw.close()
    code, out = _verify(pair.town.path, capsys)
    assert code == 0, out


def test_a_chain_recomputed_after_the_package_left_is_reported_on_the_township(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    """The chain links and every anchor's entry still exists: only the recorded head sees it."""
    pair, name, n, sent_hash = sent
    _recompute_from(pair.town.path, n - 3, "改写过的摘要")
    code, out = _verify(pair.town.path, capsys)
    assert code == 3, out
    assert "✓ 审计日志哈希链：正常" in out  # the chain alone no longer tells
    assert f"同步包 {name}（发往江宁区经管站）发出时本机第 {n} 条审计记录的哈希为 {sent_hash[:16]}…" in out, out
    assert "哈希链被重新计算" in out and "表 audit_entry）" in out


def test_a_tail_trimmed_after_the_package_left_is_reported_on_the_township(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    pair, name, n, _ = sent
    _trim_to(pair.town.path, n - 2)
    code, out = _verify(pair.town.path, capsys)
    assert code == 3, out
    assert f"同步包 {name}（发往江宁区经管站）发出时本机审计日志到第 {n} 条，现在只到第 {n - 2} 条" in out, out


def test_the_district_refuses_the_next_package_of_a_recomputed_chain(
        sent: tuple[SyncPair, str, int, str]) -> None:
    """No acknowledgement has come back yet: the next package carries the chain from its start,
    and the entries the district already holds no longer match."""
    pair, _, n, _ = sent
    _recompute_from(pair.town.path, n - 3, "改写过的摘要")
    _rename_a_village(pair.town, "0511-1234567")
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    with pytest.raises(PackageError, match=f"第 {n - 3} 条审计记录与此前收到的不一致：历史记录在发出后被改写"):
        import_package(pair.district, out.path, actor="tester")


def test_the_district_refuses_the_next_package_after_an_acknowledged_chain_was_recomputed(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    """With the district's acknowledgement back, the next package starts at the acknowledged entry
    (the anchor); a chain recomputed before it no longer matches there."""
    pair = sent[0]
    pair.carry(pair.district, pair.town)  # the district's ack of the township's audit chain
    _recompute_from(pair.town.path, 2, "改写过的摘要")
    code, out = _verify(pair.town.path, capsys)
    assert code == 3 and "哈希链被重新计算" in out, out
    _rename_a_village(pair.town, "0511-7654321")
    out_pkg = pair.export(pair.town, pair.district)
    assert out_pkg.path is not None
    with pytest.raises(PackageError, match="历史记录在发出后被改写"):
        import_package(pair.district, out_pkg.path, actor="tester")


def test_the_district_refuses_the_next_package_after_a_trimmed_tail_was_written_over(
        sent: tuple[SyncPair, str, int, str]) -> None:
    """Tail cut, then new work written where it was: the district holds the old entries there."""
    pair, _, n, _ = sent
    _trim_to(pair.town.path, n - 2)
    for phone in ("0511-1", "0511-2", "0511-3"):
        _rename_a_village(pair.town, phone)
    out = pair.export(pair.town, pair.district)
    assert out.path is not None
    with pytest.raises(PackageError, match="历史记录在发出后被改写"):
        import_package(pair.district, out.path, actor="tester")


def test_a_package_row_deleted_on_either_side_is_found(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    """No row hash shows a row that is gone: the audit entry of each export and import names it.
    (Without its inbox row the district would apply the package again; without its outbox row the
    township's head would no longer be held to.)"""
    pair, name, _, _ = sent
    for db, table in ((pair.town, "sync_outbox"), (pair.district, "sync_inbox")):
        raw = sqlite3.connect(db.path)
        raw.execute(f"DELETE FROM {table}")
        raw.commit()
        raw.close()
        code, out = _verify(db.path, capsys)
        assert code == 3, out
        assert f"（表 {table}）：审计日志记有“" in out and name in out, out
        assert "的同步包的记录已被删除" in out


def test_the_district_refuses_a_package_whose_chain_ends_before_what_it_holds(
        sent: tuple[SyncPair, str, int, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Tail cut below the acknowledged entry and a little new work: the package carries no entry
    from the anchor on, so only its audit head, lower than what the district holds, can tell."""
    pair = sent[0]
    pair.carry(pair.district, pair.town)
    _trim_to(pair.town.path, 5)
    _rename_a_village(pair.town, "0511-9")
    code, out = _verify(pair.town.path, capsys)
    assert code == 3 and "审计日志的末尾在发出后被删除" in out, out  # the township itself says so
    out_pkg = pair.export(pair.town, pair.district)
    assert out_pkg.path is not None and out_pkg.audit_entries == 0
    with pytest.raises(PackageError, match=r"审计日志只到第 \d+ 条，但此前已收到第 \d+ 条"):
        import_package(pair.district, out_pkg.path, actor="tester")
