"""银行对账: automatic and manual 勾对, the 银行存款余额调节表 balanced and not, 已对账 and the
month-close checklist — on a real SQLite file with posted vouchers and an imported statement."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntry
from desktop_app.core.errors import ConflictError, UserError, ValidationError
from desktop_app.core.services.bank_matching import (
    auto_match,
    bank_items,
    match_items,
    month_view,
    unmatch_item,
)
from desktop_app.core.services.bank_reconcile import mark_reconciled, reconciliation_report, unmark_reconciled
from desktop_app.core.services.bank_statements import import_bank_statement
from desktop_app.core.services.close_checklist import month_close_checklist
from desktop_app.excel.bank_statement_read import read_statement
from tests.funds.bank_data import JUNE_ROWS, june_books, write_june_xlsx
from tests.funds.conftest import Env


def _import(env: Env, path: Path, period: str) -> None:
    f = read_statement(path)
    assert not f.errors
    with env.db.begin("test") as s:
        import_bank_statement(s, env.book.id, "10201", period, f.lines, source_name=f.name, source_hash=f.sha256,
                              user=env.maker)


def _june(env: Env, tmp_path: Path) -> None:
    june_books(env)
    _import(env, write_june_xlsx(tmp_path / "june.xlsx"), "2026-06")


def _report(env: Env, period: str = "2026-06"):  # type: ignore[no-untyped-def]
    with env.db.read() as s:
        return reconciliation_report(s, env.book.id, "10201", period)


def test_auto_match_then_the_table_balances(env: Env, tmp_path: Path) -> None:
    _june(env, tmp_path)
    with env.db.begin("test") as s:
        done = auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
    assert done.groups == 2  # rent 5,000 (3rd against 2nd) and supplies 320 (11th against 10th)
    r = _report(env)
    assert r.book_balance == D("98680.00") and r.bank_balance == D("104687.50")
    assert [(i.summary, i.amount) for i in r.bank_in_book_not] == [("结息", D("12.50"))]
    assert [(i.summary, i.amount) for i in r.bank_out_book_not] == [("账户管理费", D("5.00"))]
    assert [(i.summary, i.amount) for i in r.book_in_bank_not] == [("现金存入银行", D("2000.00"))]
    assert [(i.summary, i.amount) for i in r.book_out_bank_not] == [("付村道硬化工程款（转账支票）", D("8000.00"))]
    assert r.adjusted_book == r.adjusted_bank == D("98687.50") and r.balanced
    assert r.verdict == "调节后余额相等，账实相符"
    # matching again finds nothing more; the May entry (before the first statement) is not a 未达账项
    with env.db.begin("test") as s:
        assert auto_match(s, env.book.id, "10201", "2026-06", user=env.maker).groups == 0
        assert all(i.period == "2026-06" for i in bank_items(s, env.book.id, "10201", "2026-06"))


def test_the_nearest_date_wins_and_far_dates_are_left(env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 6, 1), "付材料款", ("51302", "320.00", "0"), ("10201", "0", "320.00"))
    env.vouch(date(2026, 6, 20), "付材料款", ("51302", "320.00", "0"), ("10201", "0", "320.00"))
    _import(env, write_june_xlsx(tmp_path / "s.xlsx", [("2026-06-21", "材料款", None, 320, 1000, None),
                                                       ("2026-06-30", "材料款", None, 320, 680, None)]), "2026-06")
    with env.db.begin("test") as s:
        assert auto_match(s, env.book.id, "10201", "2026-06", user=env.maker).groups == 1
        items = bank_items(s, env.book.id, "10201", "2026-06")
    book = {i.day.day: i.matched for i in items if i.side == "book"}
    assert book == {1: False, 20: True}  # the 30th is 29 days from the 1st: beyond the window


def test_manual_match_sums_must_agree_and_unmatch_restores(env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 6, 5), "收一组水费", ("10201", "600.00", "0"), ("50104", "0", "600.00"))
    env.vouch(date(2026, 6, 6), "收二组水费", ("10201", "400.00", "0"), ("50104", "0", "400.00"))
    env.vouch(date(2026, 6, 7), "收三组水费", ("10201", "50.00", "0"), ("50104", "0", "50.00"))
    _import(env, write_june_xlsx(tmp_path / "s.xlsx", [("2026-06-08", "代收水费", 1000, None, 1000, "自来水公司")]),
            "2026-06")
    with env.db.read() as s:
        items = bank_items(s, env.book.id, "10201", "2026-06")
    line = next(i for i in items if i.side == "bank")
    e600, e400, e50 = (next(i for i in items if i.side == "book" and i.amount == D(a)) for a in ("600", "400", "50"))
    with env.db.begin("test") as s, pytest.raises(ValidationError, match=re.escape("金额不等，不能勾对：对账单 1,000.00，账面 1,050.00")):
        match_items(s, env.book.id, "10201", "2026-06", [line.id], [e600.id, e400.id, e50.id], user=env.maker)
    with env.db.begin("test") as s:
        done = match_items(s, env.book.id, "10201", "2026-06", [line.id], [e600.id, e400.id], user=env.maker)
    assert (done.bank_lines, done.entries) == (1, 2)
    r = _report(env)
    assert [i.amount for i in r.book_in_bank_not] == [D("50.00")] and not r.bank_in_book_not
    with env.db.begin("test") as s, pytest.raises(ValidationError, match="已勾对，请先取消原勾对"):
        match_items(s, env.book.id, "10201", "2026-06", [line.id], [e50.id], user=env.maker)
    with env.db.begin("test") as s:
        unmatch_item(s, env.book.id, "10201", e400.id, user=env.maker)  # any item undoes its whole group
    r = _report(env)
    assert len(r.book_in_bank_not) == 3 and len(r.bank_in_book_not) == 1
    with env.db.read() as s:
        kinds = [a for a in s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "bank_match"))]
    assert kinds == ["match", "unmatch"]


def test_unbalanced_month_cannot_be_marked(env: Env, tmp_path: Path) -> None:
    june_books(env)  # the bank says the account held 300 more before June than the books do
    rows = [(d, t, i, o, bal + 300, c) for d, t, i, o, bal, c in JUNE_ROWS]
    _import(env, write_june_xlsx(tmp_path / "june.xlsx", rows), "2026-06")
    with env.db.begin("test") as s:
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
    r = _report(env)
    assert not r.balanced and r.difference == D("-300.00")
    assert r.verdict == "调节后余额不相等，相差 -300.00 元，请查明原因"
    with env.db.begin("test") as s, pytest.raises(ValidationError, match=re.escape(
            "调节后余额不相等，不能标记已对账：企业调节后 98,687.50，银行调节后 98,987.50，相差 -300.00")):
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
    with env.db.read() as s:
        assert not s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "bank_reconciliation")).all()


def test_marked_month_is_frozen_and_shown_on_the_checklist(env: Env, tmp_path: Path) -> None:
    _june(env, tmp_path)
    with env.db.read() as s:
        items = [i for i in month_close_checklist(s, env.book.id, "2026-06") if "银行存款" in i.title]
    assert [(i.title, i.ok, i.blocking) for i in items] == [("银行存款未对账：10201 农商行", False, False)]
    with env.db.begin("test") as s:
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        r = mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.reviewer)
    assert r.reconciled and r.state is not None and r.state.reconciled_by == "李审核"
    assert r.verdict.startswith("调节后余额相等，账实相符；已由李审核于")
    with env.db.read() as s:
        items = [i for i in month_close_checklist(s, env.book.id, "2026-06") if "银行存款" in i.title]
        audit = s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "bank_reconciliation")).one()
    assert items[0].ok and items[0].title == "银行存款已对账：10201 农商行" and "98,687.50" in items[0].detail
    assert "标记已对账" in audit
    some = next(i for i in _report(env).book_in_bank_not)
    with env.db.begin("test") as s:
        with pytest.raises(ConflictError, match="已标记“已对账”，不能再勾对"):
            auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        with pytest.raises(ConflictError, match="已标记已对账"):
            mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
        matched = next(i for i in bank_items(s, env.book.id, "10201", "2026-06") if i.matched)
        with pytest.raises(ConflictError, match="不能取消其中的勾对"):
            unmatch_item(s, env.book.id, "10201", matched.id, user=env.maker)
    assert some.amount == D("2000.00")
    # the books change after the mark: the checklist says so
    env.vouch(date(2026, 6, 30), "补记手续费", ("51302", "5.00", "0"), ("10201", "0", "5.00"))
    with env.db.read() as s:
        items = [i for i in month_close_checklist(s, env.book.id, "2026-06") if "银行存款" in i.title]
    assert not items[0].ok and "标记已对账后账面余额有变动（标记时 98,680.00，现在 98,675.00）" in items[0].detail
    with env.db.begin("test") as s:
        unmark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker, reason="补记手续费")
        assert not reconciliation_report(s, env.book.id, "10201", "2026-06").reconciled
        with pytest.raises(ConflictError, match="没有标记已对账"):
            unmark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)


def test_next_month_clears_june_items_and_june_stays_as_it_was(env: Env, tmp_path: Path) -> None:
    _june(env, tmp_path)
    with env.db.begin("test") as s:
        auto_match(s, env.book.id, "10201", "2026-06", user=env.maker)
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)
    env.vouch(date(2026, 7, 1), "补记6月结息", ("10201", "12.50", "0"), ("504", "0", "12.50"))
    _import(env, write_june_xlsx(tmp_path / "july.xlsx", [("2026-07-01", "现金存入", 2000, None, 106687.5, None),
                                                          ("2026-07-02", "转账支票", None, 8000, 98687.5, "县路桥公司")]),
            "2026-07")
    with env.db.begin("test") as s:
        assert auto_match(s, env.book.id, "10201", "2026-07", user=env.maker).groups == 2  # June's cheque and deposit
        items = bank_items(s, env.book.id, "10201", "2026-07")
        # the interest of 21 June booked on 1 July: ten days apart, matched by hand
        interest = [i.id for i in items if not i.matched and i.amount == D("12.50")]
        assert len(interest) == 2
        match_items(s, env.book.id, "10201", "2026-07", interest[:1], interest[1:], user=env.maker)
        view = month_view(bank_items(s, env.book.id, "10201", "2026-07"), "2026-07")
    assert {(i.side, i.period) for i in view} >= {("book", "2026-06"), ("bank", "2026-06"), ("bank", "2026-07")}
    july = _report(env, "2026-07")
    assert [i.summary for i in july.bank_out_book_not] == ["账户管理费"] and not july.book_out_bank_not
    assert july.balanced and july.bank_balance == D("98687.50")
    june = _report(env)  # June's 未达账项 are those of its end, though July matched them
    assert june.balanced and len(june.book_out_bank_not) == 1 and june.reconciled


def test_no_statement_yet(env: Env) -> None:
    june_books(env)
    r = _report(env)
    assert r.bank_balance is None and r.verdict == "尚未导入本月银行对账单，无法调节"
    with env.db.begin("test") as s, pytest.raises(UserError, match="还没有导入银行对账单"):
        mark_reconciled(s, env.book.id, "10201", "2026-06", user=env.maker)


def test_statement_balance_follows_the_banks_order(env: Env, tmp_path: Path) -> None:
    """A bank that lists a line late with an earlier value date: the balance is the file's last."""
    june_books(env)
    rows: list[tuple[object, ...]] = [r for r in JUNE_ROWS if r[1] != "结息"]
    rows[-1] = (*rows[-1][:4], 104675, None)  # 账户管理费 on the 30th, before the interest is credited
    rows.append(("2026-06-21", "结息", 12.5, None, 104687.5, None))
    _import(env, write_june_xlsx(tmp_path / "late.xlsx", rows), "2026-06")
    r = _report(env)
    assert r.bank_balance == D("104687.50") and r.balanced


def test_a_month_imported_in_two_files_latest_first(env: Env, tmp_path: Path) -> None:
    june_books(env)
    _import(env, write_june_xlsx(tmp_path / "second_half.xlsx", JUNE_ROWS[2:]), "2026-06")
    _import(env, write_june_xlsx(tmp_path / "first_half.xlsx", JUNE_ROWS[:2]), "2026-06")
    _import(env, write_june_xlsx(tmp_path / "whole.xlsx"), "2026-06")  # adds nothing
    r = _report(env)
    assert r.statement_lines == 4 and r.bank_balance == D("104687.50") and r.balanced
