"""Layout: a 300-voucher month paginates with repeated headers, long summaries wrap, nothing is
drawn outside the page's margins; sections plug in through the registry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest

from db.engine import Database
from db.migrate import open_database
from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.reports.disclosure.builder import build_disclosure, build_sheet
from desktop_app.reports.disclosure.layout import A3_LANDSCAPE, A4_PORTRAIT, column_widths, text_width, wrap
from desktop_app.reports.disclosure.registry import (
    Column,
    DisclosureSection,
    TableBlock,
    TextBlock,
    register_section,
    registered_sections,
    unregister_section,
)
from desktop_app.reports.disclosure.sections.income_expense import DETAIL_COLUMNS

from .conftest import LONG, Village, pdf_lines


@pytest.fixture
def busy(busy_month: Path) -> Iterator[Database]:
    db = open_database(busy_month)
    yield db
    db.close()


def _ids(db: Database) -> tuple[object, object]:
    with db.begin() as s:
        org = list_organisations(s)[0]
        return org.id, list_books(s, org.id)[0].id


def test_300_vouchers_paginate_with_repeated_headers_and_wrapped_summaries(busy: Database) -> None:
    org_id, _ = _ids(busy)
    with busy.begin() as s:
        doc = build_disclosure(s, org_id, "2026-03")  # type: ignore[arg-type]
    pages = pdf_lines(doc.pdf)
    assert doc.pages == len(pages) >= 8
    detail_pages = [p for p in pages if any(ln.startswith("收支明细（逐项逐笔）") for ln in p)]
    assert len(detail_pages) >= 6
    for page in detail_pages:
        header = next(i for i, ln in enumerate(page) if ln.startswith("收支明细（逐项逐笔）"))
        assert page[header + 1].split()[:3] == ["日期", "凭证号", "摘要"], page[header:header + 2]
    assert sum(any(ln.startswith("收支明细（逐项逐笔）（续）") for ln in p) for p in pages) == len(detail_pages) - 1
    text = "\n".join(ln for p in pages for ln in p)
    for number in (1, 150, 300):
        assert f"记-{number:04d}" in text
    assert "合计（300张凭证）" in text
    # the long summary is wrapped over several lines of its row (interleaved with the other
    # columns), and read whole inside the 摘要 column's edges
    assert LONG not in text.replace("\n", "")
    assert LONG[:8] in text
    columns = DETAIL_COLUMNS
    x0 = A4_PORTRAIT.margin + sum(column_widths(A4_PORTRAIT, columns)[:2])
    x1 = x0 + column_widths(A4_PORTRAIT, columns)[2]
    with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
        summaries = "".join((p.within_bbox((x0, 0, x1, p.height)).extract_text() or "").replace("\n", "")
                            for p in pdf.pages)
    assert summaries.count(LONG) == 10  # vouchers 1, 31, … 271


def _ops_inside(pages: list[list[tuple[object, ...]]], fmt: object) -> None:
    """Content between the header and the sign-off rule; the sign-off lines between that rule and
    the footer's lowest band (check code, page x/y), left of the QR code; all within the margins."""
    left, right = fmt.margin - 0.01, fmt.width - fmt.margin + 0.01  # type: ignore[attr-defined]
    for ops in pages:
        mark = ops.index(("k", "signoff"))
        content, footer = ops[:mark], ops[mark + 1:]
        rule = footer[0]
        assert rule[0] == "h" and rule[2] == rule[4]
        bottom, top = float(rule[2]) - 0.01, fmt.top + 0.01  # type: ignore[arg-type, attr-defined]
        assert bottom >= fmt.bottom - 0.01  # type: ignore[attr-defined]
        for part, (low, high, right_edge) in ((content, (bottom, top, right)), (
                footer[1:], (fmt.margin + fmt.code_band, bottom,  # type: ignore[attr-defined]
                             fmt.margin + fmt.footer_text_width + 0.01))):  # type: ignore[attr-defined]
            for op in part:
                if op[0] == "t":
                    _, x, y, text, size, align, _bold = op
                    w = text_width(str(text), float(size))  # type: ignore[arg-type]
                    x0 = float(x) - (w if align == "r" else w / 2 if align == "c" else 0)  # type: ignore[arg-type]
                    assert left <= x0 and x0 + w <= right_edge, (text, x0, w)
                    assert low <= float(y) <= high, (text, y)  # type: ignore[arg-type]
                elif op[0] == "h":
                    assert all(left <= float(v) <= right for v in (op[1], op[3]))  # type: ignore[arg-type]
                    assert all(low <= float(v) <= high for v in (op[2], op[4]))  # type: ignore[arg-type]


@pytest.mark.parametrize("a3", [False, True])
def test_nothing_is_drawn_outside_the_content_area(busy: Database, a3: bool) -> None:
    _, book_id = _ids(busy)
    with busy.begin() as s:
        sheet, info, *_ = build_sheet(s, book_id, parse_disclosure_period("2026-03"), a3=a3)  # type: ignore[arg-type]
    _ops_inside([list(p) for p in sheet.pages], A3_LANDSCAPE if a3 else A4_PORTRAIT)
    assert info.pages == len(sheet.pages)


def test_wrap_keeps_every_character_and_fits() -> None:
    lines = wrap(LONG + " ABC2026X", 8.5, 100)
    assert "".join(lines) == LONG + " ABC2026X"
    assert all(text_width(ln, 8.5) <= 100 for ln in lines)
    assert any("ABC2026X" in ln for ln in lines)  # a Latin run is not split when it fits on a line


def test_a_registered_section_is_built_and_none_means_left_out(village: Village) -> None:
    calls: list[str] = []

    def build(session: object, ctx: object) -> list[object]:
        calls.append(ctx.period.code)  # type: ignore[attr-defined]
        return [TextBlock("测试说明文字"), TableBlock("测试公开表", (Column("名称", 60), Column("金额", 40, "right")),
                                                  [["甲", None], ["乙", "1.00"]], totals_row=["合计", "1.00"])]

    register_section(DisclosureSection("test_extra", "测试专栏", 95, build))  # type: ignore[arg-type]
    register_section(DisclosureSection("test_empty", "不应出现的专栏", 96, lambda s, c: None))
    try:
        assert [s.id for s in registered_sections()][-2:] == ["test_extra", "test_empty"]
        with village.db.begin() as s:
            doc = build_disclosure(s, village.org.id, "2026-10", book_ids=[village.book.id])
        text = "\n".join(ln for p in pdf_lines(doc.pdf) for ln in p)
        assert calls == ["2026-10"]
        assert "测试专栏" in text and "测试公开表" in text and "不应出现的专栏" not in text
        assert "测试专栏" in doc.sheets[0].sections
    finally:
        unregister_section("test_extra")
        unregister_section("test_empty")
