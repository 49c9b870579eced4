"""The 合同 import's fast paths give exactly what the slow ones give (issue #18): a whole column read
in C (``WHOLE_COLUMNS``, ``column_words``) equals its reader cell by cell, or declines; rows read a
chunk at a time with the per-row tests skipped for a plain chunk skip and refuse what ``Table.rows``
and the readers do, in any chunk; ``schedule_tuples`` holds ``schedule_rows``' values."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.cellvalues import CellError
from desktop_app.core.rules.contract_schedule import Terms
from desktop_app.core.services.contracts import (
    INSTALLMENT_COLUMNS,
    RECOGNITION_COLUMNS,
    schedule_rows,
    schedule_tuples,
)
from desktop_app.excel.contracts_cells import CHUNK, READERS, WHOLE_COLUMNS, ContractCells, column_words
from desktop_app.excel.import_contracts import SPEC
from desktop_app.excel.importers import Problem
from desktop_app.excel.table_read import open_table
from tests.excel.test_table_read import xlsx

TEXTS: list[list[Any]] = [
    ["HT-001", "\uff28\uff34\uff0d\uff10\uff10\uff12", " HT003 ", "ht-004\u3000", "11010519491231002x", "1101-0519-4912-31002X", "张三", "（第一组）",
     "东湖村\u3000", "", "a"],
    ["HT 001", "x"],  # a space inside: declined
    ["张\u3000三", "y"],
    ["a\tb"],
    ["a\nb"],
    ["ok", None],  # not all text: declined
    ["ok", 12],
]
NUMBERS: list[list[Any]] = [[800, 12000, 0, 10**15], [800.0, 12000.0, 0.0, -5.0], [800.5, 1.0], [800.0, 1], [True, 1],
                            [1e300], [float("nan")], [float("inf")]]


def _reader(key: str) -> Any:
    read = READERS.get(key)
    if read is None:
        return lambda v: column_words([v])[0] if type(v) is str and column_words([v]) is not None else None
    return read


def _one(read: Any, cell: Any) -> Any:
    try:
        return read(cell)
    except CellError as e:
        return e.message


@pytest.mark.parametrize("key", sorted(WHOLE_COLUMNS))
def test_a_whole_column_reads_as_its_cells_or_is_declined(key: str) -> None:
    whole, read = WHOLE_COLUMNS[key], READERS[key]
    for col in TEXTS + NUMBERS:
        got = whole(col)
        if got is not None:
            assert got == [_one(read, c) for c in col], (key, col)
            assert [type(g) for g in got] == [type(_one(read, c)) for c in col]
    assert whole(TEXTS[0] if key in ("number", "counterparty_id_number") else NUMBERS[1]) is not None


def test_free_text_columns_read_as_cell_words() -> None:
    from desktop_app.core.cellvalues import cell_words

    for col in TEXTS:
        got = column_words(col)
        if got is not None:
            assert got == [cell_words(c) or None for c in col], col
    assert column_words(TEXTS[0]) is not None
    assert column_words(TEXTS[1]) is None and column_words(TEXTS[2]) is None


HEAD = [f.label for f in SPEC.fields if f.key in ("number", "name", "kind", "subject", "counterparty_name",
                                                   "counterparty_id_number", "start_date", "end_date", "annual_rent",
                                                   "payment_mode")]


def _row(i: int) -> list[Any]:
    return [f"HT{i:05d}", f"第{i}号地", "资源发包", f"{i}号地", "张三", "11010519491231002X", date(2026, 1, 1),
            date(2030, 12, 31), 800 + i, "年付"]


def test_chunks_skip_and_refuse_what_the_rows_do(tmp_path: Path) -> None:
    """A 合计 row, a repeated header, a blank and a note row and refused cells, in the first chunk
    (always read through ``Table.rows``) and in later ones (a chunk with one such row is read
    through ``Table.rows``; the rest skip its per-row tests): what is skipped, refused and read is
    what ``Table.rows`` and the readers cell by cell give."""
    rows: list[list[Any]] = [_row(i) for i in range(1, 3 * CHUNK)]
    rows[5][8] = "八百"  # refused in the first chunk
    rows[CHUNK + 10] = ["合计", None, None, None, None, None, None, None, 12345, None]
    rows[CHUNK + 11] = list(HEAD)
    rows[CHUNK + 12] = [None] * 10
    rows[CHUNK + 20][6] = "2026-13-01"  # refused date
    rows[CHUNK + 20][8] = "八百"  # and a refused rent in the same row
    rows[2 * CHUNK + 30][1] = "  第 三 号地 "  # a space inside: read cell by cell
    rows[2 * CHUNK + 31][5] = 110105194912310  # a 身份证号 saved as a number: refused
    path = xlsx(tmp_path / "c.xlsx", [HEAD, *rows])
    table = open_table(path, SPEC)
    problems: list[Problem] = []
    got = list(ContractCells(table).rows(problems))

    expected_table = open_table(path, SPEC)
    want_problems: list[Problem] = []
    want: list[tuple[int, dict[str, Any] | None]] = []
    for number, raw in expected_table.rows():
        values: dict[str, Any] = {}
        ok = True
        for key, i in expected_table.layout.columns.items():
            read = READERS.get(key)
            try:
                values[key] = read(raw[i]) if read is not None else (_words(raw[i]))
            except CellError as e:
                want_problems.append(Problem(number, expected_table.layout.where(key), e.message))
                ok = False
        want.append((number, values if ok else None))
    assert [(r, v) for r, _, v in got] == want
    assert sorted(problems, key=lambda p: p.row) == want_problems
    assert [(s.row, s.reason) for s in table.skipped] == [(s.row, s.reason) for s in expected_table.skipped]
    assert {s.reason for s in table.skipped} == {"合计行", "重复表头"}
    assert len([p for p in problems if p.row == CHUNK + 22]) == 2


def _words(cell: Any) -> Any:
    from desktop_app.core.cellvalues import cell_words

    return cell_words(cell) or None


@pytest.mark.parametrize("terms", [
    Terms(date(2026, 3, 15), date(2031, 3, 14), Decimal("12000.00"), "年付", Decimal(5), 3, 30, "calendar"),
    Terms(date(2026, 3, 15), date(2031, 3, 14), Decimal("12000.00"), "季付", Decimal(0), 0, 0, "contract"),
    Terms(date(2024, 2, 29), date(2027, 2, 28), Decimal("8000.50"), "半年付", Decimal("2.5"), 1, 15, "calendar"),
    Terms(date(2026, 7, 1), date(2029, 6, 30), Decimal("1200.00"), "一次性", Decimal(5), 1, 10, "calendar"),
])
def test_schedule_tuples_hold_the_schedule_rows_values(terms: Terms) -> None:
    cid = uuid.uuid4()
    want_insts, want_recs = schedule_rows(cid, terms)
    ids = (f"{n:032x}" for n in range(1, 10_000))
    insts: list[tuple[Any, ...]] = []
    recs: list[tuple[Any, ...]] = []
    assert schedule_tuples(cid.hex, terms, ids, insts, recs) == len(want_insts)
    inst_ids = {w["id"]: t[0] for w, t in zip(want_insts, insts, strict=True)}
    assert [dict(zip(INSTALLMENT_COLUMNS, t, strict=True)) for t in insts] == [
        {**w, "id": inst_ids[w["id"]], "contract_id": cid.hex} for w in want_insts]
    assert [dict(zip(RECOGNITION_COLUMNS, t, strict=True)) for t in recs] == [
        {"id": t[0], "contract_id": cid.hex, "installment_id": inst_ids[w["installment_id"]], "year": w["year"],
         "amount": w["amount"]} for w, t in zip(want_recs, recs, strict=True)]
    assert all(w["deferred"] == w["recognised"] == 0 for w in want_recs)
    assert len({t[0] for t in insts + recs}) == len(insts) + len(recs)
