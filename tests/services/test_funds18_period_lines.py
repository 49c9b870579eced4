"""Month summaries count their posted lines (``account_period_total.lines``): every writer keeps
the count, ``verify`` compares it, migration f0003 fills it in an old file, and a paged journal's
outline reads months, counts and sums from the summary without touching the journal."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from db.engine import make_engine
from db.migrate import current_revisions, head_revisions, open_database, upgrade
from db.models import AccountPeriodTotal
from desktop_app.core.services import ledgers as svc
from desktop_app.core.services.balances import rebuild_totals, verify_account_totals
from desktop_app.core.services.integrity import verify_database
from desktop_app.core.services.posting_batch import PostingBatch
from desktop_app.core.services.voucher_bulk import BulkVoucher, bulk_post_vouchers
from desktop_app.core.services.voucher_lines import LineInput
from desktop_app.core.services.vouchers import post_voucher, reverse_voucher, review_voucher
from tests.funds.conftest import Env, make_env

COUNTS = """SELECT e.period, e.account_id, coalesce(v.source_kind, '') = 'year_end_close', count(*)
            FROM entry e JOIN voucher v ON v.id = e.voucher_id
            WHERE v.status = '记账' AND v.deleted = 0 AND e.deleted = 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
STORED = "SELECT period, account_id, closing, lines FROM account_period_total WHERE lines != 0 ORDER BY 1, 2, 3"


@pytest.fixture
def env(tmp_path: Path) -> Any:
    e = make_env(tmp_path / "funds.db")
    yield e
    e.db.close()


def _raw(env: Env, *sql: str) -> list[list[tuple[Any, ...]]]:
    raw = sqlite3.connect(env.db.path)
    try:
        out = [raw.execute(q).fetchall() for q in sql]
        raw.commit()
        return out
    finally:
        raw.close()


def _books_of_three_writers(env: Env) -> None:
    """One voucher by the ORM path, its red reversal, and a bulk batch on the same accounts."""
    vid = env.vouch(date(2026, 1, 3), "收租金", ("10201", "500.00", "0"), ("50101", "0", "300.00"),
                    ("50101", "0", "200.00"))
    with env.db.begin("t") as s:
        red = reverse_voucher(s, vid, user=env.maker, voucher_date=date(2026, 1, 9), reason="重复")
        review_voucher(s, red.id, user=env.reviewer)
        post_voucher(s, red.id, user=env.maker)
        bulk_post_vouchers(s, env.book.id, [
            BulkVoucher(date(2026, 1, 20 + k), f"批量{k}", [LineInput("10201", debit=D("10.00")),
                                                          LineInput("50101", credit=D("10.00"))])
            for k in range(3)] + [
            BulkVoucher(date(2026, 2, 2), "二月", [LineInput("101", debit=D("1.5")),  # not the common case
                                                   LineInput(" 50101 ", credit=D("1.50"))])], maker=env.maker)


def test_every_writer_keeps_the_line_counts_and_verify_compares_them(env: Env) -> None:
    _books_of_three_writers(env)
    counts, stored = _raw(env, COUNTS, STORED)
    assert stored == counts and sum(n for *_, n in stored) == 3 + 3 + 6 + 2
    with env.db.begin("t") as s:
        rebuild_totals(s, env.book.id)
    assert _raw(env, STORED)[0] == counts  # the rebuild counts the same
    with env.db.engine.connect() as conn:
        assert verify_account_totals(conn) == []
    _raw(env, "UPDATE account_period_total SET lines = lines + 1 WHERE period = '2026-02' "
              "AND account_id = (SELECT id FROM account WHERE code = '101')")
    with env.db.engine.connect() as conn:
        problems = verify_account_totals(conn)
    assert problems == ["账套“东湖村股份经济合作社”2026年2月 科目 101 库存现金的汇总发生额（借 1.50，贷 0.00，2 行）"
                        "与已记账分录合计（借 1.50，贷 0.00，1 行）不符：科目汇总表已被程序以外的方式修改，报表数字不可信"]


