"""Import of the books' kinds from xlsx beside python-calamine reading the same file (issue #18).

    .venv/bin/python bench/bench_import_books.py [--kinds vouchers,contracts,orgs,opening]
        [--vouchers 100000] [--contracts 20000] [--orgs 300] [--accounts 300] [--runs 1] [--full-only]
        [--before /tmp/earlier_checkout]

For each kind one file is written with openpyxl ``write_only`` at the size a township really
reaches, and at a quarter of it (the cost per row at N/4 and N shows whether it is linear):

- 凭证 (``vouchers``): 100,000 journal lines (a township's year is ~100k–300k lines; one file is
  one book's journal, a big village's year or a township's small books merged), vouchers of 2, 3
  and 4 lines over the 12 months of 2026, 科目编码 + 科目名称 path as the flat export writes them;
- 合同 (``contracts``): 20,000 contracts. A village keeps tens to a few hundred; the biggest
  organisation's register (a township's 联合社 leasing every household's plot, or a village
  moving ten years of land leases in) reaches thousands, so 20,000 is the size with a margin.
  Each contract writes its schedule (5 years, 年付: 5–6 installments and as many recognitions),
  so 20,000 contracts store ~250,000 rows — the member import's 100,000 rows' order;
- 组织与账套 (``orgs``): 300 villages with one book each (a big county's township list; each book
  copies the ~200-account chart, 60,000 account rows);
- 期初余额 (``opening``): every leaf of a book whose chart has ``--accounts`` accounts (the
  national chart plus 明细科目 under 应收款/应付款 up to that count).

Each measurement runs in its own process (its peak memory, ru_maxrss, is its own), CPU via
``getrusage`` as ``bench_import.phase``:

- ``calamine``: python-calamine reading the file into Python rows (the raw limit);
- ``dry``: ``importers.run_import(..., apply=False)`` (the preview, rolled back);
- ``apply``: the same with ``apply=True``, committed, on a fresh copy of the prepared village/book;
- ``write limit``: stdlib sqlite3 ``executemany`` of exactly the rows the applied import stored
  (its tables, change log, audit entries), read back after it committed and inserted into another
  fresh copy with the program's pragmas (as ``bench_import.raw_writes``).

Prints each figure beside calamine's, the ratios against the goal (dry ≤ 2x, apply ≤ 4x), the cost
per row at N/4 and N and the peak memory. Load from other work: ``uptime`` is printed first.
"""

from __future__ import annotations

import argparse
import json
import os
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

USCC = "N2320115MF00000121"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强桂兰海燕明华丽娟文军晓东玉梅春生"


def peak_mb() -> float:
    """This process's peak resident memory in MB: VmHWM (reset by exec), not ``ru_maxrss``, which
    Linux carries over from the parent that forked this phase (the parent wrote the files and read
    the write limit's rows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


# --- the prepared database --------------------------------------------------------------------

def make_base(path: Path, accounts: int) -> None:
    """bench_import's village (东湖村, user kj 记账员) with one 2023 book started 2026-01 whose chart
    is made up to ``accounts`` accounts with 明细科目 (应收款/应付款 persons)."""
    from bench.bench_import import make_village
    from db.migrate import open_database
    from desktop_app.core.services.orgs import add_sub_account, create_book, find_organisation, list_accounts
    from desktop_app.core.services.users import list_users

    make_village(path)
    db = open_database(path)
    with db.begin("bench") as s:
        org = find_organisation(s, USCC)
        maker = next(u for u in list_users(s) if u.username == "kj")
        book = create_book(s, organisation_id=org.id, name="东湖村股份经济合作社", kind="股份经济合作社",
                           start_period="2026-01", chart_version="2023", user=maker)
        have = len(list_accounts(s, book.id))
        for i in range(max(0, accounts - have)):
            parent = ("112", "211", "113")[i % 3]
            name = SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i * 7 + 3) % 20] + str(i // 800 or "")
            add_sub_account(s, book_id=book.id, parent_code=parent, code=f"{parent}{i // 3 + 1:02d}", name=name,
                            user=maker)
    db.close()


def book_leaves(db_path: Path) -> list[tuple[str, str, str]]:
    """(code, name path, normal side) of the prepared book's leaves that are in use."""
    from db.migrate import open_database
    from desktop_app.core.services.funds_base import book_accounts
    from desktop_app.core.services.orgs import find_organisation, list_books
    from desktop_app.core.services.voucher_import import AccountFinder

    db = open_database(db_path)
    with db.read("bench") as s:
        org = find_organisation(s, USCC)
        book = list_books(s, org.id)[0]
        finder = AccountFinder(book_accounts(s, book.id))
        out = [(a.code, finder.path_text(a), a.normal_side) for a in finder.accounts.values() if a.is_leaf and a.active]
    db.close()
    return sorted(out)


