"""Member import from xlsx (100,000 rows by default) beside python-calamine reading the same file.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--runs 3] [--skip-apply]

Writes one 成员名册 file (households of four: 户主, 配偶, 子, 女; 人口股 and 农龄股, half shares
among them), then times, each in its own process so that its peak memory (ru_maxrss) is its own:

- ``calamine``: python-calamine reading the same file into Python rows (the raw limit);
- ``dry``: the import pipeline's check (``importers.run_import("members", mode="add")``, as
  ``import members FILE --dry-run`` and the GUI preview run it): find the header, read every cell
  (``excel.import_members``), validate, sort into new/changed/unchanged (rolled back);
- ``apply``: the same with ``apply=True`` — plus the bulk writes, committed, on a fresh copy of an
  empty village.

The modules are imported before the clock starts (a running program has them already).

- ``write limit``: stdlib sqlite3 ``executemany`` of exactly the rows the applied import stored
  (households, members, holdings, events, change log, audit), read back after it committed and
  inserted into another fresh copy with the same pragmas: the raw cost of the writes alone.

Prints the medians, the peak memory of each and the ratios (goal: dry ≤ 2x, apply ≤ 4x,
≤ 300 MB at 100k rows) and the cost per row, which must not grow with the file.

Then (unless ``--parcels 0``) the resource-parcel import (资源地块, ``assets_xlsx.apply_import``)
at ``--parcels`` rows and a quarter of that, each beside calamine reading the same file: the
cost per row at both sizes shows it linear.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADERS = ["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股", "备注"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强桂兰海燕明华丽娟文军晓东玉梅春生"


def write_members_file(path: Path, rows: int) -> None:
    """``rows`` members in households of four, written with openpyxl write_only (fast, flat)."""
    from openpyxl import Workbook

    from desktop_app.core.ids import make_ric

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("成员名册")
    ws.append(HEADERS)
    relations = ("户主", "配偶", "子", "女")
    start = date(1950, 1, 1)
    for i in range(rows):
        birth = start + timedelta(days=(i * 7) % 20000)
        ric = make_ric("320115", birth, (i // 2857) % 1000 if i % 2 else (i // 2857 + 1) % 1000)
        name = SURNAMES[i % 20] + GIVEN[(i * 3) % 20] + GIVEN[(i * 7 + 1) % 20]
        ws.append([f"{i // 4 + 1:06d}", f"第{(i // 4) % 15 + 1}组", name, ric, relations[i % 4],
                   "2019-12-31", 1, 0.5 if i % 3 else 1.5, "" if i % 5 else "批量登记"])
    wb.save(path)


def make_village(path: Path) -> None:
    from db.migrate import open_database
    from desktop_app.core.services.orgs import create_organisation, create_region
    from desktop_app.core.services.shares import ensure_default_share_types
    from desktop_app.core.services.users import create_user

    db = open_database(path)
    with db.begin("bench") as s:
        maker = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=maker)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=maker)
        ensure_default_share_types(s, org.id, user=maker)
    db.close()


def cpu() -> float:
    """CPU seconds (user + system) of this process so far: what a phase costs itself, however
    busy the machine is (wall time on a shared machine is mostly waiting for a core)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def phase(kind: str, file: Path, db_path: Path) -> dict[str, float]:
    """Run one measurement in this process; returns seconds (wall and CPU) and peak MB."""
    t, c = time.perf_counter(), cpu()
    if kind == "calamine":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0).to_python()
        n = len(rows) - 1
    else:
        from db.migrate import open_database
        from desktop_app.core.services.orgs import find_organisation
        from desktop_app.core.services.users import list_users
        from desktop_app.excel import importers

        importers._load()  # every kind's module imported, as in a running program: not the file's cost
        import stdnum.cn.ric  # noqa: F401  (the 身份证号 check digit, imported on first use)

        db = open_database(db_path)
        t, c = time.perf_counter(), cpu()
        with db.read("bench") if kind == "dry" else db.begin("bench") as s:  # the pipeline's 仅新增, as the CLI runs it
            org = find_organisation(s, "N2320115MF00000121")
            maker = next(u for u in list_users(s) if u.username == "kj")  # make_village's 记账员: an apply writes as it
            check, _ = importers.run_import(s, "members", file, organisation_id=org.id, mode="add",
                                            apply=kind == "apply", event_date=date(2019, 12, 31), user=maker)
        if check.problems:
            raise SystemExit(f"import refused: {[str(p) for p in check.problems[:3]]}")
        n = check.count("new")
        db.close()
    seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
    out = {"seconds": seconds, "cpu": cpu_seconds, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "rows": n}
    if kind == "apply":
        out["raw"], out["raw_cpu"] = raw_writes(db_path, db_path.with_name(db_path.stem + "_raw.db"))
    return out


