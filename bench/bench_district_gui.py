"""District GUI: the 全区概览 page's first paint on a district database, beside a bare shown QWidget
(the raw limit of showing anything), and the oversight reads it leaves to the background.

    python bench/bench_district_gui.py DISTRICT.db [--runs 7]

Build a district with ``python -m desktop_app demo --district DIR --townships N --villages M``.
Medians of ``--runs``; the machine is shared, so read the ratio, not the milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--period", default="2026-12")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication, QWidget

    import desktop_app.sync  # noqa: F401
    from db.migrate import open_database
    from desktop_app.core.services import district_oversight as ov
    from desktop_app.core.services.district_stats import tier_counts
    from desktop_app.core.services.users import authenticate
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.district_overview import DistrictOverviewPage, due_month
    from desktop_app.ui.settings import WindowSettings

    app = QApplication([])
    db = open_database(Path(args.db))
    with db.begin("bench") as s:
        user = authenticate(s, "quji", "demo1234")
        villages = tier_counts(s, int(args.period[:4])).district.villages
    with TemporaryDirectory() as tmp:
        ctx = AppContext(db, user, WindowSettings(Path(tmp) / "w.json"))
        ctx.period = args.period
        page_t, bare_t, over_t = [], [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            w = QWidget()
            w.resize(1200, 800)
            w.show()
            app.processEvents()
            bare_t.append(time.perf_counter() - t)
            w.close()
            t = time.perf_counter()
            p = DistrictOverviewPage(ctx)
            p.resize(1200, 800)
            p.show()
            app.processEvents()
            page_t.append(time.perf_counter() - t)
            while p.runner.active:
                app.processEvents()
                time.sleep(0.005)
            p.close()
            t = time.perf_counter()
            today = date.today()
            with db.read("bench") as s:
                ov.disclosure_compliance(s, *due_month(args.period), as_of=today)
                ov.distribution_progress(s, int(args.period[:4]) - 1, as_of=today)
                ov.contract_oversight(s, today)
            over_t.append(time.perf_counter() - t)
    db.close()
    m = statistics.median
    print(f"district of {villages} villages, {args.runs} runs (medians)")
    print(f"全区概览 first paint: {m(page_t) * 1000:.0f} ms   bare QWidget shown: {m(bare_t) * 1000:.1f} ms   "
          f"ratio {m(page_t) / m(bare_t):.0f}x")
    print(f"oversight reads done in the background after the paint: {m(over_t) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
