"""Ledger print/export (issue #17): journals with 承前页/过次页, 总账, 科目余额表, 记账凭证 2 or 3 to an A4,
read back from real PDFs (pdfplumber) and xlsx (openpyxl); the CLI ``print`` and ``export`` kinds."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from desktop_app.cli import main as cli_main
from desktop_app.core.money import amount_in_words, format_amount
from desktop_app.core.services import ledgers
from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.reports.ledger_docs import build_ledger_sheet, render_ledger_output, seal_ledger
from desktop_app.reports.ledgers_pdf import ledger_pdf_bytes
from desktop_app.reports.sealing import verify_pdf
from desktop_app.reports.voucher_pdf import build_voucher_forms, vouchers_pdf_bytes
from tests.funds.conftest import Env

USCC = "N2320115MF00000121"
FMT = "#,##0.00"


def _pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [(p.extract_text() or "").replace(" ", "") for p in doc.pages]


def _busy_cash(env: Env, n: int = 60) -> None:
    """January: a rent receipt; February: ``n`` withdrawals and ``n`` payments through 库存现金."""
    env.vouch(date(2026, 1, 3), "收厂房租金", ("10201", "12345.67", "0"), ("50101", "0", "12345.67"))
    for i in range(n):
        env.vouch(date(2026, 2, 1 + i % 27), f"提现{i}", ("101", "100.01", "0"), ("10201", "0", "100.01"))
        env.vouch(date(2026, 2, 1 + i % 27), f"付款{i}", ("51301", "30.50", "0"), ("101", "0", "30.50"))


def _carried(text: str, label: str) -> tuple[str, str, str]:
    """(借方, 贷方, 余额) of the 承前页/过次页 line of a page's text."""
    m = re.search(label + r"([\d,]+\.\d\d)([\d,]+\.\d\d)[借贷平]([\d,]+\.\d\d)", text)
    assert m, f"no {label} line in {text[:200]}"
    return m.group(1), m.group(2), m.group(3)


def test_cash_journal_pages_carry_month_sums(env: Env) -> None:
    _busy_cash(env, 45)
    with env.db.begin("kj") as s:
        sheet = build_ledger_sheet(s, env.book.id, "cash-journal", "2026-01", "2026-02")
        journal = ledgers.cash_journal(s, env.book.id, "2026-01", "2026-02")
        seal = seal_ledger(s, sheet)
    pdf = ledger_pdf_bytes(sheet, seal)
    assert pdf == ledger_pdf_bytes(sheet, seal), "same data, same bytes"
    pages = _pages(pdf)
    assert len(pages) >= 3
    assert all(f"第{i}页/共{len(pages)}页" in t for i, t in enumerate(pages, 1))
    assert all("现金日记账" in t and "科目：101库存现金" in t and "单位：元" in t for t in pages)
    entries = [x for x in journal.lines if x.kind == "entry"]
    for i, text in enumerate(pages[:-1]):
        out = _carried(text, "过次页")
        assert _carried(pages[i + 1], "承前页") == out  # the next page starts where this one ended
        # the month-to-date sums up to the last entry printed on the page, and its balance
        shown = re.findall(r"记-(\d{4})", text)
        last = max(k for k, x in enumerate(entries) if f"{x.voucher_number:04d}" == shown[-1])
        month = [x for x in entries[: last + 1] if x.period == entries[last].period]
        assert out == (format_amount(sum((x.debit for x in month), Decimal(0))),
                       format_amount(sum((x.credit for x in month), Decimal(0))),
                       format_amount(entries[last].balance_amount))
    assert "承前页" not in pages[0] and "过次页" not in pages[-1]
    assert f"2026年2月本月合计{format_amount(Decimal('4500.45'))}{format_amount(Decimal('1372.50'))}借" \
           f"{format_amount(journal.closing)}" in pages[-1]
    assert sum(t.count("记-") for t in pages) == len(entries) == 90
    with env.db.begin() as s:
        checks = verify_pdf(s, pdf)
    assert checks and all(c.ok for c in checks)


