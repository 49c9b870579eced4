"""A 3,000-member village: the dividend roster computed from the books and rendered to PDF.

    .venv/bin/python bench/bench_roster.py [--members 3000] [--runs 3]

Builds one village (households and members through the import path, 人口股 + 农龄股 with half
shares, one income voucher), then prints the best-of-N times of: computing the plan (reading the
share register, the per-member amounts, writing the roster rows and plan lines), reading the
roster back, rendering the 分红花名册 PDF (full and public copy) and the household slips.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.migrate import open_database  # noqa: E402
from desktop_app.core.demo import DemoContext  # noqa: E402
from desktop_app.core.demo.members import _household, _People  # noqa: E402
from desktop_app.core.demo.users import seed_users  # noqa: E402
from desktop_app.core.services.distribution import draft_plan  # noqa: E402
from desktop_app.core.services.distribution_query import plan_roster  # noqa: E402
from desktop_app.core.services.members_import import ImportRow, apply_member_import, validate_member_import  # noqa: E402
from desktop_app.core.services.orgs import add_sub_account, create_book, create_organisation, create_region  # noqa: E402
from desktop_app.core.services.vouchers import LineInput, record_auto_voucher  # noqa: E402
from desktop_app.reports.distribution_pdf import household_slips_pdf, roster_pdf  # noqa: E402


def best(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    db = open_database(tmp / "bench.db")
    t0 = time.perf_counter()
    with db.begin("bench") as s:
        ctx = DemoContext(rng=random.Random(7), villages=1, years=1)
        seed_users(s, ctx)
        user = ctx.users["bookkeeper"]  # the village's 记账员 (kuaiji): every write service takes its user
        for code, name in (("320000000000", "江苏省"), ("320100000000", "南京市"), ("320115000000", "江宁区"),
                           ("320115106000", "阳光街道"), ("320115106201", "东湖村村民委员会")):
            create_region(s, code=code, name=name, user=user)
        org = create_organisation(s, name="东湖村股份经济合作社", level="村", uscc="N2320115MF00000121",
                                  region_code="320115106201", user=user)
        book = create_book(s, organisation_id=org.id, name=org.name, kind="股份经济合作社", start_period="2026-01", user=user)
        add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商行",
                        user=user)
        people = _People(ctx.rng, set())
        rows: list[ImportRow] = []
        n = 0
        while len(rows) < args.members:
            n += 1
            rows.extend(_household(people, f"{n:05d}", f"第{(n - 1) % 15 + 1}组"))
        rows = [ImportRow(i, r.member, r.shares) for i, r in enumerate(rows[:args.members], start=2)]
        heads = {r.member.household_number for r in rows if r.member.relation == "户主"}
        rows = [r for r in rows if r.member.household_number in heads]
        preview = validate_member_import(s, org.id, rows, today=date(2026, 11, 23))
        apply_member_import(s, preview, event_date=date(2019, 12, 31), basis="股权量化决议", user=user)
        record_auto_voucher(s, book_id=book.id, voucher_date=date(2026, 6, 30), summary="收到发包收入",
                            lines=[LineInput("10201", debit=Decimal("900000.00")),
                                   LineInput("50102", credit=Decimal("900000.00"))],
                            user=user, source_kind="bench", source_id=None)
    print(f"建库：{len(rows)} 名成员，{len(heads)} 户，用时 {time.perf_counter() - t0:.2f} 秒")

    def compute() -> object:
        with db.begin("bench") as s:
            return draft_plan(s, book_id=book.id, year=2026, members_amount=Decimal("121000.00"), user=user)

    t_plan, plan = best(compute, args.runs)
    print(f"计算方案（读股份登记簿、逐人计算、写花名册 {plan.members} 行）：{t_plan * 1000:.0f} ms；"  # type: ignore[attr-defined]
          f"每股 {plan.per_share} 元，合计 {plan.roster_total} 元，尾差 {plan.remainder} 元")  # type: ignore[attr-defined]

    def read() -> object:
        with db.begin() as s:
            return plan_roster(s, plan.id)  # type: ignore[attr-defined]

    t_read, roster = best(read, args.runs)
    print(f"读取花名册：{t_read * 1000:.0f} ms")
    t_pdf, data = best(lambda: roster_pdf(roster), args.runs)  # type: ignore[arg-type]
    t_pub, _ = best(lambda: roster_pdf(roster, public=True), args.runs)  # type: ignore[arg-type]
    t_slips, slips = best(lambda: household_slips_pdf(roster), args.runs)  # type: ignore[arg-type]
    out = tmp / "roster.pdf"
    out.write_bytes(data)  # type: ignore[arg-type]
    print(f"花名册 PDF：{t_pdf * 1000:.0f} ms（{len(data) // 1024} KB，{out}）；公示稿 {t_pub * 1000:.0f} ms；"  # type: ignore[arg-type]
          f"到户通知单 {t_slips * 1000:.0f} ms（{len(slips) // 1024} KB）")  # type: ignore[arg-type]
    print(f"合计（计算 + 读取 + 渲染花名册）：{(t_plan + t_read + t_pdf):.2f} 秒")
    db.close()


if __name__ == "__main__":
    main()
