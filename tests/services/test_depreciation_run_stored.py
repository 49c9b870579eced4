"""What a township's depreciation run stores (issue #18: the run reads cards as Core rows and a
straight-line card's month in closed form, ``depreciation_month``): over three books with a few
hundred varied cards — straight line with and without opening depreciation, fully depreciated,
charges rounding to 0 分, value changes, 工作量法, disposed and 报废 cards — each month's charges are
exactly what the schedule of every card says (the run's former reading, kept here word for word),
and the stored lines, their rev, row hash and change-log records and the audit entries' words are
what they were; ``verify`` finds nothing. A closed month or a book that fails writes nothing."""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.changelog import bulk_insert
from db.models import Asset, AssetAdjustment, AssetDepreciation, AssetWorkload, AuditEntry, ChangeLog, Voucher
from db.types import uuid7
from desktop_app.core.errors import ConflictError
from desktop_app.core.rows import BookRow
from desktop_app.core.rows_assets import DepreciationCharge
from desktop_app.core.rules.depreciation import month_of, schedule
from desktop_app.core.services.assets_books import EXPENSE_ROLE, role_code
from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers
from desktop_app.core.services.depreciation import (
    adjustments_of,
    run_depreciation,
    run_depreciation_books,
    terms_of,
    workloads_of,
)
from desktop_app.core.services.funds_base import get_book_row, period_label
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.orgs import create_book, create_organisation
from desktop_app.core.services.periods import close_period
from tests.assets.conftest import Env, make_env

CATEGORIES = (("房屋及建筑物", 240, "经营性", "自用"), ("机器设备", 120, "经营性", "出租"),
              ("运输设备", 96, "非经营性", "自用"), ("办公设备", 60, "公益性", "闲置"), ("其他", 36, "非经营性", "自用"))


def _old_charges(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, list[DepreciationCharge]]:
    """``compute_charges_books`` as it read before (every card's whole schedule)."""
    books = {b: get_book_row(session, b) for b in book_ids}
    everything = session.execute(select(Asset).where(Asset.book_id.in_(list(books)), Asset.deleted.is_(False),
                                                     Asset.first_period <= period).order_by(Asset.code)).scalars().all()
    assets = [a for a in everything if a.status != "报废" and (a.disposed_on is None or month_of(a.disposed_on) >= period)]
    out: dict[uuid.UUID, list[DepreciationCharge]] = {b: [] for b in books}
    ids = [a.id for a in assets]
    adjs, works = adjustments_of(session, ids), workloads_of(session, ids)
    posted: dict[uuid.UUID, set[str]] = defaultdict(set)
    for aid, p in session.execute(select(AssetDepreciation.asset_id, AssetDepreciation.period)
                                  .where(AssetDepreciation.asset_id.in_(ids), AssetDepreciation.deleted.is_(False))):
        posted[aid].add(p)
    codes = {b: {use: role_code(session, b, role) for use, role in EXPENSE_ROLE.items()} for b in books}
    for a in assets:
        lines = schedule(terms_of(a), adjs[a.id], until=period, workloads=works[a.id])
        missing = [ln.period for ln in lines if ln.period < period and ln.period >= books[a.book_id].start_period
                   and ln.period not in posted[a.id]]
        if missing:
            raise ConflictError(f"资产 {a.code} {a.name} 的{period_label(missing[0])}折旧尚未计提，请按月依次计提")
        if period in posted[a.id] or not lines or lines[-1].period != period:
            continue
        out[a.book_id].append(DepreciationCharge(a.id, a.code, a.name, codes[a.book_id][a.use_kind], lines[-1].amount))
    return out


def _card(book: BookRow, j: int, rng: random.Random, **over: Any) -> dict[str, Any]:
    category, life, nature, status = CATEGORIES[j % len(CATEGORIES)]
    use = "公益" if nature == "公益性" else "出租" if status == "出租" else "生产" if nature == "经营性" else "管理"
    cost = D(rng.choice([rng.randint(50, 400), rng.randint(10_000, 90_000_000)])).scaleb(-2)
    rate = rng.choice([D(0), D(3), D(5)])
    acquired = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
    depreciable = cost - (cost * rate / 100).quantize(D("0.01"))
    opening = rng.choice([D("0.00"), (depreciable * D(rng.random())).quantize(D("0.01")), depreciable])
    row = {"id": uuid7(), "organisation_id": book.organisation_id, "book_id": book.id, "code": f"ZC{j:04d}",
           "name": f"{category[:2]}{j}号", "category": category, "nature": nature, "use_kind": use, "location": None,
           "quantity": D(1), "unit": "台", "area_m2": None, "acquisition_mode": "购建", "funding_source": "集体自有资金",
           "acquired_on": acquired, "original_value": cost, "useful_life_months": rng.choice([life, 240, 600, 12]),
           "residual_rate": rate, "method": "年限平均法", "total_workload": None, "workload_unit": None,
           "opening_accumulated": opening, "opening_workload": None, "first_period": book.start_period,
           "status": status, "custodian": None, "title_no": None, "poverty_alleviation": False, "project_id": None,
           "contract_id": None, "acquisition_voucher_id": None, "disposed_on": None, "notes": None}
    row.update(over)
    return row


