"""Import of the registers — 资源地块, 资产卡片, 集体经济项目 — beside python-calamine reading the same file.

    .venv/bin/python bench/bench_import_registers.py [--parcels 100000] [--assets 100000] [--projects 2000]
                                                      [--runs 1] [--kinds resources,assets,projects]

Issue #18: an import of any kind is linear in its rows, a dry run ≤ 2x and an applied import ≤ 4x
calamine reading the same file, memory flat (≤ 300 MB at 100k rows). ``bench_import.py`` measures
成员名册 that way; this script does the same for the three register kinds.

For each kind it writes one realistic file with openpyxl ``write_only`` at N rows and at N/4, then
times, each in its own process (so that its peak memory, ru_maxrss, is its own; CPU by
``getrusage`` as bench_import's ``phase``; the modules imported before the clock starts):

- ``calamine``: python-calamine reading the file into Python rows (the raw limit);
- ``dry``: ``importers.run_import(kind, apply=False)`` in a read transaction (仅新增), as
  ``import KIND FILE --dry-run`` and the GUI preview run it;
- ``apply``: the same with ``apply=True``, committed, on a fresh copy of a prepared village
  (bench_import's ``make_village`` plus the cooperative's 股份经济合作社 book).

Sizes: 100,000 parcels and 100,000 asset cards (a township's 联合社 registering its villages'
land plot by plot, or a district's cards, reach that). Projects default to 2,000: a village
has a few to a few dozen 集体经济项目 and even a township's 联合社 holding every village's
projects has hundreds, so 2,000 is well past any real file; a project row is also checked by
the form's own services inside a rolled-back savepoint (``import_projects``), so it costs
more per row than a register row, and the question for it is linearity, not the 100k ratio.

Prints per kind and size: wall and CPU beside calamine's, the CPU ratio and its goal (dry ≤ 2x,
apply ≤ 4x), ms per row (N/4 and N: linear when they agree) and peak MB (goal ≤ 300 at 100k);
beside the apply, the write limit: stdlib ``executemany`` of exactly the rows the import stored
(change log and audit included) into a fresh copy. ``--before DIR`` (a ``git archive`` of an
earlier commit with ``.venv`` linked) runs that code's dry run and apply on the same files, in the
same run, interleaved.
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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_import import cpu, make_village  # noqa: E402

ORG_USCC = "N2320115MF00000121"
GOALS = {"dry": 2.0, "apply": 4.0}
LABELS = {"resources": "资源地块", "assets": "资产卡片", "projects": "集体经济项目"}


def write_parcels(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资源地块")
    ws.append(["地块编号", "地块名称", "地类", "面积（亩）", "坐落", "东至", "南至", "西至", "北至", "权属",
               "村民小组", "经营状态", "备注"])
    classes = ("耕地", "园地", "林地", "水面", "四荒地", "集体建设用地")
    statuses = ("家庭承包", "机动地", "集体统一经营", "未利用")
    for i in range(rows):
        group = f"第{i % 15 + 1}组"
        by_group = i % 3 == 0
        ws.append([f"DK-{i:06d}", f"东湖{i}号地", classes[i % 6], Decimal(125 + i % 4000) / 100, group,
                   "村道", "河沟", f"王{i % 50}家地", "山脚", "组" if by_group else "村", group if by_group else None,
                   statuses[i % 4], "" if i % 7 else "二轮承包确权"])
    wb.save(path)


def write_assets(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资产卡片")
    ws.append(["资产编号", "资产名称", "资产类别", "资产性质", "坐落位置", "数量", "计量单位", "面积（㎡）", "取得方式",
               "资金来源", "取得日期", "原值", "预计使用月数", "残值率（%）", "折旧方法", "期初累计折旧", "使用状态",
               "管理责任人", "扶贫资产", "备注"])
    kinds = (("房屋及建筑物", "栋", 240), ("机器设备", "台", 120), ("运输设备", "辆", 96), ("办公设备", "台", 60))
    start = date(2005, 1, 1)
    for i in range(rows):
        category, unit, months = kinds[i % 4]
        cost = Decimal(5000 + (i * 37) % 900_000) + Decimal(i % 100) / 100
        ws.append([f"ZC-{i:06d}", f"{category[:2]}{i}号", category, ("经营性", "非经营性", "公益性")[i % 3],
                   f"第{i % 15 + 1}组", 1, unit, Decimal(80 + i % 500) if i % 4 == 0 else None,
                   ("购建", "捐赠", "财政项目形成")[i % 3], "自筹" if i % 2 else "区级扶持资金",
                   start + timedelta(days=(i * 13) % 7000), cost, months, 5, "年限平均法",
                   (cost * Decimal("0.30")).quantize(Decimal("0.01")) if i % 5 == 0 else None,
                   ("自用", "出租", "闲置")[i % 3], f"张{i % 40}", "是" if i % 11 == 0 else "否",
                   "" if i % 9 else "接管时登记"])
    wb.save(path)


def write_projects(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("集体经济项目")
    ws.append(["项目编号", "项目名称", "项目类型", "项目状态", "申报日期", "开工日期", "建成日期", "运营日期",
               "区级扶持资金", "自筹", "预算金额", "招标方式", "中标单位", "中标金额", "招标日期", "备注"])
    kinds = ("物业经济", "光伏", "厂房", "农业设施", "乡村旅游", "其他")
    for i in range(rows):
        applied = date(2015, 1, 1) + timedelta(days=(i * 11) % 3000)
        status = ("申报", "在建", "建成", "运营")[i % 4]
        tender = i % 2 == 0
        ws.append([f"XM-{i:05d}", f"{kinds[i % 6]}项目{i}", kinds[i % 6], status, applied,
                   applied + timedelta(days=60) if i % 4 >= 1 else None,
                   applied + timedelta(days=300) if i % 4 >= 2 else None,
                   applied + timedelta(days=330) if i % 4 == 3 else None,
                   Decimal(100_000 + i * 10), Decimal(20_000 + i), Decimal(150_000 + i * 10),
                   "公开招标" if tender else None, f"江宁建设{i % 30}公司" if tender else None,
                   Decimal(140_000 + i * 10) if tender else None,
                   applied + timedelta(days=30) if tender else None, "" if i % 5 else "村民代表会议通过"])
    wb.save(path)


WRITERS = {"resources": write_parcels, "assets": write_assets, "projects": write_projects}


def prepare_village(path: Path) -> None:
    """bench_import's village (东湖村股份经济合作社, 记账员 kj) with its cooperative's book."""
    from db.migrate import open_database
    from desktop_app.core.services.orgs import create_book, find_organisation
    from desktop_app.core.services.users import list_users

    make_village(path)
    db = open_database(path)
    with db.begin("bench") as s:
        org = find_organisation(s, ORG_USCC)
        maker = next(u for u in list_users(s) if u.username == "kj")
        create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                    start_period="2026-01", chart_version="2023", user=maker)
    db.close()


def peak_mb() -> float:
    """This process's peak resident memory in MB: VmHWM (reset by exec), not ``ru_maxrss``, which
    Linux carries over from the parent that forked this phase (the parent wrote the files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(step: str, kind: str, file: Path, db_path: Path) -> dict[str, float]:
    """One measurement in this process: seconds (wall and CPU), peak MB and rows done."""
    t, c = time.perf_counter(), cpu()
    if step == "calamine":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0).to_python()
        n = len(rows) - 1
    else:
        from db.migrate import open_database
        from desktop_app.core.services.orgs import find_organisation, list_books
        from desktop_app.core.services.users import list_users
        from desktop_app.excel import importers

        importers._load()  # every kind's module imported, as in a running program
        db = open_database(db_path)
        t, c = time.perf_counter(), cpu()
        with db.read("bench") if step == "dry" else db.begin("bench") as s:
            org = find_organisation(s, ORG_USCC)
            maker = next(u for u in list_users(s) if u.username == "kj")
            s.info["cli_user"] = maker  # the import writes as the logged-in user, as the CLI's
            book = list_books(s, org.id)[0].id if kind == "assets" else None
            check, _ = importers.run_import(s, kind, file, organisation_id=org.id, book_id=book, mode="add",
                                            apply=step == "apply", user=maker)
        if check.problems:
            raise SystemExit(f"{kind} refused: {[str(p) for p in check.problems[:3]]}")
        n = check.count("new")
        db.close()
    return {"seconds": time.perf_counter() - t, "cpu": cpu() - c,
            "mb": peak_mb(), "rows": n}


