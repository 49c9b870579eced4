"""USB sync packages against the machine's limits (issue #12): a full seed of a big township and
one month's incremental package of a 30-village township, export and import beside the raw
limits measured in the same run on the same rows:

* JSONL dump: the same rows (change records + row images) read with stdlib sqlite3 and written
  as JSON lines (json.dumps per row);
* JSON parse of those lines (json.loads per line);
* zstd compression of those bytes (level 3, as the package);
* SHA-256 of the package file.

Export and import each run in a child process so that their peak RSS is their own (memory must
stay flat in the package size: compare the seed's with the monthly package's).

    python bench/bench_sync.py --township town30.db                 # a demo built beforehand
    python bench/bench_sync.py --villages 30 --years 2 --extra-lines 600000

Goals (2-core machine): export <= 10 s and import <= 12 s per 1M changed rows; monthly <= 1 s.
Not a test: figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zstandard  # noqa: E402

from db.backup import backup_file  # noqa: E402
from db.migrate import open_database  # noqa: E402

DEBIT = ["101", "112", "121", "153", "511", "514", "515"]
CREDIT = ["102", "211", "212", "231", "504", "502"]


def rss_mb() -> float:
    """Peak RSS of this process image (VmHWM: unlike ru_maxrss, not inherited from the parent
    that forked the child)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- children: one export or one import, timed, with their own peak RSS ----------------------------

def child_export(town: Path, partner_db: Path, stick: Path) -> None:
    import desktop_app.sync  # noqa: F401
    from desktop_app.sync.export import export_package

    partner = open_database(partner_db)
    origin = partner.origin
    partner.close()
    db = open_database(town)
    w, c = time.perf_counter(), time.process_time()
    out = export_package(db, origin, stick, actor="bench", data_dir=town.parent)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    db.close()
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": rss_mb(), "path": str(out.path) if out.path else None,
                      "changes": out.changes, "rows": out.rows, "size": out.size}))


def child_import(district: str, package: Path) -> None:
    import desktop_app.sync  # noqa: F401
    from desktop_app.sync.apply import ImportRun, import_package

    db = (open_database(district, work_dir=package.parent / "pg-work", create=False) if "://" in district
          else open_database(Path(district)))
    run = ImportRun()
    w, c = time.perf_counter(), time.process_time()
    rep = import_package(db, package, actor="bench", run=run)  # its 同步导入前 backup copied, not yet checked
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    t0 = time.perf_counter()
    run.verify()  # the backup's deferred check, after the import (the user does not wait for it)
    check = time.perf_counter() - t0
    db.close()
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": rss_mb(), "new": rep.new_records,
                      "applied": rep.rows_applied, "compared": rep.compared, "check": check}))


