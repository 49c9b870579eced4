"""Start-up of the real program on a 300-village database, against a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [--villages 300] [--runs 5] [--db FILE]
                                            [--login-only] [--before DIR]

``--db FILE`` keeps the database: built there when missing, reused as it is when present (any
database, e.g. a full demo: ``python -m desktop_app demo --db FILE``). ``--login-only`` times
the bare window and the login dialog only. ``--before DIR`` also times the program in another
tree (e.g. ``git archive HEAD | tar -x -C DIR``), its runs taking turns with this tree's in the
same load, so a change is measured before/after in one run.

Each run is a fresh process (offscreen) that calls the program's own ``run_gui`` (the code a
double-click runs) and is timed from the moment the process is started:

* bare: a bare ``QMainWindow`` shown, to its first paint (the yardstick);
* login: the program's first window (the login dialog) to its first paint;
* typed: 登录 pressed 2 s after the dialog appeared (a user typing the password; the database
  opens and the pages import behind the dialog meanwhile) to the first paint of the main
  window with all villages in the navigation and the first page built;
* instant: 登录 pressed the moment the dialog paints (the worst case: the user waits for the
  database to open), process start to the main window's first paint.

Each paint is also stamped with the process's CPU time (all threads, from the process's start):
on a machine shared with other work the wall time of a start varies twofold, its CPU time much
less, so the ratios are printed for both.
"""

from __future__ import annotations

import argparse
import json
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
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
mode, db_path, data_dir = sys.argv[1:4]
app = QApplication([sys.argv[0]])
marks = {{}}

# The probe is a paintEvent override on the timed window's class only: an application-wide
# event filter would call into Python for every event of every widget and slow the program
# (many widgets) far more than the bare window (one), skewing the comparison.
def probe(cls, key, then):
    original = cls.paintEvent
    def paintEvent(self, event):
        original(self, event)
        if key not in marks:
            marks[key] = time.time()
            marks[key + "_cpu"] = time.process_time()
            QTimer.singleShot(0, lambda: then(self))
    cls.paintEvent = paintEvent

def press_login(dialog):
    from desktop_app.ui import main_window
    probe(main_window.MainWindow, "main", lambda _w: app.quit())
    marks["click"] = time.time()
    marks["opened_before_click"] = dialog.opening.done
    marks["ready_before_click"] = dialog.opening.is_ready
    dialog.password.setText("demo1234")
    dialog.ok_button.click()

if mode == "bare":
    class Bare(QMainWindow):
        pass
    probe(Bare, "first", lambda _w: app.quit())
    win = Bare()
    win.setWindowTitle("阳光台账")
    win.resize(1280, 800)
    win.show()
    app.exec()
else:
    from desktop_app.ui.login import LoginDialog
    if mode == "login":
        then = lambda d: QTimer.singleShot(0, d.reject)
    else:
        then = lambda d: QTimer.singleShot(2000 if mode == "typed" else 0, lambda: press_login(d))
    probe(LoginDialog, "login", then)
    from desktop_app.app import run_gui
    run_gui(["--db", db_path, "--data-dir", data_dir, "--user", "kuaiji"])
print(json.dumps(marks))
"""


def child_env(tmp: Path) -> dict[str, str]:
    """The children run as the program runs on a user's PC: with compiled modules cached (Python
    writes ``.pyc`` files on the first start). A shell that sets PYTHONDONTWRITEBYTECODE would
    otherwise make every start compile ~100 of the program's modules again (about a second);
    the cache goes to a directory of this run, not into the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}


def run_child(mode: str, db: Path, data_dir: Path, env: dict[str, str], root: Path = ROOT) -> dict[str, float]:
    start = time.time()
    res = subprocess.run([sys.executable, "-c", CHILD.format(root=str(root)), mode, str(db), str(data_dir)],
                         capture_output=True, text=True, check=True, timeout=120, env=env, cwd=root)
    marks = json.loads(res.stdout.strip().splitlines()[-1])
    return {k: (v - start if isinstance(v, float) and v > 1e9 else v) for k, v in marks.items()}


def measure(mode: str, db: Path, data_dir: Path, runs: int, env: dict[str, str]) -> list[dict[str, float]]:
    run_child(mode, db, data_dir, env)  # the first run fills the compiled-module cache and is not counted
    return [run_child(mode, db, data_dir, env) for _ in range(runs)]


