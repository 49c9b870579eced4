"""Compliance review and arrears ageing over 20 villages x 200 contracts x 10 years of installments.

    .venv/bin/python bench/bench_contracts.py [--villages 20] [--contracts 200] [--years 10] [--runs 3]

Builds the organisations with the demo seeder, then every village's contracts through the
contracts demo generator (bulk Core inserts) with every term forced to ``--years`` years, so each
contract has 10 (年付) to 40 (季付) installments and ~15 % of tenants are in arrears. Prints the
build time and the best-of-N times of: arrears ageing (all villages), warning counts (the
dashboard/district figures), the compliance review without saving, and the review saving its
findings (first run inserts them, later runs update).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from db.migrate import open_database  # noqa: E402
from db.models import Contract, ContractInstallment  # noqa: E402
from desktop_app.core.demo import build_demo  # noqa: E402
from desktop_app.core.demo.contracts import seed_org_contracts  # noqa: E402
from desktop_app.core.services.auth import authenticate  # noqa: E402
from desktop_app.core.services.contract_review import contract_findings, review_contracts  # noqa: E402
from desktop_app.core.services.contract_warnings import list_arrears, warning_counts  # noqa: E402
from desktop_app.core.services.orgs import list_books, list_organisations  # noqa: E402

AS_OF = date(2026, 11, 23)


def best(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=20)
    ap.add_argument("--contracts", type=int, default=200)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.db")
        t = time.perf_counter()
        with db.begin("bench") as s:
            build_demo(s, villages=args.villages, only={"组织与账套"})
            rng = random.Random(7)
            user = authenticate(s, "kuaiji", "demo1234")  # the demo's 记账员: every write takes its user
            books = {b.organisation_id: b for b in reversed(list_books(s))}
            for org in list_organisations(s):
                if org.level == "村":
                    seed_org_contracts(s, org, books[org.id], rng, args.contracts, years=args.years, user=user)
            n_contracts = s.scalar(select(func.count()).select_from(Contract))
            n_inst = s.scalar(select(func.count()).select_from(ContractInstallment))
        print(f"built {n_contracts} contracts, {n_inst} installments in {time.perf_counter() - t:.2f} s (bulk inserts)")
        with db.begin() as s:
            secs, rows = best(args.runs, lambda: list_arrears(s, None, AS_OF))
            print(f"arrears ageing, all villages:        {secs * 1000:8.1f} ms  ({len(rows)} overdue installments)")  # type: ignore[arg-type]
            secs, rows = best(args.runs, lambda: warning_counts(s, None, AS_OF))
            print(f"warning counts per organisation:     {secs * 1000:8.1f} ms  ({len(rows)} organisations)")  # type: ignore[arg-type]
            secs, rows = best(args.runs, lambda: contract_findings(s, None, as_of=AS_OF))
            print(f"compliance review (not saved):       {secs * 1000:8.1f} ms  ({len(rows)} findings)")  # type: ignore[arg-type]
        with db.begin() as s:
            t = time.perf_counter()
            rows = review_contracts(s, None, as_of=AS_OF, user=user)
            print(f"compliance review, first save:       {(time.perf_counter() - t) * 1000:8.1f} ms  ({len(rows)} findings)")
        with db.begin() as s:
            secs, rows = best(args.runs, lambda: review_contracts(s, None, as_of=AS_OF, user=user))
            print(f"compliance review, re-run and save:  {secs * 1000:8.1f} ms")
        db.close()


if __name__ == "__main__":
    main()
