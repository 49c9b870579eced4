"""What the hop to the database thread costs a short call (issue #16).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_db_thread.py [--calls 2000] [--runs 3]

``AppContext.read``/``call`` now run their function on the short-call database thread while the
GUI thread processes events. Printed beside each figure is its raw limit measured in the same
run: the same transaction run directly on the calling thread (what ``read``/``call`` did before).
The difference is the cost of the hand-over (a pooled thread start and one posted event back).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import text  # noqa: E402

from db.migrate import open_database  # noqa: E402
from desktop_app.core.rows import UserRow  # noqa: E402
from desktop_app.ui.context import AppContext  # noqa: E402
from desktop_app.ui.settings import WindowSettings  # noqa: E402
from desktop_app.ui.tasks import read_transaction, run_on_db, write_transaction  # noqa: E402


def best(a: Callable[[], object], b: Callable[[], object], calls: int, runs: int) -> tuple[float, float]:
    """Best-of-``runs`` microseconds per call of ``a`` and of ``b``, measured in turns (the
    machine's other load falls on both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((a, times[0]), (b, times[1])):
            t = time.perf_counter()
            for _ in range(calls):
                fn()
            out.append(time.perf_counter() - t)
    return min(times[0]) / calls * 1e6, min(times[1]) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.db")
        with db.begin() as s:
            s.execute(text("CREATE TABLE scratch (n INTEGER)"))
        user = UserRow(id=uuid.uuid4(), username="bench", display_name="测试", roles=("bookkeeper",), active=True)
        ctx = AppContext(db, user, WindowSettings(Path(tmp) / "w.json"))

        def query(s: object) -> object:
            return s.execute(text("SELECT count(*) FROM scratch")).scalar()  # type: ignore[attr-defined]

        def insert(s: object) -> object:
            return s.execute(text("INSERT INTO scratch VALUES (1)"))  # type: ignore[attr-defined]

        ctx.read(query)  # warm both threads' connections
        read_transaction(db, "bench", query)
        direct_noop, threaded_noop = best(lambda: None, lambda: run_on_db(lambda: None), args.calls, args.runs)
        direct_read, threaded_read = best(lambda: read_transaction(db, "bench", query), lambda: ctx.read(query),
                                          args.calls, args.runs)
        calls = max(args.calls // 10, 1)  # each write commits with synchronous=FULL: fewer of them
        direct_write, threaded_write = best(lambda: write_transaction(db, "bench", insert), lambda: ctx.call(insert),
                                            calls, args.runs)
        db.close()
    print(f"run_on_db (no work):     {threaded_noop:8.1f} µs/call   raw limit, calling the function directly:    "
          f"{direct_noop:8.1f} µs/call")
    print(f"ctx.read  (one SELECT):  {threaded_read:8.1f} µs/call   raw limit, same read on the calling thread: "
          f"{direct_read:8.1f} µs/call   hand-over {threaded_read - direct_read:+.1f} µs")
    print(f"ctx.call  (one INSERT):  {threaded_write:8.1f} µs/call   raw limit, same write on the calling thread: "
          f"{direct_write:8.1f} µs/call   hand-over {threaded_write - direct_write:+.1f} µs")
    del app


if __name__ == "__main__":
    main()
