"""A long 现金日记账 as PDF (``ledgers_pdf.ledger_pdf_bytes``) beside reportlab writing the same text.

    .venv/bin/python bench/bench_ledger_pdf.py [--lines 5000] [--repeat 3]

The journal: ``--lines`` entries over three months with their month and year totals, as
tests/funds/test_ledger_output_pages.py pages it (every 承前页 the 过次页 before it). Times, median
of ``--repeat``:
- the ledger PDF (wrapping, paging, carried totals, header and footer on every page);
- the raw limit in the same run: the same cells' text, each drawn once with ``drawString`` in the
  same font on as many A4 pages (same compression), with no measuring, wrapping or rules — what
  any PDF of this journal written with reportlab must at least cost.
Prints both, the page count and the ratio ledger / raw. The machine is shared: read the ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from desktop_app.core.rows_funds import Journal, JournalLine, balance_direction
from desktop_app.reports.fonts import register_cjk_font
from desktop_app.reports.ledger_docs import LedgerSheet, journal_cells
from desktop_app.reports.ledgers_pdf import MARGIN, ROW_H, SIZE, ledger_pdf_bytes

OPENING = Decimal("1000.00")


def journal(n: int) -> Journal:
    """``n`` cash entries spread over 2026-01 … 2026-03, each month closed by its two total lines."""
    lines = [JournalLine(None, None, "2026-01", None, "期初余额", "101", None, Decimal(0), Decimal(0), OPENING,
                         "opening", *balance_direction(OPENING))]
    balance = OPENING
    per_month = -(-n // 3)
    for month in (1, 2, 3):
        period = f"2026-{month:02d}"
        debits = credits = Decimal(0)
        for i in range(min(per_month, n - (month - 1) * per_month)):
            debit, credit = (Decimal("12.34"), Decimal(0)) if i % 3 else (Decimal(0), Decimal("20.01"))
            balance += debit - credit
            debits, credits = debits + debit, credits + credit
            lines.append(JournalLine(uuid.uuid4(), date(2026, month, 1 + i % 28), period, i + 1,
                                     f"收到承包费第{i}笔", "101", None, debit, credit, balance, "entry",
                                     *balance_direction(balance)))
        for summary, kind in ((f"2026年{month}月 本月合计", "month_total"), ("本年累计", "year_total")):
            lines.append(JournalLine(None, None, period, None, summary, "101", None, debits, credits, balance,
                                     kind, *balance_direction(balance)))
    return Journal("101", "库存现金", "2026-01", "2026-03", OPENING, Decimal(0), Decimal(0), balance, tuple(lines))


def raw_pdf(cells: list[list[str]], font: str, rows_per_page: int) -> bytes:
    """Every cell's text drawn once, ``rows_per_page`` rows to an A4 page: the floor."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    step = (A4[0] - 2 * MARGIN) / 8
    for start in range(0, len(cells), rows_per_page):
        c.setFont(font, SIZE)
        y = A4[1] - MARGIN
        for row in cells[start:start + rows_per_page]:
            y -= ROW_H
            for k, text in enumerate(row):
                c.drawString(MARGIN + k * step, y, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def median_time(action: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = action()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    font = register_cjk_font()
    book = journal(args.lines)
    sheet = LedgerSheet("cash-journal", "现金日记账", "东湖村股份经济合作社", "N2320115MF00000121", uuid.uuid4(),
                        "东湖村股份经济合作社", "01", uuid.uuid4(), "2026-01", "2026-03", "2026年第1季度",
                        "101 库存现金", book)
    ledger_s, pdf = median_time(lambda: ledger_pdf_bytes(sheet), args.repeat)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    cells = [journal_cells(x) for x in book.lines]
    raw_s, _ = median_time(lambda: raw_pdf(cells, font, -(-len(cells) // pages)), args.repeat)
    print(f"journal lines      {len(book.lines):>9,}   pages {pages}")
    print(f"ledger_pdf_bytes   {ledger_s:9.3f} s   ({ledger_s / pages * 1000:.1f} ms a page)")
    print(f"raw reportlab      {raw_s:9.3f} s   (same text, drawString only, same page count)")
    print(f"ratio ledger / raw {ledger_s / raw_s:9.2f}x")


if __name__ == "__main__":
    main()
