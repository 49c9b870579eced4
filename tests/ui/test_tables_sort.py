"""RowTableModel sorting on raw values: the same order as a plain ``sorted()``, stable both ways,
empty cells last, cached orders forgotten when the rows change, the selection kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, Qt

from desktop_app.core.textsearch import pinyin_key
from desktop_app.ui.columns import RAW_ROLE, Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@dataclass(frozen=True)
class Line:
    no: int
    when: dt.date | dt.datetime | None
    name: str | None
    code: str
    amount: Decimal | None
    tags: tuple[str, ...] = ()


COLUMNS = [
    Column("no", "序号", "int"),
    Column("when", "日期", "date"),
    Column("name", "姓名", "pinyin-text"),
    Column("code", "编号"),
    Column("amount", "金额", "money", total=True),
    Column("tags", "标记", formatter="、".join),
    Column("parity", "奇偶", getter=lambda r: r.no % 3, sort_key=lambda v: -v),
]
NAMES = ["张三", "李四", "单田芳", "曾国藩", "安娜", "", None, "王五", "张三"]


def make_rows(n: int = 300) -> list[Line]:
    rows = []
    for i in range(n):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=(i * 37) % 50)
        when = None if i % 17 == 0 else (dt.datetime.combine(day, dt.time(8)) if i % 5 == 0 else day)
        amount = None if i % 11 == 0 else Decimal((i * 7919) % 1000) / 100
        rows.append(Line(i, when, NAMES[i % len(NAMES)], f"{(i * 13) % 7:03d}", amount, ("甲",) * (i % 3)))
    return rows


def reference(rows: list[Line], column: Column, descending: bool) -> list[int]:
    """What the sort must give: stable by the column's declared key, empty cells last in given order."""
    values = [column.value(r) for r in rows]
    empty = [r.no for r, v in zip(rows, values, strict=True) if v is None or v == ""]
    filled = [(column.key_function()(v), r.no) for r, v in zip(rows, values, strict=True) if not (v is None or v == "")]
    ordered = sorted(filled, key=lambda kv: kv[0], reverse=descending)
    return [no for _, no in ordered] + empty


def shown_numbers(model: RowTableModel) -> list[int]:
    return [model.row_at(i).no for i in range(model.rowCount())]


def test_every_kind_sorts_like_sorted_on_the_declared_key_both_ways() -> None:
    rows = make_rows()
    model = RowTableModel(COLUMNS, rows)
    for i, column in enumerate(COLUMNS):
        for order in (ASC, DESC, ASC):  # the third is served from the cached order
            model.sort(i, order)
            assert shown_numbers(model) == reference(rows, column, order == DESC), column.key
    model.sort(-1)
    assert model.rows() == rows


def test_pinyin_order_uses_surname_readings_and_breaks_ties_by_text() -> None:
    model = RowTableModel(COLUMNS, make_rows(20))
    model.sort(model.column_index("name"), ASC)
    names = [model.data(model.index(r, 2), RAW_ROLE) for r in range(model.rowCount())]
    filled = [n for n in names if n]
    assert filled == sorted(filled, key=lambda t: (pinyin_key(t), t))
    assert filled.index("单田芳") < filled.index("王五")  # 单 as a surname reads shàn, after 李 and before 王
    assert names[-1] in (None, "")


def test_filtered_sort_and_new_rows_forget_the_cached_order() -> None:
    rows = make_rows()
    model = RowTableModel(COLUMNS, rows)
    amount = model.column_index("amount")
    model.sort(amount, DESC)
    model.set_filter("zs")  # 张三 by pinyin initials
    kept = [r for r in rows if r.name == "张三"]
    assert shown_numbers(model) == reference(kept, COLUMNS[amount], True)
    assert model.totals()["amount"] == sum((r.amount for r in kept if r.amount is not None), Decimal(0))
    fewer = rows[::2]
    model.set_rows(fewer)
    assert shown_numbers(model) == reference([r for r in fewer if r.name == "张三"], COLUMNS[amount], True)
    model.set_filter("")
    assert shown_numbers(model) == reference(fewer, COLUMNS[amount], True)


def test_an_edit_resorts_on_the_new_value() -> None:
    rows = [Line(i, None, f"户{i}", "001", Decimal(i)) for i in range(5)]
    columns = [Column("no", "序号", "int"), Column("amount", "金额", "money", editable=True,
                                                 parser=lambda t: Decimal(t))]
    model = RowTableModel(columns, rows)
    model.sort(1, ASC)
    assert model.setData(model.index(0, 1), "99")  # row 0 (amount 0) becomes the largest
    model.sort(1, DESC)
    assert shown_numbers(model) == [0, 4, 3, 2, 1]
    assert model.all_rows()[0].amount == Decimal(99)


def test_selection_of_many_rows_follows_the_sort(qtbot) -> None:
    rows = make_rows(120)
    view = LedgerView(RowTableModel(COLUMNS, rows))
    qtbot.addWidget(view)
    model = view.model()
    sel = view.table.selectionModel()
    for r in range(0, 60, 3):  # 20 selected rows: more than a few, so positions go through one map
        sel.select(model.index(r, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    before = sorted(r.no for r in view.selected_rows())
    view.table.sortByColumn(model.column_index("amount"), DESC)
    assert sorted(r.no for r in view.selected_rows()) == before
    view.table.sortByColumn(model.column_index("name"), ASC)
    assert sorted(r.no for r in view.selected_rows()) == before


def test_sorted_and_filtered_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = RowTableModel(COLUMNS, make_rows(50))
    model.sort(model.column_index("when"), DESC)
    qtmodeltester.check(model)
    model.set_filter("li")
    qtmodeltester.check(model)
