"""The voucher import reads its rows a chunk of columns at a time (issue #18): what it says does not
depend on where the chunks break. A journal mixing every kind of cell — number types that compare
equal (3, 3.0, True), amounts as text, refused cells, rows continuing the voucher above, problems of
every kind — checked with chunks of 1, 2, 3, 5 and 4,096 rows gives the same problems, outcomes,
skipped rows, notes and plan (a chunk of one row is the row-by-row reading)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app.excel.import_vouchers import SPEC, VoucherImporter
from desktop_app.excel.table_read import open_table
from tests.funds.conftest import Env

HEAD = ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方", "往来单位"]

ROWS: list[list[Any]] = [
    ["2026-02-03", "记-1", "不平衡", "101", None, "100.00", None, None],
    ["2026-02-03", "记-1", "不平衡", "504", None, None, "90", None],
    ["2026-02-04", "记-2", "非末级", "102", None, 10, None, None],
    ["2026-02-04", "记-2", "非末级", "9999", None, None, 10, None],
    ["2026-02-05", "记-3", "分", "101", None, "1.005", None, None],
    ["2026-02-05", "记-3", "分", "504", None, None, "1.005", None],
    ["2026-02-06", None, "无号不同日", "101", None, 5, None, None],
    [datetime(2026, 2, 7), 4, "数字号", "101", "库存现金", 5.0, None, "张三"],
    [None, 4.0, "数字号", None, "经营收入", None, 5, "张三"],
    ["2026-02-30", "记-5", "错日期", "101", None, 5, None, None],
    ["2026-02-08", "记-6", "两边", "101", None, 5, 5, None],
    ["2026-02-08", "记-6", "两边", "504", None, None, 5, None],
    [date(2026, 2, 9), "记-7", "负数和零", "101", None, -5, None, None],
    [date(2026, 2, 9), "记-7", None, "504", None, 0, None, None],
    [date(2026, 2, 9), "记-7", None, "504", None, "0.00", "abc", None],
    ["2026-02-10", "记字第8号", "文字金额", "101", None, "1,200元", None, "  李四  "],
    [None, None, "文字金额", "504", None, None, "１２００", "李四"],
    ["2026-02-10", "记-8", "文字金额", "504", None, None, 0.5, None],
    ["2026-02-10", "记-8", "文字金额", "101", None, 0.5, None, None],
    ["2026-02-11", True, "是", "101", None, 1, None, None],
    ["2026-02-11", 1, "一", "504", None, None, 1.0, None],
    ["2026-02-12", "记-9", "", "101", None, 7, None, None],
    ["2026-02-12", "记-9", "", "504", None, None, 7, None],
    ["2026-02-13", "xx-1", "坏号", "101", None, 7, None, None],
    [None, None, "坏号续", "504", None, None, 7, None],
    ["2026-02-14", "记-10", "跨日", "101", None, 8, None, None],
    ["2026-02-15", "记-10", "跨日", "504", None, None, 8, None],
    ["2026-02-16", "记-11", "长", "101", None, 9, None, "单" * 101],
    ["2026-02-16", "记-11", "长" * 201, "504", None, None, 9, None],
    ["本月合计", None, None, None, None, "1,000", "1,000", None],
    ["2026-02-17", "记-12", "正常", "101", "库存现金", 12.34, None, None],
    ["2026-02-17", "记-12", "正常", "504", None, None, 12.34, None],
    ["2026-02-17", None, None, None, None, None, None, None],
    ["2026-02-18", "记-13", "正常", "101 库存现金", None, 1e20, None, None],
    ["2026-02-18", "记-13", "正常", "504", None, None, 1e20, None],
]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _said(env: Env, path: Path, chunk: int, mode: str) -> tuple[Any, ...]:
    importer = VoucherImporter()
    importer.chunk = chunk
    with env.db.begin("test") as s:
        check = importer.check(s, open_table(path, SPEC), organisation_id=env.book.organisation_id,
                               book_id=env.book.id, mode=mode)  # type: ignore[arg-type]
    plan = [(v.label, v.rows, v.parts, v.summary, v.debit, v.credit, v.top, v.bad, v.existing, v.number)
            for v in check.plan]
    return ([str(p) for p in check.problems], list(check.outcomes),
            [str(s) for s in check.skipped], list(check.notes), plan)


@pytest.mark.parametrize("mode", ["add", "skip"])
def test_the_chunks_say_what_the_rows_say(env: Env, tmp_path: Path, mode: str) -> None:
    path = _xlsx(tmp_path / "乱.xlsx", ROWS * 3)
    one = _said(env, path, 1, mode)
    assert len(one[0]) > 20 and one[2] and one[4]  # problems of every kind, a skipped row, vouchers
    for chunk in (2, 3, 5, 4096):
        assert _said(env, path, chunk, mode) == one, chunk


def test_a_clean_journal_in_chunks_is_planned_as_row_by_row(env: Env, tmp_path: Path) -> None:
    """No problem at all, chunks breaking inside vouchers: the same vouchers, numbers and notes."""
    rows: list[list[Any]] = []
    for v in range(40):
        day = date(2026, 2 + v % 3, 1 + v % 27)
        amount = Decimal(v * 37 % 900 + 1) + Decimal(v % 100) / 100
        for k in range(2 + v % 3):
            size = 2 + v % 3
            part = amount if size == 2 else None
            rows.append([day if k == 0 or v % 2 else None, f"记-{v % 7 + 1}" if k == 0 or v % 4 else None,
                         "摘要" + str(v % 5), ("101", "504", "11201")[k % 3] if k < size - 1 else "504", None,
                         (part or amount / (size - 1)).quantize(Decimal("0.01")) if k < size - 1 else None,
                         None if k < size - 1 else ((part or amount / (size - 1)).quantize(Decimal("0.01"))
                                                    * (size - 1)),
                         "张三" if k % 2 else None])
    path = _xlsx(tmp_path / "净.xlsx", rows)
    one = _said(env, path, 1, "add")
    for chunk in (2, 3, 7, 4096):
        assert _said(env, path, chunk, "add") == one, chunk