def _township(tmp_path: Path, cards: int = 120) -> tuple[Env, list[BookRow]]:
    """make_env's village plus two more villages' books (all from 2026-01, vouchers posted when made),
    each with ``cards`` varied cards, two value changes, a 工作量法 card with its months' work, a card
    disposed of in February and a scrapped one."""
    env = make_env(tmp_path / "township.db")
    rng = random.Random(18)
    with env.db.begin("test") as s:
        books = [env.book]
        for i, uscc in ((2, "N2320115MF0000013X"), (3, "N2320115MF00000148")):
            from desktop_app.core.ids import make_uscc

            org = create_organisation(s, name=f"第{i}村股份经济合作社", level="村", uscc=make_uscc(uscc[:17]),
                                      region_code="320115106201", user=env.user)
            book = create_book(s, organisation_id=org.id, name=f"第{i}村股份经济合作社", kind="股份经济合作社",
                               start_period="2026-01", user=env.user)
            set_auto_vouchers(s, book.id, AUTO_POST, user=env.reviewer)
            books.append(book)
        rows, adjustments, works = [], [], []
        for book in books:
            mine = [_card(book, j, rng) for j in range(cards)]
            mine.append(_card(book, 900, rng, method="工作量法", total_workload=D(50_000), workload_unit="公里",
                              opening_workload=D(1000), original_value=D("250000.00"), opening_accumulated=D("5000.00")))
            mine.append(_card(book, 901, rng, disposed_on=date(2026, 2, 10)))
            mine.append(_card(book, 902, rng, status="报废"))
            mine.append(_card(book, 903, rng, acquired_on=date(2025, 12, 20), first_period="2026-01"))
            rows += mine
            for p, q in (("2026-01", D(800)), ("2026-02", D(0)), ("2026-03", D("1250.5"))):
                works.append({"id": uuid7(), "asset_id": mine[cards]["id"], "period": p, "quantity": q})
            for k, (on, dc, da, life) in enumerate(((date(2026, 1, 15), D("12000.00"), D("0.00"), None),
                                                    (date(2026, 2, 3), D("-3000.00"), D("-500.00"), 300))):
                adjustments.append({"id": uuid7(), "asset_id": mine[k]["id"], "kind": "改良" if dc > 0 else "部分处置",
                                    "effective_on": on, "delta_cost": dc, "delta_accumulated": da,
                                    "new_life_months": life, "new_residual_rate": None, "voucher_id": None,
                                    "reason": "测试"})
        bulk_insert(s, Asset, rows)
        bulk_insert(s, AssetAdjustment, adjustments)
        bulk_insert(s, AssetWorkload, works)
    return env, books