def run(step: str, kind: str, file: Path, db_path: Path, tree: Path | None = None) -> dict[str, float]:
    """One phase in its own process; ``tree``: another checkout (``--before``) whose code runs it."""
    script = str(tree / "bench" / "bench_import_registers.py") if tree is not None else __file__
    out = subprocess.run([sys.executable, script, "--phase", step, "--kind", kind, "--file", str(file),
                          "--db", str(db_path)], check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


WRITTEN = {"resources": ("resource_parcel",), "assets": ("asset", "asset_history"),
           "projects": ("project", "project_funding")}


def raw_writes(kind: str, done: Path, base: Path) -> tuple[float, int]:
    """(CPU seconds, rows) for stdlib sqlite3 ``executemany`` to store exactly the rows the applied
    import stored in ``done`` (its tables, change-log records and audit entries) into a fresh copy
    of the prepared database, with the program's pragmas: the raw cost of the writes alone (as
    ``bench_import_books.raw_writes``)."""
    import sqlite3

    target = done.with_name(done.stem + "_raw.db")
    shutil.copy(base, target)
    src = sqlite3.connect(done)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        dst.execute(f"PRAGMA {pragma}")
    tables, count = [], 0
    for t in (*WRITTEN[kind], "change_log", "audit_entry"):
        key = "origin, seq" if t == "change_log" else "rowid"  # the change log is WITHOUT ROWID
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({t})")]
        if not cols:
            continue
        there = set(dst.execute(f"SELECT {key} FROM {t}"))
        width = key.count(",") + 1
        rows = [r[width:] for r in src.execute(f"SELECT {key}, {', '.join(cols)} FROM {t}")
                if tuple(r[:width]) not in there]
        count += len(rows)
        tables.append((f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows))
    src.close()
    c0 = cpu()
    dst.execute("BEGIN")
    for sql, rows in tables:
        dst.executemany(sql, rows)
    dst.execute("COMMIT")
    cpu_seconds = cpu() - c0
    dst.close()
    target.unlink()
    return cpu_seconds, count


def bench_kind(tmp: Path, base: Path, kind: str, n: int, runs: int, skip_apply: bool,
               before: Path | None = None) -> None:
    steps = ["calamine", "dry"] + ([] if skip_apply else ["apply"])
    per_row: dict[int, dict[str, float]] = {}
    for size in sorted({n // 4, n} - {0}):
        file = tmp / f"{kind}{size}.xlsx"
        t = time.perf_counter()
        WRITERS[kind](file, size)
        print(f"{LABELS[kind]} {size} 行：{file.stat().st_size // 1024} KB，生成用时 {time.perf_counter() - t:.1f} 秒")
        results: dict[str, list[dict[str, float]]] = {k: [] for k in steps}
        earlier: dict[str, list[dict[str, float]]] = {k: [] for k in steps if k != "calamine"}  # --before's
        raw: list[tuple[float, int]] = []
        for i in range(runs):
            for step in steps:  # interleaved, so load from other work hits every step alike
                if before is not None and step in earlier:
                    db_path = tmp / f"{kind}{size}_{i}_{step}_before.db"
                    shutil.copy(base, db_path)
                    earlier[step].append(run(step, kind, file, db_path, before))
                    db_path.unlink()
                db_path = tmp / f"{kind}{size}_{i}_{step}.db"
                shutil.copy(base, db_path)
                results[step].append(run(step, kind, file, db_path))
                if step == "apply":
                    raw.append(raw_writes(kind, db_path, base))
                db_path.unlink()
        wall = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
        cpus = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
        mem = {k: max(r["mb"] for r in v) for k, v in results.items()}
        per_row[size] = {k: cpus[k] / size * 1000 for k in steps}
        for step in steps:
            ratio = "" if step == "calamine" else (
                f"；CPU 为 calamine 的 {cpus[step] / cpus['calamine']:.2f}x（目标 ≤ {GOALS[step]:.0f}x），"
                f"墙钟 {wall[step] / wall['calamine']:.2f}x")
            print(f"  {step:8s} 墙钟 {wall[step]:7.2f} 秒，CPU {cpus[step]:7.2f} 秒，{per_row[size][step]:.3f} ms/行（CPU），"
                  f"峰值内存 {mem[step]:.0f} MB{ratio}")
            if earlier.get(step):
                was = statistics.median(r["cpu"] for r in earlier[step])
                print(f"           --before 的代码：CPU {was:7.2f} 秒，{was / cpus['calamine']:.2f}x calamine，"
                      f"峰值内存 {max(r['mb'] for r in earlier[step]):.0f} MB → 现在 {cpus[step] / cpus['calamine']:.2f}x")
        if raw:
            raw_cpu = statistics.median(r[0] for r in raw)
            print(f"  stdlib sqlite3 executemany 写入同样的 {raw[0][1]} 行（含变更日志、审计；写入极限）：CPU {raw_cpu:.2f} 秒，"
                  f"{raw_cpu / cpus['calamine']:.2f}x calamine；导入 − 检查 为其 "
                  f"{(cpus['apply'] - cpus['dry']) / max(raw_cpu, 1e-9):.2f}x；"
                  f"检查 + 写入极限 = {(cpus['dry'] + raw_cpu) / cpus['calamine']:.2f}x calamine")
        file.unlink()
    if len(per_row) == 2:
        small, big = sorted(per_row)
        print(f"  线性：每行 CPU 在 {big} 行与 {small} 行之比 " + "，".join(
            f"{s} {per_row[big][s] / per_row[small][s]:.2f}" for s in steps) + "（1.0 为线性）")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--assets", type=int, default=100_000)
    ap.add_argument("--projects", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--kinds", default="resources,assets,projects")
    ap.add_argument("--skip-apply", action="store_true")
    ap.add_argument("--before", type=Path, help="another checkout (git archive) whose code runs dry/apply too")
    ap.add_argument("--phase")
    ap.add_argument("--kind")
    ap.add_argument("--file")
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.kind, Path(args.file), Path(args.db))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_registers_"))
    base = tmp / "village.db"
    prepare_village(base)
    sizes = {"resources": args.parcels, "assets": args.assets, "projects": args.projects}
    with open("/proc/loadavg") as f:
        print(f"负载（loadavg）：{f.read().split()[:3]}；{args.runs} 次取中位；比值以 CPU 时间计")
    for kind in args.kinds.split(","):
        bench_kind(tmp, base, kind, sizes[kind], args.runs, args.skip_apply, args.before)
    with open("/proc/loadavg") as f:
        print(f"负载（loadavg）结束时：{f.read().split()[:3]}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
