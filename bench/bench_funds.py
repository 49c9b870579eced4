"""Funds at scale: post 100,000 vouchers (~1M entry lines) into one book, then build statements.

    .venv/bin/python bench/bench_funds.py [--vouchers 100000] [--lines 10] [--runs 3] [--db PATH]

Posts through the bulk path (``voucher_bulk.bulk_post_vouchers``: DBAPI executemany of converted
rows + slim change log, month summaries upserted; ``bench/bench_bulk.py`` pairs that with stdlib
executemany of the same rows), then times, best of N:
- the 科目余额表 for 2026 (``ledgers.trial_balance``: opening, period debit/credit, closing, roll-up);
- a monthly 收支明细表 (``statements.income_expense_statement`` for 2026-06);
and compares with plain sqlite3 running the same aggregate: once over the journal (what a
statement would cost without the per-month summary) and once over the summary table (the query
the services run, without SQLAlchemy and Decimal), printing the ratios.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.migrate import open_database  # noqa: E402
from desktop_app.core.services.ledgers import trial_balance  # noqa: E402
from desktop_app.core.services.orgs import create_book, create_organisation, create_region  # noqa: E402
from desktop_app.core.services.statements import income_expense_statement  # noqa: E402
from desktop_app.core.services.users import create_user  # noqa: E402
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers  # noqa: E402
from desktop_app.core.services.voucher_lines import LineInput  # noqa: E402

DEBIT = ["101", "112", "121", "153", "15101", "15102", "511", "51301", "51302", "51306", "514", "515"]
CREDIT = ["102", "211", "212", "231", "50101", "50102", "50301", "504", "502"]
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]

RAW_JOURNAL = """
SELECT e.account_id,
       SUM(CASE WHEN e.period < :first THEN e.debit - e.credit ELSE 0 END),
       SUM(CASE WHEN e.period >= :first THEN e.debit ELSE 0 END),
       SUM(CASE WHEN e.period >= :first THEN e.credit ELSE 0 END)
FROM entry e JOIN voucher v ON v.id = e.voucher_id
WHERE e.book_id = :book AND e.period <= :last AND v.status = '记账' AND e.deleted = 0
GROUP BY e.account_id
"""
RAW_SUMMARY = """
SELECT account_id,
       SUM(CASE WHEN period < :first THEN debit - credit ELSE 0 END),
       SUM(CASE WHEN period >= :first THEN debit ELSE 0 END),
       SUM(CASE WHEN period >= :first THEN credit ELSE 0 END)
FROM account_period_total WHERE book_id = :book AND period <= :last GROUP BY account_id
"""


def vouchers(n: int, lines: int, rng: random.Random) -> Iterator[BulkVoucher]:
    per_month = n // len(MONTHS) + 1
    for i in range(n):
        p = MONTHS[min(i // per_month, len(MONTHS) - 1)]
        day = date(int(p[:4]), int(p[5:]), 1 + i % 28)
        half = lines // 2
        debits = [Decimal(rng.randint(100, 5_000_000)).scaleb(-2) for _ in range(half)]
        total = sum(debits, Decimal("0.00"))
        credits, left = [], total
        for _ in range(lines - half - 1):
            part = (left / 2).quantize(Decimal("0.01"))
            credits.append(part)
            left -= part
        credits.append(left)
        yield BulkVoucher(day, f"基准凭证{i}", [LineInput(rng.choice(DEBIT), debit=d) for d in debits]
                          + [LineInput(rng.choice(CREDIT), credit=c) for c in credits if c] or [])


def best(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vouchers", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db")
    args = ap.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench_funds.db"
    db = open_database(path)
    with db.begin("bench") as s:
        user = create_user(s, username="kj", display_name="会计", password="secret1", roles=["bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=user)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=user)
        book = create_book(s, organisation_id=org.id, name="基准账套", kind="股份经济合作社", start_period="2024-01", user=user)
    t0 = time.perf_counter()
    with db.begin("bench") as s:
        count = bulk_post_vouchers(s, book.id, vouchers(args.vouchers, args.lines, random.Random(1)), maker=user)
    t_post = time.perf_counter() - t0
    raw = sqlite3.connect(path)
    n_entries = raw.execute("SELECT count(*) FROM entry").fetchone()[0]
    print(f"记账 {count:,} 张凭证 / {n_entries:,} 行分录（批量路径，含变更日志、审计与月汇总）：{t_post:.1f} s "
          f"（{count / t_post:,.0f} 张/秒）")
    params = {"book": book.id.hex, "first": "2026-01", "last": "2026-12"}
    assert len(raw.execute(RAW_JOURNAL, params).fetchall()) == len(raw.execute(RAW_SUMMARY, params).fetchall()) > 10
    with db.begin() as s:
        t_tb = best(args.runs, lambda: trial_balance(s, book.id, "2026-01", "2026-12"))
        t_ie = best(args.runs, lambda: income_expense_statement(s, book.id, "2026-06", "2026-06"))
    t_raw_j = best(args.runs, lambda: raw.execute(RAW_JOURNAL, params).fetchall())
    t_raw_s = best(args.runs, lambda: raw.execute(RAW_SUMMARY, params).fetchall())
    month = {**params, "first": "2026-06", "last": "2026-06"}
    t_raw_jm = best(args.runs, lambda: raw.execute(RAW_JOURNAL, month).fetchall())
    print(f"科目余额表 2026年度（服务）：{t_tb * 1000:.1f} ms")
    print(f"收支明细表 2026年6月（服务）：{t_ie * 1000:.1f} ms")
    print(f"plain sqlite3 同一汇总查询扫描分录表：年度 {t_raw_j * 1000:.1f} ms，单月 {t_raw_jm * 1000:.1f} ms")
    print(f"plain sqlite3 同一汇总查询读汇总表：{t_raw_s * 1000:.2f} ms")
    print(f"比值：科目余额表 服务/扫描分录 = {t_tb / t_raw_j:.3f}，服务/读汇总表 = {t_tb / t_raw_s:.1f} 倍；"
          f"收支明细表 服务/扫描分录(单月) = {t_ie / t_raw_jm:.3f}")
    raw.close()
    db.close()


if __name__ == "__main__":
    main()
