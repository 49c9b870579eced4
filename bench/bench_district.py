"""The district's tier report for a year (issue #13: goal ≤ 0.5 s on SQLite) over a district of
10 townships x 30 villages x 3 years, against the raw limit.

    .venv/bin/python bench/bench_district.py [--townships 10] [--villages 30] [--runs 7] [--db FILE]
                                             [--pg postgresql+psycopg://user@host/scratch_db]

The district database is built by bulk rows (stdlib ``sqlite3``) after the real migrations:
regions, organisations, one book per village (every tenth on the 2004 chart) with its standard
chart, and ``account_period_total`` rows for 2024-01 … 2026-12 (about 30 accounts a month, the
December closing rows apart) — what a district holds after importing every township's packages
(the summary is rebuilt on apply). The journal itself is not needed: the statistics never read it.

Timed as the program runs them (a read session):
* ``district_stats.tier_counts(year)``: the 收入分档统计表's figures;
* ``district_stats.village_income(year, month)``: year-to-date;
* ``district_sheets.build_doc('tiers')``: the whole report's data (this year and the year before for
  the village list), and writing its PDF.

The goal is the whole 收入分档统计表 INCLUDING the year before's comparison (``build_doc('tiers')``:
two passes over the summary, this year's for both incomes and last year's for 经营性收入 only).

Beside them, in the same run, on the same file: the raw limit —
* ``raw_same_query``: stdlib ``sqlite3`` running the very SQL the service runs;
* ``raw_join_every_row``: the first version's query (every summary row joined to its account and
  book, grouped by organisation and code): 1.5–2x the service's;
* ``raw_covering``: the one GROUP BY on ``account_period_total`` alone (book, account sums for the
  year) with a covering index (period, closing, book_id, account_id, credit, debit) on a copy.
* ``raw_account_first``: the service's SQL on a copy with an index that leads with the account
  (``ACCOUNT_INDEX``: account_id, period, closing, credit, debit — a schema change, not made by
  this program yet); SQLite's planner takes it by itself, reading only the income accounts' rows.
  The service's own figures on that copy are printed too ("with ACCOUNT_INDEX").
Medians of ``--runs``; the ratio is what matters on a shared machine.

``--pg URL`` (a scratch database: its rows are replaced) also copies the district into PostgreSQL
(``db.pg_copy``, timed) and prints the same figures there beside SQLite's, with PostgreSQL's own
raw limit: the service's SQL run through psycopg (``raw_same_query``).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEARS = (2024, 2025, 2026)
STAMP = "2026-01-01 00:00:00.000000"

RAW_SAME = """
WITH sums AS (
  SELECT account_id, sum(credit - debit) AS x FROM account_period_total
  WHERE period >= ? AND period <= ? AND closing = 0 AND account_id IN (
    SELECT a.id FROM account a JOIN book b ON b.id = a.book_id JOIN organisation o ON o.id = b.organisation_id
    WHERE a.category = '损益' AND a.deleted = 0 AND b.deleted = 0 AND b.kind IN ('股份经济合作社', '经济合作社', '经济联合社')
      AND o.deleted = 0 AND o.level = '村' AND (a.code LIKE '501%' OR a.code LIKE '502%' OR a.code LIKE '503%'
      OR a.code LIKE '504%' OR a.code LIKE '511%' OR a.code LIKE '521%' OR a.code LIKE '522%' OR a.code LIKE '531%'
      OR a.code LIKE '561%'))
  GROUP BY account_id)
SELECT b.organisation_id, b.chart_version, a.code, sums.x
FROM sums JOIN account a ON a.id = sums.account_id JOIN book b ON b.id = a.book_id
"""
RAW_JOIN_EVERY_ROW = """
SELECT b.organisation_id, b.chart_version, a.code, sum(t.credit - t.debit)
FROM account_period_total t JOIN book b ON b.id = t.book_id JOIN account a ON a.id = t.account_id
JOIN organisation o ON o.id = b.organisation_id
WHERE t.period >= ? AND t.period <= ? AND t.closing = 0 AND a.category = '损益' AND a.deleted = 0
  AND b.deleted = 0 AND b.kind IN ('股份经济合作社', '经济合作社', '经济联合社') AND o.deleted = 0 AND o.level = '村'