def test_vouchers_two_or_three_to_a_page(env: Env) -> None:
    env.vouch(date(2026, 3, 2), "收厂房租金", ("10201", "12345.67", "0"), ("50101", "0", "12345.67"))
    for i in range(4):
        env.vouch(date(2026, 3, 5 + i), f"提现{i}", ("101", "200.00", "0"), ("10201", "0", "200.00"))
    # nine lines: more than a form holds, so the voucher goes on over two forms
    lines = [("51301", "10.00", "0")] * 8 + [("101", "0", "80.00")]
    big = env.vouch(date(2026, 3, 20), "报销差旅费", *lines)
    with env.db.begin() as s:
        forms = build_voucher_forms(s, env.book.id, "2026-03", "2026-03")
    assert len(forms.vouchers) == 6
    two = _pages(vouchers_pdf_bytes(forms, per_page=2))
    three = _pages(vouchers_pdf_bytes(forms, per_page=3))
    assert [t.count("记字第") for t in two] == [2, 2, 2, 1]  # 5 vouchers + the long one on 2 forms
    assert [t.count("记字第") for t in three] == [3, 3, 1]
    # the long one with 5 form rows (3 to a page): 9 lines over 2 forms, 1/2 and 2/2
    assert "记字第0006号1/2" in "".join(three) and "记字第0006号2/2" in "".join(three)
    first = two[0]
    assert "记账凭证" in first and "单位：东湖村股份经济合作社" in first and "2026年03月02日" in first
    assert f"合计（大写）{amount_in_words(Decimal('12345.67'))}" in first
    assert first.count("¥12,345.67") == 2 and "附单据0张" not in first  # vertical: one character per line
    assert "制单：王会计" in first and "审核：李审核" in first and "记账：王会计" in first and "出纳：" in first
    assert "（转下张）" in "".join(three) and "¥80.00" in three[-1] + three[-2]
    with env.db.begin() as s:  # only the chosen vouchers, voided ones never
        chosen = build_voucher_forms(s, env.book.id, "2026-03", "2026-03", [big])
    assert [v.number for v in chosen.vouchers] == [6]
    with pytest.raises(Exception, match="每页凭证数"):
        vouchers_pdf_bytes(forms, per_page=4)


def test_xlsx_figures_equal_the_services(env: Env) -> None:
    _busy_cash(env, 20)
    with env.db.begin() as s:
        journal = ledgers.cash_journal(s, env.book.id, "2026-01", "2026-02")
        general = ledgers.general_ledger(s, env.book.id, "2026-01", "2026-02")
        trial = ledgers.trial_balance(s, env.book.id, "2026-01", "2026-02")
        cash = render_ledger_output(s, env.book.id, "cash-journal", "2026-01", "2026-02", "xlsx")
        gl = render_ledger_output(s, env.book.id, "general-ledger", "2026-01", "2026-02", "xlsx")
        tb = render_ledger_output(s, env.book.id, "trial-balance", "2026-01", "2026-02", "xlsx")
        vx = render_ledger_output(s, env.book.id, "vouchers", "2026-02", "2026-02", "xlsx")
        vouchers = list_vouchers(s, env.book.id, "2026-02", "2026-02")
    ws = openpyxl.load_workbook(io.BytesIO(cash.data)).active
    assert ws is not None and ws["A1"].value == "现金日记账" and ws["A3"].value == "日期"
    rows = list(ws.iter_rows(min_row=4))
    entries = [r for r in rows if r[1].value]
    assert len(entries) == 40
    assert all(isinstance(r[0].value, datetime) for r in entries)
    money = [c for r in rows for c in (r[5], r[6], r[8]) if c.value is not None]
    assert all(isinstance(c.value, int | float) and c.number_format == FMT for c in money)
    dec = lambda v: Decimal(str(v)).quantize(Decimal("0.01"))  # noqa: E731
    assert sum((dec(r[5].value or 0) for r in entries), Decimal(0)) == journal.debit_total
    assert sum((dec(r[6].value or 0) for r in entries), Decimal(0)) == journal.credit_total
    assert dec(entries[-1][8].value) == journal.closing
    ws = openpyxl.load_workbook(io.BytesIO(gl.data)).active
    assert ws is not None
    got = [(r[0].value, r[2].value, dec(r[5].value), dec(r[6].value), dec(r[8].value))
           for r in ws.iter_rows(min_row=4)]
    assert got == [(g.code, g.period, g.debit, g.credit, g.closing_amount) for g in general]
    ws = openpyxl.load_workbook(io.BytesIO(tb.data)).active
    assert ws is not None and ws["A1"].value == "科目余额表"
    by_code = {r[1].value: r for r in ws.iter_rows(min_row=5) if r[1].value}
    for t in trial:
        assert (dec(by_code[t.code][4].value or 0), dec(by_code[t.code][5].value or 0)) == (t.period_debit,
                                                                                t.period_credit)
    ws = openpyxl.load_workbook(io.BytesIO(vx.data)).active
    assert ws is not None
    last = list(ws.iter_rows(min_row=4))[-1]
    assert last[2].value == "总计" and dec(last[5].value) == sum((v.total for v in vouchers), Decimal(0))