# --- the files --------------------------------------------------------------------------------

def write_vouchers(path: Path, lines: int, leaves: list[tuple[str, str, str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("凭证")
    ws.append(["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方", "往来单位"])
    number: dict[int, int] = {}
    i = v = 0
    while i < lines:
        size = min(2 + v % 3, lines - i) if lines - i >= 2 else 2
        month = v * 12 // max(1, lines // 3) % 12 + 1
        number[month] = number.get(month, 0) + 1
        day = date(2026, month, 1 + v % 28)
        summary = ("收取农机服务费", "支付电费", "收回欠款", "发放误工补贴", "购买办公用品")[v % 5]
        amount = Decimal(100 + (v * 37) % 90000) + Decimal((v * 13) % 100) / 100
        debit_lines = size - 1
        part = (amount / debit_lines).quantize(Decimal("0.01"))
        for k in range(size):
            code, name, _ = leaves[(v * 7 + k * 13) % len(leaves)]
            if k < debit_lines:
                d = part if k < debit_lines - 1 else amount - part * (debit_lines - 1)
                row = [day, f"记-{number[month]}", summary, code, name, d, None, SURNAMES[v % 20] + "某"]
            else:
                row = [day, f"记-{number[month]}", summary, code, name, None, amount, None]
            ws.append(row)
        i += size
        v += 1
    wb.save(path)


def write_contracts(path: Path, n: int) -> None:
    from openpyxl import Workbook

    from desktop_app.core.ids import make_ric

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("合同台账")
    ws.append(["合同编号", "合同名称", "合同类型", "标的", "位置", "地类", "面积（亩）", "承包方名称", "承包方类型",
               "证件号码", "联系电话", "签订日期", "起始日期", "终止日期", "期限（年）", "年租金", "递增条款", "付款方式",
               "计费周期", "缴款期限（天）", "保证金", "书面合同", "备注"])
    for i in range(n):
        person = i // 2  # a lessee often holds two plots
        birth = date(1950, 1, 1) + timedelta(days=(person * 7) % 20000)
        ric = make_ric("320115", birth, person % 1000)
        name = SURNAMES[person % 20] + GIVEN[(person * 3) % 20] + GIVEN[(person * 7 + 1) % 20]
        start = date(2024 + i % 3, 1 + i % 12, 1)
        years = 3 + i % 5
        end = date(start.year + years, start.month, 1) - timedelta(days=1)
        ws.append([f"HT{i + 1:06d}", f"第{i % 15 + 1}组{i}号地承包合同", "资源发包", f"第{i % 15 + 1}组{i}号地",
                   f"东湖村第{i % 15 + 1}组", ("耕地", "园地", "林地", "水面")[i % 4], Decimal(1 + i % 40) + Decimal("0.5"),
                   name, "个人", ric, f"139{i:08d}", start - timedelta(days=10), start, end, years,
                   Decimal(800 + (i * 37) % 20000), "每3年递增5%" if i % 4 == 0 else "无", ("年付", "半年付", "季付")[i % 3],
                   "按自然年度" if i % 2 else "按合同年度", 30, 0, "是", "" if i % 7 else "续签"])
    wb.save(path)


def write_orgs(path: Path, n: int) -> None:
    from openpyxl import Workbook

    from desktop_app.core.ids import make_uscc
    from desktop_app.excel.import_orgs import COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("组织与账套")
    ws.append(list(COLUMNS))
    for i in range(n):
        town, village = divmod(i, 250)
        region = f"320115{107 + town:03d}{201 + village:03d}"
        name = f"{SURNAMES[i % 20]}{GIVEN[(i * 3) % 20]}{i}村"
        uscc = make_uscc(f"N2320115MF{i + 100:07d}")
        ws.append([f"{name}股份经济合作社", "村", uscc, region, name, f"第{town + 1}街道", "王建国", "13900000000",
                   f"{name}村部", f"{name}股份经济合作社", "股份经济合作社", "2023", "2026-01", None])
    wb.save(path)


def write_opening(path: Path, leaves: list[tuple[str, str, str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("期初余额")
    ws.append(["科目编码", "科目名称", "借方余额", "贷方余额"])
    rows = []
    for i, (code, name, side) in enumerate(leaves):
        amount = Decimal(1000 + (i * 7919) % 500000) + Decimal(i % 100) / 100
        rows.append([code, name, amount if side == "借" else None, amount if side != "借" else None])
    debit = sum((r[2] for r in rows if r[2] is not None), Decimal(0))
    credit = sum((r[3] for r in rows if r[3] is not None), Decimal(0))
    last = next(r for r in reversed(rows) if r[3] is not None)  # a 贷 leaf takes the difference
    last[3] += debit - credit
    if last[3] < 0:
        last[2], last[3] = -last[3], None
    for r in rows:
        ws.append(r)
    wb.save(path)


# --- one measurement --------------------------------------------------------------------------

def phase(kind: str, stage: str, file: Path, db_path: Path) -> dict[str, float]:
    t, c = time.perf_counter(), cpu()
    if stage == "calamine":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0).to_python()
        n = len(rows) - 1
        counts: dict[str, Any] = {}
    else:
        from db.migrate import open_database
        from desktop_app.core.services.orgs import find_organisation, list_books
        from desktop_app.core.services.users import list_users
        from desktop_app.excel import importers

        importers._load()  # every kind's module imported, as in a running program
        import stdnum.cn.ric
        import stdnum.cn.uscc  # noqa: F401

        db = open_database(db_path)
        t, c = time.perf_counter(), cpu()
        with db.read("bench") if stage == "dry" else db.begin("bench") as s:
            maker = next(u for u in list_users(s) if u.username == "kj")
            s.info["cli_user"] = maker  # as the CLI's --user
            org_id = book_id = None
            if kind != "orgs":
                org = find_organisation(s, USCC)
                org_id, book_id = org.id, list_books(s, org.id)[0].id
            check, done = importers.run_import(s, kind, file, organisation_id=org_id, book_id=book_id, mode="add",
                                               apply=stage == "apply", user=maker)
        if check.problems:
            raise SystemExit(f"{kind} refused: {[str(p) for p in check.problems[:3]]}")
        counts = {"new": check.count("new"), "message": done.message if done else ""}
        db.close()
    seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
    if stage != "calamine":  # the clock has stopped: the file's data rows, for the per-row figures
        from python_calamine import CalamineWorkbook

        n = len(CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0).to_python()) - 1
    return {"seconds": seconds, "cpu": cpu_seconds, "mb": peak_mb(),
            "rows": n, **counts}


WRITTEN = {"vouchers": ("voucher", "entry", "summary_phrase"),
           "contracts": ("contract_counterparty", "contract", "contract_installment", "contract_recognition"),
           "orgs": ("region", "organisation", "book", "account"), "opening": ("opening_balance",)}


def raw_writes(kind: str, done: Path, base: Path) -> tuple[float, float, int]:
    """(wall, CPU seconds, rows) for stdlib sqlite3 ``executemany`` to store exactly the rows the applied
    import stored in ``done`` (its tables, change-log records and audit entries) into a fresh copy of
    the prepared database, with the program's pragmas: the raw cost of the writes alone."""
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
        if t in ("opening_balance",):  # replaced, not only added: write the table whole
            rows = [r[width:] for r in src.execute(f"SELECT {key}, {', '.join(cols)} FROM {t}")]
            dst.execute(f"DELETE FROM {t}")
        count += len(rows)
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
    return seconds, cpu_seconds, count


def run(kind: str, stage: str, file: Path, db_path: Path, tree: Path | None = None) -> dict[str, Any]:
    """One phase in its own process; ``tree``: another checkout (``--before``) whose code runs it."""
    script = str(tree / "bench" / "bench_import_books.py") if tree is not None else __file__
    out = subprocess.run([sys.executable, script, "--phase", f"{kind}:{stage}", "--file", str(file), "--db",
                          str(db_path)], check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} {stage} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


LABELS = {"vouchers": "凭证", "contracts": "合同", "orgs": "组织与账套", "opening": "期初余额"}


def bench_kind(kind: str, sizes: list[int], tmp: Path, base: Path, runs: int,
               leaves: list[tuple[str, str, str]], before: Path | None = None) -> None:
    per_row: dict[str, list[float]] = {"calamine": [], "dry": [], "apply": []}
    for n in sizes:
        file = tmp / f"{kind}{n}.xlsx"
        if kind == "vouchers":
            write_vouchers(file, n, leaves)
        elif kind == "contracts":
            write_contracts(file, n)
        elif kind == "orgs":
            write_orgs(file, n)
        else:
            write_opening(file, leaves[:: len(leaves) // n] if n < len(leaves) else leaves)  # spread over the chart
        results: dict[str, list[dict[str, Any]]] = {"calamine": [], "dry": [], "apply": []}
        earlier: dict[str, list[dict[str, Any]]] = {"dry": [], "apply": []}  # the --before tree's
        for i in range(runs):
            for stage in results:  # interleaved: load from other work hits every stage alike
                if before is not None and stage in earlier:
                    db_path = tmp / f"{kind}{n}_{i}_{stage}_before.db"
                    shutil.copy(base, db_path)
                    for suffix in ("-wal", "-shm"):
                        if Path(str(base) + suffix).exists():
                            shutil.copy(Path(str(base) + suffix), Path(str(db_path) + suffix))
                    earlier[stage].append(run(kind, stage, file, db_path, before))
                    db_path.unlink()
                db_path = tmp / f"{kind}{n}_{i}_{stage}.db"
                shutil.copy(base, db_path)
                for suffix in ("-wal", "-shm"):
                    if Path(str(base) + suffix).exists():
                        shutil.copy(Path(str(base) + suffix), Path(str(db_path) + suffix))
                results[stage].append(run(kind, stage, file, db_path))
                if stage == "apply":
                    results[stage][-1]["raw"], results[stage][-1]["raw_cpu"], results[stage][-1]["raw_rows"] = \
                        raw_writes(kind, db_path, base)
                db_path.unlink()
        rows = results["calamine"][0]["rows"]
        med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
        cpu_med = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
        mem = {k: max(r["mb"] for r in v) for k, v in results.items()}
        print(f"{LABELS[kind]} {rows} 行（{file.stat().st_size // 1024} KB）：{results['apply'][0].get('message', '')}")
        for stage, goal in (("calamine", 0.0), ("dry", 2.0), ("apply", 4.0)):
            ms = cpu_med[stage] / max(rows, 1) * 1000
            per_row[stage].append(ms)
            ratio = "" if not goal else (f"；CPU {cpu_med[stage] / cpu_med['calamine']:.2f}x calamine"
                                         f"（目标 ≤ {goal:.0f}x），墙钟 {med[stage] / med['calamine']:.2f}x")
            label = {"calamine": "  calamine 读同一文件", "dry": "  检查（dry run）", "apply": "  导入并写入"}[stage]
            print(f"{label}：墙钟 {med[stage]:.2f} 秒，CPU {cpu_med[stage]:.2f} 秒，{ms:.3f} ms/行（CPU），"
                  f"峰值内存 {mem[stage]:.0f} MB{ratio}")
        for stage, goal in (("dry", 2.0), ("apply", 4.0)):
            if earlier[stage]:
                was = statistics.median(r["cpu"] for r in earlier[stage])
                print(f"  {'检查' if stage == 'dry' else '导入'}（--before 的代码）：CPU {was:.2f} 秒，"
                      f"{was / cpu_med['calamine']:.2f}x calamine → 现在 {cpu_med[stage] / cpu_med['calamine']:.2f}x"
                      f"（目标 ≤ {goal:.0f}x）")
        raw_cpu = statistics.median(r["raw_cpu"] for r in results["apply"])
        print(f"  stdlib sqlite3 executemany 写入同样的 {results['apply'][0]['raw_rows']} 行（含变更日志、审计；写入极限）："
              f"墙钟 {statistics.median(r['raw'] for r in results['apply']):.2f} 秒，CPU {raw_cpu:.2f} 秒；"
              f"导入的写入部分（导入 − 检查）CPU 为其 {(cpu_med['apply'] - cpu_med['dry']) / max(raw_cpu, 1e-9):.2f}x；"
              f"导入为 calamine + 写入极限的 {cpu_med['apply'] / (cpu_med['calamine'] + raw_cpu):.2f}x")
        file.unlink()
    if len(sizes) == 2:
        growth = "，".join(f"{s} {per_row[s][1] / per_row[s][0]:.2f}x" for s in ("calamine", "dry", "apply")
                          if per_row[s][0])
        print(f"  每行 CPU 从 {sizes[0]} 行到 {sizes[1]} 行（线性为 1x）：{growth}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default="vouchers,contracts,orgs,opening")
    ap.add_argument("--vouchers", type=int, default=100_000)
    ap.add_argument("--contracts", type=int, default=20_000)
    ap.add_argument("--orgs", type=int, default=300)
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--full-only", action="store_true", help="only N, not N/4")
    ap.add_argument("--before", type=Path, help="another checkout (git archive of an earlier commit): its dry run "
                                                "and import run beside this tree's, on the same files, interleaved")
    ap.add_argument("--phase")
    ap.add_argument("--file")
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.phase:
        kind, stage = args.phase.split(":")
        print(json.dumps(phase(kind, stage, Path(args.file), Path(args.db))))
        return
    print(f"负载：{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}（uptime）")
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_books_"))
    base = tmp / "base.db"
    make_base(base, args.accounts)
    leaves = book_leaves(base)
    print(f"账套科目 {args.accounts} 个，其中末级 {len(leaves)} 个")
    for kind in args.kinds.split(","):
        n = {"vouchers": args.vouchers, "contracts": args.contracts, "orgs": args.orgs,
             "opening": len(leaves)}[kind]
        sizes = [n] if args.full_only else [n // 4, n]
        bench_kind(kind, sizes, tmp, base, args.runs, leaves, args.before)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