GROUP BY b.organisation_id, b.chart_version, a.code
"""
RAW_COVERING = """
SELECT book_id, account_id, sum(credit - debit) FROM account_period_total INDEXED BY bench_apt_cover
WHERE period >= ? AND period <= ? AND closing = 0 GROUP BY book_id, account_id
"""
COVERING_INDEX = ("CREATE INDEX IF NOT EXISTS bench_apt_cover ON account_period_total "
                  "(period, closing, book_id, account_id, credit, debit)")
ACCOUNT_INDEX = ("CREATE INDEX IF NOT EXISTS bench_apt_account ON account_period_total "
                 "(account_id, period, closing, credit, debit)")


def _hex() -> str:
    return uuid.uuid4().hex


def build(path: Path, townships: int, villages: int, seed: int = 13) -> int:
    """The district file; returns the summary rows written."""
    import desktop_app.sync  # noqa: F401
    from db.migrate import open_database
    from desktop_app.core import charts
    from desktop_app.core.ids import make_uscc
    from desktop_app.sync import identity

    db = open_database(path)
    with db.begin("bench") as s:
        identity.set_site(s, "district", "江宁区经管站", "320115")
    db.close()
    rng = random.Random(seed)
    origin = _hex()
    sync = (origin, 1, STAMP, 0)
    con = sqlite3.connect(path)
    regions, orgs, books, accounts, totals = [], [], [], [], []
    county = _hex()
    regions.append(("320115000000", "江宁区", "县", None, *sync, county))
    charts_by_version = {v: [a for a in charts.load_chart(v)] for v in ("2023", "2004")}
    n_org = 0
    for t in range(townships):
        town_id, town_code = _hex(), f"320115{101 + t:03d}000"
        regions.append((town_code, f"第{t + 1}镇", "乡镇", county, *sync, town_id))
        for v in range(villages):
            code = f"{town_code[:9]}{201 + v:03d}"
            rid, oid, bid = _hex(), _hex(), _hex()
            regions.append((code, f"第{t + 1}镇{v + 1}村村民委员会", "村", town_id, *sync, rid))
            n_org += 1
            orgs.append((f"第{t + 1}镇{v + 1}村股份经济合作社", "村", make_uscc(f"N2320115MF{n_org:07d}"), rid,
                         *sync, oid))
            version = "2004" if n_org % 10 == 0 else "2023"
            books.append((oid, "01", f"第{t + 1}镇{v + 1}村股份经济合作社", "股份经济合作社", version, "2024-01",
                          *sync, bid))
            ids: dict[str, str] = {}
            for acc in charts_by_version[version]:
                ids[acc.code] = _hex()
            leaves = []
            for acc in charts_by_version[version]:
                parent = ids.get(acc.parent_code) if acc.parent_code else None
                accounts.append((bid, acc.code, acc.name, acc.category, acc.normal_side, parent, acc.level, 1, 1,
                                 *sync, ids[acc.code]))
                if not any(other.parent_code == acc.code for other in charts_by_version[version]):
                    leaves.append(acc)
            pl = [a for a in leaves if a.category == "损益"]
            others = [a for a in leaves if a.category != "损益"]
            scale = rng.choice((0, 6_000_000, 12_000_000, 30_000_000, 60_000_000, 150_000_000, 300_000_000))
            for y in YEARS:
                for m in range(1, 13):
                    chosen = rng.sample(pl, min(12, len(pl))) + rng.sample(others, min(18, len(others)))
                    for acc in chosen:
                        amount = rng.randint(0, max(scale // 12, 1))
                        debit, credit = (0, amount) if acc.normal_side == "贷" else (amount, 0)
                        totals.append((bid, f"{y}-{m:02d}", ids[acc.code], 0, debit, credit, 1))
                for acc in pl:  # the year-end closing rows: never counted as income
                    totals.append((bid, f"{y}-12", ids[acc.code], 1, 1000, 1000, 1))
    con.executemany("INSERT INTO region (code, name, level, parent_id, origin, rev, updated_at, deleted, id) "
                    "VALUES (?,?,?,?,?,?,?,?,?)", regions)
    con.executemany("INSERT INTO organisation (name, level, uscc, region_id, origin, rev, updated_at, deleted, id) "
                    "VALUES (?,?,?,?,?,?,?,?,?)", orgs)
    con.executemany("INSERT INTO book (organisation_id, code, name, kind, chart_version, start_period, origin, rev, "
                    "updated_at, deleted, id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", books)
    con.executemany("INSERT INTO account (book_id, code, name, category, normal_side, parent_id, level, is_standard, "
                    "active, origin, rev, updated_at, deleted, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", accounts)
    con.executemany("INSERT OR IGNORE INTO account_period_total (book_id, period, account_id, closing, debit, credit, "
                    "lines) VALUES (?,?,?,?,?,?,?)", totals)
    con.commit()
    n = con.execute("SELECT count(*) FROM account_period_total").fetchone()[0]
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return int(n)


def median(fn: Callable[[], Any], runs: int) -> float:
    return interleaved({"": fn}, runs)[""]


def interleaved(fns: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """Medians of each, the figures and their raw limits taken in turn within every run, so a
    shared machine's load weighs on all of them alike."""
    for fn in fns.values():
        fn()  # warm: statements compiled, pages cached
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--townships", type=int, default=10)
    ap.add_argument("--villages", type=int, default=30)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--pg", help="a scratch PostgreSQL database (its rows are replaced): the same figures there")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_district_"))
    path = args.db or tmp / "district.db"
    t0 = time.perf_counter()
    if not path.exists():
        rows = build(path, args.townships, args.villages)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s: {rows:,} account_period_total rows")
    import desktop_app.sync  # noqa: F401
    from db.migrate import open_database
    from desktop_app.core.services import district_stats as ds
    from desktop_app.reports.district_pdf import district_pdf_bytes
    from desktop_app.reports.district_sheets import build_doc

    year = 2025
    params = (f"{year}-01", f"{year}-12")
    cover, by_account = tmp / "covering.db", tmp / "by_account.db"
    for copy, index in ((cover, COVERING_INDEX), (by_account, ACCOUNT_INDEX)):
        shutil.copy(path, copy)
        con = sqlite3.connect(copy)
        con.execute(index)
        con.execute("ANALYZE")
        con.commit()
        con.close()
    raw, raw_cover, raw_account = (sqlite3.connect(p) for p in (path, cover, by_account))
    db, db_ix = open_database(path), open_database(by_account)
    with db.read("bench") as s, db_ix.read("bench") as s_ix:
        rep = ds.tier_counts(s, year)
        print(f"villages {rep.district.villages}, 经营性收入分档 {[c.count for c in rep.district.operating]}")
        doc = build_doc(s, "tiers", year, None, organisation="江宁区经管站")
        m = interleaved({
            "raw_same": lambda: raw.execute(RAW_SAME, params).fetchall(),
            "raw_join": lambda: raw.execute(RAW_JOIN_EVERY_ROW, params).fetchall(),
            "raw_cover": lambda: raw_cover.execute(RAW_COVERING, params).fetchall(),
            "raw_account": lambda: raw_account.execute(RAW_SAME, params).fetchall(),
            "tier_counts(year)": lambda: ds.tier_counts(s, year),
            "village_income(year, 11)": lambda: ds.village_income(s, year, 11),
            "build_doc('tiers')": lambda: build_doc(s, "tiers", year, None, organisation="江宁区经管站"),
            "ix tier_counts(year)": lambda: ds.tier_counts(s_ix, year),
            "ix village_income(year, 11)": lambda: ds.village_income(s_ix, year, 11),
            "ix build_doc('tiers')": lambda: build_doc(s_ix, "tiers", year, None, organisation="江宁区经管站"),
            "tiers PDF bytes": lambda: district_pdf_bytes(doc),
        }, args.runs)
    plan = " | ".join(r[-1] for r in raw_cover.execute("EXPLAIN QUERY PLAN " + RAW_COVERING, params))
    for c in (raw, raw_cover, raw_account):
        c.close()
    db.close()
    db_ix.close()
    print(f"raw_same_query (stdlib sqlite3, the service's GROUP BY): {m['raw_same'] * 1000:8.1f} ms")
    print(f"raw_join_every_row (the first version's GROUP BY):     {m['raw_join'] * 1000:8.1f} ms")
    print(f"raw_covering (one GROUP BY, covering index):            {m['raw_cover'] * 1000:8.1f} ms   [{plan}]")
    print(f"raw_account_first (the service's SQL, ACCOUNT_INDEX):   {m['raw_account'] * 1000:8.1f} ms")
    print(f"{'':28s} {'as is':>9s}  {'x raw_same':>10s}   {'with ACCOUNT_INDEX':>18s}  x raw_account_first   goal")
    results: dict[str, float] = {}
    for name in ("tier_counts(year)", "village_income(year, 11)", "build_doc('tiers')"):
        secs, ix = m[name], m[f"ix {name}"]
        results[name] = secs
        goal = f"{'ok' if secs <= 0.5 else 'OVER'} / {'ok' if ix <= 0.5 else 'OVER'}"
        print(f"{name:28s} {secs * 1000:7.1f} ms  x{secs / m['raw_same']:9.2f}   {ix * 1000:15.1f} ms  "
              f"x{ix / m['raw_account']:18.2f}   {goal}")
    print(f"{'tiers PDF bytes':28s} {m['tiers PDF bytes'] * 1000:7.1f} ms")
    print("(goal 500 ms for build_doc('tiers'): the whole report with the year before's comparison)")
    if args.pg:
        bench_pg(args.pg, path, tmp, year, args.runs, results, m["raw_same"])
    shutil.rmtree(tmp, ignore_errors=True)  # the copies (and the district itself unless --db kept it)


