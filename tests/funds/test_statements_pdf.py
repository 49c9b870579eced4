"""Statement PDFs print every name whole (a long account name wraps, never cut), paginate so the
foot never stands alone, and print the book's own 编制单位 and code (a 村民委员会's book is not the
cooperative's)."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber

from desktop_app.core.services.orgs import add_sub_account, create_book
from desktop_app.core.services.statements import build_statement
from desktop_app.reports.statements_pdf import statement_pdf_bytes
from tests.funds.conftest import Env

LONG_NAME = "江苏省南京市江宁区阳光街道东湖村农村商业银行股份有限公司东山支行营业部基本存款账户（村级资金监管专户）"


def _pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [(p.extract_text() or "") for p in doc.pages]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_long_account_name_is_printed_whole(env: Env) -> None:
    with env.db.begin("test") as s:
        add_sub_account(s, book_id=env.book.id, parent_code="102", code="10202", name=LONG_NAME, user=env.maker)
    env.vouch(date(2026, 1, 3), "收厂房租金", ("10202", "12345.67", "0"), ("50101", "0", "12345.67"))
    for kind in ("trial-balance", "income-expense"):
        with env.db.begin() as s:
            st = build_statement(s, env.book.id, kind, "2026-01", "2026-01")
        text = "".join(_pages(statement_pdf_bytes(st)))
        if kind == "trial-balance":
            assert LONG_NAME in _flat(text), "the name wraps onto a second line, whole"
        assert "…" not in text


def test_many_lines_paginate_with_the_foot_beside_lines(env: Env) -> None:
    with env.db.begin("test") as s:
        for i in range(1, 80):
            add_sub_account(s, book_id=env.book.id, parent_code="113" if i < 50 else "211",
                            code=f"{113 if i < 50 else 211}{i:02d}", name=f"往来户{i:02d}号{'长' * (i % 7) * 6}",
                            user=env.maker)
    for i in range(1, 80):
        code = f"{113 if i < 50 else 211}{i:02d}"
        env.vouch(date(2026, 1, 5), f"往来{i}", (code, "100.00", "0"), ("10201", "0", "100.00"))
    with env.db.begin() as s:
        st = build_statement(s, env.book.id, "trial-balance", "2026-01", "2026-01")
    pages = _pages(statement_pdf_bytes(st))
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert f"第{n}页/共{len(pages)}页" in flat and "科目余额表" in flat and "期初借方" in flat
        assert "往来户" in flat or "合计" in flat, f"page {n} carries table lines"
    assert "单位负责人" in _flat(pages[-1]) and "合计" in _flat(pages[-1])
    assert all("单位负责人" not in _flat(p) for p in pages[:-1])
    printed = _flat("".join(pages))
    for line in st.lines:
        assert _flat(line.label) in printed, line.label


def test_a_village_committees_book_prints_its_own_unit(env: Env) -> None:
    with env.db.begin("test") as s:
        book = create_book(s, organisation_id=env.book.organisation_id, name="东湖村村民委员会", kind="村民委员会",
                           start_period="2026-01", chart_version="2023", user=env.maker)
        coop = build_statement(s, env.book.id, "balance-sheet", "2026-01", "2026-01")
        committee = build_statement(s, book.id, "balance-sheet", "2026-01", "2026-01")
    assert coop.organisation == "东湖村股份经济合作社" and coop.organisation_code == "N2320115MF00000121"
    assert committee.organisation == "东湖村村民委员会" and committee.organisation_code == ""
    text = _flat(_pages(statement_pdf_bytes(committee))[0])
    assert "编制单位：东湖村村民委员会（统一社会信用代码：未登记）" in text
    assert "N2320115MF00000121" not in text and "股份经济合作社" not in text