WRITTEN = ("household", "member", "share_holding", "share_event", "change_log", "audit_entry")


def raw_writes(done: Path, target: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) for stdlib executemany to store the rows the import stored in ``done`` into a fresh
    copy of the empty village (``target``, same pragmas as the program's connections)."""
    import sqlite3

    shutil.copy(done.parent / "empty.db", target)
    src = sqlite3.connect(done)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        dst.execute(f"PRAGMA {pragma}")
    tables = []
    for t in WRITTEN:
        key = "origin, seq" if t == "change_log" else "rowid"  # the change log is WITHOUT ROWID
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({t})")]
        there = set(dst.execute(f"SELECT {key} FROM {t}"))
        width = key.count(",") + 1
        rows = [r[width:] for r in src.execute(f"SELECT {key}, {', '.join(cols)} FROM {t}")
                if tuple(r[:width]) not in there]
        tables.append((f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows))
    src.close()
    t0, c0 = time.perf_counter(), cpu()
    dst.execute("BEGIN")
    for sql, rows in tables:
        dst.executemany(sql, rows)
    dst.execute("COMMIT")
    seconds, cpu_seconds = time.perf_counter() - t0, cpu() - c0
    dst.close()
    target.unlink()
    return seconds, cpu_seconds


def run(kind: str, file: Path, db_path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--phase", kind, "--file", str(file), "--db", str(db_path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-apply", action="store_true")
    ap.add_argument("--parcels", type=int, default=10_000, help="资源地块 rows (0: skip)")
    ap.add_argument("--phase")
    ap.add_argument("--file")
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.file), Path(args.db))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_"))
    file, base = tmp / "members.xlsx", tmp / "empty.db"
    t = time.perf_counter()
    write_members_file(file, args.rows)
    make_village(base)
    print(f"成员名册 {args.rows} 行：{file.stat().st_size // 1024} KB，生成用时 {time.perf_counter() - t:.1f} 秒")
    kinds = ["calamine", "dry"] + ([] if args.skip_apply else ["apply"])
    results: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    for i in range(args.runs):
        for k in kinds:  # interleaved, so load from other work hits every kind alike
            db_path = tmp / f"run{i}_{k}.db"
            shutil.copy(base, db_path)
            results[k].append(run(k, file, db_path))
            db_path.unlink()
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    cpu_med = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
    mem = {k: max(r["mb"] for r in v) for k, v in results.items()}
    labels = {"calamine": "python-calamine 读同一文件（极限）", "dry": "检查（dry run）", "apply": "导入并写入"}
    goals = {"dry": 2.0, "apply": 4.0}
    print(f"（{args.runs} 次的中位；墙钟与 CPU 时间（用户 + 系统）分列，机器忙时以 CPU 比值为准）")
    for k in kinds:
        per_row = med[k] / args.rows * 1000
        ratio = "" if k == "calamine" else (f"；墙钟 {med[k] / med['calamine']:.2f}x，CPU "
                                            f"{cpu_med[k] / cpu_med['calamine']:.2f}x（目标 ≤ {goals[k]:.0f}x）")
        print(f"{labels[k]}：墙钟 {med[k]:.2f} 秒，CPU {cpu_med[k]:.2f} 秒，{per_row:.3f} ms/行，"
              f"峰值内存 {mem[k]:.0f} MB{ratio}")
    if "apply" in results:
        raw = statistics.median(r["raw"] for r in results["apply"])
        raw_cpu = statistics.median(r["raw_cpu"] for r in results["apply"])
        print(f"stdlib sqlite3 executemany 写入同样的行（写入极限）：墙钟 {raw:.2f} 秒，CPU {raw_cpu:.2f} 秒"
              f"（为 calamine 的 {raw_cpu / cpu_med['calamine']:.2f}x）；导入的写入部分（导入 − 检查）CPU "
              f"{(cpu_med['apply'] - cpu_med['dry']) / raw_cpu:.2f}x；calamine + 写入极限 CPU "
              f"{cpu_med['calamine'] + raw_cpu:.2f} 秒，导入为其 {cpu_med['apply'] / (cpu_med['calamine'] + raw_cpu):.2f}x")
    for n in sorted({args.parcels // 4, args.parcels} - {0}):
        bench_parcels(tmp, base, n, args.runs)
    shutil.rmtree(tmp)


def bench_parcels(tmp: Path, base: Path, n: int, runs: int) -> None:
    """资源地块 import (check, then apply) of ``n`` rows beside calamine reading the same file."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from db.migrate import open_database
    from desktop_app.core.services.orgs import create_book, find_organisation
    from desktop_app.core.services.users import list_users
    from desktop_app.excel.assets_xlsx import PARCEL_COLUMNS, apply_import, validate_import

    file = tmp / f"parcels{n}.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资源地块")
    ws.append(list(PARCEL_COLUMNS))
    for i in range(n):
        cells = {"地块编号": f"DK-{i:06d}", "地块名称": f"东湖{i}号地", "地类": ("耕地", "园地", "林地")[i % 3],
                 "面积（亩）": 1.25 + i % 40, "坐落": f"第{i % 15 + 1}组", "东至": "路", "经营状态": "机动地"}
        ws.append([cells.get(h) for h in PARCEL_COLUMNS])
    wb.save(file)
    times: dict[str, list[float]] = {"calamine": [], "dry": [], "apply": []}
    for i in range(runs):
        t = time.perf_counter()
        CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0).to_python()
        times["calamine"].append(time.perf_counter() - t)
        path = tmp / f"parcels{n}_{i}.db"
        shutil.copy(base, path)
        db = open_database(path)
        with db.begin("bench") as s:
            org = find_organisation(s, "N2320115MF00000121")
            maker = next(u for u in list_users(s) if u.username == "kj")  # make_village's 记账员
            create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                        start_period="2026-01", chart_version="2023", user=maker)
        with db.read("bench") as s:
            t = time.perf_counter()
            preview = validate_import(s, "resources", file, organisation_id=org.id)
            times["dry"].append(time.perf_counter() - t)
        if preview.errors:
            raise SystemExit(f"parcels refused: {preview.errors[:3]}")
        with db.begin("bench") as s:
            s.info["cli_user"] = maker  # the import writes as the logged-in user, as the CLI's
            t = time.perf_counter()
            apply_import(s, "resources", file, organisation_id=org.id)
            times["apply"].append(time.perf_counter() - t)
        db.close()
        path.unlink()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"资源地块 {n} 行：calamine 中位 {med['calamine']:.3f} 秒；检查 {med['dry']:.2f} 秒"
          f"（{med['dry'] / n * 1000:.3f} ms/行，{med['dry'] / med['calamine']:.0f}x）；导入并写入 {med['apply']:.2f} 秒"
          f"（{med['apply'] / n * 1000:.3f} ms/行，{med['apply'] / med['calamine']:.0f}x）")


if __name__ == "__main__":
    main()