def login_before_after(before: Path, db: Path, data_dir: Path, runs: int, env: dict[str, str]) -> None:
    """The bare window, the login dialog of ``before`` and of this tree, in turns, ``runs`` each."""
    trees = {"bare": ROOT, "before": before, "now": ROOT}
    for name, root in trees.items():  # fill the compiled-module caches (the trees' own)
        run_child("bare" if name == "bare" else "login", db, data_dir, env, root)
    marks: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(runs):
        for name, root in trees.items():
            marks[name].append(run_child("bare" if name == "bare" else "login", db, data_dir, env, root))
    bare, bare_cpu = ([r[k] for r in marks["bare"]] for k in ("first", "first_cpu"))
    print(f"bare PySide6 window, process start -> first paint: wall {ms(bare)}; cpu {ms(bare_cpu)}")
    for name in ("before", "now"):
        wall, cpu = ([r[k] for r in marks[name]] for k in ("login", "login_cpu"))
        print(f"login dialog painted, {name} ({trees[name]}): wall {ms(wall)}; cpu {ms(cpu)}")
        print(f"  ratio vs bare: wall {statistics.median(wall) / statistics.median(bare):.2f}x, "
              f"cpu {statistics.median(cpu) / statistics.median(bare_cpu):.2f}x  (target <= 1.3x)")


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms (runs {', '.join(f'{v * 1000:.0f}' for v in values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", help="database file to use (built there when missing)")
    parser.add_argument("--login-only", action="store_true", help="only the bare window and the login dialog")
    parser.add_argument("--before", type=Path, help="another tree whose login dialog is timed in turns with this one's")
    args = parser.parse_args()
    from db.migrate import open_database
    from desktop_app.core.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if db_path.exists():
            print(f"database {db_path} ({db_path.stat().st_size / 1e6:.0f} MB) as it is")
        else:
            t = time.perf_counter()
            db = open_database(db_path)
            with db.begin("demo") as s:
                build_demo(s, villages=args.villages, only=("用户", "组织与账套"))
            db.close()
            print(f"demo database with {args.villages} villages (organisations and books): {time.perf_counter() - t:.2f} s")
        data_dir = Path(tmp) / "data"
        env = child_env(Path(tmp))
        if args.before is not None:
            login_before_after(args.before.resolve(), db_path, data_dir, args.runs, env)
            return
        bare = measure("bare", db_path, data_dir, args.runs, env)
        if args.login_only:
            login = measure("login", db_path, data_dir, args.runs, env)
            print_login(bare, login)
            return
        typed = measure("typed", db_path, data_dir, args.runs, env)
        instant = measure("instant", db_path, data_dir, args.runs, env)
        import sqlite3

        con = sqlite3.connect(db_path)
        villages = con.execute("SELECT count(*) FROM organisation WHERE level = '村' AND deleted = 0").fetchone()[0]
        con.close()
    bare_first = [r["first"] for r in bare]
    after_click = [r["main"] - r["click"] for r in typed]
    instant_main = [r["main"] for r in instant]
    print_login(bare, typed + instant)
    print(f"登录 pressed after 2 s of typing -> main window painted ({villages} villages): {ms(after_click)}"
          f"; database already open when pressed in {sum(bool(r['opened_before_click']) for r in typed)}/{len(typed)} runs"
          f", the pages imported too in {sum(bool(r['ready_before_click']) for r in typed)}/{len(typed)}")
    print(f"登录 pressed at once, process start -> main window painted (waits for the database): {ms(instant_main)}")
    b = statistics.median(bare_first)
    print(f"ratio, main window after 登录 vs a bare window's whole start: {statistics.median(after_click) / b:.2f}x"
          f"  (target <= 3x and <= 1.5 s; worst run {max(after_click) / b:.2f}x)")
    print(f"ratio, main window with no typing pause at all vs bare window: {statistics.median(instant_main) / b:.2f}x")


def print_login(bare: list[dict[str, float]], login: list[dict[str, float]]) -> None:
    bare_wall, bare_cpu = ([r[k] for r in bare] for k in ("first", "first_cpu"))
    wall, cpu = ([r[k] for r in login] for k in ("login", "login_cpu"))
    print(f"bare PySide6 window, process start -> first paint: wall {ms(bare_wall)}; cpu {ms(bare_cpu)}")
    print(f"阳光台账, process start -> login dialog painted (its first window): wall {ms(wall)}; cpu {ms(cpu)}")
    print(f"ratio, first window painted vs bare window: wall {statistics.median(wall) / statistics.median(bare_wall):.2f}x,"
          f" cpu {statistics.median(cpu) / statistics.median(bare_cpu):.2f}x  (target <= 1.3x)")


if __name__ == "__main__":
    main()
