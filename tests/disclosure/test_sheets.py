"""The sheets say what the books say: every voucher with its amount, totals equal to the ledger."""

from __future__ import annotations

import re
from decimal import Decimal

from desktop_app.core.services.statements import income_figures
from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.reports.disclosure.builder import build_disclosure

from .conftest import PERIOD, Village, pdf_lines


def _render(v: Village, period: str = PERIOD, **kw: object) -> bytes:
    with v.db.begin() as s:
        return build_disclosure(s, v.org.id, period, book_ids=[v.book.id], **kw).pdf  # type: ignore[arg-type]


def test_every_posted_voucher_appears_with_its_amount(village: Village) -> None:
    pdf = _render(village)
    lines = [ln for page in pdf_lines(pdf) for ln in page]
    with village.db.begin() as s:
        vouchers = list_vouchers(s, village.book.id, PERIOD, PERIOD, status="记账")
    assert len(vouchers) >= 5
    for v in vouchers:  # each voucher is listed (a row per income/expense line: the amounts tie in test_ties_to_books)
        rows = [ln for ln in lines if v.code in ln.split()]
        assert len(rows) >= 1, f"{v.code} {v.summary} not on the sheet"
        assert all(re.search(r"\d[\d,]*\.\d\d", row) for row in rows), rows


def _row_amounts(lines: list[str], label: str) -> list[Decimal]:
    row = next(ln for ln in lines if ln.startswith(label))
    return [Decimal(tok.replace(",", "")) for tok in row[len(label):].split() if tok.replace(",", "").replace(".", "").replace("-", "").isdigit()]


def test_category_totals_equal_the_ledger(village: Village) -> None:
    pdf = _render(village)
    lines = [ln for page in pdf_lines(pdf) for ln in page]
    with village.db.begin() as s:
        now = income_figures(s, village.book.id, PERIOD, PERIOD)
        ytd = income_figures(s, village.book.id, "2026-01", PERIOD)
    assert now.total_income > 0 and now.total_expense > 0
    assert _row_amounts(lines, "收入合计") == [now.total_income, ytd.total_income]
    assert _row_amounts(lines, "支出合计") == [now.total_expense, ytd.total_expense]
    cover = "\n".join(pdf_lines(pdf, 1)[0])
    assert "本月财务收支概况" in cover and "本年累计" in cover and "本期" not in cover.split("本月财务收支概况")[1][:40]
    # the item-by-item list adds up to the same totals
    total_row = next(ln for ln in lines if ln.startswith("合计（") and "张凭证" in ln)
    amounts = [Decimal(t.replace(",", "")) for t in total_row.split()[1:]]
    assert amounts[:2] == [now.total_income, now.total_expense]


def test_sheet_header_footer_and_signoff(village: Village) -> None:
    pages = pdf_lines(_render(village))
    title = f"{village.book.name}财务公开表（2026年10月）"
    for n, page in enumerate(pages, start=1):
        text = "\n".join(page)
        assert title in text
        assert village.org.uscc in text and "单位：元" in text
        assert f"第 {n} 页 / 共 {len(pages)} 页" in text
        assert "监督电话" in text and "公开日期" in text
    last = "\n".join(pages[-1])
    for needed in ("制表人（会计）", "村务监督委员会审核意见", "村务监督委员会负责人（签字）", "公开期限：自公开之日起7天"):
        assert needed in last
    assert all("制表人（会计）" in "\n".join(page) for page in pages)  # on every page (REFERENCE §1.5)


def test_special_sheet_for_flagged_items(village: Village) -> None:
    text = "\n".join(ln for page in pdf_lines(_render(village, "2026-05")) for ln in page)
    assert "专项公开：一事一议筹资筹劳及使用情况" in text
    assert "收一事一议筹资" in text
    # October has no 一事一议 item; the year's road 工程 (paid in April and September) is still shown
    october = "\n".join(ln for page in pdf_lines(_render(village)) for ln in page)
    assert "一事一议筹资筹劳及使用情况" not in october
    assert "集体工程招投标及预决算情况" in october


def test_quarter_and_a3(village: Village) -> None:
    import io

    from pypdf import PdfReader

    pdf = _render(village, "2026-Q3", a3=True)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 1191 and round(float(box.height)) == 842  # A3 landscape
    assert "财务公开表（2026年第3季度）" in (reader.pages[0].extract_text() or "")
