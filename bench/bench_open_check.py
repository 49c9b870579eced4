"""What refusing bad files before opening costs at every start (issue #19): ``check_database_file``
(header, size, read-only look at sqlite_master and alembic_version) beside the raw limit, a bare
``sqlite3.connect`` + one query, and beside the whole ``open_database``. Medians of 50 runs.

    python bench/bench_open_check.py /path/to/demo.db
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time
from pathlib import Path

from db.migrate import check_database_file, open_database


def median_ms(fn: object, runs: int = 50) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    path = Path(sys.argv[1])

    def raw() -> None:
        conn = sqlite3.connect(path)
        conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        conn.close()

    def whole() -> None:
        open_database(path, create=False).close()

    check, limit, opened = median_ms(lambda: check_database_file(path)), median_ms(raw), median_ms(whole, 20)
    print(f"check_database_file     {check:7.2f} ms")
    print(f"raw sqlite3 connect+read {limit:7.2f} ms  (limit; check/limit = {check / limit:.1f}x)")
    print(f"whole open_database     {opened:7.2f} ms  (check is {100 * check / opened:.0f}% of it)")


if __name__ == "__main__":
    main()
