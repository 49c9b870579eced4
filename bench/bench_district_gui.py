"""District GUI: the 全区概览 page's first paint on a district database, beside a bare shown QWidget
(the raw limit of showing anything), and the oversight reads it leaves to the background; the
数据接收 page's first paint (its seal checks run on the task runner) and how long those take.

    python bench/bench_district_gui.py DISTRICT.db [--runs 7] [--pg postgresql+psycopg://…/scratch]

DISTRICT.db: a demo district (``python -m desktop_app demo --district DIR --townships N --villages M``)
or the 300-village file ``bench/bench_district.py --db FILE`` builds (a user quji is added to it when
missing: the page needs a login). ``--pg URL`` (a scratch database: its rows are replaced) copies the
file there and prints the same figures on PostgreSQL beside SQLite's. Goal (issue #13): the
dashboard's first paint ≤ 1 s. Medians of ``--runs``; the machine is shared, so read the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PASSWORD = "demo1234"


def ensure_user(db: Any) -> None:
    from sqlalchemy import select

    from db.models import User
    from desktop_app.core.services.users import create_user

    with db.begin("bench") as s:
        if s.scalar(select(User.id).where(User.username == "quji")) is None:
            create_user(s, username="quji", display_name="区经管站", password=PASSWORD, roles=["district_admin"])


def figures(db: Any, period: str, runs: int) -> tuple[dict[str, float], str]:
    """Medians, and why 数据接收 was left out ("" when it was not)."""
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop_app.core.periods import period_start
    from desktop_app.core.services import district_oversight as ov
    from desktop_app.core.services.district_receipts import check_integrity
    from desktop_app.core.services.district_stats import tier_counts
    from desktop_app.core.services.users import authenticate
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.district_overview import DistrictOverviewPage, due_month
    from desktop_app.ui.pages.district_receipts import DistrictReceiptsPage
    from desktop_app.ui.settings import WindowSettings

    app = QApplication.instance() or QApplication([])
    with db.begin("bench") as s:
        user = authenticate(s, "quji", PASSWORD)
    failed = ""
    try:  # the page would stop on the error's message box: measured only when the check itself runs
        with db.read("bench") as s:
            check_integrity(s)
    except Exception as exc:  # reported beside the figures
        failed = f"{type(exc).__name__}: {exc}"
    pages = (("overview", DistrictOverviewPage),) + ((("receipts", DistrictReceiptsPage),) if not failed else ())
    out: dict[str, list[float]] = {k: [] for k in ("bare", "tiers", "overview", "oversight", "receipts", "checks")}
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext(db, user, WindowSettings(Path(tmp) / "w.json"))
        ctx.period = period
        for _ in range(runs):
            t = time.perf_counter()
            w = QWidget()
            w.resize(1200, 800)
            w.show()
            app.processEvents()
            out["bare"].append(time.perf_counter() - t)
            w.close()
            t = time.perf_counter()
            with db.read("bench") as s:
                tier_counts(s, int(period[:4]))
            out["tiers"].append(time.perf_counter() - t)
            for key, cls in pages:
                t = time.perf_counter()
                p = cls(ctx)
                p.resize(1200, 800)
                p.show()
                app.processEvents()
                out[key].append(time.perf_counter() - t)
                while p.runner.active:
                    app.processEvents()
                    time.sleep(0.005)
                p.close()
            t = time.perf_counter()
            today = date.today()
            with db.read("bench") as s:
                ov.disclosure_compliance(s, *due_month(period_start(period)), as_of=today)
                ov.distribution_progress(s, int(period[:4]) - 1, as_of=today)
                ov.contract_oversight(s, today)
            out["oversight"].append(time.perf_counter() - t)
            if not failed:
                t = time.perf_counter()
                with db.read("bench") as s:
                    check_integrity(s)
                out["checks"].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in out.items() if v}, failed


def show(label: str, m: dict[str, float], villages: int, failed: str) -> None:
    print(f"{label}: district of {villages} villages (medians)")
    print(f"  全区概览 first paint: {m['overview'] * 1000:7.0f} ms   goal 1000 ms: {'ok' if m['overview'] <= 1 else 'OVER'}")
    print(f"    raw limits, same runs: the tier counts it shows, read alone {m['tiers'] * 1000:.0f} ms "
          f"(x{m['overview'] / m['tiers']:.2f}); a bare QWidget shown {m['bare'] * 1000:.1f} ms")
    print(f"  oversight reads, in the background after the paint: {m['oversight'] * 1000:7.0f} ms")
    if failed:
        print(f"  数据接收: not measured, its check fails here: {failed}")
        return
    print(f"  数据接收 first paint: {m['receipts'] * 1000:7.0f} ms   "
          f"its audit-chain and seal checks, in the background: {m['checks'] * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--period", default="2026-12")
    ap.add_argument("--pg", help="a scratch PostgreSQL database (its rows are replaced): the same figures there")
    args = ap.parse_args()

    import desktop_app.sync  # noqa: F401
    from db.engine import safe_url
    from db.migrate import open_database
    from desktop_app.core.services.district_stats import tier_counts

    db = open_database(Path(args.db))
    ensure_user(db)
    with db.read("bench") as s:
        villages = tier_counts(s, int(args.period[:4])).district.villages
    lite, lite_failed = figures(db, args.period, args.runs)
    show("SQLite", lite, villages, lite_failed)
    if args.pg:
        from db.pg_copy import copy_to_server

        work = Path(tempfile.mkdtemp(prefix="bench_district_gui_"))
        try:
            t = time.perf_counter()
            copy_to_server(db, args.pg, work_dir=work)
            print(f"copied to PostgreSQL {safe_url(args.pg)} in {time.perf_counter() - t:.1f} s")
            pg = open_database(args.pg, work_dir=work, create=False)
            try:
                with pg.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
                m, pg_failed = figures(pg, args.period, args.runs)
            finally:
                pg.close()
            show("PostgreSQL", m, villages, pg_failed)
            print(f"  first paint PostgreSQL/SQLite: 全区概览 x{m['overview'] / lite['overview']:.2f}"
                  + ("" if pg_failed or lite_failed else f", 数据接收 x{m['receipts'] / lite['receipts']:.2f}"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    db.close()


if __name__ == "__main__":
    main()
