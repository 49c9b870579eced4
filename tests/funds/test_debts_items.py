"""债权债务 on the disclosure: item by item (per account and counterparty, or the summary where the
books name none), 内部往来 split per detail account, totals equal to the balance sheet's 应收款项 and
应付款项 of the same date; the PDF read back."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pdfplumber

from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.statements import balance_sheet_values
from desktop_app.core.services.vouchers import LineInput, create_voucher, post_voucher, review_voucher
from desktop_app.reports.disclosure.context import make_context
from desktop_app.reports.disclosure.data import counterparty_balances
from desktop_app.reports.disclosure.sections.debts import BY_SUMMARY, build, debt_items
from tests.funds.conftest import Env

D = Decimal


def _post(env: Env, day: date, summary: str, *lines: LineInput) -> None:
    with env.db.begin("test") as s:
        v = create_voucher(s, book_id=env.book.id, voucher_date=day, summary=summary, lines=list(lines), user=env.maker)
        review_voucher(s, v.id, user=env.reviewer)
        post_voucher(s, v.id, user=env.maker)


def _book(env: Env) -> None:
    with env.db.begin("test") as s:
        add_sub_account(s, book_id=env.book.id, parent_code="113", code="11301", name="一组", user=env.maker)
        add_sub_account(s, book_id=env.book.id, parent_code="113", code="11302", name="二组", user=env.maker)
    bank = "10201"
    _post(env, date(2026, 2, 3), "借给赵大勇周转", LineInput("112", D("3000.00"), counterparty="赵大勇"),
          LineInput(bank, credit=D("3000.00")))
    _post(env, date(2026, 2, 9), "借给钱小英周转", LineInput("112", D("1000.00"), counterparty="钱小英"),
          LineInput(bank, credit=D("1000.00")))
    _post(env, date(2026, 3, 4), "收回赵大勇欠款", LineInput(bank, D("1200.00")),
          LineInput("112", credit=D("1200.00"), counterparty="赵大勇"))
    _post(env, date(2026, 3, 5), "垫付修渠材料款", LineInput("112", D("450.00")), LineInput(bank, credit=D("450.00")))
    _post(env, date(2026, 3, 6), "代一组垫付水费", LineInput("11301", D("800.00"), counterparty="一组"),
          LineInput(bank, credit=D("800.00")))
    _post(env, date(2026, 3, 7), "收二组代收款", LineInput(bank, D("650.00")),
          LineInput("11302", credit=D("650.00"), counterparty="二组"))
    _post(env, date(2026, 3, 8), "欠江宁建材款", LineInput("51302", D("2300.00")),
          LineInput("211", credit=D("2300.00"), counterparty="江宁建材经营部"))
    _post(env, date(2026, 3, 9), "借入短期周转金", LineInput(bank, D("5000.00")),
          LineInput("201", credit=D("5000.00"), counterparty="江宁农商银行"))


def test_items_are_listed_one_by_one_and_tie_to_the_balance_sheet(env: Env) -> None:
    _book(env)
    with env.db.begin() as s:
        ctx = make_context(s, env.book.id, parse_disclosure_period("2026-03"))
        balances = counterparty_balances(s, env.book.id, ctx.account_ids("receivables", "internal_accounts",
                                                                          "payables", "short_term_loans"),
                                         ctx.period_from, ctx.period_to)
        claims, debts = debt_items(ctx, balances, True), debt_items(ctx, balances, False)
        _start, end = balance_sheet_values(s, env.book.id, "2026-03")
        blocks = build(s, ctx)
    assert [(i.party, i.opening, i.increase, i.decrease, i.closing) for i in claims] == [
        ("赵大勇", D("3000.00"), D("0.00"), D("1200.00"), D("1800.00")),
        ("钱小英", D("1000.00"), D("0"), D("0"), D("1000.00")),
        (BY_SUMMARY + "垫付修渠材料款", D("0"), D("450.00"), D("0"), D("450.00")),  # no party: its summary, marked
        ("一组", D("0"), D("800.00"), D("0"), D("800.00"))]
    assert [(i.line, i.code, i.party, i.closing) for i in debts] == [  # in the balance sheet's order
        ("短期借款", "201", "江宁农商银行", D("5000.00")),
        ("应付款项", "11302", "二组", D("650.00")),  # 内部往来 detail account with a credit balance
        ("应付款项", "211", "江宁建材经营部", D("2300.00"))]
    assert [i.account for i in claims] == ["应收款"] * 3 + ["内部往来——一组"]  # a detail account under its name
    assert sum(i.closing for i in claims) == end["a3"] == D("4050.00")
    assert sum(i.closing for i in debts if i.line == "应付款项") == end["l2"] == D("2950.00")
    assert sum(i.closing for i in debts if i.line == "短期借款") == end["l1"]
    assert blocks is not None
    claims_table, debts_table = blocks
    assert claims_table.totals_row is not None and claims_table.totals_row[1:] == [  # type: ignore[union-attr]
        "4项", D("4000.00"), D("1250.00"), D("1200.00"), D("4050.00")]
    assert "（未注明单位或个人）" not in str(claims_table.rows) + str(debts_table.rows)  # type: ignore[union-attr]
    note = debts_table.note  # type: ignore[union-attr]
    assert "应收款项 4,050.00 元" in note and "应付款项 2,950.00 元" in note and "按凭证摘要列示" in note


def test_the_sheet_prints_the_items(env: Env) -> None:
    from desktop_app.reports.disclosure.builder import build_disclosure

    _book(env)
    with env.db.begin() as s:
        pdf = build_disclosure(s, env.book.organisation_id, "2026-Q1", book_ids=[env.book.id]).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    part = text.split("债权明细")[1].split("专项公开")[0]
    for item in ("赵大勇", "钱小英", "※垫付修渠材料款", "一组", "二组", "江宁建材经营部", "江宁农商银行"):
        assert item in part
    assert "4,050.00" in part and "2,950.00" in part


def test_every_month_of_the_demo_ties_to_its_balance_sheet(tmp_path: object) -> None:
    from pathlib import Path

    from db.migrate import open_database
    from desktop_app.core.demo import build_demo
    from desktop_app.core.services.funds_base import periods_between
    from desktop_app.core.services.orgs import list_books, list_organisations

    database = open_database(Path(str(tmp_path)) / "demo.db")
    try:
        with database.begin("demo") as s:
            build_demo(s, villages=1, years=2, seed=5)
        with database.begin() as s:
            books = [b for o in list_organisations(s) for b in list_books(s, o.id)]
            checked = 0
            for book in books:
                for month in periods_between(book.start_period, "2025-12"):
                    ctx = make_context(s, book.id, parse_disclosure_period(month))
                    ids = ctx.account_ids("receivables", "internal_accounts", "payables")
                    balances = counterparty_balances(s, book.id, ids, month, month)
                    _start, end = balance_sheet_values(s, book.id, month)
                    claims, debts = debt_items(ctx, balances, True), debt_items(ctx, balances, False)
                    assert sum((i.closing for i in claims), D(0)) == end["a3"], (book.name, month)
                    assert sum((i.closing for i in debts if i.line == "应付款项"), D(0)) == end["l2"], (book.name, month)
                    checked += 1
        assert checked >= 12 * len(books) > 0
    finally:
        database.close()
