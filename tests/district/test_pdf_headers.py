"""A district PDF's column heading wraps into even lines (review finding: 无经营收 / 益 / 个数)."""

from __future__ import annotations

from desktop_app.reports.disclosure.layout import text_width, wrap
from desktop_app.reports.district_pdf import SIZE, balanced_wrap


def test_a_heading_wraps_into_even_lines_no_more_than_wrap_gives() -> None:
    room = text_width("无经营收", SIZE) + 0.5  # the tier table's 个数 column: four characters a line
    assert wrap("无经营收益", SIZE, room) == ["无经营收", "益"]
    assert balanced_wrap("无经营收益", SIZE, room) == ["无经营", "收益"]
    assert balanced_wrap("20–50万", SIZE, room * 2) == ["20–50万"]  # what fits stays one line
    for text in ("合同审查发现的问题条数", "经营性收入合计（元）", "其中已过截止日"):
        lines = balanced_wrap(text, SIZE, room)
        assert "".join(lines) == text and len(lines) == len(wrap(text, SIZE, room))
        widths = [text_width(line, SIZE) for line in lines]
        assert max(widths) <= room and max(widths) - min(widths) <= text_width("无经", SIZE)
