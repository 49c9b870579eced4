"""How long generating one village's 财务公开 sheets holds SQLite's write lock (prints figures; not a test).

    .venv/bin/python bench/bench_disclosure_lock.py [--villages 2] [--years 2] [--period 2026-10] [--runs 5]

Issue #16: the sheets are built under a read snapshot and only the record is written. Printed, as
medians of ``--runs``, each beside the raw limit measured in the same run:
- the old way: ``disclose`` in one write transaction (the lock held for the whole build and PDF);
- the new way: ``build_disclosure`` under ``Database.read`` (no lock), then ``record_disclosure``
  in a write transaction (the lock held for the change-log comparison and the record);
- the new way when something was written in between (another village's setting): the record
  derives the sheets' content again under the lock to compare it;
- the raw limit: a write transaction that writes one audit entry and commits (the least any
  recorded generation can hold the lock).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.audit import AuditRecord, record_audit
from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.disclosure import update_disclosure_settings
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.reports.disclosure.builder import build_disclosure, disclose, record_disclosure


def _median(fn: Callable[[], float], runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=2)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from sqlalchemy import select

    from db.models import User

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "demo.db")
        t0 = time.perf_counter()
        with db.begin("demo") as s:
            build_demo(s, villages=args.villages, years=args.years, seed=11)
        print(f"示例库：{args.villages} 个村 {args.years} 年，用时 {time.perf_counter() - t0:.1f} 秒")
        with db.read() as s:
            orgs = [o for o in list_organisations(s) if o.level == "村"]
            org = orgs[0]
            book = list_books(s, org.id)[0]
            user = user_row(s.scalars(select(User).where(User.username == "shenhe")).one())
            keeper = user_row(s.scalars(select(User).where(User.username == "kuaiji")).one())

        def old() -> float:
            start = time.perf_counter()
            with db.begin(user.username) as s:
                disclose(s, org.id, args.period, book_ids=[book.id], user=user)
            return time.perf_counter() - start

        built: list[float] = []

        def new() -> float:
            start = time.perf_counter()
            with db.read(user.username) as s:
                doc = build_disclosure(s, org.id, args.period, book_ids=[book.id], user=user)
            built.append(time.perf_counter() - start)
            start = time.perf_counter()
            with db.begin(user.username) as s:
                record_disclosure(s, doc, user=user)
            return time.perf_counter() - start

        other = next(o for o in orgs if o.id != org.id)
        phones = iter(range(10_000))

        def changed_elsewhere() -> float:  # another village's setting saved between the build and the record
            with db.read(user.username) as s:
                doc = build_disclosure(s, org.id, args.period, book_ids=[book.id], user=user)
            with db.begin(user.username) as s:
                update_disclosure_settings(s, other.id, phone=f"025-5210{next(phones):04d}", user=keeper)
            start = time.perf_counter()
            with db.begin(user.username) as s:
                record_disclosure(s, doc, user=user)
            return time.perf_counter() - start

        def raw() -> float:
            start = time.perf_counter()
            with db.begin(user.username) as s:
                record_audit(s, AuditRecord("bench", "disclosure", None, "基准：一次写入"))
            return time.perf_counter() - start

        old_lock = _median(old, args.runs)
        new_lock = _median(new, args.runs)
        recheck_lock = _median(changed_elsewhere, args.runs)
        raw_lock = _median(raw, args.runs)
        db.close()
    print(f"一次生成（{org.name}，{args.period}，{args.runs} 次中位数）：")
    print(f"  旧：整个生成在写事务中，占用写锁 {old_lock * 1000:.0f} ms")
    print(f"  新：只读快照中生成 {statistics.median(built) * 1000:.0f} ms（不占写锁）；"
          f"登记占用写锁 {new_lock * 1000:.0f} ms（期间无人写入：只比对变更日志）")
    print(f"  期间他村有写入：登记时重新核对本村数据，占用写锁 {recheck_lock * 1000:.0f} ms")
    print(f"  原始下限：一次只写一条审计记录的写事务 {raw_lock * 1000:.1f} ms；"
          f"新登记为其 {new_lock / raw_lock:.1f} 倍（需重新核对时 {recheck_lock / raw_lock:.0f} 倍），"
          f"旧方式为其 {old_lock / raw_lock:.0f} 倍")


if __name__ == "__main__":
    main()
