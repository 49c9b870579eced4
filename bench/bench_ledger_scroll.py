"""Scrolling a 1,000,000-row journal through PagedTableModel (offscreen). Prints figures.

    QT_QPA_PLATFORM=offscreen python bench/bench_ledger_scroll.py [--rows N] [--ledger-view] [--sqlite]
    QT_QPA_PLATFORM=offscreen python bench/bench_ledger_scroll.py --real-page [--rows N] [--whole] [--db PATH]

``--real-page``: the real 账簿 page (``LedgersPage``, 银行存款日记账) over a real database file whose
bank account has ``--rows`` posted lines (a one-village demo plus bulk rows written with stdlib
sqlite3, the summaries rebuilt by the service); first paint beside the raw limits measured in
the same run (stdlib sqlite3 reading the first page of the same lines in journal order, and a
bare ``QTableView`` painting one screen of the same rows). ``--whole`` also times the whole
journal read into the list model, as the page did before it paged (slow: minutes at 1M).

Measures: building the source, time to first paint, ``scrollToBottom`` and a series of
jumps (each jump = scroll + a synchronous repaint, i.e. what the user waits for), and how
many pages were fetched (the model must never load everything).
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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QTableView

from desktop_app.ui.columns import Column
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.paged import PagedTableModel
from desktop_app.ui.paging import InMemoryPageSource, KeysetPageSource


@dataclass(frozen=True, slots=True)
class Line:
    voucher_no: str
    entry_date: dt.date
    summary: str
    account: str
    debit: Decimal
    credit: Decimal
    row_id: int = 0  # the SQLite row id (part of the keyset key), not shown


COLUMNS = [
    Column("voucher_no", "凭证号", width=90),
    Column("entry_date", "日期", "date", width=100),
    Column("summary", "摘要", "pinyin-text", width=220),
    Column("account", "科目", width=160),
    Column("debit", "借方金额", "money", width=120),
    Column("credit", "贷方金额", "money", width=120),
]
SUMMARIES = ["收到承包费", "支付电费", "发放误工补贴", "收到上级补助", "支付修路款", "提取现金"]
ACCOUNTS = ["101 库存现金", "102 银行存款", "501 经营收入", "541 管理费用", "221 应付工资"]


def build(n: int) -> list[Line]:
    start = dt.date(2020, 1, 1)
    out = []
    for i in range(n):
        amount = Decimal(i % 100_000) / 100
        out.append(
            Line(
                f"记-{i // 4 + 1:06d}",
                start + dt.timedelta(days=i // 600),
                SUMMARIES[i % len(SUMMARIES)],
                ACCOUNTS[i % len(ACCOUNTS)],
                amount if i % 2 == 0 else Decimal(0),
                amount if i % 2 else Decimal(0),
            )
        )
    return out


class SqliteJournal:
    """The same lines in a SQLite file (amounts in 分), read by keyset pages as a real ledger would:
    seek by (date, voucher, id) when scrolling on, OFFSET only for a jump to an unseen place."""

    ORDER = "entry_date, voucher_no, id"

    def __init__(self, path: Path, lines: list[Line]) -> None:
        import sqlite3

        self.con = sqlite3.connect(path)
        self.con.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY, voucher_no TEXT, entry_date TEXT, "
                         "summary TEXT, account TEXT, debit INTEGER, credit INTEGER)")
        self.con.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (i, ln.voucher_no, ln.entry_date.isoformat(), ln.summary, ln.account, int(ln.debit * 100),
             int(ln.credit * 100)) for i, ln in enumerate(lines)))
        self.con.execute(f"CREATE INDEX journal_order ON journal ({self.ORDER})")
        self.con.commit()
        self.fetches: list[tuple[int, int]] = []

    @staticmethod
    def _line(r: tuple) -> Line:
        return Line(r[1], dt.date.fromisoformat(r[2]), r[3], r[4], Decimal(r[5]) / 100, Decimal(r[6]) / 100, r[0])

    def count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM journal").fetchone()[0])

    def after(self, key: tuple | None, limit: int) -> list[Line]:
        self.fetches.append((-1, limit))
        if key is None:
            rows = self.con.execute(f"SELECT * FROM journal ORDER BY {self.ORDER} LIMIT ?", (limit,))
        else:
            rows = self.con.execute(f"SELECT * FROM journal WHERE ({self.ORDER}) > (?, ?, ?) "
                                    f"ORDER BY {self.ORDER} LIMIT ?", (*key, limit))
        return [self._line(r) for r in rows]

    def offset(self, start: int, limit: int) -> list[Line]:
        self.fetches.append((start, limit))
        rows = self.con.execute(f"SELECT * FROM journal ORDER BY {self.ORDER} LIMIT ? OFFSET ?", (limit, start))
        return [self._line(r) for r in rows]

    @staticmethod
    def key_of(line: Line) -> tuple:
        return (line.entry_date.isoformat(), line.voucher_no, line.row_id)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--jumps", type=int, default=20)
    parser.add_argument("--ledger-view", action="store_true", help="use LedgerView (with 合计 footer) instead of a bare QTableView")
    parser.add_argument("--sqlite", action="store_true", help="read the rows from a SQLite file by keyset pages")
    parser.add_argument("--real-page", action="store_true", help="the real 账簿 page over a real database file")
    parser.add_argument("--whole", action="store_true", help="with --real-page: also read the whole journal")
    parser.add_argument("--db", help="with --real-page: keep the built database here and reuse it next time")
    args = parser.parse_args()
    if args.real_page:
        from bench_ledger_page import real_page

        real_page(args.rows, whole=args.whole, db_path=args.db)
        return

    app = QApplication.instance() or QApplication([])
    t0 = time.perf_counter()
    journal = None
    if args.sqlite:
        import tempfile

        folder = tempfile.mkdtemp(prefix="bench_scroll_")
        journal = SqliteJournal(Path(folder) / "journal.db", build(args.rows))
        source = KeysetPageSource(journal.count, journal.after, SqliteJournal.key_of, journal.offset)
    else:
        source = InMemoryPageSource(build(args.rows))
    t_build = time.perf_counter() - t0

    # One-time Qt cost (fonts, style) paid by the first table of the session, not by this model.
    t0 = time.perf_counter()
    warm = QTableView()
    warm.show()
    warm.viewport().repaint()
    app.processEvents()
    warm.close()
    t_warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = PagedTableModel(COLUMNS, source)
    if args.ledger_view:
        widget = LedgerView(model)
        table = widget.table
    else:
        widget = table = QTableView()
        table.setModel(model)
        for i, c in enumerate(COLUMNS):
            table.setColumnWidth(i, c.width or 100)
    widget.resize(1000, 700)
    widget.show()
    table.viewport().repaint()
    app.processEvents()
    t_first = time.perf_counter() - t0

    def jump(action) -> float:
        start = time.perf_counter()
        action()
        table.viewport().repaint()
        app.processEvents()
        return time.perf_counter() - start

    t_bottom = jump(table.scrollToBottom)
    bar = table.verticalScrollBar()
    positions = [int(bar.maximum() * k / args.jumps) for k in range(args.jumps, -1, -1)]
    positions += [bar.maximum() // 2 + 7 * k for k in range(args.jumps)]  # small steps: cached pages
    times = [jump(lambda p=p: bar.setValue(p)) for p in positions]
    t_top = jump(table.scrollToTop)

    fetched = sum(limit for _, limit in (journal.fetches if journal else source.fetches))
    where = "SQLite file, keyset pages" if journal else "in memory"
    print(f"rows                     {args.rows:,}  ({'LedgerView' if args.ledger_view else 'QTableView'}; {where})")
    print(f"build the source         {t_build:.2f} s (not part of the UI cost)")
    print(f"Qt warm-up (first table) {ms(t_warm)}")
    print(f"time to first paint      {ms(t_first)}  (model + view + first screen of rows)")
    print(f"scrollToBottom + paint   {ms(t_bottom)}")
    print(f"jumps ({len(times)})               mean {ms(statistics.mean(times))}, "
          f"median {ms(statistics.median(times))}, max {ms(max(times))}")
    print(f"scrollToTop + paint      {ms(t_top)}")
    print(f"pages fetched            {model.fetch_count} ({fetched:,} rows read, {fetched / args.rows:.2%} of the ledger)")
    print(f"pages cached now         {len(model.cached_pages())}")
    if isinstance(source, KeysetPageSource):
        print(f"page reads               {source.seeks} by keyset seek, {source.offsets} by OFFSET (jumps to unseen places)")
    if journal is not None:
        import shutil

        journal.con.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
