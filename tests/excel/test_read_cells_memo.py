"""``importers.read_cells`` inside ``remembered_cells`` (a record kind's check) reads a column's
repeated cells once: the values are those read cell by cell, and a refused cell is a problem at
every row that has it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from desktop_app.excel import importers
from desktop_app.excel.assets_import_common import date_reader, money_reader, text_reader, yes_no_reader
from desktop_app.excel.importers import Problem, read_cells, remembered_cells
from desktop_app.excel.table_read import Field, Layout, TableSpec

SPEC = TableSpec("t", "测试", (Field("code", "编号"), Field("value", "原值"), Field("on", "日期"), Field("yes", "扶贫"),
                              Field("words", "备注")), key="code")
LAYOUT = Layout("Sheet1", 1, ("编号", "原值", "日期", "扶贫", "备注"),
                {"code": 0, "value": 1, "on": 2, "yes": 3, "words": 4}, "sig", SPEC)
READERS = {"code": text_reader, "value": money_reader("原值"), "on": date_reader("日期"), "yes": yes_no_reader("扶贫")}
ROWS: list[dict[str, Any]] = [
    {"code": "\uff3a\uff23-1", "value": "1,200元", "on": date(2020, 5, 1), "yes": "是", "words": " 接管 "},
    {"code": 1, "value": 1.0, "on": datetime(2020, 5, 1), "yes": True, "words": None},
    {"code": True, "value": 1, "on": "2020年5月1日", "yes": 1, "words": "接管"},
    {"code": 1.0, "value": "-5", "on": "2020-13-01", "yes": "也许", "words": 1.0},
    {"code": "\uff3a\uff23-1", "value": "1,200元", "on": date(2020, 5, 1), "yes": "是", "words": " 接管 "},
    {"code": 1.0, "value": "-5", "on": "2020-13-01", "yes": "也许", "words": 1.0},
    {"code": True, "value": 1, "on": "2020年5月1日", "yes": 1, "words": "接管"},
]


def _read_all() -> tuple[list[Any], list[Problem]]:
    problems: list[Problem] = []
    return [read_cells(READERS, LAYOUT, n, row, problems) for n, row in enumerate(ROWS, start=2)], problems


def test_remembered_cells_read_as_each_cell_alone() -> None:
    plain = _read_all()
    with remembered_cells():
        memo = _read_all()
        again = _read_all()  # every cell now remembered
    assert memo == plain and again == plain
    assert [type(v) for v in plain[0][1].values()] == [type(v) for v in memo[0][1].values()]  # 1 stays int, True bool
    assert {p.row for p in plain[1]} == {5, 7}  # the refused cells: a problem at each row that has them
    assert importers._READ_MEMO.get() is None  # nothing remembered outside


def test_a_column_of_distinct_cells_stops_being_remembered(monkeypatch: Any) -> None:
    monkeypatch.setattr(importers, "MEMO_SIZE", 3)
    problems: list[Problem] = []
    with remembered_cells():
        for i in range(10):
            assert read_cells(READERS, LAYOUT, i, {"code": f"ZC-{i}"}, problems) == {"code": f"ZC-{i}"}
        held = importers._READ_MEMO.get()
        assert held is not None and held["code"][0] is text_reader and len(held["code"][1]) == 3
