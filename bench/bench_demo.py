"""The demo township, end to end, beside the raw limit of writing what it wrote.

    .venv/bin/python bench/bench_demo.py [--villages 20 300] [--years 1] [--runs 3] [--before DIR]

For each size: runs ``python -m desktop_app demo --db NEW --villages N --years Y`` (what a user
runs; a new process each time: imports, migrations, the whole build, commit) ``--runs`` times
(one run for 100 villages or more), wall and CPU time, median. Each run goes through
``demo_parts.py`` (the same command, with this bench's timers around the program's writers), so
the CPU is also split: 启动与导入, 打开与迁移数据库, 生成与计算 (the content generated, the services'
checks, reads and sums), 写入 (bulk posts with their change log and audit, ``bulk_insert``, audit,
ORM flushes, other INSERT/UPDATE/DELETE) and 提交. Issue #18's bulk-write figure is 写入 beside the
raw limit; the whole command's ratio stays printed too. Then the raw limit, measured in
the same run: every row the demo stored (all tables: registers, vouchers, entries, change log,
audit) read back from the finished database and written with stdlib ``sqlite3`` ``executemany``
into an empty database with the same schema and indexes, in one transaction. Prints rows, bytes
per stored row, both times and the ratio (the machine is shared and noisy: read the ratios).

``--before DIR``: the same demo also run from another source tree (an earlier commit unpacked
with ``git archive REV | tar -x -C DIR``), its runs alternating with this tree's, so the two are
measured under the same load, each beside the same raw limit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(tree: Path, cache: Path) -> dict[str, str]:
    """The demo runs as the program runs on a user's PC: with compiled modules cached (Python writes
    ``.pyc`` files on the first start; the installed program ships them). A shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every run compile the program's modules again
    (about half a second of CPU); the cache goes to a directory of this run (one per source tree),
    not into the source tree, and is filled by a run that is not counted (``warm_up``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": str(cache)}


PARTS = ["启动与导入", "打开与迁移数据库", "生成与计算", "写入", "提交"]


def run_demo(db: Path, villages: int, years: int, tree: Path = ROOT, cache: Path | None = None
             ) -> tuple[float, float, dict[str, list[float]], dict[str, list[float]]]:
    """(wall, CPU, parts) of one ``demo`` command in a fresh process (from source ``tree``): what
    ``python -m desktop_app demo`` runs, through ``demo_parts.py`` (this bench's timers around the
    program's writers; a few microseconds a call), which gives each part's [CPU, wall] and the
    生成与计算 of each seeder."""
    out = db.with_suffix(".parts.json")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "demo_parts.py"), str(out), "demo", "--db", str(db),
                    "--villages", str(villages), "--years", str(years)], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, env=child_env(tree, cache or db.parent / "pycache"))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timed = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), timed["parts"], timed["seeders"]


