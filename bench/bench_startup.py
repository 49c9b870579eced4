"""Time to first paint of the main window on a 300-village database, against a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [--villages 300] [--runs 5]

Each measurement runs in a fresh process (offscreen) and is taken from the moment the
process is started (what a user waits for after a double-click: Python, Qt, imports,
opening the database, logging in is excluded as it waits for the user) to the window's
first paint event; the share spent building the window itself is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from desktop_app.app import make_application
app = make_application()
done = {{}}
class Probe(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "t" not in done:
            done["t"] = time.perf_counter()
            done["wall"] = time.time()
            QTimer.singleShot(0, app.quit)
        return False
mode = sys.argv[1]
if mode.startswith("full"):
    from pathlib import Path
    from db.migrate import open_database
    from desktop_app.core.services.users import authenticate
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.settings import WindowSettings
if mode == "full-warm":  # what the app does behind the login dialog
    from desktop_app.core.textsearch import warm_up
    from desktop_app.ui.pages import discover_pages
    discover_pages(); warm_up()
t0 = time.perf_counter()
if mode == "bare":
    win = QMainWindow()
    win.setWindowTitle("阳光台账")
else:
    db = open_database(Path(sys.argv[2]))
    with db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    win = MainWindow(AppContext(db, user, WindowSettings(Path(sys.argv[3]))))
probe = Probe()
win.installEventFilter(probe)
win.resize(1280, 800)
win.show()
app.exec()
print(done["t"] - t0, done["wall"])
"""


def measure(mode: str, db: Path, runs: int, settings: Path) -> list[float]:
    code = CHILD.format(root=str(ROOT))
    out = []
    for _ in range(runs):
        start = time.time()
        res = subprocess.run([sys.executable, "-c", code, mode, str(db), str(settings)], capture_output=True,
                             text=True, check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        build, wall = (float(x) for x in res.stdout.strip().splitlines()[-1].split())
        out.append((wall - start, build))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from db.migrate import open_database
    from desktop_app.core.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        t = time.perf_counter()
        db = open_database(db_path)
        with db.begin("demo") as s:
            build_demo(s, villages=args.villages, only=("用户", "组织与账套"))
        db.close()
        print(f"demo database with {args.villages} villages (organisations and books): {time.perf_counter() - t:.2f} s")
        bare = measure("bare", db_path, args.runs, Path(tmp) / "w.json")
        full = measure("full", db_path, args.runs, Path(tmp) / "w.json")
        warm = measure("full-warm", db_path, args.runs, Path(tmp) / "w.json")
    for label, runs in (("bare PySide6 window", bare), (f"main window, {args.villages} villages, cold", full),
                        (f"main window, {args.villages} villages, after login (pages imported behind it)", warm)):
        total = statistics.median(r[0] for r in runs)
        own = statistics.median(r[1] for r in runs)
        print(f"{label}: process start -> first paint median {total * 1000:.0f} ms "
              f"(of which building the window {own * 1000:.0f} ms; runs {', '.join(f'{r[0]*1000:.0f}' for r in runs)})")
    ratio = statistics.median(r[0] for r in full) / statistics.median(r[0] for r in bare)
    own = statistics.median(r[1] for r in warm) / statistics.median(r[0] for r in bare)
    print(f"ratio, process start to first paint, cold: {ratio:.2f}x  (target <= 1.5x)")
    print(f"ratio, building the main window after login vs a bare window's whole start: {own:.2f}x")


if __name__ == "__main__":
    main()
