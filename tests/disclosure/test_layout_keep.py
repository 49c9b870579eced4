"""The page cut keeps things together: a table's totals row and note never reach a page without
rows (the last two rows move over with them), a trailing note paragraph never starts a page, a
heading never ends one; the sign-off lines are drawn in the footer of every page, their height kept
free, wrapped when wider than the footer. Checked for every table length that crosses a page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.reports.disclosure.layout import (
    A3_LANDSCAPE,
    A4_PORTRAIT,
    CONTENT_KINDS,
    Layout,
    PageFormat,
    page_kinds,
    text_width,
)
from desktop_app.reports.disclosure.registry import Column, PageBreak, TableBlock, TextBlock

COLUMNS = (Column("项目", 120), Column("金额", 60, "right"))
SIGNOFF = ["制表人（会计）：王会计　　单位负责人（签字）：" + "\uff3f" * 8,
           "村务监督委员会审核意见：" + "\uff3f" * 28,
           "公开日期：" + "\uff3f" * 4 + "年" + "\uff3f" * 2 + "月" + "\uff3f" * 2 + "日　　监督电话：025-52123456"]


def _layout(fmt: PageFormat, rows: int, *, lead: int = 0) -> Layout:
    layout = Layout(fmt)
    layout.add(TextBlock("一、收支公开表", "heading"))
    for i in range(lead):
        layout.add(TextBlock(f"说明第{i}段：本表依据已记账凭证编制。", "body"))
    layout.add(TableBlock("收支汇总", COLUMNS, [[f"项目{i}", Decimal(i)] for i in range(rows)],
                          totals_row=["合计", Decimal(rows)], note="注：收入、支出按会计科目分类汇总。"))
    layout.add(TextBlock("备注：成员对公开内容有疑问的，可向村务监督委员会反映。", "note"))
    layout.add(PageBreak())
    layout.add(TextBlock("二、债权债务", "heading"))
    layout.add(TableBlock("债权明细", COLUMNS, [["甲", Decimal(1)]]))
    layout.signoff(SIGNOFF)
    return layout


@pytest.mark.parametrize("fmt", [A4_PORTRAIT, A3_LANDSCAPE], ids=["A4", "A3"])
def test_totals_and_notes_stay_with_rows_for_every_table_length(fmt: PageFormat) -> None:
    crossed = 0
    for rows in range(1, 110):
        pages = [page_kinds(p) for p in _layout(fmt, rows).pages]
        crossed += len(pages) > 3
        for kinds in pages:
            assert CONTENT_KINDS & set(kinds), (rows, kinds)
            assert kinds[-1] == "signoff"
            assert kinds[0] not in ("note", "total"), (rows, kinds)  # never starts a page
            assert [k for k in kinds if k != "signoff"][-1] != "heading", (rows, kinds)  # never ends one
        last = next(k for k in pages if "total" in k)
        assert last.count("row") >= min(rows, 2), (rows, last)
        assert last.index("total") < last.index("note")  # the table's note, then the trailing note
        assert last.count("note") == 2
        assert sum(k.count("row") for k in pages) == rows + 1
    assert crossed > 20  # the loop went well past a page break


@pytest.mark.parametrize("fmt", [A4_PORTRAIT, A3_LANDSCAPE], ids=["A4", "A3"])
def test_a_heading_moves_with_the_table_it_heads(fmt: PageFormat) -> None:
    moved = 0
    for lead in range(30, 75):  # paragraphs push the heading to every place at the foot of the first page
        layout = Layout(fmt)
        for i in range(lead):
            layout.add(TextBlock(f"说明第{i}段：本表依据已记账凭证编制。", "body"))
        layout.add(TextBlock("二、债权债务", "heading"))
        layout.add(TableBlock("债权明细", COLUMNS, [[f"单位{i}", Decimal(i)] for i in range(6)]))
        layout.signoff(SIGNOFF)
        pages = [[k for k in page_kinds(p) if k != "signoff"] for p in layout.pages]
        moved += any(p[0] == "heading" for p in pages[1:])
        for content in pages:
            assert content[-1] not in ("heading", "head"), (lead, content)
            if "heading" in content:
                assert content[content.index("heading") + 1] == "head", (lead, content)
            if "head" in content:
                assert content[content.index("head") + 1] == "row", (lead, content)
    assert moved


def test_sign_off_in_every_footer_and_wrapped_when_too_wide() -> None:
    fmt = A4_PORTRAIT
    plain = Layout(fmt)
    plain.add(TableBlock("收支明细", COLUMNS, [[f"项目{i}", Decimal(i)] for i in range(120)]))
    plain_pages = len(plain.pages)
    assert plain.bottom == fmt.bottom
    wide = ["监督电话：" + "025-52123456，" * 12]  # wider than the footer left of the QR code
    signed = Layout(fmt)
    signed.add(TableBlock("收支明细", COLUMNS, [[f"项目{i}", Decimal(i)] for i in range(120)]))
    signed.signoff([*SIGNOFF, *wide])
    assert signed.bottom > fmt.bottom and len(signed.pages) >= plain_pages  # the room is kept on every page
    for ops in signed.pages:
        mark = ops.index(("k", "signoff"))
        content, footer = ops[:mark], ops[mark + 1:]
        assert all(float(op[2]) > signed.bottom for op in content if op[0] == "t")  # type: ignore[arg-type]
        texts = [op for op in footer if op[0] == "t"]
        assert texts[0][3] == SIGNOFF[0]
        assert "".join(str(op[3]) for op in texts[len(SIGNOFF):]) == wide[0]  # whole, over several lines
        for op in texts:
            assert float(op[1]) + text_width(str(op[3]), float(op[4])) <= fmt.margin + fmt.footer_text_width + 0.01  # type: ignore[arg-type]
            assert fmt.margin + fmt.code_band < float(op[2]) < signed.bottom  # type: ignore[arg-type]


def test_a3_sets_short_sign_off_lines_side_by_side() -> None:
    a4, a3 = Layout(A4_PORTRAIT), Layout(A3_LANDSCAPE)
    for layout in (a4, a3):
        layout.add(TextBlock("正文", "body"))
        layout.signoff(SIGNOFF)
    rows = {round(float(op[2]), 2) for op in a3.pages[0] if op[0] == "t" and op[3] in SIGNOFF}
    assert len(rows) == 2  # the first two lines share a row on the wide sheet
    rows4 = {round(float(op[2]), 2) for op in a4.pages[0] if op[0] == "t" and op[3] in SIGNOFF}
    assert len(rows4) == 3
