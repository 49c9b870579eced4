"""Fitting name/date/time columns to their text (ui.tables.fit_text_columns) after a reload of a
1M-row table: printed beside the reload itself (RowTableModel.set_rows of the same rows), the raw
limit measured in the same run. Run: .venv/bin/python bench/bench_fit_columns.py"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from desktop_app.ui.columns import Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel, fit_text_columns

ROWS = 1_000_000


def main() -> None:
    app = QApplication.instance() or QApplication([])
    columns = [Column("town", "乡镇", "pinyin-text"), Column("name", "组织", "pinyin-text"),
               Column("time", "导入时间"), Column("n", "数", "int")]
    rows = [{"town": f"第{i % 50}街道", "name": f"李家庄{i % 997}村股份经济合作社", "time": f"2026-12-03 05:{i % 60:02d}",
             "n": i} for i in range(ROWS)]
    model = RowTableModel(columns)
    view = LedgerView(model)
    t0 = time.perf_counter()
    model.set_rows(rows)
    reload_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    fit_text_columns(view.table)
    fit_ms = (time.perf_counter() - t0) * 1000
    print(f"fit_text_columns, {ROWS:,} rows: {fit_ms:.1f} ms  (raw limit: set_rows of the same rows {reload_ms:.1f} ms)")
    print("widths:", [view.table.columnWidth(i) for i in range(len(columns))])
    view.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
