"""``verify-sheet`` on a district report names the village whose row changed (review finding): the
village lists start with the 乡镇 column, and a row used to be named by its 乡镇 alone — every
village of that 乡镇 alike, and rows were paired by that name too."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.reports.sealing import diff_sections, find_codes
from tests.district.conftest import HandTown
from tests.district.test_reports import REPORT, carried  # noqa: F401  (the fixture: packages carried in)


def test_a_changed_village_row_is_named_by_its_village(carried: HandTown, tmp_path: Path,  # noqa: F811
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    h = carried
    out = tmp_path / "tiers.pdf"
    assert main([*REPORT, "tiers", "--db", h.db_arg, "--year", "2026", "--out", str(out)]) == 0
    assert find_codes(capsys.readouterr().out)
    h.vouch("南塘", date(2026, 11, 20), ("102", "3000", "0"), ("50101", "0", "3000"))  # 南塘's November income
    h.carry()
    assert main(["verify-sheet", str(out), "--db", h.db_arg]) == 3
    said = capsys.readouterr().out
    lines = [line.strip() for line in said.splitlines() if "经营性收入 印 1,000,000.00 / 现 1,003,000.00" in line]
    assert lines, said
    village_lines = [line for line in lines if "各村收入及分档" in line]
    assert len(village_lines) == 1, said
    # …第N行 月湖镇 南塘村股份经济合作社：经营性收入 印 … / 现 …
    assert re.search(r"第\d+行 \S+ 南塘村股份经济合作社：经营性收入 印", village_lines[0]), village_lines[0]
    for line in said.splitlines():  # no other village is said to have changed
        assert not any(name in line for name in ("东湖村股份", "西岭村股份", "北坡村股份")), line


def _table(rows: list[list[str]]) -> list[dict[str, object]]:
    headers = ["乡镇（街道）", "村级集体经济组织", "经营性收入"]
    return [{"label": "正文", "title": "统计表", "items": [
        {"table": "各村", "headers": headers, "rows": rows, "totals": None, "note": ""}]}]


def test_rows_are_paired_by_township_and_village() -> None:
    """Two 乡镇 both have a 李家庄村 (the demo district): the row that moved is named with its 乡镇,
    and the villages that only moved up or down are not reported as changed."""
    was = _table([["东山街道", "李家庄村", "5.00"], ["东山街道", "东湖村", "3.00"], ["秣陵街道", "李家庄村", "1.00"]])
    now = _table([["东山街道", "东湖村", "3.00"], ["东山街道", "李家庄村", "2.00"], ["秣陵街道", "李家庄村", "1.00"]])
    said = diff_sections(was, now)  # type: ignore[arg-type]
    assert said == ["正文 统计表 表 各村 第1行 东山街道 李家庄村：经营性收入 印 5.00 / 现 2.00",
                    "正文 统计表 表 各村 第2行 东山街道 东湖村：现为第1行（位次变动）"], said


def test_a_township_summary_row_is_still_named_by_its_township() -> None:
    headers = ["乡镇（街道）", "村数", "占比"]
    was = [{"label": "正文", "title": "统计表", "items": [
        {"table": "按乡镇", "headers": headers, "rows": [["东山街道", "3", "50.0%"]], "totals": None, "note": ""}]}]
    now = [{"label": "正文", "title": "统计表", "items": [
        {"table": "按乡镇", "headers": headers, "rows": [["东山街道", "4", "50.0%"]], "totals": None, "note": ""}]}]
    assert diff_sections(was, now) == ["正文 统计表 表 按乡镇 第1行 东山街道：村数 印 3 / 现 4"]
