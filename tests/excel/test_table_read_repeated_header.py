"""``table_read``'s repeated-header test (a printout's page heads down the sheet) skips most cells
without folding them; it must say exactly what folding every filled cell says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from desktop_app.excel.table_read import _header_test, header_key


def _plain(norm: Sequence[str], cells: Sequence[object]) -> bool:
    """The test as first written: every filled cell folded and compared with its column's header."""
    filled = [i for i, c in enumerate(cells) if c is not None and c != "" and not (type(c) is str and not c.strip())]
    return sum(1 for i in filled if i < len(norm) and norm[i] and header_key(cells[i]) == norm[i]) >= 2


HEADERS = [["资产编号", "资产名称", "面积（㎡）", "", "*原值（必填）", "备 注："],
           ["序号", "2024", "是", "(1)", "No.", "姓名"]]
ROWS = [
    ["资产编号", "资产名称", None, None, None, None],  # the header again
    ["*资产编号", " 资产 名称（必填）", "面积(㎡)", "x", "原值", "备注:"],  # as the template writes it
    ["资产编号", "ZC-1", "面积（m2）", None, "原值", None],  # ㎡ folds to m2: the same header
    ["\uff3a\uff23-1", "资产名称", "面积（㎡）", None, None, None],  # full-width letters, two header cells
    ["ZC-001", "村部办公楼", 120, None, 1200000, "接管"],  # data
    ["资产编号\n", "资产名称\t", None, None, None, None],
    ["序号", 2024, True, "（1）", "No.", "姓名"],  # numbers and a bool reading as their headers
    [1, 2024.0, "是", "(1)", None, None],
    [1, 2025, False, date(2024, 1, 1), datetime(2024, 1, 1, 8), "张三"],
    ["", " ", "\u3000", None, None, None],
    ["资产编号"],  # shorter than the header
]


def test_the_cheap_test_says_what_folding_every_cell_says() -> None:
    for header in HEADERS:
        norm = [header_key(h) for h in header]
        test = _header_test(norm)
        for raw in ROWS:
            cells = [*raw, *[None] * (len(header) - len(raw))]
            assert test(cells) == _plain(norm, cells), (header, raw)
    norm = [header_key(h) for h in HEADERS[0]]
    assert _header_test(norm)(ROWS[1]) and not _header_test(norm)(ROWS[4])
    norm = [header_key(h) for h in HEADERS[1]]
    assert _header_test(norm)(ROWS[6]) and _header_test(norm)(ROWS[7])
