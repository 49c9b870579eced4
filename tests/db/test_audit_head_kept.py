"""record_audit keeps where the chain ends for the rest of its transaction (issue #18: a batch
writes hundreds of entries one by one) and forgets it at every end of a transaction or savepoint,
so a rolled-back savepoint or another transaction in between never forks the chain."""

from __future__ import annotations

from sqlalchemy import select

from db.audit import AuditRecord, record_audit, verify_audit_chain
from db.models import AuditEntry, AuditHead


def _rec(i: int) -> AuditRecord:
    return AuditRecord("update", "thing", str(i), f"第{i}条", {"v": i}, {"v": i + 1})


def _chain(db) -> tuple[list[int], tuple[int, str], list[object]]:
    with db.read("t") as s:
        ns = list(s.scalars(select(AuditEntry.n).order_by(AuditEntry.n)))
        head = s.execute(select(AuditHead.last_n, AuditHead.last_hash)).one()
        return ns, (head[0], head[1]), verify_audit_chain(s.connection())


def test_a_rolled_back_savepoint_takes_its_entries_and_the_kept_head_with_it(db) -> None:
    _, (start, _), _ = _chain(db)
    with db.begin("t") as s:
        record_audit(s, _rec(1))
        sp = s.begin_nested()
        record_audit(s, [_rec(2), _rec(3)])
        sp.rollback()
        record_audit(s, _rec(4))  # must follow entry 1, not the rolled-back 3
        sp = s.begin_nested()
        record_audit(s, _rec(5))
        sp.commit()
        record_audit(s, _rec(6))
    ns, (last_n, last_hash), breaks = _chain(db)
    assert breaks == []
    assert ns[-4:] == [start + 1, start + 2, start + 3, start + 4]
    with db.read("t") as s:
        summaries = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.n > start).order_by(AuditEntry.n)))
        newest = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.n.desc()).limit(1))
    assert summaries == ["第1条", "第4条", "第5条", "第6条"]
    assert (last_n, last_hash) == (start + 4, newest)


def test_a_session_used_again_reads_the_head_another_transaction_moved(db) -> None:
    with db.begin("a") as first:
        record_audit(first, _rec(1))
        keeper_session = first
    with db.begin("b") as other:
        record_audit(other, [_rec(2), _rec(3)])
    with keeper_session.begin():  # the first session object, a new transaction
        record_audit(keeper_session, _rec(4))
    ns, _, breaks = _chain(db)
    assert breaks == []
    assert ns == list(range(1, len(ns) + 1))


def test_a_failed_transaction_leaves_no_kept_head(db) -> None:
    _, (start, _), _ = _chain(db)
    try:
        with db.begin("t") as s:
            record_audit(s, [_rec(1), _rec(2)])
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    with db.begin("t") as s:
        record_audit(s, _rec(3))
    ns, (last_n, _), breaks = _chain(db)
    assert breaks == [] and last_n == start + 1 and ns[-1] == start + 1


def test_a_released_savepoint_inside_a_rolled_back_one_leaves_no_fork(db) -> None:
    """A released savepoint keeps the head (most service actions run in one); the savepoint around
    it rolling back takes both its entries and the kept head."""
    _, (start, _), _ = _chain(db)
    with db.begin("t") as s:
        record_audit(s, _rec(1))
        outer = s.begin_nested()
        inner = s.begin_nested()
        record_audit(s, _rec(2))
        inner.commit()  # released: entry 2 is still in the outer savepoint
        record_audit(s, _rec(3))
        outer.rollback()  # takes 2 and 3
        for i in (4, 5):
            sp = s.begin_nested()
            record_audit(s, _rec(i))
            sp.commit()
        record_audit(s, _rec(6))
    ns, (last_n, last_hash), breaks = _chain(db)
    assert breaks == []
    with db.read("t") as s:
        summaries = list(s.scalars(select(AuditEntry.summary).where(AuditEntry.n > start).order_by(AuditEntry.n)))
        newest = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.n.desc()).limit(1))
    assert summaries == ["第1条", "第4条", "第5条", "第6条"]
    assert ns[-4:] == [start + 1, start + 2, start + 3, start + 4]
    assert (last_n, last_hash) == (start + 4, newest)
