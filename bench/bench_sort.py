"""Sorting 1,000,000 rows in ``RowTableModel`` beside plain ``sorted()`` of the same rows.

    QT_QPA_PLATFORM=offscreen python bench/bench_sort.py [--rows N] [--repeat R] [--view]

For each column kind (money, date, int, text, pinyin-text) the script times ``model.sort``
(ascending, then descending; the model's first sort of a column pays for its keys) and, in the
same run, the raw limit: ``sorted(rows, key=attrgetter(field))`` of the same row objects on the
raw value (for pinyin: on a precomputed pinyin key list, i.e. what any correct pinyin sort must
at least do). Prints medians and the ratio model / raw. The machine is shared: read the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.textsearch import pinyin_key, warm_up
from desktop_app.ui.columns import Column
from desktop_app.ui.tables import RowTableModel


@dataclass(frozen=True, slots=True)
class Line:
    voucher_date: dt.date
    voucher_number: int
    summary: str
    account_code: str
    counterparty: str | None
    debit: Decimal


COLUMNS = [
    Column("voucher_date", "日期", "date"),
    Column("voucher_number", "凭证号", "int"),
    Column("summary", "摘要", "pinyin-text"),
    Column("account_code", "科目"),
    Column("counterparty", "往来单位", "pinyin-text"),
    Column("debit", "借方", "money", total=True),
]
SUMMARIES = ["收到承包费", "支付电费", "发放误工补贴", "收到上级补助", "支付修路款", "提取现金", "单田芳报销差旅费"]
PEOPLE = ["张三", "李四", "王五", "赵六", "单田芳", "曾国藩", "欧阳修", None]
CODES = ["101", "102", "10201", "501", "541", "221", "12101"]


def build(n: int) -> list[Line]:
    start = dt.date(2020, 1, 1)
    return [
        Line(start + dt.timedelta(days=(i * 7919) % 2000), (i * 104729) % 50_000 + 1,
             f"{SUMMARIES[i % len(SUMMARIES)]}{i % 97}", CODES[i % len(CODES)],
             PEOPLE[(i * 31) % len(PEOPLE)], Decimal((i * 2654435761) % 10_000_000) / 100)
        for i in range(n)
    ]


def median_time(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--view", action="store_true", help="show the model in a LedgerView while sorting")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    warm_up()

    t0 = time.perf_counter()
    rows = build(args.rows)
    t_build = time.perf_counter() - t0
    model = RowTableModel(COLUMNS, rows)
    if args.view:
        from desktop_app.ui.ledger_view import LedgerView

        view = LedgerView(model)
        view.resize(1000, 700)
        view.show()
        app.processEvents()

    print(f"rows {args.rows:,} (built in {t_build:.2f} s); medians of {args.repeat}; "
          f"{'in a LedgerView, one row selected' if args.view else 'model only'}; pinyin dictionary warmed "
          "(the app does that in the background at start-up)")
    print("first = the first sort of a column after set_rows (computes its keys); again = switching "
          "direction or back to that column; raw = sorted() of the same rows on the raw value")
    print(f"{'column':<20}{'first':>9}{'again':>9}{'raw':>9}{'first/raw':>11}{'again/raw':>11}")
    worst_first = worst_again = 0.0
    for i, column in enumerate(COLUMNS):
        model.sort(-1)
        if args.view:
            view.select_row(args.rows // 2)
        t0 = time.perf_counter()
        model.sort(i, Qt.SortOrder.AscendingOrder)
        app.processEvents()
        first = time.perf_counter() - t0
        model.sort(i, Qt.SortOrder.DescendingOrder)  # its keys are known now

        def toggle(i: int = i) -> None:
            _, order = model.sort_state
            flip = Qt.SortOrder.AscendingOrder if order == Qt.SortOrder.DescendingOrder else Qt.SortOrder.DescendingOrder
            model.sort(i, flip)
            app.processEvents()

        again = median_time(toggle, args.repeat)
        get = attrgetter(column.key)
        if column.column_kind.value == "pinyin-text":
            # Any correct pinyin sort must at least look up each cell's pinyin key and sort on it.
            raw = median_time(lambda get=get: sorted(rows, key=lambda r: pinyin_key(get(r) or "")), args.repeat)
        else:
            raw = median_time(lambda get=get: sorted(rows, key=get), args.repeat)
        worst_first, worst_again = max(worst_first, first), max(worst_again, again)
        print(f"{column.header + ' ' + column.column_kind.value:<20}{first:>8.3f}s{again:>8.3f}s{raw:>8.3f}s"
              f"{first / raw:>10.2f}x{again / raw:>10.2f}x")
    print(f"slowest first sort {worst_first:.3f} s, slowest sort again {worst_again:.3f} s "
          "(goal: 1M rows sorted <= 1 s)")


if __name__ == "__main__":
    main()
