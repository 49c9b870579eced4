"""A township's month end in batch: ``run_depreciation_books`` charges what ``run_depreciation``
charges (same voucher lines, same per-asset lines, idempotent), and ``close_periods`` seals what
``close_period`` seals, refusing the whole batch when one month cannot be closed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import AssetDepreciation, Period, Voucher
from desktop_app.core.errors import ConflictError
from desktop_app.core.services.depreciation import run_depreciation, run_depreciation_books
from desktop_app.core.services.periods import close_period, close_periods, list_periods
from desktop_app.core.services.vouchers import LineInput, create_voucher, get_voucher
from tests.assets.conftest import Env, make_env


def _cards(env: Env) -> None:
    env.asset("ZC-001", acquired_on=date(2025, 12, 5))
    env.asset("ZC-002", name="联合收割机", category="机器设备", nature="经营性", acquired_on=date(2025, 11, 20),
              original_value=D("86000.00"), useful_life_months=120, residual_rate=D(5))


def _state(env: Env) -> dict[str, Any]:
    with env.db.begin() as s:
        vouchers = []
        for vid, in s.execute(select(Voucher.id).order_by(Voucher.period, Voucher.voucher_date, Voucher.summary)):
            d = get_voucher(s, vid)
            vouchers.append((d.voucher.period, d.voucher.summary, d.voucher.source_kind, d.voucher.status,
                             [(ln.account_code, ln.debit, ln.credit, ln.summary) for ln in d.lines]))
        lines = s.execute(select(AssetDepreciation.period, AssetDepreciation.amount, AssetDepreciation.account_code)
                          .order_by(AssetDepreciation.period, AssetDepreciation.amount)).all()
        periods = [(p.period, p.status, p.seal_hash) for p in list_periods(s, env.book.id)]
    return {"vouchers": vouchers, "lines": lines, "periods": periods}


def test_month_end_in_batch_equals_one_by_one(tmp_path: Path) -> None:
    one, many = make_env(tmp_path / "one.db"), make_env(tmp_path / "many.db")
    try:
        for env in (one, many):
            _cards(env)
        for p in ("2026-01", "2026-02", "2026-03"):
            with one.db.begin("test") as s:
                run_depreciation(s, book_id=one.book.id, period=p, user=one.user)
                close_period(s, one.book.id, p, user=one.user)
            with many.db.begin("test") as s:
                got = run_depreciation_books(s, book_ids=[many.book.id], period=p, user=many.user)
                assert sum(c.amount for c in got[many.book.id]) > 0
                if p == "2026-03":  # a second run finds the first and changes nothing
                    again = run_depreciation_books(s, book_ids=[many.book.id], period=p, user=many.user)
                    assert again == got
                    run_depreciation(s, book_id=many.book.id, period=p, user=many.user)
            with many.db.begin("test") as s:
                rows = close_periods(s, [(many.book.id, p)], user=many.user)
                assert [(r.period, r.status) for r in rows] == [(p, "closed")]
        a, b = _state(one), _state(many)
        assert a["lines"] == b["lines"] and len(b["lines"]) == 6
        assert [v[1:] for v in a["vouchers"]] == [v[1:] for v in b["vouchers"]]
        # the months' content is the same but the vouchers' ids and times differ: each sealed, closed in order
        assert [p[:2] for p in b["periods"]] == [(p, "closed") for p in ("2026-01", "2026-02", "2026-03")]
    finally:
        one.db.close()
        many.db.close()


def test_close_periods_checks_every_month_before_writing(tmp_path: Path) -> None:
    env = make_env(tmp_path / "close.db")
    try:
        with env.db.begin("test") as s:
            create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 2, 3), summary="购买办公用品",
                           user=env.user, lines=[LineInput("51302", debit=D("120.00")),
                                                 LineInput("10201", credit=D("120.00"))])
        with env.db.begin("test") as s, pytest.raises(ConflictError, match="2026年2月不能结账：有 1 张凭证尚未记账"):
            close_periods(s, [(env.book.id, "2026-01"), (env.book.id, "2026-02")], user=env.user)
        with env.db.begin("test") as s, pytest.raises(ConflictError, match="请先结账2026年1月"):
            close_periods(s, [(env.book.id, "2026-02")], user=env.user)
        with env.db.begin() as s:
            assert s.scalar(select(func.count()).select_from(Period)) == 0
        with env.db.begin("test") as s:  # January alone can be closed; closing it again is refused
            close_periods(s, [(env.book.id, "2026-01")], user=env.user)
        with env.db.begin("test") as s, pytest.raises(ConflictError, match="已经结账"):
            close_periods(s, [(env.book.id, "2026-01")], user=env.user)
    finally:
        env.db.close()
