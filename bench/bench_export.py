"""成员名册 export (100,000 members by default) beside openpyxl write_only with lxml writing the same cells.

    .venv/bin/python bench/bench_export.py [--rows 100000] [--runs 3] [--db FILE]

Builds a village of ``--rows`` members through the import (bench_import's file; or reuses
``--db``), then times, each in its own process so that its peak memory (ru_maxrss) is its own:

- ``limit``: openpyxl ``write_only`` with lxml writing the very cells of our export — the same
  values with the same number formats per column — from rows already in memory (the raw limit);
- ``limit_plain``: the same values without number formats (for reference);
- ``ours``: ``export_members_xlsx`` — read the roster from the database (one streamed query),
  write and save the workbook (title, header, print setup);
- ``ours_lists``: the same file from ``list_members`` + ``list_holdings`` + ``members_workbook``
  (what ``export members`` in the CLI still calls until it switches to ``export_members_xlsx``).

Prints the medians (wall, and CPU: what a busy machine does not inflate), the peak memory of each
and the ratios (goal ≤ 1.2x, issue #15; memory flat).
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
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

USCC = "N2320115MF00000121"
FORMATS = ["@", None, None, None, "@", None, "yyyy-mm-dd", None, None, "yyyy-mm-dd", "yyyy-mm-dd", "yyyy-mm-dd",
           "#,##0.0###", "#,##0.0###", "#,##0.0###", None]


def _session(db_path: Path) -> Any:
    """A plain session on the file (no migration check: the export only reads)."""
    from sqlalchemy.orm import Session

    from db.engine import make_engine

    return Session(make_engine(db_path))


def _rows(db_path: Path) -> list[list[Any]]:
    """The cells of the export's data rows, read the way ``export members`` reads them."""
    from desktop_app.core.services.members import list_members
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.core.services.shares import list_holdings

    with _session(db_path) as s:
        org = find_organisation(s, USCC)
        members = list_members(s, org.id)
        by_member = {h.member_id: h for h in list_holdings(s, org.id, include_zero=True)}
    return [[m.household_number, m.group_name, m.head_name, m.name, m.ric, m.sex, m.birth_date, m.relation,
             m.status, m.confirmed_on, m.joined_on, m.left_on, *[v for _, v in by_member[m.id].by_type],
             m.shares, m.note or ""] for m in members]


def phase(kind: str, db_path: Path, out: Path) -> dict[str, float]:
    import openpyxl.xml

    if kind.startswith("limit"):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        rows = _rows(db_path)
        t, cpu0 = time.perf_counter(), time.process_time()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("成员名册")
        if kind == "limit_plain":
            for r in rows:
                ws.append(r)
        else:
            for r in rows:  # openpyxl's documented way: a WriteOnlyCell with its number format
                cells: list[Any] = []
                for v, fmt in zip(r, FORMATS, strict=True):
                    if fmt is None:
                        cells.append(v)
                    else:
                        c = WriteOnlyCell(ws, v)
                        c.number_format = fmt
                        cells.append(c)
                ws.append(cells)
        wb.save(out)
        n = len(rows)
    else:
        from desktop_app.core.services.members import list_members
        from desktop_app.core.services.orgs import find_organisation
        from desktop_app.core.services.shares import list_holdings, list_share_types
        from desktop_app.excel import members_xlsx

        t, cpu0 = time.perf_counter(), time.process_time()
        with _session(db_path) as s:
            org = find_organisation(s, USCC)
            if kind == "ours" and hasattr(members_xlsx, "export_members_xlsx"):  # the streaming export
                n = members_xlsx.export_members_xlsx(s, org.id, out, organisation=org.name)
            else:  # from the lists, as ``export members`` did before (and "ours_lists" now)
                names = [t.name for t in list_share_types(s, org.id)]
                members = list_members(s, org.id)
                wb = members_xlsx.members_workbook(members, list_holdings(s, org.id, include_zero=True), names,
                                                   organisation=org.name)
                wb.save(out)
                n = len(members)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu0
    return {"seconds": seconds, "cpu": cpu, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": n,
            "lxml": openpyxl.xml.LXML}


def run(kind: str, db_path: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--phase", kind, "--db", str(db_path), "--out", str(out)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def build(db_path: Path, rows: int) -> None:
    import bench_import

    file = db_path.with_suffix(".xlsx")
    bench_import.write_members_file(file, rows)
    empty = db_path.parent / "empty.db"  # bench_import's apply phase copies it for its raw-write limit
    bench_import.make_village(empty)
    shutil.copy(empty, db_path)
    bench_import.phase("apply", file, db_path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db")
    ap.add_argument("--phase")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.db), Path(args.out))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_export_"))
    db_path = Path(args.db) if args.db else tmp / "members.db"
    if not db_path.exists():
        t = time.perf_counter()
        build(db_path, args.rows)
        print(f"建库（导入 {args.rows} 名成员）：{time.perf_counter() - t:.1f} 秒")
    kinds = ["limit", "limit_plain", "ours", "ours_lists"]
    results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for _ in range(args.runs):
        for k in kinds:  # interleaved, so load from other work hits every kind alike
            out = tmp / f"{k}.xlsx"
            results[k].append(run(k, db_path, out))
            results[k][-1]["kb"] = out.stat().st_size / 1024
            out.unlink()
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
    mem = {k: max(r["mb"] for r in v) for k, v in results.items()}
    n = results["ours"][0]["rows"]
    print(f"{n} 行 x {len(FORMATS)} 列；lxml：{'是' if results['limit'][0]['lxml'] else '否（未安装）'}；"
          f"{date.today()}，{os.cpu_count()} 核")
    labels = {"limit": "openpyxl write_only + lxml，同样的单元格和数字格式（极限）",
              "limit_plain": "openpyxl write_only + lxml，只写值（参考）",
              "ours": "本程序 导出成员名册（读库 + 写表 + 打印设置）",
              "ours_lists": "本程序 由列表写成员名册（list_members + list_holdings + members_workbook）"}
    for k in kinds:
        ratio = "" if k == "limit" else (f"；{med[k] / med['limit']:.2f}x 极限，CPU {cpu[k] / cpu['limit']:.2f}x"
                                          + ("（目标 ≤ 1.2x）" if k.startswith("ours") else ""))
        print(f"{labels[k]}：中位 {med[k]:.2f} 秒（CPU {cpu[k]:.2f} 秒），峰值内存 {mem[k]:.0f} MB，"
              f"{results[k][0]['kb']:.0f} KB{ratio}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
