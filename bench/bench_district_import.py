"""A district importing every township's packages (issue #13: 10 townships x 30 villages x 3
years, about 3M voucher lines, all packages imported <= 10 s), beside the raw limit measured in
the same run on the same rows.

Built (not timed): ``--townships`` demo townships (distinct names and codes, ``--villages``
villages, ``--years`` years each) and ``--months`` months of bulk-posted work after that; each
township's history goes to the district as a seed package, then one package a month, each
carried through the real ``export_package`` / ``import_package`` with the district's
acknowledgement carried back (so each monthly package holds that month only). The packages are
kept.

Timed, in a child process (its own CPU seconds and peak RSS): ``import_package`` of every kept
package, in the order a district receives them (every seed, then month by month), into a fresh
copy of the district as it was before the first one (trusted cards, no rows). Each import
includes its share of the 同步导入前 backup: one per import run (each seed alone; each month's
packages, one per township, as one run), its deferred check done after the run (timed apart; the
copy and the check on the full district are timed alone too).

Raw limit, on the same rows: for each seed package, the JSON parse of its row images and records
(``json.loads`` per line) plus stdlib ``executemany`` of the same rows and records into a copy
of the empty district (``bench_sync.raw_limits``), summed and set beside the seeds' imports; the
monthly packages' imports are reported per package, the first month's beside the same parse +
executemany of their rows into a copy of the district as it was after the seeds. Medians of
``--runs``.

    .venv/bin/python bench/bench_district_import.py --townships 10 --villages 30 --years 3   # the #13 size
    .venv/bin/python bench/bench_district_import.py --townships 3 --villages 10 --years 1 --months 2
    .venv/bin/python bench/bench_district_import.py --reuse --pg postgresql+psycopg://user@host/scratch

The goal is read both ways and both are printed: the month's packages of every township imported
as one run when the last stick arrives (what the district waits for every month), and every
package of the whole history (each township's seed, then the months).

``--pg URL`` (a scratch database: its rows are replaced) repeats the timed imports on PostgreSQL:
the empty district is copied there (``db.pg_copy``, not timed) and every package imported into it
the same way, printed beside SQLite's. A district on a server makes no 同步导入前 copy (its
server is backed up by its own means), so PostgreSQL's figures carry no backup.

Not a test: figures are printed, never asserted. A smaller district's figures are its own (said
so when printed); the seeds' seconds per million package rows are printed for comparison.

``--reuse --months-only``: the monthly runs alone, into copies of the district as it was after
the seeds (kept by an earlier full run), beside the raw limit of the same rows: a quick, quiet
re-measure of the figure the district waits for every month.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_sync  # noqa: E402
from sqlalchemy import text  # noqa: E402

from db.backup import backup_file  # noqa: E402
from db.migrate import open_database  # noqa: E402

GOAL_LINES = 3_000_000
GOAL_SECONDS = 10.0


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_import_all(where: str, listing: Path, seeds: int, keep: str, towns: int) -> None:
    """Import every package named in ``listing`` (one path a line) into ``where`` (a file or a
    PostgreSQL URL), in order:
    each seed a run of its own (its own 同步导入前 backup), then each month's packages (one per
    township) as ONE run, as the district imports a stick holding the month's packages: one
    backup before the first of them, its deferred check after the last (timed apart). ``keep``
    (when not empty): where to copy the district as it was after the seeds (the raw limit of
    the monthly packages starts from it)."""
    import desktop_app.sync  # noqa: F401
    from desktop_app.sync.apply import ImportRun, import_package, pre_import_backup

    packages = [Path(p) for p in listing.read_text().splitlines() if p]
    on_server = "://" in where  # a URL: Path() would fold its '//'
    district = Path(where)
    db = (open_database(where, work_dir=listing.parent / "pg-work", create=False) if on_server
          else open_database(district))
    walls, cpus, checks = [], [], []
    w, c = time.perf_counter(), time.process_time()
    run = ImportRun()
    for n, package in enumerate(packages):
        if n < seeds or (n - seeds) % towns == 0:
            run = ImportRun()
        if n == seeds and keep:
            backup_file(district, Path(keep))
        t0, c0 = time.perf_counter(), time.process_time()
        rep = import_package(db, package, actor="bench", run=run)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if not rep.compared:
            raise SystemExit(f"{package.name}: totals not compared")
        if not on_server and (n < seeds or (n - seeds) % towns == towns - 1):  # the run is over: its backup checked
            t0 = time.perf_counter()
            entry = run.verify()
            checks.append(time.perf_counter() - t0)
            if entry is None or not entry.verified:
                raise SystemExit(f"{package.name}: the backup before it did not pass its check")
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    if on_server:
        with db.read("bench") as s:
            size = int(s.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        db.close()
        print(json.dumps({"wall": wall, "cpu": cpu, "rss": bench_sync.rss_mb(), "walls": walls, "cpus": cpus,
                          "checks": [], "copy": 0.0, "copy_cpu": 0.0, "check": 0.0, "check_cpu": 0.0, "size": size}))
        return
    t0, c0 = time.perf_counter(), time.process_time()
    entry = pre_import_backup(district)  # what one more run's backup costs on the full district, alone
    copy, copy_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    ImportRun(entry).verify()
    check, check_cpu = time.perf_counter() - t0, time.process_time() - c0
    db.close()
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": bench_sync.rss_mb(), "walls": walls, "cpus": cpus,
                      "checks": checks, "copy": copy, "copy_cpu": copy_cpu, "check": check, "check_cpu": check_cpu,
                      "size": district.stat().st_size}))


def build(work: Path, townships: int, villages: int, years: int, months: int) -> tuple[Path, list[Path], list[Path]]:
    """The townships, the district before any package (``district0.db``) and the packages in the
    order the district receives them; returns (district0, packages, townships)."""
    import desktop_app.sync  # noqa: F401
    from desktop_app.core.demo import build_demo
    from desktop_app.core.demo.district import (
        COUNTY,
        DISTRICT_NAME,
        _trust_each_other,
        township_code,
        township_name,
    )
    from desktop_app.sync import identity

    stick = work / "stick"
    stick.mkdir(parents=True)
    district = work / "district" / "district.db"
    district.parent.mkdir()
    d = open_database(district)
    with d.begin("bench") as s:
        identity.set_site(s, "district", DISTRICT_NAME, COUNTY)
    towns = []
    for i in range(townships):
        path = work / f"town{i}" / "town.db"
        path.parent.mkdir()
        town = open_database(path)
        with town.begin("bench") as s:
            build_demo(s, villages=villages, years=years, seed=2026 + i, township=township_name(i),
                       region=township_code(i, COUNTY))
        _trust_each_other(town, d)
        town.close()
        towns.append(path)
    d.close()
    backup_file(district, work / "district0.db")

    def carry(town: Path) -> Path:
        exp = bench_sync.run_child("_export", str(town), str(district), str(stick))
        package = Path(str(exp["path"]))
        kept = work / "packages" / f"{len(list((work / 'packages').glob('*')))+1:04d}_{package.name}"
        kept.parent.mkdir(exist_ok=True)
        shutil.copyfile(package, kept)
        bench_sync.run_child("_import", str(district), str(package))
        package.unlink()
        back = bench_sync.run_child("_export", str(district), str(town), str(stick))  # the ack
        if back["path"]:
            bench_sync.run_child("_import", str(town), str(back["path"]))
            Path(str(back["path"])).unlink()
        return kept

    packages = [carry(t) for t in towns]
    for m in range(months):
        for i, t in enumerate(towns):
            bench_sync.post_month(t, per_book=60, lines=4, month=date(2026, 12, 1), seed=100 * i + m)
            packages.append(carry(t))
    return work / "district0.db", packages, towns


def raw_of(district0: Path, towns: list[Path], packages: list[Path], after_seeds: Path | None = None,
           seeds_too: bool = True) -> dict[str, float]:
    """The raw limit of the seed packages summed (parse + executemany of their rows and records
    into a copy of the empty district), the same of the monthly packages summed (into a copy of
    the district as it was after the seeds, ``after_seeds``), and the voucher lines they carry."""
    out = {"parse": 0.0, "upsert": 0.0, "parse_cpu": 0.0, "upsert_cpu": 0.0, "lines": 0.0, "seed_lines": 0.0,
           "seed_rows": 0.0, "m_parse": 0.0, "m_upsert": 0.0, "m_parse_cpu": 0.0, "m_upsert_cpu": 0.0, "m_rows": 0.0}
    for n, package in enumerate(packages):
        name = package.name.split("_", 1)[1]
        for town in towns:
            con = sqlite3.connect(town)
            found = con.execute("SELECT ranges_json FROM sync_outbox WHERE file_name = ?", (name,)).fetchone()
            con.close()
            if found:
                ranges = {o: (a, b) for o, (a, b) in json.loads(found[0]).items()}
                if n < len(towns):  # a seed: into the empty district, parents first
                    if not seeds_too:
                        break
                    raw = bench_sync.raw_limits(town, district0, ranges, package)
                    for k in ("parse", "upsert", "parse_cpu", "upsert_cpu"):
                        out[k] += raw[k]
                    out["seed_rows"] += raw["lines"]  # change records + row images
                elif after_seeds is not None and n < 2 * len(towns):  # the first month: into the district after the seeds
                    raw = bench_sync.raw_limits(town, after_seeds, ranges, package)
                    for k in ("parse", "upsert", "parse_cpu", "upsert_cpu"):
                        out["m_" + k] += raw[k]
                    out["m_rows"] += raw["lines"]
                con = sqlite3.connect(town)
                lines = sum(con.execute("SELECT COUNT(*) FROM change_log WHERE origin = ? AND seq BETWEEN ? "
                                                "AND ? AND table_name = 'entry'", (o, a, b)).fetchone()[0]
                            for o, (a, b) in ranges.items())
                con.close()
                out["lines"] += lines
                out["seed_lines"] += lines if n < len(towns) else 0
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--townships", type=int, default=10)
    ap.add_argument("--villages", type=int, default=30)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--months", type=int, default=1, help="monthly packages per township after its seed")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench_district_import")
    ap.add_argument("--reuse", action="store_true", help="the townships and packages a previous run left in --work")
    ap.add_argument("--pg", help="a scratch PostgreSQL database URL: the same imports timed there too")
    ap.add_argument("--months-only", action="store_true",
                    help="with --reuse: only the monthly packages, into copies of the district as it was after the seeds")
    args = ap.parse_args()
    if args.months_only:
        months_only(args)
        return
    listing = args.work / "packages.txt"
    t0 = time.perf_counter()
    if args.reuse and listing.is_file():
        district0, packages = args.work / "district0.db", [Path(p) for p in listing.read_text().splitlines() if p]
        towns = sorted(args.work.glob("town*/town.db"))
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
        district0, packages, towns = build(args.work, args.townships, args.villages, args.years, args.months)
        listing.write_text("\n".join(str(p) for p in packages))
    print(f"准备数据 {time.perf_counter() - t0:.0f} s：{len(towns)} 个乡镇"
          + ("（沿用上次生成的）" if args.reuse else f"，每个 {args.villages} 个村、{args.years} 年，另有 {args.months} 个月的工作")
          + f"；共 {len(packages)} 个同步包")
    runs = []
    after_seeds = args.work / "district_after_seeds.db"
    for run in range(args.runs):
        d = args.work / "district" / f"run{run}.db"
        backup_file(district0, d)
        runs.append(run_child("_import_all", str(d), str(listing), str(len(towns)), str(after_seeds) if run == 0 else "",
                              str(len(towns))))
        for f in d.parent.glob(d.name + "*"):
            f.unlink()
        shutil.rmtree(d.parent / "backups", ignore_errors=True)
    raw = raw_of(district0, towns, packages, after_seeds)
    def med(key: str, part: slice | None = None) -> float:
        if part is None:
            return statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
        return statistics.median(sum(r[key][part]) for r in runs)  # type: ignore[index]

    seeds, monthly = slice(0, len(towns)), slice(len(towns), None)
    wall, cpu, n_monthly = med("wall"), med("cpu"), len(packages) - len(towns)
    seed_wall, seed_cpu, month_wall = med("walls", seeds), med("cpus", seeds), med("walls", monthly)
    raw_wall, raw_cpu = raw["parse"] + raw["upsert"], raw["parse_cpu"] + raw["upsert_cpu"]
    lines = raw["lines"]
    print(f"\n== 区经管站导入全部同步包（{args.runs} 次的中位数） ==")
    print(f"{len(packages)} 个包共 {lines:,.0f} 行凭证分录：墙钟 {wall:.2f} s（CPU {cpu:.2f} s），峰值内存 {med('rss'):.0f} MB")
    print(f"同步导入前的备份（区级数据库 {med('size') / 1e6:.0f} MB，单独计时）：每次导入（一个包或一次选中的几个包）"
          f"复制一份 墙钟 {med('copy'):.2f} s（CPU {med('copy_cpu'):.2f} s），导入不等它的校验"
          f"（integrity_check + SHA-256，导入完成后补做）墙钟 {med('check'):.2f} s（CPU {med('check_cpu'):.2f} s）；"
          f"以前每个包都在导入前做这两步")
    print(f"首包 {len(towns)} 个（{raw['seed_lines']:,.0f} 行分录）墙钟 {seed_wall:.2f} s（CPU {seed_cpu:.2f} s）；"
          f"原始极限（同样的行：JSON 解析 {raw['parse']:.2f} s + stdlib executemany {raw['upsert']:.2f} s）"
          f"{raw_wall:.2f} s（CPU {raw_cpu:.2f} s）；比值 墙钟 {seed_wall / max(raw_wall, 1e-9):.2f}x，"
          f"CPU {seed_cpu / max(raw_cpu, 1e-9):.2f}x")
    if n_monthly:
        month_cpu = med("cpus", monthly)
        first = slice(len(towns), 2 * len(towns))
        m_wall, m_cpu = med("walls", first), med("cpus", first)
        m_raw, m_raw_cpu = raw["m_parse"] + raw["m_upsert"], raw["m_parse_cpu"] + raw["m_upsert_cpu"]
        n_first = min(n_monthly, len(towns))
        print(f"月包 {n_monthly} 个（{lines - raw['seed_lines']:,.0f} 行分录；每月各乡镇的包一次导入，共用一份导入前的备份）"
              f"墙钟共 {month_wall:.2f} s（CPU {month_cpu:.2f} s）；每个 墙钟 {month_wall / n_monthly:.2f} s、"
              f"CPU {month_cpu / n_monthly:.2f} s（目标 ≤ 1 s）")
        print(f"第一个月的 {n_first} 个月包（{raw['m_rows']:,.0f} 行变更记录 + 数据行）：导入 墙钟 {m_wall:.2f} s"
              f"（CPU {m_cpu:.2f} s，含备份）；原始极限（同样的行：JSON 解析 {raw['m_parse']:.2f} s + stdlib executemany "
              f"{raw['m_upsert']:.2f} s 写入首包之后的区级数据库副本）{m_raw:.2f} s（CPU {m_raw_cpu:.2f} s）；"
              f"比值 墙钟 {m_wall / max(m_raw, 1e-9):.2f}x，CPU {m_cpu / max(m_raw_cpu, 1e-9):.2f}x；"
              f"不计备份每个 墙钟 {(m_wall - med('copy')) / n_first:.2f} s（CPU {(m_cpu - med('copy_cpu')) / n_first:.2f} s）；"
              f"单独导入一个月包（自带一份备份）约 墙钟 {(m_wall - med('copy')) / n_first + med('copy'):.2f} s、"
              f"CPU {(m_cpu - med('copy_cpu')) / n_first + med('copy_cpu'):.2f} s")
    per_m = 1e6 / max(raw["seed_rows"], 1)  # the seeds per million package rows (records + row images)
    print(f"首包每百万行（变更记录 + 数据行）：导入 墙钟 {seed_wall * per_m:.1f} s、CPU {seed_cpu * per_m:.1f} s；"
          f"原始极限 墙钟 {raw_wall * per_m:.1f} s、CPU {raw_cpu * per_m:.1f} s（目标规模 {GOAL_LINES:,} 行分录的包约为"
          f"其 2.5 倍行数：每行分录一条变更记录和一行数据，另有凭证）")
    scale = "" if lines >= GOAL_LINES * 0.9 else f"（本次只有 {lines:,.0f} 行分录，不到目标规模 {GOAL_LINES:,} 行）"
    if n_monthly:
        first = slice(len(towns), 2 * len(towns))
        print(f"目标 ≤ {GOAL_SECONDS:.0f} s，读作每月收齐U盘后一次导入全区 {min(n_monthly, len(towns))} 个乡镇的月包"
              f"（含导入前备份）：墙钟 {med('walls', first):.2f} s（CPU {med('cpus', first):.2f} s）")
    print(f"读作全部历史（首包 + 月包）：墙钟 {wall:.1f} s{scale}")
    if args.pg:
        pg_import(args, district0, listing, towns, runs, lines)


def months_only(args: argparse.Namespace) -> None:
    """The monthly run alone (what the district waits for when the last stick arrives): every
    month's packages, one run a month, into a copy of the district as it was after the seeds
    (left by an earlier full run in --work), beside the same parse + executemany of their rows."""
    after_seeds = args.work / "district_after_seeds.db"
    listing = args.work / "packages.txt"
    if not after_seeds.is_file() or not listing.is_file():
        raise SystemExit(f"{args.work}: run the whole bench once first (it keeps the district after the seeds)")
    packages = [Path(p) for p in listing.read_text().splitlines() if p]
    towns = sorted(args.work.glob("town*/town.db"))
    monthly = args.work / "packages_monthly.txt"
    monthly.write_text("\n".join(str(p) for p in packages[len(towns):]))
    runs = []
    for run in range(args.runs):
        d = args.work / "district" / f"months{run}.db"
        backup_file(after_seeds, d)
        runs.append(run_child("_import_all", str(d), str(monthly), "0", "", str(len(towns))))
        for f in d.parent.glob(d.name + "*"):
            f.unlink()
        shutil.rmtree(d.parent / "backups", ignore_errors=True)
    raw = raw_of(args.work / "district0.db", towns, packages, after_seeds, seeds_too=False)
    n = min(len(towns), len(packages) - len(towns))
    wall = statistics.median(sum(r["walls"][:n]) for r in runs)  # type: ignore[index]
    cpu = statistics.median(sum(r["cpus"][:n]) for r in runs)  # type: ignore[index]
    check = statistics.median(r["checks"][0] for r in runs if r["checks"])  # type: ignore[index]
    m_raw, m_raw_cpu = raw["m_parse"] + raw["m_upsert"], raw["m_parse_cpu"] + raw["m_upsert_cpu"]
    size = after_seeds.stat().st_size
    print(f"== 每月一次：全区 {n} 个乡镇的月包一次导入，导入首包之后的区级数据库（{size / 1e6:.0f} MB）；"
          f"{args.runs} 次的中位数 ==")
    print(f"导入（含一份同步导入前备份）：墙钟 {wall:.2f} s（CPU {cpu:.2f} s），目标 ≤ {GOAL_SECONDS:.0f} s；"
          f"每个包 墙钟 {wall / n:.2f} s")
    print(f"导入后补做的备份校验：墙钟 {check:.2f} s（不在导入的等待里）")
    print(f"原始极限（同样的 {raw['m_rows']:,.0f} 行变更记录 + 数据行：JSON 解析 {raw['m_parse']:.2f} s + stdlib "
          f"executemany {raw['m_upsert']:.2f} s）{m_raw:.2f} s（CPU {m_raw_cpu:.2f} s）；比值 墙钟 "
          f"{wall / max(m_raw, 1e-9):.2f}x，CPU {cpu / max(m_raw_cpu, 1e-9):.2f}x；负载 {os.getloadavg()[0]:.1f}")
    if args.pg:  # the same runs into PostgreSQL: the district after the seeds copied there before each (not timed)
        from db.pg_copy import copy_to_server

        work = args.work / "pg-work"
        work.mkdir(exist_ok=True)
        pg_runs, copied = [], 0.0
        for _ in range(args.runs):
            src = open_database(after_seeds)
            t0 = time.perf_counter()
            copy_to_server(src, args.pg, work_dir=work)
            copied = time.perf_counter() - t0
            src.close()
            pg_runs.append(run_child("_import_all", args.pg, str(monthly), "0", "", str(len(towns))))
        pg_wall = statistics.median(sum(r["walls"][:n]) for r in pg_runs)  # type: ignore[index]
        pg_cpu = statistics.median(sum(r["cpus"][:n]) for r in pg_runs)  # type: ignore[index]
        print(f"PostgreSQL（首包之后的区级数据库复制过去 {copied:.0f} s，不计时；服务器上的区级数据库不做导入前备份）："
              f"同样 {n} 个月包 墙钟 {pg_wall:.2f} s（本进程 CPU {pg_cpu:.2f} s），为 SQLite 的 {pg_wall / max(wall, 1e-9):.2f} 倍")


def pg_import(args: argparse.Namespace, district0: Path, listing: Path, towns: list[Path],
              lite_runs: list[dict[str, object]], lines: float) -> None:
    """The same imports into PostgreSQL (a copy of the empty district), beside SQLite's."""
    from db.pg_copy import copy_to_server

    work = args.work / "pg-work"
    work.mkdir(exist_ok=True)
    src = open_database(district0)
    t0 = time.perf_counter()
    copy_to_server(src, args.pg, work_dir=work)
    src.close()
    print(f"\n== PostgreSQL：空的区级数据库复制过去 {time.perf_counter() - t0:.1f} s（不计时），同样导入 ==")
    pg_runs = [run_child("_import_all", args.pg, str(listing), str(len(towns)), "", str(len(towns)))
               for _ in range(args.runs)]
    n = len(towns)

    def med(runs: list[dict[str, object]], key: str, part: slice | None = None) -> float:
        if part is None:
            return statistics.median(float(r[key]) for r in runs)  # type: ignore[arg-type]
        return statistics.median(sum(r[key][part]) for r in runs)  # type: ignore[index]

    rows = [("全部同步包", None), (f"首包 {n} 个", slice(0, n)), (f"第一个月的 {n} 个月包", slice(n, 2 * n))]
    print(f"{'':24}{'SQLite 墙钟':>12}{'PostgreSQL 墙钟':>16}{'PG/SQLite':>11}{'PG CPU（本进程）':>16}")
    for label, part in rows:
        if part is not None and part.start >= len(lite_runs[0]["walls"]):  # type: ignore[arg-type]
            continue
        key = "wall" if part is None else "walls"
        lite, pg = med(lite_runs, key, part), med(pg_runs, key, part)
        pg_cpu = med(pg_runs, "cpu" if part is None else "cpus", part)
        print(f"{label:24}{lite:10.2f} s{pg:14.2f} s{pg / max(lite, 1e-9):10.2f}x{pg_cpu:14.2f} s")
    print(f"PostgreSQL 数据库 {med(pg_runs, 'size') / 1e6:.0f} MB；{lines:,.0f} 行凭证分录；"
          "PostgreSQL 服务器进程的 CPU 不在本进程的 CPU 里，以墙钟为准")

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_import_all":
        child_import_all(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_export":
        bench_sync.child_export(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_import":
        bench_sync.child_import(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
