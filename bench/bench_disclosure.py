"""Benchmark of the 财务公开 sheets (prints figures; not a test).

    .venv/bin/python bench/bench_disclosure.py [--villages 20] [--period 2026-10] [--keep DIR]

1. one village-month: build + render the PDF (median of 5 warm runs; the first, cold, run too);
2. all villages of the demo township for one month, each written to its own file (what 批量 does);
3. the comparison users know: the same content written as an xlsx with openpyxl and converted by
   LibreOffice (``soffice --headless --convert-to pdf``), for one village and for all of them in
   one soffice call. LibreOffice must be installed (``apt-get install -y libreoffice-calc``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.context import make_context
from desktop_app.reports.disclosure.files import village_file_name, write_atomically
from desktop_app.reports.disclosure.pdf import _qr_matrix
from desktop_app.reports.disclosure.registry import TableBlock, TextBlock, registered_sections


def write_equivalent_xlsx(session: object, org_id: object, period_code: str, path: Path) -> None:
    """The same tables as the PDF, one after another on an A4 sheet set to fit the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    period = parse_disclosure_period(period_code)
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for book in list_books(session, org_id):  # type: ignore[arg-type]
        ctx = make_context(session, book.id, period)  # type: ignore[arg-type]
        ws = wb.create_sheet(book.code)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.8)
        ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
        ws.append([ctx.title])
        ws.append([f"统一社会信用代码：{ctx.organisation.uscc}", "", "", "", "", "", "单位：元"])
        for section in registered_sections():
            blocks = section.build(session, ctx)  # type: ignore[arg-type]
            for block in blocks or []:
                if isinstance(block, TextBlock):
                    ws.append([block.text])
                elif isinstance(block, TableBlock):
                    ws.append([block.title])
                    ws.append([c.header for c in block.columns])
                    for row in [*block.rows, *([block.totals_row] if block.totals_row else [])]:
                        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])  # xlsx holds doubles
                        for cell in ws[ws.max_row]:
                            cell.border = border
                            if isinstance(cell.value, float):
                                cell.number_format = "#,##0.00"
        for col, width in zip("ABCDEFGH", (10, 10, 30, 16, 13, 13, 13, 16), strict=True):
            ws.column_dimensions[col].width = width
        ws["A1"].font = Font(size=14, bold=True)
        ws.append([f"制表人：{ctx.settings.preparer}", "", f"{ctx.settings.checking_body}（签字）：", "", "公开日期："])
    wb.save(path)


def soffice_convert(files: list[Path], outdir: Path, profile: Path) -> float:
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(outdir), *map(str, files)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=20)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--keep", help="keep the output files in this folder")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_disclosure_"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "demo.db"
    db_path.unlink(missing_ok=True)
    db = open_database(db_path)
    t = time.perf_counter()
    with db.begin("demo") as s:
        build_demo(s, villages=args.villages, years=1, seed=2026)
    print(f"demo township: {args.villages} villages, built in {time.perf_counter() - t:.1f} s")
    with db.begin() as s:
        villages = [o for o in list_organisations(s) if o.level == "村"]
        books = sum(len(list_books(s, o.id)) for o in villages)
        first = villages[0]

        t = time.perf_counter()
        doc = build_disclosure(s, first.id, args.period)
        cold = time.perf_counter() - t
        runs = []
        for _ in range(5):
            _qr_matrix.cache_clear()  # honest: a new sheet computes its QR code
            t = time.perf_counter()
            doc = build_disclosure(s, first.id, args.period)
            runs.append(time.perf_counter() - t)
        one_book = build_disclosure(s, first.id, args.period, book_ids=[list_books(s, first.id)[0].id])
        t = time.perf_counter()
        for _ in range(5):
            _qr_matrix.cache_clear()
            build_disclosure(s, first.id, args.period, book_ids=[list_books(s, first.id)[0].id])
        per_book = (time.perf_counter() - t) / 5
    warm = statistics.median(runs)
    print(f"one village-month ({first.name}, {len(doc.sheets)} books, {doc.pages} pages, {len(doc.pdf):,} bytes): "
          f"cold {cold:.3f} s, warm median {warm:.3f} s; one book ({one_book.pages} pages) {per_book:.3f} s")

    out = work / "pdf"
    t = time.perf_counter()
    pages = 0
    with db.begin() as s:
        for org in villages:
            d = build_disclosure(s, org.id, args.period)
            write_atomically(out / village_file_name(org.region_code, org.name, args.period), d.pdf)
            pages += d.pages
    township = time.perf_counter() - t
    print(f"all {len(villages)} villages ({books} books, {pages} pages) for {args.period}: {township:.2f} s "
          f"= {township / len(villages):.3f} s per village")

    if not shutil.which("soffice"):
        print("LibreOffice (soffice) not installed: comparison skipped")
        db.close()
        return 0
    xdir, lodir, profile = work / "xlsx", work / "lo_pdf", work / "lo_profile"
    xdir.mkdir(exist_ok=True)
    t = time.perf_counter()
    with db.begin() as s:
        xfiles = []
        for org in villages:
            path = xdir / village_file_name(org.region_code, org.name, args.period).replace(".pdf", ".xlsx")
            write_equivalent_xlsx(s, org.id, args.period, path)
            xfiles.append(path)
    xlsx_time = time.perf_counter() - t
    db.close()
    shutil.rmtree(profile, ignore_errors=True)
    lo_cold = soffice_convert(xfiles[:1], lodir, profile)  # first start creates the profile
    lo_one = statistics.median(soffice_convert(xfiles[:1], lodir, profile) for _ in range(3))
    lo_all = soffice_convert(xfiles, lodir, profile)
    print(f"xlsx with openpyxl for all villages: {xlsx_time:.2f} s")
    print(f"LibreOffice xlsx -> PDF, one village: {lo_one:.2f} s (median of 3, warm profile; "
          f"first start with a new profile {lo_cold:.2f} s); "
          f"all {len(villages)} in one soffice call: {lo_all:.2f} s")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"ratio, one village: LibreOffice {lo_one:.2f} s / ours {warm:.3f} s = {lo_one / warm:.0f}x; "
          f"township: {(lo_all + xlsx_time):.2f} s / {township:.2f} s = {(lo_all + xlsx_time) / township:.1f}x "
          f"(convert only: {lo_all / township:.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