def run_child(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- the raw limits, on the same rows ---------------------------------------------------------------

def raw_limits(db_path: Path, district: Path, ranges: dict[str, tuple[int, int]], package: Path) -> dict[str, float]:
    """JSONL dump / parse / zstd / SHA-256 of the rows the package carries, stdlib only."""
    con = sqlite3.connect(db_path)
    t0 = time.perf_counter()
    lines: list[str] = []
    con.execute("CREATE TEMP TABLE ids (t TEXT, id TEXT, PRIMARY KEY (t, id)) WITHOUT ROWID")
    for origin, (first, last) in ranges.items():
        for r in con.execute("SELECT origin, seq, table_name, row_id, op, rev, prev_rev FROM change_log "
                             "WHERE origin = ? AND seq BETWEEN ? AND ? ORDER BY seq", (origin, first, last)):
            lines.append(json.dumps(r))
        con.execute("INSERT OR IGNORE INTO ids SELECT table_name, row_id FROM change_log "
                    "WHERE origin = ? AND seq BETWEEN ? AND ?", (origin, first, last))
    for (table,) in con.execute("SELECT DISTINCT t FROM ids").fetchall():
        for r in con.execute(f'SELECT * FROM "{table}" WHERE id IN (SELECT id FROM ids WHERE t = ?)', (table,)):
            lines.append(json.dumps(r, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode()
    dump = time.perf_counter() - t0
    con.close()
    t0, c0 = time.perf_counter(), time.process_time()
    for line in data.decode().splitlines():
        json.loads(line)
    parse, parse_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    packed = zstandard.ZstdCompressor(level=3).compress(data)
    zstd = time.perf_counter() - t0
    t0 = time.perf_counter()
    h = hashlib.sha256()
    with open(package, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    sha = time.perf_counter() - t0
    upsert, upsert_cpu = raw_upsert(db_path, district, ranges)
    return {"lines": len(lines), "bytes": len(data), "packed": len(packed), "dump": dump, "parse": parse,
            "zstd": zstd, "sha": sha, "package_bytes": package.stat().st_size, "upsert": upsert,
            "parse_cpu": parse_cpu, "upsert_cpu": upsert_cpu}


def raw_upsert(town: Path, district: Path, ranges: dict[str, tuple[int, int]]) -> tuple[float, float]:
    """stdlib executemany of the same rows (upsert with the rev rule, parents first, foreign keys
    deferred) and records into a copy of the district as it was before the import, one commit."""
    from db.base import Base

    target = district.with_name("raw_" + district.name)
    backup_file(district, target)
    src = sqlite3.connect(town)
    src.execute("CREATE TEMP TABLE ids (t TEXT, id TEXT, PRIMARY KEY (t, id)) WITHOUT ROWID")
    records = []
    for origin, (first, last) in ranges.items():
        records += src.execute("SELECT origin, seq, table_name, row_id, op, rev, prev_rev FROM change_log "
                               "WHERE origin = ? AND seq BETWEEN ? AND ?", (origin, first, last)).fetchall()
        src.execute("INSERT OR IGNORE INTO ids SELECT table_name, row_id FROM change_log "
                    "WHERE origin = ? AND seq BETWEEN ? AND ?", (origin, first, last))
    present = {r[0] for r in src.execute("SELECT DISTINCT t FROM ids")}
    data = []
    for t in Base.metadata.sorted_tables:
        if t.name in present:
            cur = src.execute(f'SELECT * FROM "{t.name}" WHERE id IN (SELECT id FROM ids WHERE t = ?)', (t.name,))
            data.append((t.name, [d[0] for d in cur.description], cur.fetchall()))
    src.close()
    d = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        d.execute(f"PRAGMA {pragma}")
    t0, c0 = time.perf_counter(), time.process_time()
    d.execute("BEGIN IMMEDIATE")
    d.execute("PRAGMA defer_foreign_keys=ON")
    for name, cols, rows in data:
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        d.executemany(f'INSERT INTO "{name}" ({",".join(cols)}) VALUES ({",".join("?" * len(cols))}) '
                      f"ON CONFLICT(id) DO UPDATE SET {sets} WHERE excluded.rev > rev", rows)
    d.executemany("INSERT INTO change_log (origin, seq, table_name, row_id, op, rev, prev_rev) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", records)
    d.execute("COMMIT")
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    d.close()
    for f in target.parent.glob(target.name + "*"):
        f.unlink()
    return took, cpu


# -- building the data --------------------------------------------------------------------------------

def build_township(path: Path, villages: int, years: int) -> None:
    from desktop_app.core.demo import build_demo

    db = open_database(path)
    with db.begin("demo") as s:
        build_demo(s, villages=villages, years=years, seed=2026)
    db.close()


def post_month(path: Path, per_book: int, lines: int, month: date, seed: int) -> int:
    """Posted vouchers in every village book (the bulk service); returns entry lines posted."""
    from sqlalchemy import select

    from db.models import Book
    from desktop_app.core.services.users import list_users
    from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
    from desktop_app.core.services.voucher_lines import LineInput

    rng = random.Random(seed)
    db = open_database(path)
    n = 0
    with db.begin("bench") as s:
        user = list_users(s)[0]
        for book_id in s.scalars(select(Book.id).order_by(Book.id)).all():
            vouchers = []
            for i in range(per_book):
                amount = Decimal(rng.randint(100, 5_000_000)).scaleb(-2)
                half = lines // 2
                parts = [amount] * half
                vouchers.append(BulkVoucher(date(month.year, month.month, 1 + i % 28), f"同步基准凭证{i}",
                                            [LineInput(rng.choice(DEBIT), debit=d) for d in parts]
                                            + [LineInput(rng.choice(CREDIT), credit=d) for d in parts]))
                n += 2 * half
            try:
                bulk_post_vouchers(s, book_id, vouchers, maker=user)
            except Exception as exc:  # a book whose chart lacks an account: skip it
                print(f"  （跳过账套 {book_id}：{exc}）")
                n -= sum(len(v.lines) for v in vouchers)
    db.close()
    return n


def trust(town: Path, district: Path) -> None:
    import desktop_app.sync  # noqa: F401
    from desktop_app.sync import identity
    from desktop_app.sync.cards import parse_card

    a, b = open_database(town), open_database(district)
    try:
        with b.begin("admin") as s:
            identity.set_site(s, "district", "江宁区经管站", "320115")
        with a.begin("admin") as s:
            ca = parse_card(identity.my_card(s)[1])
        with b.begin("admin") as s:
            cb = parse_card(identity.my_card(s)[1])
            identity.trust_card(s, ca, actor="admin")
        with a.begin("admin") as s:
            identity.trust_card(s, cb, actor="admin")
    finally:
        a.close()
        b.close()


def package_ranges(town: Path, partner_db: Path) -> dict[str, tuple[int, int]]:
    """The ranges the last outbox package carried."""
    con = sqlite3.connect(town)
    row = con.execute("SELECT ranges_json FROM sync_outbox ORDER BY created_at DESC LIMIT 1").fetchone()
    con.close()
    return {o: (a, b) for o, (a, b) in json.loads(row[0]).items()}


def report(title: str, exp: dict[str, object], imp: dict[str, object], raw: dict[str, float]) -> None:
    rows = int(exp["changes"]) + int(exp["rows"])  # type: ignore[call-overload]
    mrows = rows / 1e6
    ew, iw = float(exp["wall"]), float(imp["wall"])  # type: ignore[arg-type]
    raw_export = raw["dump"] + raw["zstd"] + raw["sha"]
    raw_import = raw["parse"] + raw["sha"]
    print(f"\n== {title} ==")
    print(f"包：{exp['changes']:,} 条变更记录 + {exp['rows']:,} 行数据 = {rows:,} 行；文件 {int(exp['size']) / 1e6:.1f} MB"  # type: ignore[call-overload]
          f"（JSONL {raw['bytes'] / 1e6:.1f} MB，zstd 后 {raw['packed'] / 1e6:.1f} MB）")
    print(f"导出 export_package  墙钟 {ew:.2f} s（CPU {float(exp['cpu']):.2f} s），峰值内存 {float(exp['rss']):.0f} MB；"  # type: ignore[arg-type]
          f"每百万行 {ew / max(mrows, 1e-9):.2f} s")
    print(f"导入 import_package  墙钟 {iw:.2f} s（CPU {float(imp['cpu']):.2f} s），峰值内存 {float(imp['rss']):.0f} MB；"  # type: ignore[arg-type]
          f"每百万行 {iw / max(mrows, 1e-9):.2f} s；新记录 {imp['new']:,}，对账 {'一致' if imp['compared'] else '未比较'}；"
          f"含导入前备份的复制，其校验导入后补做 {float(imp.get('check') or 0):.2f} s（不计入）")  # type: ignore[arg-type]
    print(f"原始极限（同一批行）：JSONL 导出 {raw['dump']:.2f} s（{raw['lines'] / max(raw['dump'], 1e-9):,.0f} 行/s），"
          f"JSON 解析 {raw['parse']:.2f} s（{raw['lines'] / max(raw['parse'], 1e-9):,.0f} 行/s），"
          f"zstd {raw['zstd']:.2f} s（{raw['bytes'] / 1e6 / max(raw['zstd'], 1e-9):,.0f} MB/s），"
          f"SHA-256 {raw['sha'] * 1000:.1f} ms（{raw['package_bytes'] / 1e6 / max(raw['sha'], 1e-9):,.0f} MB/s），"
          f"stdlib executemany 写入同样的行和记录 {raw['upsert']:.2f} s")
    print(f"每百万行：导出 墙钟 {ew / max(mrows, 1e-9):.2f} s（CPU {float(exp['cpu']) / max(mrows, 1e-9):.2f} s）；"  # type: ignore[arg-type]
          f"原始极限 JSONL 导出 {raw['dump'] / max(mrows, 1e-9):.2f} s + zstd {raw['zstd'] / max(mrows, 1e-9):.2f} s"
          f" + SHA-256 {raw['sha'] / max(mrows, 1e-9):.2f} s（目标：导出 ≤ 10 s）")
    print(f"比值：导出 / (JSONL导出+zstd+SHA) = {ew / max(raw_export, 1e-9):.2f}x；"
          f"导入 / (解析+SHA) = {iw / max(raw_import, 1e-9):.2f}x；"
          f"导入 / (解析+SHA+executemany) = {iw / max(raw_import + raw['upsert'], 1e-9):.2f}x")
    # on a shared machine the wall clock waits for others: the CPU seconds compare the work itself
    raw_cpu = raw["parse_cpu"] + raw["upsert_cpu"]
    print(f"CPU：导入 {float(imp['cpu']):.2f} s，原始极限 解析 {raw['parse_cpu']:.2f} s + executemany "  # type: ignore[arg-type]
          f"{raw['upsert_cpu']:.2f} s = {raw_cpu:.2f} s；比值 {float(imp['cpu']) / max(raw_cpu, 1e-9):.2f}x")  # type: ignore[arg-type]


def scenario(title: str, town: Path, district: Path, stick: Path, runs: int) -> None:
    """Export + import (``runs`` times on fresh copies of the district); medians reported."""
    exps, imps = [], []
    raw: dict[str, float] = {}
    for run in range(runs):
        d = district.with_name(f"run{run}_{district.name}")
        backup_file(district, d)
        t = town.with_name(f"run{run}_{town.name}")
        backup_file(town, t)
        exp = run_child("_export", str(t), str(d), str(stick))
        assert exp["path"], "nothing to send"
        imp = run_child("_import", str(d), str(exp["path"]))
        if run == 0:
            raw = raw_limits(t, district, package_ranges(t, d), Path(str(exp["path"])))
        exps.append(exp)
        imps.append(imp)
        Path(str(exp["path"])).unlink()
        for p in (d, t):
            for f in p.parent.glob(p.name + "*"):
                f.unlink()
    med = {k: statistics.median(float(e[k]) for e in exps) for k in ("wall", "cpu", "rss")}  # type: ignore[arg-type]
    medi = {k: statistics.median(float(e[k]) for e in imps) for k in ("wall", "cpu", "rss", "check")}  # type: ignore[arg-type]
    report(f"{title}（{runs} 次的中位数）", {**exps[0], **med}, {**imps[0], **medi}, raw)


def pg_scenario(title: str, town: Path, district: Path, stick: Path, runs: int, server: str) -> None:
    """The same package imported into the district as a file and as a PostgreSQL database (a copy
    of the file's rows: db/pg_copy), each ``runs`` times on a fresh copy; beside them the two ways
    PostgreSQL can take the rows in bulk, on the same rows: COPY into a staging table then one
    INSERT … ON CONFLICT (what apply does) and executemany of INSERT … ON CONFLICT with casts."""
    from sqlalchemy import make_url

    from db.pg_copy import copy_to_server
    from tests.pg_support import create_database, drop_database, url_text

    base = make_url(server)
    t = town.with_name(f"pg_{town.name}")
    backup_file(town, t)
    d0 = district.with_name(f"pg_{district.name}")
    backup_file(district, d0)
    exp = run_child("_export", str(t), str(d0), str(stick))
    assert exp["path"], "nothing to send"
    package = Path(str(exp["path"]))
    lite, pg, bulk = [], [], []
    for run in range(runs):
        d = district.with_name(f"pgrun{run}_{district.name}")
        backup_file(district, d)
        lite.append(run_child("_import", str(d), str(package)))
        url = create_database(base)
        try:
            src = open_database(district)
            copy_to_server(src, url_text(url), work_dir=stick.parent / "pg-work")
            src.close()
            if run == 0:
                bulk.append(pg_bulk_ways(t, package_ranges(t, d0), url_text(url)))
            pg.append(run_child("_import", url_text(url), str(package)))
        finally:
            drop_database(base, str(url.database))
        for f in d.parent.glob(d.name + "*"):
            f.unlink()
    package.unlink()
    rows = int(exp["changes"]) + int(exp["rows"])  # type: ignore[call-overload]
    med = {k: (statistics.median(float(r[k]) for r in lite), statistics.median(float(r[k]) for r in pg))  # type: ignore[arg-type]
           for k in ("wall", "cpu", "rss")}
    print(f"\n== {title}：同一个包导入 SQLite 文件 / PostgreSQL（{runs} 次的中位数，{rows:,} 行） ==")
    print(f"导入 SQLite 墙钟 {med['wall'][0]:.2f} s（CPU {med['cpu'][0]:.2f} s，内存 {med['rss'][0]:.0f} MB）；"
          f"PostgreSQL 墙钟 {med['wall'][1]:.2f} s（本进程 CPU {med['cpu'][1]:.2f} s，内存 {med['rss'][1]:.0f} MB）；"
          f"比值 PG / SQLite = {med['wall'][1] / max(med['wall'][0], 1e-9):.2f}x")
    b = bulk[0]
    print(f"PostgreSQL 批量写入同样 {int(b['rows']):,} 行（原始极限，psycopg 直接）：COPY 入暂存表 + 一条 "
          f"INSERT … ON CONFLICT {b['copy']:.2f} s；executemany INSERT … ON CONFLICT（逐列类型转换）"
          f"{b['many']:.2f} s；比值 executemany / COPY = {b['many'] / max(b['copy'], 1e-9):.2f}x；"
          f"导入全程 / COPY 写入 = {med['wall'][1] / max(b['copy'], 1e-9):.2f}x")


def pg_bulk_ways(town: Path, ranges: dict[str, tuple[int, int]], url: str) -> dict[str, float]:
    """The package's row images written into an empty copy of the schema both ways, each in a
    transaction rolled back (so both start from the same state)."""
    import psycopg

    from desktop_app.sync import control

    src = sqlite3.connect(town)
    src.execute("CREATE TEMP TABLE ids (t TEXT, id TEXT, PRIMARY KEY (t, id)) WITHOUT ROWID")
    for origin, (first, last) in ranges.items():
        src.execute("INSERT OR IGNORE INTO ids SELECT table_name, row_id FROM change_log "
                    "WHERE origin = ? AND seq BETWEEN ? AND ?", (origin, first, last))
    data = []
    for t in control.syncable_tables():
        cur = src.execute(f'SELECT * FROM "{t.name}" WHERE id IN (SELECT id FROM ids WHERE t = ?)', (t.name,))
        rows = cur.fetchall()
        if rows:
            data.append((t, [d[0] for d in cur.description], rows))
    src.close()
    out = {"rows": float(sum(len(r) for _, _, r in data))}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as con:
        types = {(t, c): ty for t, c, ty in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'")}
        for way in ("copy", "many"):
            t0 = time.perf_counter()
            with con.transaction(force_rollback=True):
                for table, cols, rows in data:
                    names = ", ".join(f'"{c}"' for c in cols)
                    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
                    tail = f'ON CONFLICT (id) DO UPDATE SET {sets} WHERE excluded.rev > "{table.name}".rev'
                    if way == "copy":
                        con.execute(f'CREATE TEMP TABLE "s_{table.name}" AS SELECT {names} FROM "{table.name}" LIMIT 0')
                        with con.cursor().copy(f'COPY "s_{table.name}" ({names}) FROM STDIN') as cp:
                            for r in rows:
                                cp.write_row(r)
                        con.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "s_{table.name}" {tail}')
                    else:
                        own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
                        if own:  # row by row, a parent must come before its children (COPY's one statement needs not)
                            rows = _parents_first(rows, cols.index("id"), cols.index(own[0]))
                        casts = ", ".join(f"%s::text::{types[(table.name, c)]}" for c in cols)
                        con.cursor().executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({casts}) {tail}',
                                                 [tuple(str(v) if v is not None else None for v in r) for r in rows])
            out[way] = time.perf_counter() - t0
    return out


def _parents_first(rows: list[Any], at_id: int, at_ref: int) -> list[Any]:
    out: list[Any] = []
    done: set[Any] = set()
    pending = rows
    while pending:
        later = []
        for r in pending:
            if r[at_ref] is None or r[at_ref] in done:
                out.append(r)
                done.add(r[at_id])
            else:
                later.append(r)
        if len(later) == len(pending):
            return out + later
        pending = later
    return out


def digest_costs(town: Path, runs: int) -> None:
    """The village digests a monthly package needs: kept ones brought up to date from the month's
    change-log slice (what export does now) beside a recompute from every row (what it did per
    touched village before) and the raw limit: stdlib sha256 of the same (table|id|rev) strings."""
    from desktop_app.sync import control

    refresh, full, raw = [], [], []
    rows = 0
    for run in range(runs):
        copy = town.with_name(f"digest{run}_{town.name}")
        backup_file(town, copy)
        con = sqlite3.connect(copy)
        t0 = time.perf_counter()
        control.refresh_digests(con.cursor())
        refresh.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = sum(n for _, n in control.full_digests(con.cursor()).values())
        full.append(time.perf_counter() - t0)
        texts = [f"{t}|{i}|{r}" for name, p in control.org_paths().items()
                 for t, i, r in con.execute(f'SELECT \'{name}\', a0.id, a0.rev FROM "{name}" a0')]
        t0 = time.perf_counter()
        for text in texts:
            hashlib.sha256(text.encode()).digest()
        raw.append(time.perf_counter() - t0)
        con.close()
        for f in copy.parent.glob(copy.name + "*"):
            f.unlink()
    r, f, h = statistics.median(refresh), statistics.median(full), statistics.median(raw)
    print(f"\n== 各村状态摘要（{runs} 次的中位数） ==")
    print(f"按本月变更日志更新保存的摘要 {r * 1000:.0f} ms；按全部 {rows:,} 行重算 {f * 1000:.0f} ms"
          f"（原始极限：stdlib sha256 同样 {len(texts):,} 个字符串 {h * 1000:.0f} ms）；"
          f"比值：更新 / 重算 = {r / max(f, 1e-9):.3f}x，重算 / 原始极限 = {f / max(h, 1e-9):.2f}x")


def carry(src: Path, dst: Path, stick: Path) -> None:
    exp = run_child("_export", str(src), str(dst), str(stick))
    if exp["path"]:
        run_child("_import", str(dst), str(exp["path"]))
        Path(str(exp["path"])).unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--township", type=Path, help="a demo township database built beforehand (copied)")
    ap.add_argument("--villages", type=int, default=30)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--extra-lines", type=int, default=0, help="bulk-posted entry lines added for the seed")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench_sync")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-seed", action="store_true")
    ap.add_argument("--pg", help="a PostgreSQL server URL (postgresql+psycopg://…; scripts/pg-test-server.sh): "
                                 "the seed's import also into a district there, figures beside SQLite's")
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    (args.work / "stick").mkdir(parents=True)
    town, district, stick = args.work / "town" / "town.db", args.work / "district" / "district.db", args.work / "stick"
    t0 = time.perf_counter()
    if args.township:
        backup_file(args.township, town)
    else:
        town.parent.mkdir(parents=True)
        build_township(town, args.villages, args.years)
    if args.extra_lines:
        books = sqlite3.connect(town).execute("SELECT COUNT(*) FROM book").fetchone()[0]
        per_book = max(1, args.extra_lines // (books * 10))
        posted = post_month(town, per_book, 10, date(2026, 12, 1), seed=1)
        print(f"（另以 bulk_post_vouchers 记账 {posted:,} 行分录）")
    open_database(district).close()
    trust(town, district)
    con = sqlite3.connect(town)
    total = sum(con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for (t,) in con.execute(
        "SELECT DISTINCT table_name FROM change_log").fetchall())
    con.close()
    print(f"准备数据 {time.perf_counter() - t0:.0f} s：乡镇同步数据 {total:,} 行")

    if not args.skip_seed:
        scenario("全量首包（乡镇 → 区）", town, district, stick, args.runs)
    if args.pg:
        pg_scenario("全量首包", town, district, stick, args.runs, args.pg)
    # the district holds the seed and has acknowledged it; then one month of work in every village
    carry(town, district, stick)
    carry(district, town, stick)
    posted = post_month(town, per_book=60, lines=4, month=date(2026, 12, 1), seed=2)
    print(f"\n（一个月的工作：每个账套 60 张凭证，共 {posted:,} 行分录）")
    scenario("一个月的增量包（乡镇 → 区）", town, district, stick, args.runs)
    digest_costs(town, args.runs)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_export":
        child_export(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_import":
        child_import(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
