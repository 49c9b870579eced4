"""The real 账簿 page over a real database whose bank account has N posted lines (used by
``bench_ledger_scroll.py --real-page``; runnable alone: ``python bench/bench_ledger_page.py N [--db PATH]``).

``--db PATH`` keeps the built database there and reuses it on the next run (building 1M lines
takes about a minute). The raw limits, measured in the same run: stdlib sqlite3 reading the
first page of the same lines in journal order, stdlib sqlite3 reading the same months' counts
and sums from the month summaries, and a bare ``QTableView`` painting one screen of rows. The
journal counted by month (what the outline did before the summaries counted lines) is printed
for comparison."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LINES_PER_VOUCHER = 20  # bank lines per bulk voucher (plus one contra line)


def _new_id(like: object) -> object:
    return uuid.uuid4().hex if isinstance(like, str) else uuid.uuid4().bytes


def build_database(folder: Path, lines: int) -> tuple[Path, str, int]:
    """A one-village demo, then ``lines`` posted bank lines in the year after it (stdlib sqlite3)."""
    from db.migrate import open_database
    from desktop_app.core.demo import build_demo

    path = folder / "ledger.db"
    database = open_database(path)
    with database.begin("bench") as s:
        build_demo(s, villages=1, years=1, seed=7)
    database.close()
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    bank = con.execute("SELECT e.* FROM entry e JOIN account a ON a.id = e.account_id JOIN voucher v ON v.id = e.voucher_id "
                       "WHERE a.code LIKE '102%' AND v.status = '记账' AND e.debit > 0 LIMIT 1").fetchone()
    voucher = con.execute("SELECT * FROM voucher WHERE id = ?", (bank["voucher_id"],)).fetchone()
    contra = con.execute("SELECT * FROM entry WHERE voucher_id = ? AND account_id != ? LIMIT 1",
                         (bank["voucher_id"], bank["account_id"])).fetchone()
    year = int(con.execute("SELECT max(period) FROM entry").fetchone()[0][:4]) + 1
    vcols, ecols = list(voucher.keys()), list(bank.keys())
    vins = f"INSERT INTO voucher ({', '.join(vcols)}) VALUES ({', '.join('?' * len(vcols))})"
    eins = f"INSERT INTO entry ({', '.join(ecols)}) VALUES ({', '.join('?' * len(ecols))})"
    vouchers = -(-lines // LINES_PER_VOUCHER)
    per_month = -(-vouchers // 12)
    vrows, erows = [], []
    written = 0
    for k in range(vouchers):
        month, n = divmod(k, per_month)
        period = f"{year}-{month + 1:02d}"
        day = dt.date(year, month + 1, 1 + n * 28 // per_month)
        vid = _new_id(voucher["id"])
        v = dict(voucher)
        v.update(id=vid, period=period, number=n + 1, voucher_date=day.isoformat(), summary=f"批量收款 {k + 1}")
        vrows.append([v[c] for c in vcols])
        count = min(LINES_PER_VOUCHER, lines - written)
        for i in range(count):
            e = dict(bank)
            e.update(id=_new_id(bank["id"]), voucher_id=vid, period=period, line_no=i + 1,
                     debit=100 + (written + i) % 9_900, credit=0, summary=f"收承包费 {written + i + 1}")
            erows.append([e[c] for c in ecols])
        c = dict(contra)
        total = sum(r[ecols.index("debit")] for r in erows[-count:])
        c.update(id=_new_id(contra["id"]), voucher_id=vid, period=period, line_no=count + 1, debit=0, credit=total)
        erows.append([c[col] for col in ecols])
        written += count
    con.executemany(vins, vrows)
    con.executemany(eins, erows)
    con.commit()
    book = con.execute("SELECT book_id FROM voucher WHERE id = ?", (voucher["id"],)).fetchone()[0]
    con.close()
    database = open_database(path)
    from desktop_app.core.services.balances import rebuild_totals

    with database.begin("bench") as s:
        rebuild_totals(s, uuid.UUID(book) if isinstance(book, str) else uuid.UUID(bytes=book))
    database.close()
    return path, str(year), lines


def real_page(lines: int, *, whole: bool = False, db_path: str | None = None) -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from db.migrate import open_database
    from desktop_app.core.services import ledgers as svc
    from desktop_app.core.services.orgs import list_books
    from desktop_app.core.services.users import authenticate
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.funds_ledgers import JOURNAL_COLUMNS, LedgersPage
    from desktop_app.ui.settings import WindowSettings

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench_ledger_page_"))
    t0 = time.perf_counter()
    kept = Path(db_path) if db_path else None
    if kept is not None and kept.exists():
        path = kept
        con = sqlite3.connect(path)
        year = con.execute("SELECT max(period) FROM entry").fetchone()[0][:4]
        con.close()
    else:
        path, year, _ = build_database(folder, lines)
        if kept is not None:
            from db.backup import backup_file

            backup_file(path, kept)
    t_build = time.perf_counter() - t0
    database = open_database(path)
    with database.begin("bench") as s:
        user = authenticate(s, "admin", "demo1234")
    with database.read("bench") as s:
        book = max(list_books(s), key=lambda b: svc.journal_outline(s, b.id, f"{year}-01", f"{year}-12",
                                                                     role="bank").entry_count)
    warm = QTableView()
    warm.show()
    warm.viewport().repaint()
    app.processEvents()
    warm.close()

    ctx = AppContext(database, user, WindowSettings(folder / "w.json"))
    ctx.book = book
    ctx.period = f"{year}-12"
    page = LedgersPage(ctx)  # 现金日记账 of December first: not what is measured
    page.resize(1200, 800)
    page.show()
    app.processEvents()
    page.period.blockSignals(True)
    page.period.setValue(year)
    page.period.blockSignals(False)

    def first_paint(kind: str) -> float:
        page.kind.blockSignals(True)
        page.kind.setCurrentText(kind)
        page.kind.blockSignals(False)
        start, cpu = time.perf_counter(), time.process_time()
        page.reload()
        page.view.table.viewport().repaint()
        app.processEvents()
        paint_cpu.append(time.process_time() - cpu)
        return time.perf_counter() - start

    paints: list[float] = []
    paint_cpu: list[float] = []
    for _ in range(5):
        first_paint("现金日记账")
        paints.append(first_paint("银行存款日记账"))
    paint_cpu = paint_cpu[1::2]  # the bank journal's
    model = page.view.model()
    shown = model.rowCount()
    bar = page.view.table.verticalScrollBar()
    jumps = []
    for k in range(10, -1, -1):
        start = time.perf_counter()
        bar.setValue(bar.maximum() * k // 10)
        page.view.table.viewport().repaint()
        app.processEvents()
        jumps.append(time.perf_counter() - start)

    # Raw limits, same run: stdlib sqlite3 reading the first page of the same lines in journal order,
    # and a bare QTableView painting one screen of rows.
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM account WHERE book_id = ? AND code LIKE '102%'", (book.id.hex,))]
    marks = ", ".join("?" * len(ids))
    page_sql = ("SELECT e.voucher_id, v.voucher_date, v.period, v.number, e.summary, v.summary, e.account_id, "
                "e.counterparty, e.debit, e.credit, e.line_no FROM voucher v JOIN entry e ON e.voucher_id = v.id "
                "WHERE v.book_id = ? AND v.voucher_date >= ? AND v.voucher_date < ? AND v.period = ? "
                f"AND v.status = '记账' AND v.deleted = 0 AND e.account_id IN ({marks}) AND e.deleted = 0 "
                "ORDER BY v.voucher_date, v.number, e.line_no LIMIT 500")
    count_sql = ("SELECT e.period, count(*) FROM entry e JOIN voucher v ON v.id = e.voucher_id "
                 f"WHERE e.book_id = ? AND e.account_id IN ({marks}) AND e.period BETWEEN ? AND ? AND e.deleted = 0 "
                 "AND v.status = '记账' AND v.deleted = 0 GROUP BY e.period")
    summary_sql = ("SELECT period, sum(lines), sum(debit), sum(credit) FROM account_period_total "
                   f"WHERE book_id = ? AND account_id IN ({marks}) AND period BETWEEN ? AND ? GROUP BY period")
    raw_sql, raw_count, raw_summary, outline_times = [], [], [], []
    for _ in range(5):
        start = time.perf_counter()
        rows = con.execute(page_sql, (book.id.hex, f"{year}-01-01", f"{year}-02-01", f"{year}-01", *ids)).fetchall()
        raw_sql.append(time.perf_counter() - start)
    for _ in range(3):
        start = time.perf_counter()
        con.execute(count_sql, (book.id.hex, *ids, f"{year}-01", f"{year}-12")).fetchall()
        raw_count.append(time.perf_counter() - start)
        start = time.perf_counter()
        con.execute(summary_sql, (book.id.hex, *ids, f"{year}-01", f"{year}-12")).fetchall()
        raw_summary.append(time.perf_counter() - start)
        with database.read("bench") as s:
            start = time.perf_counter()
            svc.journal_outline(s, book.id, f"{year}-01", f"{year}-12", role="bank")
            outline_times.append(time.perf_counter() - start)
    raw_paint, raw_paint_cpu = [], []
    for _ in range(5):
        start, cpu = time.perf_counter(), time.process_time()
        items = QStandardItemModel(len(rows), len(JOURNAL_COLUMNS))
        for r, row in enumerate(rows[:40]):
            for c, value in enumerate(row[: len(JOURNAL_COLUMNS)]):
                items.setItem(r, c, QStandardItem(str(value)))
        bare = QTableView()
        bare.setModel(items)
        bare.resize(1200, 800)
        bare.show()
        bare.viewport().repaint()
        app.processEvents()
        raw_paint.append(time.perf_counter() - start)
        raw_paint_cpu.append(time.process_time() - cpu)
        bare.close()
    con.close()
    med = statistics.median
    raw = med(raw_sql) + med(raw_summary) + med(raw_paint)
    print(f"real 账簿 page, 银行存款日记账 {year}: {lines:,} posted bank lines ({shown:,} rows shown with totals); "
          f"model {type(model).__name__}; database built (or reused) in {t_build:.1f} s")
    print(f"first paint (reload + paint), median of 5     {med(paints) * 1000:8.1f} ms  (goal <= 50 ms)")
    print(f"  of which the outline (months, counts, sums)  {med(outline_times) * 1000:8.1f} ms")
    print(f"raw: sqlite3 first page of the same lines     {med(raw_sql) * 1000:8.1f} ms")
    print(f"raw: sqlite3 the months from the summaries    {med(raw_summary) * 1000:8.1f} ms")
    print(f"raw: bare QTableView paints one screen        {med(raw_paint) * 1000:8.1f} ms")
    print(f"ratio page / (the three raw figures)          {med(paints) / raw:8.2f}x")
    print(f"CPU time (this process; what a busy machine does not inflate): first paint {med(paint_cpu) * 1000:.1f} ms, "
          f"bare QTableView {med(raw_paint_cpu) * 1000:.1f} ms, ratio {med(paint_cpu) / med(raw_paint_cpu):.2f}x")
    print(f"(for comparison) sqlite3 counting the journal by month {med(raw_count) * 1000:8.1f} ms "
          "(what the outline cost before the summaries counted lines)")
    print(f"jumps over the journal (11), median / max     {med(jumps) * 1000:8.1f} / {max(jumps) * 1000:.1f} ms")
    if whole:
        with database.read("bench") as s:
            start = time.perf_counter()
            journal = svc.bank_journal(s, book.id, f"{year}-01", f"{year}-12")
            t_whole = time.perf_counter() - start
        print(f"before (whole journal read for the list model) {t_whole:8.2f} s for {len(journal.lines):,} lines "
              f"({t_whole / raw:.0f}x the raw limit)")
    page.close()
    database.close()
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    argv = sys.argv[1:]
    kept = argv[argv.index("--db") + 1] if "--db" in argv else None
    numbers = [a for a in argv if a.isdigit()]
    real_page(int(numbers[0]) if numbers else 1_000_000, whole="--whole" in argv, db_path=kept)
