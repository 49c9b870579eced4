"""Money columns sort on whole 分 (issue #18: a million rows sorted within a second); the order is
exactly the Decimals' own, stable both ways, and amounts that are not whole 分 sort as Decimals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt

from desktop_app.ui.columns import RAW_ROLE, Column
from desktop_app.ui.tables import RowTableModel, money_sort_keys

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@dataclass(frozen=True)
class Row:
    no: int
    amount: Decimal | None


COLUMNS = [Column("no", "序号", "int"), Column("amount", "金额", "money", total=True)]


def shown(model: RowTableModel) -> list[int]:
    return [model.data(model.index(r, 0), RAW_ROLE) for r in range(model.rowCount())]


def expected(rows: list[Row], descending: bool) -> list[int]:
    filled = [r for r in rows if r.amount is not None]
    ordered = sorted(filled, key=lambda r: r.amount, reverse=descending)  # type: ignore[arg-type,return-value]
    return [r.no for r in ordered] + [r.no for r in rows if r.amount is None]


def sort_both_ways(rows: list[Row]) -> None:
    model = RowTableModel(COLUMNS, rows)
    for order in (ASC, DESC):
        model.sort(1, order)
        assert shown(model) == expected(rows, order == DESC)


def test_whole_fen_sort_like_the_decimals_with_equal_amounts_kept_in_order() -> None:
    amounts = ["0.10", "0.1", "-3.00", "12", "1.2E+3", "0", "-0.00", "99999999999.99", "-0.01", "12.00", "0.10"]
    rows = [Row(i, None if i % 7 == 6 else Decimal(amounts[i % len(amounts)])) for i in range(60)]
    assert money_sort_keys([Decimal(a) for a in amounts]) == [10, 10, -300, 1200, 120000, 0, 0, 9999999999999, -1, 1200, 10]
    sort_both_ways(rows)


def test_a_fraction_of_a_fen_or_a_value_that_is_no_decimal_keeps_the_decimals() -> None:
    sub_fen = [Decimal("0.005"), Decimal("0.01"), Decimal("0.004"), Decimal("-0.0049")]
    assert money_sort_keys(sub_fen) is sub_fen
    mixed: list[object] = [Decimal("1.00"), 2]
    assert money_sort_keys(mixed) is mixed
    sort_both_ways([Row(i, sub_fen[i % 4] * (i % 5)) for i in range(40)])
