"""What verify-sheet names when a printed document no longer matches (reports/sealing.py): a
report whose 表头 and 正文 sections share its title is compared section by section, so only the
cells that changed are named, never the unchanged header lines (the district reports)."""

from __future__ import annotations

from desktop_app.reports.sealing import diff_sections, section, table_item, text_item


def _report(rows: list[list[str]]) -> list[dict]:  # type: ignore[type-arg]
    head = section("表头", "财务公开情况", [text_item("2026年"), text_item("编制单位：江宁区经管站"), text_item("单位：个")])
    body = section("正文", "财务公开情况", [table_item("按月公开情况", ["乡镇", "11月"], rows, fmt=str),
                                            table_item("未公开名单", ["乡镇", "村"], [["东山街道", "东湖村"]], fmt=str)])
    return [head, body]


def test_only_the_changed_cell_is_named_when_sections_share_a_title() -> None:
    printed = _report([["东山街道", "待公开"], ["西山街道", "按时"]])
    now = _report([["东山街道", "按时"], ["西山街道", "按时"]])
    found = diff_sections(printed, now)
    assert len(found) == 1, found
    assert "东山街道" in found[0] and "印 待公开 / 现 按时" in found[0]
    assert diff_sections(printed, printed) == []


def test_a_section_gone_is_named_by_its_label() -> None:
    printed = _report([["东山街道", "按时"]])
    found = diff_sections(printed, printed[1:])
    assert found == ["表头 财务公开情况：印有此节 / 现无"]
