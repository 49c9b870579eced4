"""The 审计日志 query (services.audit_trail.audit_page) on a large audit table, beside the raw limit.

    .venv/bin/python bench/bench_audit_trail.py --demo DEMO.db [--entries 1000000] [--with-indexes]

A copy of ``--demo`` (a demo township: its books, organisations and users) gets ``--entries``
synthetic audit entries spread over 24 months, 5 actors, the demo's books and some entries of the
whole township, written straight into ``audit_entry`` with stdlib ``executemany`` (the chain is
not valid: reading does not check it). Then each query reads one page of 200 rows, and the raw
limit for it is printed beside it: the same page's SQL through stdlib ``sqlite3`` (tuples, no
organisation resolution, no masking). Printed: CPU seconds of each (median of 3), the ratio, and
``uptime``. ``--with-indexes`` first adds the indexes the migration request names
(actor, n), (entity, action, n) and (at), to show what they change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from db.backup import backup_file  # noqa: E402
from db.migrate import open_database  # noqa: E402
from db.models import User  # noqa: E402
from desktop_app.core.services import audit_trail as svc  # noqa: E402
from desktop_app.core.services.auth import user_row  # noqa: E402

ACTORS = ["kuaiji", "shenhe", "admin", "jiandu", "kuaiji2"]
ACTIONS = ["create", "update", "post", "review", "close", "issue"]
ENTITIES = ["voucher", "asset", "contract", "member", "receipt_slip"]


def fill(path: Path, entries: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    raw = sqlite3.connect(path)
    books = [r[0] for r in raw.execute("SELECT id FROM book")]
    n0 = raw.execute("SELECT COALESCE(MAX(n), 0) FROM audit_entry").fetchone()[0]
    start = datetime(2024, 12, 1, tzinfo=UTC)
    span = timedelta(days=730) / entries
    rows: list[tuple[Any, ...]] = []
    with raw:
        for i in range(entries):
            n = n0 + i + 1
            at = (start + span * i).replace(tzinfo=None).isoformat(sep=" ")
            book = rnd.choice(books)
            township = rnd.random() < 0.02
            entity = "app_user" if township else rnd.choice(ENTITIES)
            actor = "admin" if township else rnd.choice(ACTORS[:2] if rnd.random() < 0.99 else ACTORS)
            after = json.dumps({"active": True} if township else {
                "book_id": str(uuid.UUID(book)), "code": f"X{i}", "amount": "100.00", "name": "样本"},
                ensure_ascii=False)
            rows.append((n, at, actor, rnd.choice(ACTIONS), entity, str(uuid.uuid4()), f"样本记录 {i}", None, after,
                         "0" * 64, "0" * 64))
            if len(rows) == 50_000:
                raw.executemany("INSERT INTO audit_entry VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                rows.clear()
        raw.executemany("INSERT INTO audit_entry VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        raw.execute("UPDATE audit_head SET last_n = (SELECT MAX(n) FROM audit_entry)")
    raw.close()


def cpu(fn: Any) -> float:
    times = []
    for _ in range(3):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", required=True)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--with-indexes", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = backup_file(Path(args.demo), Path(tmp) / "bench.db")
        t = time.perf_counter()
        fill(path, args.entries)
        print(f"filled {args.entries:,} entries in {time.perf_counter() - t:.1f} s wall")
        raw = sqlite3.connect(path)
        if args.with_indexes:
            raw.execute("CREATE INDEX ix_bench_actor ON audit_entry (actor, n)")
            raw.execute("CREATE INDEX ix_bench_entity ON audit_entry (entity, action, n)")
            raw.execute("CREATE INDEX ix_bench_at ON audit_entry (at)")
            raw.commit()
        db = open_database(path)
        with db.read() as s:
            me = user_row(s.execute(select(User).where(User.username == "jiandu")).scalar_one())
            org = svc.audit_choices(s, user=me).organisations[1][0]
            cols = "n, at, actor, action, entity, entity_id, summary, before_json, after_json"
            cases = [
                ("newest page", svc.AuditFilter(), f"SELECT {cols} FROM audit_entry ORDER BY n DESC LIMIT 200", ()),
                ("rare actor (admin, ~3%)", svc.AuditFilter(actor="admin"),
                 f"SELECT {cols} FROM audit_entry WHERE actor = ? ORDER BY n DESC LIMIT 200", ("admin",)),
                ("one month, 2025-01", svc.AuditFilter(month="2025-01"),
                 f"SELECT {cols} FROM audit_entry WHERE at >= ? AND at < ? ORDER BY n DESC LIMIT 200",
                 ("2025-01-01 00:00:00", "2025-02-01 00:00:00")),
                ("one village", svc.AuditFilter(organisation_id=org),
                 f"SELECT {cols} FROM audit_entry ORDER BY n DESC LIMIT 1000", ()),
                ("text in summary", svc.AuditFilter(text="样本记录 12345"),
                 f"SELECT {cols} FROM audit_entry WHERE summary LIKE ? ORDER BY n DESC LIMIT 200", ("%样本记录 12345%",)),
            ]
            for label, filt, sql, params in cases:
                ours = cpu(lambda f=filt: svc.audit_page(s, f, user=me, limit=200))  # type: ignore[misc]
                limit = cpu(lambda q=sql, p=params: raw.execute(q, p).fetchall())  # type: ignore[misc]
                got = len(svc.audit_page(s, filt, user=me, limit=200).rows)
                print(f"{label:28s} rows {got:4d}  audit_page {ours * 1000:8.1f} ms CPU   raw sqlite3 "
                      f"{limit * 1000:8.1f} ms CPU   ratio {ours / max(limit, 1e-6):6.1f}")
        db.close()
        raw.close()
    print("uptime:", os.popen("uptime").read().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
