"""``verify`` on a large database, check by check, against the machine's limit.

    .venv/bin/python bench/bench_verify.py DB

Prints each check's wall and CPU time (the machine may be shared: CPU is the steadier figure),
the total, and beside the row-hash check the raw limit measured in the same run: stdlib
``sqlite3`` reading every row of the same tables (``SELECT`` of the same columns, nothing
computed) and the ratio. Build the 300-village demo once with
``python -m desktop_app demo --db demo300.db --villages 300 --years 2`` (any folder with 1 GB free).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import rowhash  # noqa: E402
from db.migrate import open_database  # noqa: E402
from desktop_app.core.services.integrity import CHECKS  # noqa: E402


def raw_read(path: Path) -> tuple[float, float, int]:
    """Every hashed table's rows read with stdlib sqlite3, nothing computed: the limit of a row check."""
    conn = sqlite3.connect(path)
    w, c, n = time.perf_counter(), time.process_time(), 0
    for table in rowhash.hashed_tables():
        cur = conn.execute(f'SELECT {", ".join(rowhash.hash_columns(table))}, row_hash FROM "{table.name}"')
        while chunk := cur.fetchmany(20_000):
            n += len(chunk)
    result = time.perf_counter() - w, time.process_time() - c, n
    conn.close()
    return result


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    path = Path(sys.argv[1])
    db = open_database(path)
    total_w, total_c = time.perf_counter(), time.process_time()
    rows_check = (0.0, 0.0)
    with db.engine.connect() as conn:
        for name, check in CHECKS:
            w, c = time.perf_counter(), time.process_time()
            problems = check(conn)
            w, c = time.perf_counter() - w, time.process_time() - c
            if check.__name__ == "check_row_hashes":
                rows_check = (w, c)
            print(f"{name}：墙钟 {w:.1f} s / CPU {c:.1f} s（{len(problems)} 个问题）")
    total_w, total_c = time.perf_counter() - total_w, time.process_time() - total_c
    db.close()
    print(f"verify 合计：墙钟 {total_w:.1f} s / CPU {total_c:.1f} s（目标 < 60 s）")
    r_w, r_c, n = raw_read(path)
    print(f"行哈希检查 {n:,} 行：墙钟 {rows_check[0]:.1f} s / CPU {rows_check[1]:.1f} s；"
          f"stdlib 读出同样的行 墙钟 {r_w:.1f} s / CPU {r_c:.1f} s；比值 墙钟 {rows_check[0] / r_w:.2f} 倍 / "
          f"CPU {rows_check[1] / r_c:.2f} 倍")


if __name__ == "__main__":
    main()