@pytest.fixture
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")


@pytest.mark.usefixtures("_cli_login")
def test_cli_print_and_export(env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _busy_cash(env, 5)
    db = str(env.db.path)
    base = ["--db", db, "--org", USCC, "--period", "2026-Q1"]
    out = tmp_path / "cash.pdf"
    assert cli_main(["--user", "kj", "print", "cash-journal", *base, "--out", str(out)]) == 0
    assert "已生成现金日记账" in capsys.readouterr().out
    assert "现金日记账" in _pages(out.read_bytes())[0]
    assert cli_main(["verify-sheet", "--db", db, str(out)]) == 0
    ledger = tmp_path / "bank.xlsx"
    assert cli_main(["print", "ledger", *base, "--account", "10201", "--out", str(ledger)]) == 0
    ws = openpyxl.load_workbook(ledger).active
    assert ws is not None and ws["A1"].value == "明细账" and "10201 农商行" in str(ws["A2"].value)
    assert cli_main(["print", "ledger", *base, "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "须指定科目编码" in capsys.readouterr().err
    vouchers = tmp_path / "v.pdf"
    assert cli_main(["print", "vouchers", *base, "--per-page", "3", "--out", str(vouchers)]) == 1  # sealed: a login
    assert "需要登录" in capsys.readouterr().err
    assert cli_main(["--user", "kj", "print", "vouchers", *base, "--per-page", "3", "--out", str(vouchers)]) == 0
    pages = _pages(vouchers.read_bytes())
    assert [t.count("记字第") for t in pages] == [3, 3, 3, 2] and all("校验码SL2-" in t for t in pages)
    assert cli_main(["verify-sheet", "--db", db, str(vouchers)]) == 0
    env.vouch(date(2026, 3, 1), "补记", ("101", "1.00", "0"), ("10201", "0", "1.00"))  # the books moved on
    assert cli_main(["verify-sheet", "--db", db, str(vouchers)]) == 3
    assert cli_main(["verify-sheet", "--db", db, str(out)]) == 3
    gl = tmp_path / "gl.xlsx"
    assert cli_main(["export", "general-ledger", *base, "--out", str(gl)]) == 0
    assert cli_main(["--user", "kj", "export", "trial-balance", *base, "--out", str(tmp_path / "tb.pdf")]) == 0
    assert cli_main(["print", "vouchers", *base, "--out", str(tmp_path / "v.txt")]) == 1
