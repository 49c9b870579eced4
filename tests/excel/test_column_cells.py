"""``column_cells.Cells``: the shared column-at-a-time cell reader of the member, contract, register and
voucher imports gives what reading each cell gives, keeps no refusal and stays bounded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from desktop_app.core.cellvalues import CellError, cell_number, cell_text
from desktop_app.excel.column_cells import MEMO_SIZE, Cells


def _typed(v: Any) -> str:
    """A reader that tells 1, 1.0 and True apart (as a text reader does: "1", "1.0"…)."""
    return f"{type(v).__name__}:{v}"


def test_equal_cells_of_other_types_read_as_themselves() -> None:
    cells = Cells(_typed)
    mixed = [1, 1.0, True, Decimal(1), "1", None, 1]
    assert cells.column(mixed) == [_typed(v) for v in mixed]
    # one type a chunk: a later chunk of the other type is not answered from the first's memo
    assert cells.column([1, 2, 1]) == ["int:1", "int:2", "int:1"]
    assert cells.column([1.0, 2.0]) == ["float:1.0", "float:2.0"]
    assert cells.column([True, False]) == ["bool:True", "bool:False"]


def test_a_refusal_is_not_kept_and_flags_every_chunk_it_is_in() -> None:
    cells = Cells(lambda v: cell_number(v, label="股数"))
    first = cells.column(["1", "x", "2"])
    assert first[0] == Decimal(1) and type(first[1]) is CellError and cells.bad
    cells.bad = False
    again = cells.column(["x", "3"])
    assert type(again[0]) is CellError and cells.bad and again[1] == Decimal(3)
    assert all("x" not in memo for memo in cells.memos.values())


def test_memo_bounded_and_answers_beyond_it() -> None:
    cells = Cells(cell_text, {None: "", "": ""})
    names = [f"成员{i}" for i in range(MEMO_SIZE * 2)]
    assert cells.column(names) == names
    assert sum(map(len, cells.memos.values())) <= MEMO_SIZE
    assert cells.column([None, "", " 张三 ", date(2026, 1, 2)]) == ["", "", "张三", cell_text(date(2026, 1, 2))]
