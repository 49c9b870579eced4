"""No page blank but for a footnote (issue #17): a section whose last rows, totals and note overflow
its page by a little is set tighter on that page instead of ending on a page of its own; the rows
stay whole, inside the page, above the sign-off lines. Over the demo's sheets (A4, A3 and the phone
images) no page holds only a table's tail. And amounts are never broken across lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import list_books
from desktop_app.reports.disclosure.builder import build_sheet
from desktop_app.reports.disclosure.layout import (
    A3_LANDSCAPE,
    A4_PORTRAIT,
    SQUEEZE,
    Layout,
    PageFormat,
    page_kinds,
    wrap,
)
from desktop_app.reports.disclosure.phone import build_phone_images
from desktop_app.reports.disclosure.registry import Column, PageBreak, TableBlock, TextBlock

from .conftest import Village

COLUMNS = (Column("项目", 120), Column("金额", 60, "right"))
TAIL = {"row", "total", "note"}


def _layout(fmt: PageFormat, rows: int) -> Layout:
    layout = Layout(fmt)
    layout.add(TextBlock("一、收支公开表", "heading"))
    layout.add(TableBlock("收支明细", COLUMNS, [[f"项目{i}", Decimal(i)] for i in range(rows)],
                          totals_row=["合计", Decimal(rows)], note="“其他收付”为不影响收支的资金往来，按凭证金额列示。"))
    layout.add(PageBreak())
    layout.add(TextBlock("二、债权债务", "heading"))
    layout.add(TableBlock("债权明细", COLUMNS, [["甲", Decimal(1)]]))
    layout.signoff(["制表人（会计）：王会计", "公开日期：2026年11月5日"])
    return layout


def _tail_only(kinds: list[str]) -> bool:
    """A page holding nothing but the last rows (at most two), totals and note of a table."""
    body = [k for k in kinds if k != "signoff"]
    return set(body) <= TAIL and body.count("row") <= 2 and "total" in body


@pytest.mark.parametrize("fmt", [A4_PORTRAIT, A3_LANDSCAPE], ids=["A4", "A3"])
def test_a_small_overflow_is_set_tighter_not_sent_to_a_page_of_its_own(fmt: PageFormat) -> None:
    squeezed = 0
    for rows in range(20, 130):
        layout = _layout(fmt, rows)
        pages = layout.pages
        kinds = [page_kinds(p) for p in pages]
        assert sum(k.count("row") for k in kinds) == rows + 1, rows  # every row once (+ the other table's)
        assert not any(_tail_only(k) for k in kinds), (rows, kinds)
        assert kinds[-1][:2] == ["heading", "head"]  # the next section still starts its own page
        squeezed += len(layout._squeeze)
        for n, ops in enumerate(pages):
            f = layout._squeeze.get(n, 1.0)
            assert SQUEEZE <= f <= 1.0
            ys = [float(op[2]) for op in ops if op[0] == "t"]  # type: ignore[arg-type]
            assert min(ys) >= fmt.margin and max(ys) <= fmt.top, (rows, n)
            signoff_at = layout.bottom
            content = [float(op[2]) for op in ops[:ops.index(("k", "signoff"))] if op[0] == "t"]  # type: ignore[arg-type]
            assert min(content) > signoff_at, (rows, n)  # above the sign-off rule
    assert squeezed >= 3  # the case occurs, and is handled


def test_amounts_are_not_broken_across_lines() -> None:
    lines = wrap("年初 592,084.00 元", 10, 55)
    assert len(lines) > 1 and any("592,084.00" in line for line in lines)  # was "年初 592,084" / ".00 元"
    lines = wrap("合计金额 1,234,567.89 元", 10, 70)
    assert len(lines) > 1 and any("1,234,567.89" in line for line in lines)


PERIODS = ["2026-09", "2026-10", "2026-11", "2026-Q3", "2026"]


def test_no_page_of_the_demo_holds_only_a_tail(village: Village) -> None:
    seen, tails = 0, []
    with village.db.begin() as s:
        for book in list_books(s, village.org.id):
            for code in PERIODS:
                period = parse_disclosure_period(code)
                for a3 in (False, True):
                    for n, ops in enumerate(build_sheet(s, book.id, period, a3=a3)[0].pages, 1):
                        seen += 1
                        if _tail_only(page_kinds(ops)):
                            tails.append(f"{book.name} {code} {'A3' if a3 else 'A4'} 第{n}页")
        for code in PERIODS[:2]:
            for image in build_phone_images(s, village.org.id, code).images:
                seen += 1
                if _tail_only(page_kinds(list(image.ops))):
                    tails.append(f"手机 {code} 第{image.number}张")
    assert seen > 60
    assert not tails, tails