def raw_limit(src: Path, dst: Path) -> tuple[int, float, float]:
    """(rows, wall, CPU) of stdlib executemany writing every row of ``src`` into ``dst``."""
    con = sqlite3.connect(src)
    tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                         "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
    schema = [sql for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                                            "AND name NOT LIKE 'sqlite_%'")]
    data = {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    con.close()
    out = sqlite3.connect(dst, isolation_level=None)
    out.execute("PRAGMA journal_mode=WAL")
    for sql in schema:
        out.execute(sql)
    rows = sum(len(v) for v in data.values())
    c0, t0 = time.process_time(), time.perf_counter()
    out.execute("BEGIN")
    for t, values in data.items():
        if values:
            out.executemany(f'INSERT INTO "{t}" VALUES ({", ".join("?" * len(values[0]))})', values)
    out.execute("COMMIT")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out.close()
    return rows, wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--villages", type=int, nargs="+", default=[20, 300])
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", type=Path, help="an earlier source tree to run beside this one")
    args = ap.parse_args()
    trees = [("本版", ROOT)] + ([("对照", args.before.resolve())] if args.before else [])
    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        caches = {label: Path(tmp) / f"pycache{i}" for i, (label, _) in enumerate(trees)}
        for label, tree in trees:  # not counted: fills each tree's compiled-module cache
            run_demo(Path(tmp) / f"warm_{caches[label].name}.db", 1, 1, tree, caches[label])
        for n in args.villages:
            runs = args.runs if n < 100 else 1
            timings: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _ in trees}
            split: dict[str, dict[str, list[float]]] = {label: {p: [] for p in PARTS} for label, _ in trees}
            by_seeder: dict[str, dict[str, list[float]]] = {label: {} for label, _ in trees}
            db = Path(tmp) / f"demo{n}.db"
            for i in range(runs):
                for label, tree in reversed(trees):  # this tree last: its database is the one measured below
                    for p in Path(tmp).glob(f"demo{n}.db*"):
                        p.unlink()
                    wall, cpu, parts, seeders = run_demo(db, n, args.years, tree, caches[label])
                    timings[label][0].append(wall)
                    timings[label][1].append(cpu)
                    for p in PARTS:
                        split[label][p].append(parts.get(p, [0.0, 0.0])[0])
                    for p, (c, _w) in seeders.items():
                        by_seeder[label].setdefault(p, []).append(c)
                    print(f"  {label} demo --villages {n} --years {args.years}，第{i + 1}次：{wall:.2f} s（CPU {cpu:.2f} s）")
            walls, cpus = timings["本版"]
            size = db.stat().st_size + sum(p.stat().st_size for p in Path(tmp).glob(f"demo{n}.db-*"))
            raws = [raw_limit(db, Path(tmp) / f"raw{n}_{i}.db") for i in range(3)]
            rows = raws[0][0]
            raw_wall = statistics.median(r[1] for r in raws)
            raw_cpu = statistics.median(r[2] for r in raws)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            print(f"{n} 个村、{args.years} 年：数据库 {size / 1e6:.1f} MB，{rows} 行（每行 {size / rows:.0f} 字节）")
            print(f"  demo（中位数）          {wall:8.2f} s   CPU {cpu:8.2f} s")
            print(f"  sqlite3 executemany 同样的行 {raw_wall:8.3f} s   CPU {raw_cpu:8.3f} s")
            print(f"  比值                    {wall / raw_wall:8.1f} 倍   CPU {cpu / raw_cpu:8.1f} 倍")
            print("  其中（CPU 中位数，demo_parts.py 计时；与 sqlite3 executemany 同样的行之比）：")
            for label, _ in trees:
                cpus_of = {p: statistics.median(v) for p, v in split[label].items()}
                whole = statistics.median(timings[label][1])
                print(f"    {label}：" + "，".join(f"{p} {c:.2f} s" for p, c in cpus_of.items())
                      + f"，退出等 {whole - sum(cpus_of.values()):.2f} s")
                print(f"    {label}：写入 {cpus_of['写入']:.2f} s = {cpus_of['写入'] / raw_cpu:.1f} 倍 executemany"
                      f"（写入 + 提交 {(cpus_of['写入'] + cpus_of['提交']) / raw_cpu:.1f} 倍）；"
                      f"其余（启动、迁移、生成与计算）{whole - cpus_of['写入'] - cpus_of['提交']:.2f} s"
                      f" = {(whole - cpus_of['写入'] - cpus_of['提交']) / raw_cpu:.1f} 倍")
                print(f"    {label}：生成与计算按步骤（写入之外）：" + "，".join(
                    f"{p} {statistics.median(v):.2f} s" for p, v in by_seeder[label].items()))
            if args.before:
                bw, bc = (statistics.median(v) for v in timings["对照"])
                print(f"  对照（{args.before.name}）中位数 {bw:8.2f} s   CPU {bc:8.2f} s   比值 {bw / raw_wall:.1f} 倍，"
                      f"CPU {bc / raw_cpu:.1f} 倍；本版 / 对照：{wall / bw:.2f}（CPU {cpu / bc:.2f}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
