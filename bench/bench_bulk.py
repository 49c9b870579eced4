"""Bulk writes against the machine's limit: ``bulk_post_vouchers`` vs stdlib ``executemany``.

    .venv/bin/python bench/bench_bulk.py [--lines 100000] [--per-voucher 10] [--runs 3] [--demo DB]

Each run posts ``--lines`` ledger lines through the bulk path (validation, numbering, change
log, audit, summary rebuild, one transaction) into a fresh database, then copies the very
same voucher and entry rows, already converted (hex UUIDs, integer 分), into another fresh
database of the same schema with nothing but stdlib ``sqlite3.executemany`` in one
transaction (same pragmas: WAL, synchronous=FULL, foreign keys). That is the raw limit.
Printed: wall and CPU time of both, the ratios (median over the runs; the machine is shared),
the stored bytes per row (file size / rows of every table) of the bulk-written file, and the CPU
cost of the row hashes (``row_hash``, db/rowhash.py) of the same entry lines, which the bulk path
computes as it converts them.
``--demo DB`` also prints file size / rows of an existing demo database.
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
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import rowhash  # noqa: E402
from db.backup import backup_file  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import open_database  # noqa: E402
from desktop_app.core.rows import UserRow  # noqa: E402
from desktop_app.core.services.orgs import create_book, create_organisation, create_region  # noqa: E402
from desktop_app.core.services.users import create_user  # noqa: E402
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers  # noqa: E402
from desktop_app.core.services.voucher_lines import LineInput  # noqa: E402

DEBIT = ["101", "112", "121", "153", "15101", "15102", "511", "51301", "51302", "51306", "514", "515"]
CREDIT = ["102", "211", "212", "231", "50101", "50102", "50301", "504", "502"]
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def make_vouchers(n_lines: int, per: int, rng: random.Random) -> list[BulkVoucher]:
    n = n_lines // per
    out = []
    for i in range(n):
        p = MONTHS[i * len(MONTHS) // n]
        half = per // 2
        debits = [Decimal(rng.randint(100, 5_000_000)).scaleb(-2) for _ in range(half)]
        credits = [Decimal(rng.randint(100, 5_000_000)).scaleb(-2) for _ in range(per - half - 1)]
        credits.append(sum(debits, Decimal("0.00")) - sum(credits, Decimal("0.00")))
        if credits[-1] <= 0:  # keep every amount positive: move the excess to a debit line
            debits.append(-credits.pop() + Decimal("1.00"))
            credits.append(Decimal("1.00"))
        out.append(BulkVoucher(date(2024, int(p[5:]), 1 + i % 28), f"基准凭证{i}",
                               [LineInput(rng.choice(DEBIT), debit=d) for d in debits]
                               + [LineInput(rng.choice(CREDIT), credit=c) for c in credits]))
    return out


def setup(path: Path) -> tuple[Database, UserRow, object]:
    db = open_database(path)
    with db.begin("bench") as s:
        user = create_user(s, username="kj", display_name="会计", password="secret1", roles=["bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=user)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=user)
        book = create_book(s, organisation_id=org.id, name="基准账套", kind="股份经济合作社", start_period="2024-01", user=user)
    return db, user, book.id


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def rows_and_size(path: Path) -> tuple[int, int, dict[str, int]]:
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    counts = {t: raw.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    raw.close()
    return sum(counts.values()), path.stat().st_size, counts


def raw_copy(src: Path, dst: Path) -> tuple[float, float, int]:
    """The same voucher and entry rows, as stored, inserted by stdlib executemany (one transaction)."""
    s = sqlite3.connect(src)
    vrows = s.execute("SELECT * FROM voucher").fetchall()
    vcols = [d[0] for d in s.execute("SELECT * FROM voucher LIMIT 0").description]
    erows = s.execute("SELECT * FROM entry").fetchall()
    ecols = [d[0] for d in s.execute("SELECT * FROM entry LIMIT 0").description]
    s.close()
    d = sqlite3.connect(dst, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        d.execute(f"PRAGMA {pragma}")

    def run() -> None:
        d.execute("BEGIN IMMEDIATE")
        d.executemany(f"INSERT INTO voucher ({','.join(vcols)}) VALUES ({','.join('?' * len(vcols))})", vrows)
        d.executemany(f"INSERT INTO entry ({','.join(ecols)}) VALUES ({','.join('?' * len(ecols))})", erows)
        d.execute("COMMIT")

    wall, cpu = timed(run)
    d.close()
    return wall, cpu, len(erows)


def hash_cost(src: Path) -> tuple[float, int]:
    """CPU seconds to compute ``row_hash`` (db/rowhash.py) of every stored entry line, and the lines."""
    s = sqlite3.connect(src)
    cols = rowhash.hash_columns([d[0] for d in s.execute("SELECT * FROM entry LIMIT 0").description])
    rows = s.execute(f"SELECT {', '.join(cols)} FROM entry").fetchall()
    s.close()
    _, cpu = timed(lambda: [rowhash.tuple_hash(r) for r in rows])
    return cpu, len(rows)


def post(db: Database, book_id: object, user: UserRow, vouchers: list[BulkVoucher]) -> None:
    with db.begin("bench") as s:
        bulk_post_vouchers(s, book_id, vouchers, maker=user)  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--per-voucher", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--demo", help="also print file size / rows of this demo database")
    args = ap.parse_args()
    vouchers = make_vouchers(args.lines, args.per_voucher, random.Random(1))
    results = []
    for run in range(args.runs):
        tmp = Path(tempfile.mkdtemp(prefix="bench_bulk_"))
        db, user, book_id = setup(tmp / "bulk.db")
        backup_file(tmp / "bulk.db", tmp / "raw.db")  # same books and accounts, nothing posted yet

        wall, cpu = timed(lambda db=db, book_id=book_id, user=user: post(db, book_id, user, vouchers))
        db.close()
        r_wall, r_cpu, n = raw_copy(tmp / "bulk.db", tmp / "raw.db")
        h_cpu, h_rows = hash_cost(tmp / "bulk.db")
        rows, size, counts = rows_and_size(tmp / "bulk.db")
        results.append((wall, cpu, r_wall, r_cpu))
        shutil.rmtree(tmp)
        print(f"第{run + 1}次：bulk_post_vouchers {n:,} 行分录 墙钟 {wall:.2f} s / CPU {cpu:.2f} s；"
              f"stdlib executemany 同样的行 墙钟 {r_wall:.2f} s / CPU {r_cpu:.2f} s；"
              f"比值 墙钟 {wall / r_wall:.2f} 倍 / CPU {cpu / r_cpu:.2f} 倍")
        print(f"    其中行哈希（row_hash）：{h_rows:,} 行分录 CPU {h_cpu:.2f} s = {h_cpu / h_rows * 1e6:.2f} 微秒每行，"
              f"为 executemany 同样行 CPU 的 {h_cpu / r_cpu:.2f} 倍")
        print(f"    文件 {size / 1e6:.1f} MB / {rows:,} 行 = {size / rows:.0f} 字节每行"
              f"（其中 change_log {counts.get('change_log', 0):,} 行，分录 {counts.get('entry', 0):,} 行）")
    med = [statistics.median(x) for x in zip(*results, strict=True)]
    print(f"中位数：bulk 墙钟 {med[0]:.2f} s，CPU {med[1]:.2f} s；executemany 墙钟 {med[2]:.2f} s，CPU {med[3]:.2f} s；"
          f"比值 墙钟 {med[0] / med[2]:.2f} 倍，CPU {med[1] / med[3]:.2f} 倍（目标 ≤ 2.5 倍）")
    if args.demo:
        rows, size, counts = rows_and_size(Path(args.demo))
        print(f"演示库 {args.demo}：{size / 1e6:.1f} MB / {rows:,} 行 = {size / rows:.0f} 字节每行（目标 ≤ 300）；"
              f"change_log {counts.get('change_log', 0):,} 行")


if __name__ == "__main__":
    main()
