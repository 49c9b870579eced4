"""Nothing printed is cut: every table layout of the 财务公开 sheets (the Column tuples the section
modules and the cover define) is rendered on A4 and A3 with the longest realistic values in every
column — an 18-character 统一社会信用代码, a masked 身份证, a 30-character name, 12-digit amounts,
a long 摘要 — and each value is read back whole from the PDF with pdfplumber, column by column."""

from __future__ import annotations

import io
from decimal import Decimal

import pdfplumber
import pytest

from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.discovery import import_submodules
from desktop_app.reports.disclosure import builder, sections
from desktop_app.reports.disclosure.layout import (
    A3_LANDSCAPE,
    A4_PORTRAIT,
    BASE_SIZE,
    MIN_SHRINK,
    Layout,
    PageFormat,
    cell_text,
    column_widths,
)
from desktop_app.reports.disclosure.pdf import SheetSet, render_pdf
from desktop_app.reports.disclosure.registry import Cell, Column, PageBreak, TableBlock

from .conftest import LONG

NAME_30 = "南京市江宁区东湖街道阳光村第三村民小组农业机械专业合作社联合"  # 30 characters
VALUES: tuple[Cell, ...] = (
    "91350100M000100Y43",  # a company's 统一社会信用代码
    "N2320115MF00000121",  # a cooperative's
    "320115********0369",  # a member's 身份证, masked for the board
    NAME_30,
    Decimal("1234567890.12"),
    Decimal("-987654321.98"),
    "2025-01-01至2054-12-31",
    "JTJJ-HT-2025-000123",
    LONG,
)


def _layouts() -> list[tuple[str, tuple[Column, ...]]]:
    """Every tuple of columns a section module or the builder defines (the cover's for a month,
    a quarter and a year, if the builder makes them per period)."""
    found: dict[tuple[Column, ...], str] = {}
    for module in [*import_submodules(sections), builder]:
        for name, value in vars(module).items():
            if isinstance(value, tuple) and value and all(isinstance(c, Column) for c in value):
                found.setdefault(value, f"{module.__name__.rsplit('.', 1)[-1]}.{name}")
    make = getattr(builder, "cover_columns", None)
    if callable(make):
        for code in ("2025-11", "2025-Q4", "2025"):
            found.setdefault(make(parse_disclosure_period(code)), f"builder.cover_columns({code})")
    return [(name, cols) for cols, name in found.items()]


LAYOUTS = _layouts()


def test_the_layouts_are_found() -> None:
    names = {n.split(".")[0] for n, _ in LAYOUTS}
    assert {"contracts", "debts", "income_expense", "assets", "distribution", "builder"} <= names
    assert len(LAYOUTS) >= 10


def _sheet(fmt: PageFormat) -> tuple[SheetSet, Layout]:
    layout = Layout(fmt)
    for name, columns in LAYOUTS:
        layout.add(TableBlock(name, columns, [[v] * len(columns) for v in VALUES],
                              totals_row=["合计"] + [Decimal("9876543210.99")] * (len(columns) - 1)))
        layout.add(PageBreak())
    layout.signoff(["制表人（会计）：王会计　　单位负责人（签字）：" + "\uff3f" * 8])
    sheet = SheetSet(title="南京市江宁区东湖街道阳光村股份经济合作社财务公开表（2025年第4季度）",
                     org_line="统一社会信用代码：N2320115MF00000121　　账套：01 " + NAME_30 + "　　公开期间：2025年第4季度",
                     right_line="单位：元", footer_line="", payload="阳光台账财务公开 · 校验码 SL2-AFNM-JZ9S-5S62-FV4K",
                     pages=layout.pages)
    return sheet, layout


def _columns_text(pdf: bytes, fmt: PageFormat, layout: Layout) -> dict[str, list[str]]:
    """Per table (its title) and column: the text inside the column's edges on the pages it is
    printed on, lines joined (a wrapped cell reads as one string)."""
    out: dict[str, list[str]] = {}
    top, bottom = fmt.height - fmt.top, fmt.height - layout.bottom  # pdfplumber measures from the top
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            head = page.within_bbox((fmt.margin - 2, top, fmt.width - fmt.margin, top + 30 * fmt.scale)).extract_text()
            name = head.splitlines()[0].removesuffix("（续）")
            columns = dict(LAYOUTS)[name]
            x = fmt.margin
            texts = out.setdefault(name, [""] * len(columns))
            for j, w in enumerate(column_widths(fmt, columns)):
                text = page.within_bbox((x, top, x + w, bottom)).extract_text() or ""
                texts[j] += text.replace("\n", "").replace(" ", "")
                x += w
    return out


@pytest.mark.parametrize("fmt", [A4_PORTRAIT, A3_LANDSCAPE], ids=["A4", "A3"])
def test_every_value_is_printed_whole_in_every_column(fmt: PageFormat) -> None:
    sheet, layout = _sheet(fmt)
    for ops in sheet.pages:  # never set below the floor
        assert min(float(op[4]) for op in ops if op[0] == "t") >= BASE_SIZE * MIN_SHRINK * fmt.scale - 1e-9  # type: ignore[arg-type]
    pdf = render_pdf([sheet], fmt, title=sheet.title)
    texts = _columns_text(pdf, fmt, layout)
    assert set(texts) == {n for n, _ in LAYOUTS}
    for name, columns in LAYOUTS:
        for col, text in zip(columns, texts[name], strict=True):
            at = 0
            for value in VALUES:  # in the order of the rows, each one whole
                printed = cell_text(value).replace(" ", "")
                found = text.find(printed, at)
                assert found >= 0, (fmt.name, name, col.header, printed, text[at:at + 80])
                at = found + len(printed)
            assert "9,876,543,210.99" in text or col is columns[0], (fmt.name, name, col.header)


@pytest.mark.parametrize("fmt", [A4_PORTRAIT, A3_LANDSCAPE], ids=["A4", "A3"])
def test_the_page_header_is_printed_whole(fmt: PageFormat) -> None:
    sheet, _ = _sheet(fmt)
    pdf = render_pdf([sheet], fmt, title=sheet.title)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        header = page.within_bbox((0, 0, page.width, fmt.margin + fmt.header_h)).extract_text().replace("\n", "")
        footer = page.within_bbox((0, page.height - fmt.margin - fmt.code_band, page.width, page.height)).extract_text()
    assert sheet.title.replace(" ", "") in header.replace(" ", "")
    assert sheet.org_line.replace(" ", "").replace("　", "") in header.replace(" ", "").replace("　", "")
    # the QR carries the whole phone text; the footer prints the code a person types
    assert "校验码：SL2-AFNM-JZ9S-5S62-FV4K" in footer.replace("\n", "").replace(" ", "")