def _counts(s: Session) -> dict[str, int]:
    names = [n for (n,) in s.execute(text("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))]
    return {n: s.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def _check_stored(s: Session, books: list[BookRow], period: str, want: dict[uuid.UUID, list[DepreciationCharge]],
                  *, one_by_one: bool) -> None:
    """The month's lines, their change-log records and row state, the run's audit entry and voucher.
    The audit entry names the voucher as each path always did: the batch 「2026年1月第1号」, the
    资产 page's run 「记-0001」."""
    for b in books:
        charges = want[b.id]
        stored = s.execute(select(AssetDepreciation).where(AssetDepreciation.book_id == b.id,
                                                           AssetDepreciation.period == period)).scalars().all()
        assert {d.asset_id: (d.amount, d.account_code, d.rev, d.deleted) for d in stored} == \
            {c.asset_id: (c.amount, c.account_code, 1, False) for c in charges}
        if not charges:
            continue
        voucher_id = {d.voucher_id for d in stored}.pop()
        v = s.get(Voucher, voucher_id)
        assert v is not None and v.source_kind == "depreciation" and v.summary == f"计提{period_label(period)}固定资产折旧"
        logged = s.execute(select(ChangeLog.op, ChangeLog.rev, ChangeLog.prev_rev)
                           .where(ChangeLog.table_name == "asset_depreciation",
                                  ChangeLog.row_id.in_([d.id for d in stored]))).all()
        assert sorted(logged) == [("insert", 1, 0)] * len(stored)
        total = sum((c.amount for c in charges), D("0.00"))
        audit = s.execute(select(AuditEntry.summary, AuditEntry.after_json).where(
            AuditEntry.entity == "depreciation_run", AuditEntry.summary.contains(f"计提{period_label(period)}折旧"),
            AuditEntry.after_json.contains(str(voucher_id)))).all()
        code = f"记-{v.number:04d}" if one_by_one else f"{period_label(period)}第{v.number}号"
        assert [a.summary for a in audit] == [f"计提{period_label(period)}折旧：{len(charges)} 项资产，合计 {total}（{code}）"]
        assert json.loads(audit[0].after_json) == {"voucher": str(voucher_id), "total": str(total), "assets": len(charges)}


def test_township_run_stores_what_the_schedule_says(tmp_path: Path) -> None:
    env, books = _township(tmp_path)
    ids = [b.id for b in books]
    try:
        seen = 0
        for period in ("2026-01", "2026-02", "2026-03"):
            with env.db.begin("test") as s:
                want = _old_charges(s, ids, period)
                if period == "2026-03":  # the 资产 page's run, book by book
                    got = {b: list(run_depreciation(s, book_id=b, period=period, user=env.user).charges) for b in ids}
                else:
                    got = {b: list(c) for b, c in run_depreciation_books(s, book_ids=ids, period=period,
                                                                          user=env.user).items()}
                assert got == want
                _check_stored(s, books, period, want, one_by_one=period == "2026-03")
                seen += sum(len(c) for c in want.values())
        assert seen > 300  # a third of the cards or more charge every month; the rest are fully depreciated
        with env.db.engine.connect() as conn:
            assert [(r.name, r.problems) for r in verify_database(conn) if r.problems] == []
    finally:
        env.db.close()


def test_a_failing_book_or_a_closed_month_writes_nothing(tmp_path: Path) -> None:
    env, books = _township(tmp_path, cards=30)
    a, b, c = (x.id for x in books)
    try:
        with env.db.begin("test") as s:
            run_depreciation_books(s, book_ids=[a], period="2026-01", user=env.user)
        # book b never ran January: February of a and b together is refused, and nothing is written
        with env.db.begin("test") as s:
            before = _counts(s)
            with pytest.raises(ConflictError, match="2026年1月折旧尚未计提，请按月依次计提"):
                run_depreciation_books(s, book_ids=[a, b], period="2026-02", user=env.user)
            assert _counts(s) == before
        # c's January is closed (its charges never run): January of b and c is refused, nothing written
        with env.db.begin("test") as s:
            close_period(s, c, "2026-01", user=env.user)
        with env.db.begin("test") as s:
            before = _counts(s)
            with pytest.raises(ConflictError, match="已结账"):
                run_depreciation_books(s, book_ids=[b, c], period="2026-01", user=env.user)
            assert _counts(s) == before
            assert s.scalar(select(func.count()).select_from(AssetDepreciation)
                            .where(AssetDepreciation.book_id == b)) == 0
    finally:
        env.db.close()


def test_a_month_still_to_come_is_not_charged(tmp_path: Path) -> None:
    """R3: the CLI charged January 2027 on 2026-12-03, and the December lists counted it. Both runs
    refuse a month after this one, and write nothing."""
    from desktop_app.core.errors import ValidationError
    from desktop_app.core.periods import add_months, period_label, period_of
    from desktop_app.core.services.depreciation import run_depreciation

    env, books = _township(tmp_path, cards=5)
    coming = add_months(period_of(date.today()), 1)
    try:
        with env.db.begin("test") as s:
            before = _counts(s)
            with pytest.raises(ValidationError, match=f"{period_label(coming)}尚未到来，不能计提该月折旧"):
                run_depreciation(s, book_id=books[0].id, period=coming, user=env.user)
            with pytest.raises(ValidationError, match="尚未到来"):
                run_depreciation_books(s, book_ids=[b.id for b in books], period=coming, user=env.user)
            assert _counts(s) == before
    finally:
        env.db.close()
