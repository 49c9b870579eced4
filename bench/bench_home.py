"""Start-up cost of a chart on the 首页: QtCharts (PySide6-Addons) against pyqtgraph, beside a
bare window's raw cost; and the home service's figures on a large township database.

    .venv/bin/python bench/bench_home.py [--runs 5] [--pyqtgraph DIR] [--db FILE]

Each chart run is a fresh process (offscreen) timed from the moment it is started:

* bare: ``import PySide6.QtWidgets``, a QApplication and a bare ``QMainWindow`` to its first paint;
* qtcharts: the same window holding a ``QChartView`` with 12 months of income and expense as
  two bar sets, to its first paint (``import PySide6.QtCharts`` included);
* pyqtgraph: the same with a ``pyqtgraph.PlotWidget`` holding two ``BarGraphItem`` s
  (``import pyqtgraph``, which imports numpy, included). pyqtgraph is not a dependency of the
  program: ``--pyqtgraph DIR`` names a folder it was installed into
  (``pip install --target DIR pyqtgraph numpy``); without it that line is skipped.

``--db FILE``: also time ``home.home_overview`` for the whole township and for one village
(each call after one warm-up; the median of ``--runs``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import os, sys, time
t0 = float(sys.argv[2])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
mode = sys.argv[1]
if len(sys.argv) > 3:
    sys.path.insert(0, sys.argv[3])
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([sys.argv[0]])
marks = {}
income = [12.0, 8.5, 10.0, 30.0, 9.0, 11.0, 14.0, 10.0, 26.0, 12.0, 9.5, 40.0]
expense = [5.0, 6.0, 7.5, 9.0, 6.0, 8.0, 7.0, 6.5, 12.0, 7.0, 8.0, 20.0]

# The moment the timed widget's first paint is done: a timer queued when its paint event
# arrives runs after the paint.
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "seen" not in marks:
            marks["seen"] = True
            QTimer.singleShot(0, done)
        return False

def done():
    marks["paint"] = time.time()
    app.quit()

win = QMainWindow()
target = win
win.resize(900, 500)
if mode == "qtcharts":
    from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
    chart = QChart()
    series = QBarSeries()
    for name, values in (("收入", income), ("支出", expense)):
        s = QBarSet(name)
        s.append(values)
        series.append(s)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([f"{m}月" for m in range(1, 13)])
    y = QValueAxis()
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    view = QChartView(chart)
    win.setCentralWidget(view)
    target = view.viewport()
elif mode == "pyqtgraph":
    import pyqtgraph as pg
    plot = pg.PlotWidget(background="w")
    xs = list(range(12))
    plot.addItem(pg.BarGraphItem(x=[v - 0.2 for v in xs], height=income, width=0.4, brush="#3b7dd8"))
    plot.addItem(pg.BarGraphItem(x=[v + 0.2 for v in xs], height=expense, width=0.4, brush="#e8833a"))
    plot.getAxis("bottom").setTicks([[(i, f"{i + 1}月") for i in xs]])
    win.setCentralWidget(plot)
    target = plot.viewport()
marks["built"] = time.time()
probe = FirstPaint()
target.installEventFilter(probe)
win.show()
app.exec()
print(f"{marks['built'] - t0:.4f} {marks['paint'] - t0:.4f}")
"""


def run_once(mode: str, extra: str | None) -> tuple[float, float]:
    args = [sys.executable, "-c", CHILD, mode, repr(time.time())] + ([extra] if extra else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    built, painted = (float(x) for x in out.stdout.split()[-2:])
    return built, painted


def run_charts(modes: list[str], runs: int, extra: str | None) -> dict[str, dict[str, float]]:
    """The modes interleaved run by run, so a busy moment of the machine hits them alike."""
    seen: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
    for _ in range(runs):
        for mode in modes:
            seen[mode].append(run_once(mode, extra if mode == "pyqtgraph" else None))
    return {m: {"built_s": round(statistics.median(b for b, _ in v), 3),
                "first_paint_s": round(statistics.median(p for _, p in v), 3)} for m, v in seen.items()}


def bench_service(db_path: str, runs: int) -> dict[str, float]:
    """``home_overview`` for the first township and the first village: the first call of the
    process (cold: statements compiled, chart files read) and the median of ``runs`` after it."""
    from datetime import date

    from db.migrate import open_database
    from desktop_app.core.services.home import home_overview, home_scopes

    db = open_database(Path(db_path))
    out: dict[str, float] = {}
    today = date.today()
    with db.read() as session:
        scopes = home_scopes(session)
        township = next(s for s in scopes if s.kind == "township")
        village = next(s for s in scopes if s.kind == "village")
        for label, scope in (("township", township), ("village", village)):
            t = time.perf_counter()
            home_overview(session, scope, today)
            out[f"{label}_first"] = time.perf_counter() - t
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                home_overview(session, scope, today)
                times.append(time.perf_counter() - t)
            out[label] = statistics.median(times)
            out[f"{label}_organisations"] = len(scope.organisation_ids)
    db.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pyqtgraph", help="a folder pyqtgraph and numpy were installed into (pip --target)")
    ap.add_argument("--db", help="a township database (e.g. demo --villages 300) for the service timing")
    args = ap.parse_args()
    modes = ["bare", "qtcharts"] + (["pyqtgraph"] if args.pyqtgraph else [])
    results: dict[str, dict[str, float]] = run_charts(modes, args.runs, args.pyqtgraph)
    bare = results["bare"]["first_paint_s"]
    for mode, r in results.items():
        extra = r["first_paint_s"] - bare
        print(f"{mode:10s} built {r['built_s']:.3f} s  first paint {r['first_paint_s']:.3f} s  "
              f"({extra:+.3f} s against bare, {r['first_paint_s'] / bare:.2f}x)")
    if args.db:
        svc = bench_service(args.db, args.runs)
        print(f"home_overview: township ({svc['township_organisations']:.0f} organisations) "
              f"{svc['township'] * 1000:.0f} ms (first call {svc['township_first'] * 1000:.0f} ms), "
              f"one village {svc['village'] * 1000:.0f} ms (first call after the township's "
              f"{svc['village_first'] * 1000:.0f} ms)")
        results["service"] = svc
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
