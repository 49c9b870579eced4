"""Which way a card's month is answered in the run (``depreciation._compute_runs``): a plain
straight-line card in integer 分 on its stored values (``depreciation_month.straight_month_fen``),
any other card — a value change, 工作量法, or charged months that do not cover its span — by its
whole schedule, read again as a typed row. The integer rounding is Decimal's ROUND_HALF_UP, the
charges keep the cards' code order whichever way each was answered, and a refusal names the
first card in code order that misses a month, whichever way it went."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from db.changelog import bulk_insert
from db.models import Asset, AssetAdjustment
from db.types import uuid7
from desktop_app.core.errors import ConflictError
from desktop_app.core.services.depreciation import compute_charges, run_depreciation_books
from desktop_app.core.services.depreciation_month import half_up
from desktop_app.core.services.integrity import verify_database
from tests.assets.conftest import card_row, make_env


def test_half_up_is_decimal_round_half_up() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        d = rng.choice([1, 2, 3, 7, 12, 100, 360, 1_000_000, rng.randint(1, 10**7)])
        n = rng.randint(-10**9, 10**9)
        if d % 2 == 0 and rng.random() < 0.3:  # a tie: exactly half-way, either sign
            n = d * rng.randint(-10**6, 10**6) + rng.choice([1, -1]) * (d // 2)
        want = (D(n) / D(d)).quantize(D(1), rounding=ROUND_HALF_UP)
        assert half_up(n, d) == int(want), (n, d)


def _adjust(asset_id: Any) -> dict[str, Any]:
    return {"id": uuid7(), "asset_id": asset_id, "kind": "改良", "effective_on": date(2025, 6, 1),
            "delta_cost": D("500.00"), "delta_accumulated": D("0.00"), "new_life_months": None,
            "new_residual_rate": None, "voucher_id": None, "reason": "测试"}


@pytest.mark.parametrize("adjusted", ["ZC03", "ZC04"])
def test_the_first_card_missing_a_month_is_named_whichever_way_it_went(tmp_path: Path, adjusted: str) -> None:
    env = make_env(tmp_path / "paths.db")
    try:
        with env.db.begin("test") as s:
            cards = [card_row(env.book, c) for c in ("ZC02", "ZC01")]
            bulk_insert(s, Asset, cards)
            run_depreciation_books(s, book_ids=[env.book.id], period="2026-01", user=env.user)
            # two cards taken over after January's run, both charged from January: one with a value
            # change (the schedule's way), one plain (closed form, but its charged months do not match)
            late = [card_row(env.book, c) for c in ("ZC04", "ZC03")]
            bulk_insert(s, Asset, late)
            bulk_insert(s, AssetAdjustment, [_adjust(next(r["id"] for r in late if r["code"] == adjusted))])
        with env.db.begin("test") as s, pytest.raises(ConflictError, match="资产 ZC03 设备ZC03 的2026年1月折旧尚未计提"):
            compute_charges(s, env.book.id, "2026-02")
    finally:
        env.db.close()


def test_charges_keep_code_order_across_both_ways(tmp_path: Path) -> None:
    env = make_env(tmp_path / "order.db")
    try:
        with env.db.begin("test") as s:
            rows = [card_row(env.book, f"ZC{j:02d}", original_value=D(100_000 + 3_701 * j).scaleb(-2),
                          opening_accumulated=D("0.00"))
                    for j in range(12, 0, -1)]
            rows.append(card_row(env.book, "ZC05A", method="工作量法", total_workload=D(10_000), workload_unit="公里",
                              opening_workload=D(0)))
            bulk_insert(s, Asset, rows)
            bulk_insert(s, AssetAdjustment, [_adjust(r["id"]) for r in rows if r["code"] in ("ZC03", "ZC09")])
            from desktop_app.core.services.depreciation import record_workload

            unit = next(r["id"] for r in rows if r["code"] == "ZC05A")
            record_workload(s, unit, "2026-01", "125.5", user=env.user)
            got = run_depreciation_books(s, book_ids=[env.book.id], period="2026-01", user=env.user)[env.book.id]
        codes = [c.code for c in got]
        assert codes == sorted(r["code"] for r in rows)
        assert all(c.amount > 0 and c.amount == c.amount.quantize(D("0.01")) for c in got)
        with env.db.engine.connect() as conn:
            assert [(r.name, r.problems) for r in verify_database(conn) if r.problems] == []
    finally:
        env.db.close()