def bench_pg(url: str, path: Path, tmp: Path, year: int, runs: int, sqlite_results: dict[str, float],
             sqlite_raw: float) -> None:
    """The same figures on PostgreSQL, beside SQLite's (issue #13: 'reported beside them')."""
    from db.engine import safe_url
    from db.migrate import open_database
    from db.pg_copy import copy_to_server
    from desktop_app.core.services import district_stats as ds
    from desktop_app.reports.district_sheets import build_doc

    src = open_database(path)
    t0 = time.perf_counter()
    counts = copy_to_server(src, url, work_dir=tmp / "pg-work")
    copy_secs = time.perf_counter() - t0
    src.close()
    print(f"\nPostgreSQL {safe_url(url)}: copied {sum(counts.values()):,} rows in {copy_secs:.1f} s")
    db = open_database(url, work_dir=tmp / "pg-work", create=False)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    raw = db.engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
        sql = (RAW_SAME.replace("%", "%%").replace("?", "%s").replace("closing = 0", "closing = false")
               .replace("deleted = 0", "deleted = false"))
        params = (f"{year}-01", f"{year}-12")
        with db.read("bench") as s:
            m = interleaved({
                "raw_pg": lambda: cur.execute(sql, params).fetchall(),
                "tier_counts(year)": lambda: ds.tier_counts(s, year),
                "village_income(year, 11)": lambda: ds.village_income(s, year, 11),
                "build_doc('tiers')": lambda: build_doc(s, "tiers", year, None, organisation="江宁区经管站"),
            }, runs)
    finally:
        raw.close()
    db.close()
    raw_pg = m.pop("raw_pg")
    results = m
    db = open_database(url, work_dir=tmp / "pg-work", create=False)
    with db.engine.connect() as conn:  # the same account-first index there
        conn.exec_driver_sql(ACCOUNT_INDEX.replace("bench_apt_account", "bench_apt_account_pg"))
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    with db.read("bench") as s:
        indexed = median(lambda: build_doc(s, "tiers", year, None, organisation="江宁区经管站"), runs)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("DROP INDEX bench_apt_account_pg")
        conn.commit()
    db.close()
    print(f"raw_same_query (psycopg, the service's SQL):            {raw_pg * 1000:8.1f} ms   "
          f"(SQLite {sqlite_raw * 1000:.1f} ms)")
    print(f"{'':32s} {'SQLite':>9s} {'PostgreSQL':>11s}   PG/SQLite   PG x raw_same(PG)   goal")
    for name, secs in results.items():
        lite = sqlite_results[name]
        goal = "" if "PDF" in name else ("ok" if secs <= 0.5 else "OVER")
        print(f"{name:32s} {lite * 1000:7.1f} ms {secs * 1000:8.1f} ms   x{secs / lite:6.2f}     x{secs / raw_pg:5.2f}"
              f"              {goal}")
    print(f"build_doc('tiers') on PostgreSQL with ACCOUNT_INDEX: {indexed * 1000:.1f} ms")


if __name__ == "__main__":
    main()
