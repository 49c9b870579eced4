"""Cross-village summaries over every book of a 300-village township, against plain SQL.

    .venv/bin/python bench/bench_summary.py [--villages 300] [--runs 7] [--db FILE]

The summaries the program computes over all books of the township (found by looking for
loops over all organisations or books in the services and pages):

* 尚未公开 (``disclosure.list_undisclosed``): the disclosure page's status list and the CLI's
  ``disclosure-missing``, for a month, a quarter (a monthly village is done with its three
  months) and a year; the township gets ten months and three quarters of disclosure records,
  about 90% posted, 5% generated and not posted, 5% missing;
* the navigation (``orgs.list_organisations`` + ``orgs.list_books``): the main window's tree
  and the 组织与账套 page;
* 收益分配提醒 (``distribution_query.distribution_reminders``): every organisation's distribution
  deadline and the status of last year's plan, computed by the 成员与分配 page on each reload
  (two queries per organisation); the raw limit is one query with the plan's status as a
  correlated subquery, the deadline test in Python.

Each is timed as the program calls it (a read session, statements warm) and beside it the raw
limit measured in the same run: stdlib ``sqlite3`` running one query that returns the same rows
from the same file. Medians of ``--runs``; the ratio is what matters on a shared machine.
``--db FILE`` keeps the township database (built there when missing, reused when present);
the disclosure records are added to a copy.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTHS = [f"2026-{m:02d}" for m in range(1, 11)]
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]

RAW_BASE = """
SELECT o.id, o.name, o.uscc, b.id, b.name{state}
FROM organisation o JOIN book b ON b.organisation_id = o.id JOIN region g ON g.id = o.region_id
{joins}
WHERE o.deleted = 0 AND b.deleted = 0 AND o.level IN ('村', '组') AND b.start_period <= ? {having}
ORDER BY g.code, o.uscc, b.code
"""
RAW_MONTH = RAW_BASE.format(
    state=", CASE WHEN r.id IS NULL THEN '未生成' ELSE '已生成未张贴' END",
    joins="LEFT JOIN disclosure_record r ON r.book_id = b.id AND r.period_code = ? AND r.deleted = 0",
    having="AND r.posted_on IS NULL")
RAW_QUARTER = RAW_BASE.format(
    state=", CASE WHEN r.id IS NULL THEN '未生成' ELSE '已生成未张贴' END",
    joins="LEFT JOIN disclosure_record r ON r.book_id = b.id AND r.period_code = ? AND r.deleted = 0",
    having="AND r.posted_on IS NULL AND (SELECT count(*) FROM disclosure_record m WHERE m.book_id = b.id "
           "AND m.period_code IN (?, ?, ?) AND m.deleted = 0 AND m.posted_on IS NOT NULL) < 3")
RAW_NAVIGATION = """
SELECT o.id, o.name, o.level, o.uscc, g.code, g.name, t.code, t.name, o.legal_rep, o.phone, o.address
FROM organisation o JOIN region g ON g.id = o.region_id LEFT JOIN region t ON t.id = g.parent_id
WHERE o.deleted = 0 ORDER BY g.code, o.uscc
"""
RAW_BOOKS = "SELECT * FROM book WHERE deleted = 0 ORDER BY organisation_id, code"
RAW_REMINDERS = """
SELECT o.id, o.name, coalesce(ds.deadline_month, 4), coalesce(ds.deadline_day, 30),
       coalesce((SELECT p.status FROM distribution_plan p WHERE p.organisation_id = o.id AND p.year = ?
                 AND p.deleted = 0 AND p.status != '作废' ORDER BY p.computed_at DESC LIMIT 1), '未编制')
