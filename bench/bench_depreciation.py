"""A township's month of depreciation (计提折旧) against the machine's limit (issue #18).

    .venv/bin/python bench/bench_depreciation.py [--books 20] [--cards 2500] [--modes batch,gui]
                                                 [--period 2026-01] [--history 0] [--tree DIR]
                                                 [--repeat 1]

Built untimed, by the program's own services: a township (regions, ``--books`` village
organisations each with a book opened at ``--period`` on the 2023 chart) and ``--cards`` fixed
asset cards per book written as the demo and the asset import write them (``bulk_insert`` of
cards, ``first_period`` the book's start), so every card needs the month's depreciation;
``--history K`` runs the K months before the timed one first (untimed), so the run meets a
year's charged months as at a December month end.

Timed, each in a fresh process (modules imported before the clock; CPU by ``getrusage``), on a
copy of that database:

- ``batch``: ``depreciation.run_depreciation_books`` of every book in one committed transaction —
  the township's month end (DESIGN-NOTES 25; the demo's run);
- ``gui``: the 资产 page's 计提折旧 for each book in turn (``run_depreciation``, each its own
  committed write transaction, as ``ctx.call`` runs it).

Then the raw limit, in the same run: every row the run wrote or changed — the new rows of every
table and the rows it updated, found by diffing the finished file against the copy taken before
the run (by primary key, rowid for tables without one) — written with stdlib ``sqlite3``
``executemany`` (INSERTs of the new rows, UPDATEs of the changed rows by primary key) into
another copy of the database as it was before the run, with the program's pragmas
(foreign_keys=ON, WAL, synchronous=FULL), in one transaction.

Printed per size (N/4 = a quarter of the cards per book, and N): wall and CPU of the run and of
the raw limit, the CPU ratio against the goal (≤ 2.5x), rows written, and CPU ms per card (linear
when N/4 and N agree). ``--tree`` runs the timed phase with another checkout's code (before/after).
``--repeat K`` times the run and the raw limit K times each on fresh copies and keeps the least
CPU of each (the steadiest figure on a machine shared with other work). ``--before DIR`` times
that checkout too, in turns with ``--tree`` on the same copies, against the same raw limit (a
paired before/after). ``--keep DIR`` builds each size's database once into DIR and reuses it (a
December build runs eleven months first); ``--sizes N`` skips the N/4 size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("BENCH_TREE", str(ROOT)))  # --tree: that checkout's code

GOAL = 2.5
KINDS = (("房屋及建筑物", "幢", 240, "经营性", "自用"), ("机器设备", "台", 120, "经营性", "出租"),
         ("运输设备", "辆", 96, "非经营性", "自用"), ("办公设备", "台", 60, "公益性", "自用"),
         ("其他", "套", 120, "非经营性", "闲置"))


def cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def build(path: Path, books: int, cards: int, period: str, history: int = 0) -> None:
    """The township: regions, ``books`` villages with a book each from ``period``, ``cards`` cards
    per book, and ``history`` months already charged (the batch run of each month)."""
    from db.changelog import bulk_insert
    from db.migrate import open_database
    from db.models import Asset
    from db.types import uuid7
    from desktop_app.core.ids import make_uscc
    from desktop_app.core.services.orgs import create_book, create_organisation, create_region
    from desktop_app.core.services.users import create_user

    db = open_database(path)
    with db.begin("bench") as s:
        user = create_user(s, username="kj", display_name="王会计", password="secret1", roles=["bookkeeper"])
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道")):
            create_region(s, code=code, name=name, user=user)
        made = []
        for i in range(books):
            region = f"320115106{201 + i:03d}"
            create_region(s, code=region, name=f"第{i + 1}村村民委员会", user=user)
            org = create_organisation(s, name=f"第{i + 1}村股份经济合作社", level="村",
                                      uscc=make_uscc(f"N2320115MF{i + 1:07d}"), region_code=region, user=user)
            made.append(create_book(s, organisation_id=org.id, name=f"第{i + 1}村股份经济合作社",
                                    kind="股份经济合作社", start_period=period, user=user))
        y = int(period[:4])
        for book in made:
            rows: list[dict[str, Any]] = []
            for j in range(cards):
                category, unit, life, nature, status = KINDS[j % len(KINDS)]
                use = "公益" if nature == "公益性" else "出租" if status == "出租" else \
                    "生产" if nature == "经营性" else "管理"
                cost = (Decimal(5000 + (j * 37) % 900_000) + Decimal(j % 100) / 100).quantize(Decimal("0.01"))
                rows.append({
                    "id": uuid7(), "organisation_id": book.organisation_id, "book_id": book.id,
                    "code": f"ZC{j:05d}", "name": f"{category[:2]}{j}号", "category": category, "nature": nature,
                    "use_kind": use, "location": None, "quantity": Decimal(1), "unit": unit, "area_m2": None,
                    "acquisition_mode": "购建", "funding_source": "集体自有资金",
                    "acquired_on": date(y - 1 - j % 8, 1 + j % 12, 1), "original_value": cost,
                    "useful_life_months": life, "residual_rate": Decimal(5), "method": "年限平均法",
                    "total_workload": None, "workload_unit": None,
                    "opening_accumulated": (cost * Decimal("0.10")).quantize(Decimal("0.01")) if j % 3 else Decimal("0.00"),
                    "opening_workload": None, "first_period": period, "status": status, "custodian": None,
                    "title_no": None, "poverty_alleviation": False, "project_id": None, "contract_id": None,
                    "acquisition_voucher_id": None, "disposed_on": None, "notes": "清产核资入账"})
            bulk_insert(s, Asset, rows)
        for i in range(history):  # the months before, run as the township runs them (untimed)
            from desktop_app.core.periods import add_months
            from desktop_app.core.services.depreciation import run_depreciation_books

            run_depreciation_books(s, book_ids=[b.id for b in made], period=add_months(period, i), user=user)
    db.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def phase(mode: str, db_path: Path, period: str) -> dict[str, float]:
    """One timed run in this process (the modules imported first, as in a running program)."""
    from db.migrate import open_database
    from desktop_app.core.services import depreciation
    from desktop_app.core.services.orgs import list_books, list_organisations
    from desktop_app.core.services.users import list_users

    db = open_database(db_path)
    with db.read("bench") as s:
        user = next(u for u in list_users(s) if u.username == "kj")
        books = [b.id for o in list_organisations(s) for b in list_books(s, o.id)]
    t, c = time.perf_counter(), cpu()
    charged = 0
    if mode == "batch":
        with db.begin("kj") as s:
            got = depreciation.run_depreciation_books(s, book_ids=books, period=period, user=user)
            charged = sum(len(v) for v in got.values())
    else:
        for b in books:
            with db.begin("kj") as s:
                charged += len(depreciation.run_depreciation(s, book_id=b, period=period, user=user).charges)
    wall, used = time.perf_counter() - t, cpu() - c
    db.close()
    return {"seconds": wall, "cpu": used, "cards": charged}


def _rows(con: sqlite3.Connection, table: str) -> tuple[list[str], list[str], dict[tuple[Any, ...], tuple[Any, ...]]]:
    """(columns, key columns, rows by key) of a table; key = primary key, else rowid."""
    info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    cols = [r[1] for r in info]
    pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
    key = pk or ["rowid"]
    sel = ", ".join(f'"{c}"' for c in cols)
    at = [len(cols) + i for i in range(len(key))] if not pk else [cols.index(k) for k in key]
    extra = ", rowid" if not pk else ""
    out = {}
    for r in con.execute(f'SELECT {sel}{extra} FROM "{table}"'):
        out[tuple(r[i] for i in at)] = tuple(r[:len(cols)])
    return cols, key, out


def diff(before: Path, after: Path) -> dict[str, tuple[list[str], list[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Per table: (columns, key, new rows, changed rows) of ``after`` against ``before``."""
    a, b = sqlite3.connect(before), sqlite3.connect(after)
    tables = [n for (n,) in b.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    out = {}
    for t in tables:
        cols, key, old = _rows(a, t)
        _, _, new = _rows(b, t)
        gone = [k for k in old if k not in new]
        if gone:
            raise SystemExit(f"the run deleted rows of {t}: not expected")
        added = [v for k, v in new.items() if k not in old]
        changed = [v for k, v in new.items() if k in old and old[k] != v]
        if added or changed:
            out[t] = (cols, key, added, changed)
    a.close()
    b.close()
    return out


def raw_limit(before: Path, rows: dict[str, tuple[list[str], list[str], list[tuple[Any, ...]], list[tuple[Any, ...]]]],
              dst: Path) -> dict[str, float]:
    """stdlib executemany of those rows into a copy of ``before``, one transaction."""
    shutil.copy(before, dst)
    con = sqlite3.connect(dst, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
        con.execute(f"PRAGMA {pragma}")
    t, c = time.perf_counter(), cpu()
    con.execute("BEGIN IMMEDIATE")
    n = 0
    for table, (cols, key, added, changed) in rows.items():
        if added:
            con.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})', added)
        if changed:
            if key == ["rowid"]:
                raise SystemExit(f"changed rows of {table} without a primary key")
            at = [cols.index(k) for k in key]
            sets = ", ".join(f'"{c}" = ?' for c in cols if c not in key)
            where = " AND ".join(f'"{k}" = ?' for k in key)
            con.executemany(f'UPDATE "{table}" SET {sets} WHERE {where}',
                            [tuple(v for i, v in enumerate(r) if cols[i] not in key) + tuple(r[i] for i in at)
                             for r in changed])
        n += len(added) + len(changed)
    con.execute("COMMIT")
    wall, used = time.perf_counter() - t, cpu() - c
    con.close()
    return {"seconds": wall, "cpu": used, "rows": n}


