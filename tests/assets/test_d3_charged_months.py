"""``depreciation_charged``: each card's charged months from its book's start before the run's month,
read by the ``(asset_id, period)`` index (tombstones included) and put right for the cards with a
tombstone, equal the live lines' count, first and last (the run's former aggregate) over a real
SQLite file with random lines and tombstones in two books of different starts; and a December
batch run with tombstones still charges a card in closed form when they lie outside its months and
refuses, naming the month, when one lies inside."""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import String, select, text, type_coerce

from db.changelog import bulk_insert
from db.models import Asset, AssetDepreciation, Book
from db.types import uuid7
from desktop_app.core.errors import ConflictError
from desktop_app.core.periods import add_months
from desktop_app.core.services.depreciation import compute_charges, run_depreciation_books
from desktop_app.core.services.depreciation_charged import charged_column, charged_exceptions, charged_text
from desktop_app.core.services.orgs import create_book, create_organisation
from tests.assets.conftest import card_row, make_env


def test_charged_months_are_the_live_lines_of_eachcard_row(tmp_path: Path) -> None:
    env = make_env(tmp_path / "charged.db")
    rng = random.Random(3)
    try:
        with env.db.begin("test") as s:
            org = create_organisation(s, name="西湖村股份经济合作社", level="村", uscc="N2320115MF00000134",
                                      region_code="320115106201", user=env.user)
            late = create_book(s, organisation_id=org.id, name="西湖村股份经济合作社", kind="股份经济合作社",
                               start_period="2026-04", user=env.user)
            cards = [card_row(b, f"ZC{j:03d}") for b in (env.book, late) for j in range(40)]
            bulk_insert(s, Asset, cards)
            lines, live = [], defaultdict(set)
            for c in cards:
                for m in range(14):  # 2025-12 … 2027-01: some before a book's start, some after the month
                    period = add_months("2025-12", m)
                    if rng.random() < 0.6:
                        dead = rng.random() < 0.15
                        lines.append({"id": uuid7(), "asset_id": c["id"], "book_id": c["book_id"], "period": period,
                                      "amount": Decimal("12.34"), "account_code": "511", "voucher_id": None,
                                      "deleted": dead})
                        if not dead:
                            live[c["id"].hex].add(period)
            bulk_insert(s, AssetDepreciation, lines)
        starts = {env.book.id.hex: "2026-01", late.id.hex: "2026-04"}
        with env.db.read("test") as s:
            conn = s.connection()
            for month in ("2026-01", "2026-04", "2026-07", "2026-12"):
                got = dict(conn.execute(select(type_coerce(Asset.id, String), charged_column(month))
                                        .join(Book, Book.id == Asset.book_id)).all())
                exact, this_month = charged_exceptions(conn, [env.book.id, late.id], month)
                got.update(exact)
                for c in cards:
                    h, start = c["id"].hex, starts[c["book_id"].hex]
                    want = sorted(p for p in live[h] if start <= p < month)
                    assert got[h] == charged_text(want), (c["code"], month)
                    assert (h in this_month) == (month in live[h])
                assert exact or month == "2026-01"  # tombstones met in every later month asked
    finally:
        env.db.close()


def test_a_december_run_with_tombstones(tmp_path: Path) -> None:
    env = make_env(tmp_path / "tombs.db")
    try:
        with env.db.begin("test") as s:
            cards = [card_row(env.book, f"ZC{j:02d}") for j in range(6)]
            cards.append(card_row(env.book, "ZC06", first_period="2026-05"))
            bulk_insert(s, Asset, cards)
        for m in range(11):
            with env.db.begin("test") as s:
                run_depreciation_books(s, book_ids=[env.book.id], period=add_months("2026-01", m), user=env.user)
        with env.db.read("test") as s:
            before = [(c.code, c.amount) for c in compute_charges(s, env.book.id, "2026-12")]
        late = cards[-1]["id"].hex
        with env.db.begin("test") as s:  # a tombstone before the card's first month, as a package may bring one
            s.execute(text("INSERT INTO asset_depreciation (id, asset_id, book_id, period, amount, account_code, "
                           "voucher_id, origin, rev, updated_at, deleted, row_hash) SELECT :i, asset_id, book_id, "
                           "'2026-03', amount, account_code, voucher_id, origin, 2, updated_at, 1, row_hash "
                           "FROM asset_depreciation WHERE asset_id = :a AND period = '2026-05'"),
                      {"i": uuid7().hex, "a": late})
        with env.db.read("test") as s:
            assert [(c.code, c.amount) for c in compute_charges(s, env.book.id, "2026-12")] == before
        with env.db.begin("test") as s:  # a month inside a card's span tombstoned: that month was never charged
            s.execute(text("UPDATE asset_depreciation SET deleted = 1, rev = rev + 1 WHERE asset_id = :a "
                           "AND period = '2026-06'"), {"a": cards[2]["id"].hex})
        with env.db.read("test") as s, pytest.raises(ConflictError, match="资产 ZC02 设备ZC02 的2026年6月折旧尚未计提"):
            compute_charges(s, env.book.id, "2026-12")
    finally:
        env.db.close()
