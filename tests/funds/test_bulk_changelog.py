"""The bulk path (DBAPI executemany, slim change log, summary upsert) stores exactly what the
ORM path stores, logs every row gap-free, and keeps the month summaries in step."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from db.changelog import bulk_insert
from db.models import OpeningBalance, Region
from desktop_app.core.errors import ValidationError
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher
from tests.funds.conftest import Env, table_counts

ENTRY_COLS = ("book_id", "period", "line_no", "account_id", "debit", "credit", "summary", "counterparty",
              "project_id", "contract_id", "asset_id", "origin", "rev", "deleted")


def _stored_entries(env: Env, voucher_summary: str) -> list[tuple[object, ...]]:
    raw = sqlite3.connect(env.db.path)
    cols = ", ".join(f"e.{c}, typeof(e.{c})" for c in ENTRY_COLS)
    rows = raw.execute(f"SELECT {cols}, typeof(e.updated_at), length(e.updated_at), typeof(e.id), length(e.id) "
                       "FROM entry e JOIN voucher v ON v.id = e.voucher_id WHERE v.summary = ? ORDER BY e.line_no",
                       (voucher_summary,)).fetchall()
    raw.close()
    return rows


def _lines() -> list[LineInput]:
    return [LineInput("101", debit=Decimal("1234.56"), summary="收现金", counterparty="张三"),
            LineInput("50101", credit=Decimal("1000.00")), LineInput("50101", credit=Decimal("234.56"))]


def _problems(env: Env) -> list[str]:
    with env.db.engine.connect() as c:
        return [p for r in verify_database(c) for p in r.problems]


def test_bulk_stores_exactly_what_the_orm_path_stores(env: Env) -> None:
    with env.db.begin("test") as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 5), summary="单张", lines=_lines(),
                           user=env.maker)
        review_voucher(s, v.id, user=env.reviewer)
        post_voucher(s, v.id, user=env.maker)
    with env.db.begin("test") as s:
        bulk_post_vouchers(s, env.book.id, [BulkVoucher(date(2026, 1, 6), "批量", _lines())], maker=env.maker)
    one, bulk = _stored_entries(env, "单张"), _stored_entries(env, "批量")
    assert len(bulk) == 3 and bulk == one
    assert bulk[0][8:10] == (123456, "integer")  # 1234.56 元 as integer 分


def test_bulk_logs_every_row_gap_free_and_keeps_summaries_in_step(env: Env) -> None:
    env.vouch(date(2026, 1, 5), "先有一张", ("101", "10.00", "0"), ("50101", "0", "10.00"))
    raw = sqlite3.connect(env.db.path)
    last_seq = raw.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    raw.close()
    vouchers = [BulkVoucher(date(2026, 1 + i % 3, 1 + i % 28), f"批量{i}", _lines()) for i in range(30)]
    with env.db.begin("test") as s:
        assert bulk_post_vouchers(s, env.book.id, vouchers, maker=env.maker, batch=10) == 30
    raw = sqlite3.connect(env.db.path)
    logged = raw.execute("SELECT seq, table_name, op, rev, prev_rev FROM change_log WHERE seq > ? ORDER BY seq",
                         (last_seq,)).fetchall()
    unlogged = raw.execute("SELECT count(*) FROM entry e WHERE NOT EXISTS (SELECT 1 FROM change_log c "
                           "WHERE c.row_id = e.id AND c.rev = e.rev AND c.table_name = 'entry')").fetchone()[0]
    jan = raw.execute("SELECT a.code, t.debit, t.credit FROM account_period_total t JOIN account a ON a.id = t.account_id "
                      "WHERE t.period = '2026-01' ORDER BY a.code").fetchall()
    raw.close()
    assert [r[0] for r in logged] == list(range(last_seq + 1, last_seq + 1 + 30 * 4))
    assert {(r[1], r[2], r[3], r[4]) for r in logged} == {("voucher", "insert", 1, 0), ("entry", "insert", 1, 0)}
    assert unlogged == 0
    # January: the single voucher (10.00) and 10 bulk vouchers of 1234.56 each
    assert jan == [("101", 1000 + 10 * 123456, 0), ("50101", 0, 1000 + 10 * 123456)]
    assert _problems(env) == []


def test_bulk_refuses_a_float_amount_and_writes_nothing(env: Env) -> None:
    before = table_counts(env)
    bad = [LineInput("101", debit=1.5), LineInput("50101", credit=Decimal("1.50"))]  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="浮点数"), env.db.begin("test") as s:
        bulk_post_vouchers(s, env.book.id, [BulkVoucher(date(2026, 1, 6), "好的", _lines()),
                                            BulkVoucher(date(2026, 1, 7), "坏的", bad)], maker=env.maker)
    assert table_counts(env) == before


def test_bulk_insert_fills_defaults_and_gives_new_ids_back(env: Env) -> None:
    rows: list[dict[str, object]] = [{"code": "320115106299", "name": "新村", "level": "村"}]
    with env.db.begin("test") as s:
        bulk_insert(s, Region, rows)
        region = s.get(Region, rows[0]["id"])
        assert region is not None and (region.name, region.rev, region.deleted) == ("新村", 1, False)
    assert _problems(env) == []


@pytest.mark.parametrize(("amount", "error", "message"), [
    (Decimal("1.005"), ValueError, "超过 2 位小数"), (1.5, TypeError, "浮点数"), (Decimal("NaN"), ValueError, "数值无效")])
def test_bulk_insert_refuses_inexact_money_like_the_orm(env: Env, amount: object, error: type, message: str) -> None:
    from desktop_app.core.services.funds_base import book_accounts

    before = table_counts(env)
    with pytest.raises(error, match=message), env.db.begin("test") as s:
        cash = book_accounts(s, env.book.id)["101"]
        bulk_insert(s, OpeningBalance, [{"book_id": env.book.id, "account_id": cash.id, "debit": amount}])
    assert table_counts(env) == before