def run_phase(tree: Path, mode: str, db_path: Path, period: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree), BENCH_TREE=str(tree))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--phase", mode, "--db", str(db_path),
                          "--period", period], cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--books", type=int, default=20)
    ap.add_argument("--cards", type=int, default=2500, help="cards per book at N")
    ap.add_argument("--period", default="2026-01", help="the books' first month")
    ap.add_argument("--history", type=int, default=0,
                    help="months already charged before the timed one (11: December's run of a year's books)")
    ap.add_argument("--modes", default="batch,gui")
    ap.add_argument("--tree", type=Path, default=ROOT, help="checkout whose code the timed phase runs")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time the run and the raw limit this many times each (fresh copies), keep the least CPU")
    ap.add_argument("--before", type=Path, help="another checkout timed in turns with --tree (paired)")
    ap.add_argument("--keep", type=Path, help="build each size's database once into this folder and reuse it")
    ap.add_argument("--sizes", default="quarter,full", help="quarter,full or full")
    ap.add_argument("--phase")
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.db, args.period)))
        return
    from desktop_app.core.periods import add_months

    month = add_months(args.period, args.history)
    print(f"负载 {os.getloadavg()[0]:.2f}；代码 {args.tree}；计提 {month}（此前已计提 {args.history} 个月）")
    per_card: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sizes = {args.cards} if args.sizes == "full" else {max(1, args.cards // 4), args.cards}
        trees = [args.tree] if args.before is None else [args.before, args.tree]
        for cards in sorted(sizes):
            base = tmp / f"base{cards}.db"
            t = time.perf_counter()
            kept = None if args.keep is None else args.keep / f"{args.books}x{cards}-{args.period}-{args.history}.db"
            if kept is not None and kept.exists():
                shutil.copy(kept, base)
            else:
                build(base, args.books, cards, args.period, args.history)
                if kept is not None:
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(base, kept)
            n = args.books * cards
            print(f"{args.books} 个账套，每个 {cards} 张卡片，共 {n} 张：建库 {time.perf_counter() - t:.1f} 秒（不计时）")
            for mode in args.modes.split(","):
                work = tmp / f"{mode}{cards}.db"
                runs, raws = [], []
                paired: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
                for k in range(max(1, args.repeat)):  # on a shared machine the least CPU is the steadiest figure
                    for tree in trees:  # before and after in turns, each on a fresh copy
                        for p in tmp.glob(f"{mode}{cards}.db*"):
                            p.unlink()
                        shutil.copy(base, work)
                        paired[tree].append(run_phase(tree, mode, work, month))
                    runs = paired[args.tree]
                    if k == 0:
                        con = sqlite3.connect(work)
                        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        con.close()
                        rows = diff(base, work)
                    for p in tmp.glob(f"raw{mode}{cards}.db*"):
                        p.unlink()
                    raws.append(raw_limit(base, rows, tmp / f"raw{mode}{cards}.db"))
                got, raw = min(runs, key=lambda r: r["cpu"]), min(raws, key=lambda r: r["cpu"])
                ratio = got["cpu"] / raw["cpu"]
                per_card.setdefault(mode, {})[n] = got["cpu"] / n * 1000
                added = sum(len(v[2]) for v in rows.values())
                changed = sum(len(v[3]) for v in rows.values())
                detail = "，".join(f"{t_} +{len(v[2])}" + (f"/~{len(v[3])}" if v[3] else "")
                                  for t_, v in sorted(rows.items(), key=lambda x: -len(x[1][2]) - len(x[1][3])))
                label = "批量（run_depreciation_books，一个事务）" if mode == "batch" else "逐账套（资产页 计提折旧，每账套一个事务）"
                print(f"  {label}：计提 {got['cards']} 张" + (f"（各 {len(runs)} 次取 CPU 最少者）" if len(runs) > 1 else ""))
                print(f"    运行     墙钟 {got['seconds']:7.2f} 秒，CPU {got['cpu']:7.2f} 秒，{per_card[mode][n]:.3f} ms/张（CPU）")
                print(f"    executemany 同样的行 墙钟 {raw['seconds']:7.2f} 秒，CPU {raw['cpu']:7.2f} 秒"
                      f"（新增 {added} 行，更新 {changed} 行）")
                print(f"    CPU 比 {ratio:.2f}x（目标 ≤ {GOAL}x），墙钟比 {got['seconds'] / raw['seconds']:.2f}x")
                if args.before is not None:
                    was = min(paired[args.before], key=lambda r: r["cpu"])
                    print(f"    此前（{args.before}）CPU {was['cpu']:7.2f} 秒，CPU 比 {was['cpu'] / raw['cpu']:.2f}x"
                          f" → 现在 {ratio:.2f}x（同一次运行，轮流计时）")
                print(f"    各表：{detail}")
                for p in tmp.glob(f"*{mode}{cards}.db*"):
                    p.unlink()
            for p in tmp.glob(f"base{cards}.db*"):
                p.unlink()
    for mode, sizes in per_card.items():
        if len(sizes) == 2:
            (n1, a), (n2, b) = sorted(sizes.items())
            print(f"{mode}：{n1} 张 {a:.3f} ms/张，{n2} 张 {b:.3f} ms/张（N/N4 每张之比 {b / a:.2f}，线性为 1）")
    print(f"负载 {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