FROM organisation o LEFT JOIN distribution_setting ds ON ds.organisation_id = o.id AND ds.deleted = 0
WHERE o.deleted = 0 AND o.level != '乡镇' ORDER BY o.name
"""
REMINDER_DAY = date(2027, 4, 20)  # ten days before the default deadline: every village is due


def raw_reminders(raw: sqlite3.Connection) -> list[tuple[str, str]]:
    out = []
    for org_id, _name, month, day, status in raw.execute(RAW_REMINDERS, (REMINDER_DAY.year - 1,)):
        if (date(REMINDER_DAY.year, month, day) - REMINDER_DAY).days <= 30 and status != "发放":
            out.append((org_id, status))
    return out


def build_township(path: Path, villages: int) -> None:
    from db.migrate import open_database
    from desktop_app.core.demo import build_demo

    t = time.perf_counter()
    db = open_database(path)
    with db.begin("demo") as s:
        build_demo(s, villages=villages, only=("用户", "组织与账套"))
    db.close()
    print(f"township database with {villages} villages (organisations and books): {time.perf_counter() - t:.1f} s")


def seed_records(path: Path) -> int:
    """Ten months and three quarters of disclosure records for every village book (a bench
    fixture written with sqlite3: what is measured here only reads them)."""
    con = sqlite3.connect(path)
    books = con.execute("SELECT b.id, b.organisation_id FROM book b JOIN organisation o ON o.id = b.organisation_id "
                        "WHERE o.level IN ('村', '组')").fetchall()
    origin = con.execute("SELECT id FROM installation WHERE retired_at IS NULL").fetchone()[0]
    rng = random.Random(18)
    rows = []
    for book_id, org_id in books:
        for code in MONTHS + QUARTERS:
            luck = rng.random()
            if luck < 0.05:
                continue  # not generated
            first, last = (code, code) if len(code) == 7 and code[5] != "Q" else (code[:4] + "-07", code[:4] + "-09")
            posted = None if luck < 0.10 else f"{code[:4]}-11-05"
            rows.append((org_id, book_id, code, first, last, "0" * 64, 1, 2, "0" * 64, 1, "bench",
                         "2026-11-01 08:00:00.000000", posted, posted, "bench" if posted else None, origin, 1,
                         "2026-11-01 08:00:00.000000", 0, uuid.uuid4().hex))
    con.executemany("INSERT INTO disclosure_record (organisation_id, book_id, period_code, period_from, period_to, "
                    "seal_hash, all_sealed, pages, content_sha256, times_generated, generated_by, generated_at, "
                    "posted_on, posted_until, posted_by, origin, rev, updated_at, deleted, id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return len(rows)


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    result = fn()  # warm: statements built and compiled, pages cached
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", help="township database to use (built there when missing)")
    args = parser.parse_args()
    from db.migrate import open_database
    from desktop_app.core.services.disclosure import list_undisclosed
    from desktop_app.core.services.distribution_query import distribution_reminders
    from desktop_app.core.services.orgs import list_books, list_organisations

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(args.db) if args.db else Path(tmp) / "township.db"
        if not source.exists():
            build_township(source, args.villages)
        path = Path(tmp) / "summary.db"
        db = open_database(source, create=False)  # brought up to date before it is copied
        db.close()
        shutil.copyfile(source, path)
        records = seed_records(path)
        db = open_database(path, create=False)
        raw = sqlite3.connect(path)
        books = raw.execute("SELECT count(*) FROM book").fetchone()[0]
        print(f"{books} books, {records} disclosure records (10 months, 3 quarters)\n")
        print(f"{'summary':<44}{'program':>10}{'raw sqlite3':>13}{'ratio':>8}")
        cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            ("尚未公开, month 2026-10", lambda: list_undisclosed(s, "2026-10"),
             lambda: raw.execute(RAW_MONTH, ("2026-10", "2026-10")).fetchall()),
            ("尚未公开, quarter 2026-Q3", lambda: list_undisclosed(s, "2026-Q3"),
             lambda: raw.execute(RAW_QUARTER, ("2026-Q3", "2026-09", "2026-07", "2026-08", "2026-09")).fetchall()),
            ("navigation: organisations and books", lambda: (list_organisations(s), list_books(s)),
             lambda: (raw.execute(RAW_NAVIGATION).fetchall(), raw.execute(RAW_BOOKS).fetchall())),
            ("收益分配提醒 (all organisations)", lambda: distribution_reminders(s, today=REMINDER_DAY),
             lambda: raw_reminders(raw)),
        ]
        with db.read("bench") as s:
            for label, program, limit in cases:
                ours, got = median_ms(program, args.runs)
                base, expected = median_ms(limit, args.runs)
                if label.startswith("尚未公开"):
                    assert [(r.book_id.hex, r.status) for r in got] == [(r[3], r[5]) for r in expected], label
                if label.startswith("收益分配提醒"):
                    assert [(r.organisation_id.hex, r.status) for r in got] == expected, label
                print(f"{label:<44}{ours:>8.1f}ms{base:>11.1f}ms{ours / base:>7.1f}x")
        raw.close()
        db.close()


if __name__ == "__main__":
    main()
