"""The change log and the audit trail are written in the same transaction as the change."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, ChangeLog, Organisation, Region, SyncCounter
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.orgs import create_organisation, create_region, update_organisation
from tests.acting import keeper

ORG = {"name": "石桥村股份经济合作社", "level": "村", "uscc": "N2320115MF00000121", "region_code": "320115106201"}


def _regions(db) -> None:
    with db.begin("tester") as s:
        for code, name in (("320115000000", "江宁区"), ("320115106000", "阳光街道"), ("320115106201", "石桥村")):
            create_region(s, code=code, name=name, user=keeper(s))


def counts(db) -> tuple[int, int, int]:
    with db.begin() as s:
        return (s.scalar(select(func.count()).select_from(Organisation)),
                s.scalar(select(func.count()).select_from(ChangeLog)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def test_insert_writes_change_and_audit_in_same_transaction(db) -> None:
    _regions(db)
    before = counts(db)
    with db.begin("kuaiji") as s:
        org = create_organisation(s, **ORG, user=keeper(s))
    after = counts(db)
    assert after[0] == before[0] + 1
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1
    with db.begin() as s:
        ch = s.execute(select(ChangeLog).order_by(ChangeLog.seq.desc())).scalars().first()
        audit = s.execute(select(AuditEntry).order_by(AuditEntry.n.desc())).scalars().first()
    assert ch.table_name == "organisation" and ch.row_id == org.id and ch.op == "insert"
    assert ch.rev == 1 and ch.prev_rev == 0 and ch.origin == db.origin
    with db.begin() as s:
        row = s.get(Organisation, org.id)
    assert (row.uscc, row.rev, row.origin) == (ORG["uscc"], 1, db.origin)  # a package reads the row itself
    # the actor is the acting user the service checked (issue #16), not the name the session began with
    assert audit.actor == "kj" and audit.entity == "organisation" and "石桥村" in audit.summary


def test_update_bumps_rev_and_logs_prev_rev(db) -> None:
    _regions(db)
    with db.begin() as s:
        org = create_organisation(s, **ORG, user=keeper(s))
    with db.begin() as s:
        update_organisation(s, org.id, phone="025-52101234", user=keeper(s))
    with db.begin() as s:
        ch = s.execute(select(ChangeLog).where(ChangeLog.row_id == org.id).order_by(ChangeLog.seq)).scalars().all()
        audit = s.execute(select(AuditEntry).order_by(AuditEntry.n.desc())).scalars().first()
    assert [(c.op, c.rev, c.prev_rev) for c in ch] == [("insert", 1, 0), ("update", 2, 1)]
    assert json.loads(audit.before_json)["phone"] is None
    assert json.loads(audit.after_json)["phone"] == "025-52101234"


def test_failed_action_rolls_back_change_log_and_audit(db) -> None:
    _regions(db)
    before = counts(db)
    with pytest.raises(ValidationError), db.begin() as s:
        create_organisation(s, **ORG, user=keeper(s))  # succeeds inside the transaction …
        create_organisation(s, **{**ORG, "uscc": "N2320115MF00000122"}, user=keeper(s))  # … then a bad check character
    assert counts(db) == before


def test_sequence_is_gap_free_and_counter_matches(db) -> None:
    _regions(db)
    with db.begin() as s:
        create_organisation(s, **ORG, user=keeper(s))
    with db.begin() as s:
        seqs = s.scalars(select(ChangeLog.seq).where(ChangeLog.origin == db.origin).order_by(ChangeLog.seq)).all()
        counter = s.get(SyncCounter, db.origin)
    assert seqs == list(range(1, len(seqs) + 1))
    assert counter.last_seq == seqs[-1]


def test_hard_delete_of_syncable_row_is_refused(db) -> None:
    _regions(db)
    with pytest.raises(RuntimeError, match="不得物理删除"), db.begin() as s:
        s.delete(s.execute(select(Region)).scalars().first())
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 3


CHECK = "变更日志连续并覆盖每条同步数据"


def _verify(db) -> dict[str, tuple[str, ...]]:
    with db.engine.connect() as c:
        return {r.name: r.problems for r in verify_database(c)}


def _raw(db, *statements: str) -> None:
    raw = sqlite3.connect(db.path)
    for sql in statements:
        raw.execute(sql)
    raw.commit()
    raw.close()


def test_verify_detects_audit_edit_and_a_row_changed_behind_the_log(db) -> None:
    _regions(db)
    with db.begin() as s:
        org = create_organisation(s, **ORG, user=keeper(s))
    assert all(not p for p in _verify(db).values())
    _raw(db, "UPDATE audit_entry SET summary = '新增组织 某村' WHERE n = 2",
         f"UPDATE organisation SET name = '某村', rev = rev + 1 WHERE id = '{org.id.hex}'")
    results = _verify(db)
    assert any("第 2 条审计记录" in p for p in results["审计日志哈希链"])
    assert any(f"表 organisation 的记录 {org.id}（版本 2）没有对应的变更日志记录" in p for p in results[CHECK])


def test_verify_detects_deleted_change_records(db) -> None:
    _regions(db)
    with db.begin() as s:
        create_organisation(s, **ORG, user=keeper(s))
    _raw(db, "DELETE FROM change_log WHERE seq = 2")
    problems = _verify(db)[CHECK]
    assert any("在第 1 条之后是第 3 条（第 2–2 条变更记录已被删除）" in p for p in problems)
    assert any("表 region 的记录" in p and "（版本 1）没有对应的变更日志记录" in p for p in problems)


def test_verify_detects_deleted_newest_change_records(db) -> None:
    _regions(db)
    with db.begin() as s:
        create_organisation(s, **ORG, user=keeper(s))
    _raw(db, "DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log)")
    problems = _verify(db)[CHECK]
    assert any("最后的 1 条记录（第 4–4 条）已被删除" in p for p in problems)


def test_verify_detects_a_record_whose_row_was_hard_deleted(db) -> None:
    _regions(db)
    with db.begin() as s:
        region = s.execute(select(Region).where(Region.code == "320115106201")).scalar_one()
    _raw(db, "PRAGMA foreign_keys = OFF", f"DELETE FROM region WHERE id = '{region.id.hex}'")
    problems = _verify(db)[CHECK]
    assert any(f"记录的 region 行 {region.id} 不存在" in p for p in problems)


def test_verify_detects_deleted_audit_entry(db) -> None:
    _regions(db)
    raw = sqlite3.connect(db.path)
    raw.execute("DELETE FROM audit_entry WHERE n = 2")
    raw.commit()
    raw.close()
    with db.engine.connect() as c:
        problems = {r.name: r.problems for r in verify_database(c)}["审计日志哈希链"]
    assert problems and "缺少第 2 条" in problems[0]


def test_verify_detects_deleted_newest_audit_entries(db) -> None:
    _regions(db)
    raw = sqlite3.connect(db.path)
    last = raw.execute("SELECT max(n) FROM audit_entry").fetchone()[0]
    raw.execute("DELETE FROM audit_entry WHERE n >= ?", (last - 1,))
    raw.commit()
    raw.close()
    with db.engine.connect() as c:
        problems = {r.name: r.problems for r in verify_database(c)}["审计日志哈希链"]
    assert problems and f"最后的 2 条记录（第 {last - 1}–{last} 条）已被删除" in problems[0]


def test_tombstone_is_logged_as_delete_with_its_versions(db) -> None:
    _regions(db)
    with db.begin() as s:
        region = s.execute(select(Region).where(Region.code == "320115106201")).scalar_one()
        region.deleted = True
    with db.begin() as s:
        ch = s.execute(select(ChangeLog).where(ChangeLog.row_id == region.id).order_by(ChangeLog.seq)).scalars().all()
    assert [(c.table_name, c.op, c.rev, c.prev_rev) for c in ch] == [("region", "insert", 1, 0), ("region", "delete", 2, 1)]
    assert all(not p for p in _verify(db).values())
