"""What fitting text columns adds to a ledger list's reload (every LedgerView fits its text, pinyin
and date columns after each reload): CPU time of ``set_rows`` on a shown LedgerView, printed beside
the raw limit measured in the same run, ``set_rows`` of the same rows on a view that does not fit
(``fit_columns=False``). A members-like list (1,319 rows, 9 text columns) and a 1M-row list.
Run: .venv/bin/python bench/bench_ledger_fit.py"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from desktop_app.ui.columns import Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel

COLUMNS = [Column("group", "组别", width=90), Column("number", "户号", width=70),
           Column("head", "户主", "pinyin-text", width=70), Column("name", "姓名", "pinyin-text", width=70),
           Column("ric", "身份证号", width=150), Column("sex", "性别", width=40), Column("relation", "关系", width=50),
           Column("status", "状态", width=50), Column("confirmed_on", "确认日期", "date"),
           Column("shares", "股数", "decimal", total=True, width=60)]
NAMES = "王秀英吴伟明贾振华胡建平陈翠花任建平黄佳琪王建国王彩霞欧阳明远"


def rows(n: int) -> list[dict[str, object]]:
    return [{"group": f"第{i % 9 + 1}村民小组", "number": f"{i // 3:06d}", "head": NAMES[i % 20:i % 20 + 3],
             "name": NAMES[(i * 7) % 20:(i * 7) % 20 + 3], "ric": f"320115********{i % 10000:04d}",
             "sex": "男女"[i % 2], "relation": ("户主", "配偶", "子女")[i % 3], "status": "在册",
             "confirmed_on": dt.date(2019, 12, 31), "shares": Decimal(i % 3)} for i in range(n)]


def reload_cpu_ms(view: LedgerView, data: list[dict[str, object]], times: int) -> float:
    best = float("inf")
    for _ in range(times):
        t0 = time.process_time()
        view.model().set_rows(data)
        QApplication.processEvents()
        best = min(best, (time.process_time() - t0) * 1000)
    return best


def main() -> None:
    app = QApplication.instance() or QApplication([])
    for n, times in ((1_319, 5), (1_000_000, 2)):
        data = rows(n)
        fitted, plain = LedgerView(RowTableModel(COLUMNS)), LedgerView(RowTableModel(COLUMNS), fit_columns=False)
        for view in (fitted, plain):
            view.resize(1200, 600)
            view.show()
        fit_ms = reload_cpu_ms(fitted, data, times)
        raw_ms = reload_cpu_ms(plain, data, times)
        print(f"reload with fit, {n:,} rows: {fit_ms:.1f} ms CPU  (raw limit: the same reload without fit {raw_ms:.1f} ms CPU;"
              f" ratio {fit_ms / raw_ms:.2f})")
        for view in (fitted, plain):
            view.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