def test_migration_f0003_fills_the_counts_of_an_old_file(env: Env) -> None:
    _books_of_three_writers(env)
    counts = _raw(env, COUNTS)[0]
    env.db.close()
    # the file as f0002 left it: no count column, vouchers indexed by (book, date); f0003 is run on it
    # alone (h0001, which merges every branch after it, is already applied to the rest of the file)
    _raw(env, "ALTER TABLE account_period_total DROP COLUMN lines", "DROP INDEX ix_voucher_book_date_number",
         "CREATE INDEX ix_voucher_book_date ON voucher (book_id, voucher_date)",
         "DELETE FROM alembic_version", "INSERT INTO alembic_version VALUES ('f0002')")
    engine = make_engine(env.db.path)
    upgrade(engine, "f0003")
    assert current_revisions(engine) == {"f0003"}
    engine.dispose()
    _raw(env, "DELETE FROM alembic_version", *(f"INSERT INTO alembic_version VALUES ('{h}')" for h in head_revisions()))
    env.db = open_database(env.db.path, backup_dir=env.db.path.parent / "backups")
    assert current_revisions(env.db.engine) == head_revisions()
    assert _raw(env, STORED)[0] == counts
    plan = _raw(env, "EXPLAIN QUERY PLAN SELECT id FROM voucher WHERE book_id = x'00' AND voucher_date >= '2026-01-01' "
                     "ORDER BY voucher_date, number")[0]
    assert any("ix_voucher_book_date_number" in str(step) for step in plan)
    assert not any("TEMP B-TREE" in str(step) for step in plan)  # journal order straight from the index
    with env.db.engine.connect() as conn:
        assert [p for r in verify_database(conn) for p in r.problems] == []


def test_outline_reads_the_summary_not_the_journal(env: Env) -> None:
    _books_of_three_writers(env)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(env.db.engine, "before_cursor_execute", seen)
    try:
        with env.db.read("t") as s:
            outline = svc.journal_outline(s, env.book.id, "2026-01", "2026-03", account_code="50101")
    finally:
        event.remove(env.db.engine, "before_cursor_execute", seen)
    assert statements and not any(" entry" in q for q in statements)  # months and counts from the summary
    assert [(m.period, m.count, m.month_total.debit, m.month_total.credit) for m in outline.months] == [
        ("2026-01", 2 + 2 + 3, D("0.00"), D("30.00")), ("2026-02", 1, D("0.00"), D("1.50")),
        ("2026-03", 0, D("0.00"), D("0.00"))]
    with env.db.read("t") as s:
        whole = svc.account_ledger(s, env.book.id, "50101", "2026-01", "2026-03")
    assert outline.entry_count == sum(1 for line in whole.lines if line.kind == "entry")
    assert [m.month_total for m in outline.months] == [x for x in whole.lines if x.kind == "month_total"]
    assert outline.closing == whole.closing


def test_posting_batch_hands_back_what_it_posted(env: Env) -> None:
    from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers

    with env.db.begin("t") as s:  # a book whose module vouchers are posted when made (the default waits for 审核)
        set_auto_vouchers(s, env.book.id, AUTO_POST, user=env.reviewer)
    batch = PostingBatch(env.maker, summary="批量")
    sources = [uuid.uuid4() for _ in range(3)]
    batch.add(env.book.id, [BulkVoucher(date(2026, 3, 3 - k), f"来源{k}", [LineInput("101", debit=D("2.00")),
                                                                           LineInput("50101", credit=D("2.00"))],
                                        source_kind="test", source_id=sid) for k, sid in enumerate(sources)])
    seen: list[dict[uuid.UUID, Any]] = []
    batch.then(seen.append)
    with env.db.begin("t") as s:
        posted = batch.post(s)
        from db.models import Voucher

        stored = {sid: (vid, p, n) for vid, sid, p, n in s.execute(
            select(Voucher.id, Voucher.source_id, Voucher.period, Voucher.number).where(Voucher.source_kind == "test"))}
        assert s.scalar(select(func.sum(AccountPeriodTotal.lines))) == 6
    assert seen == [posted]
    assert {sid: (p.id, p.period, p.number) for sid, p in posted.items()} == stored
    assert [posted[sid].number for sid in sources] == [3, 2, 1]  # numbered by date
    assert posted[sources[0]].code == "2026年3月第3号"


