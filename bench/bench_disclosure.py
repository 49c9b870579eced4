"""Benchmark of the 财务公开 sheets (prints figures; not a test).

    .venv/bin/python bench/bench_disclosure.py [--villages 20] [--period 2026-10] [--keep DIR] [--no-libreoffice]

1. one village-month: a new process that opens the database and writes the PDF (cold: imports,
   font, first build), and in a warm process the median of 5 builds;
2. all villages of the demo township for one month, each written to its own file (what 批量 does),
   and what a spawned worker process would pay before its first village (the figure that decides
   whether a batch gains from worker processes; Windows spawns);
3. the comparison users know: the same content written as an xlsx with openpyxl and converted by
   LibreOffice (``soffice --headless --convert-to pdf``), for one village and for all of them in
   one soffice call, with the page counts of both paths. LibreOffice must be installed
   (``apt-get install -y libreoffice-calc``).
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

from openpyxl.utils import get_column_letter

from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.services.disclosure import parse_disclosure_period
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.reports.disclosure.builder import CN_NUMBERS, build_disclosure, cover_blocks, signoff_lines
from desktop_app.reports.disclosure.context import make_context
from desktop_app.reports.disclosure.files import village_file_name, write_atomically
from desktop_app.reports.disclosure.layout import wrap
from desktop_app.reports.disclosure.pdf import _qr_matrix
from desktop_app.reports.disclosure.registry import TableBlock, TextBlock, registered_sections

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_RATIO = 0.5, 10
BLANK = "\uff3f"  # FULLWIDTH LOW LINE, as the PDF's blanks to fill in by hand

MM_PER_INCH = 25.4


def _xlsx_width(width_mm: float) -> float:
    """Excel column width for ``width_mm`` on paper. Nominally 7 px a character + 5 px at 96 dpi;
    LibreOffice prints the default font's characters wider, so the factor is measured: at 0.74 the
    180 mm of columns fit the page (at 0.8 the last column spills onto a page of its own). The sheet
    is not set to fit to the page: LibreOffice's scaling costs it about a third more time."""
    return max(1.0, 0.74 * (width_mm / MM_PER_INCH * 96 - 5) / 7)


def write_equivalent_xlsx(session: object, org_id: object, period_code: str, path: Path) -> None:
    """What the PDF says, as a spreadsheet someone would prepare for LibreOffice to print: per book a
    cover sheet and one sheet per table (so every table has its own column widths, as in the PDF,
    and its header repeated on every page), the same font and size (WenQuanYi Micro Hei 8.5 pt),
    A4 portrait with the PDF's margins, the title, organisation line, footer line, 校验码 and page
    x/y in the page header and footer, wrapped cells where the PDF wraps, bold where it is bold,
    the sign-off lines at the end. The one thing left out is the QR image (LibreOffice would
    have less to do, not more)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    period = parse_disclosure_period(period_code)
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    face = "WenQuanYi Micro Hei"
    fonts = {(size, bold): Font(name=face, size=size, bold=bold) for size in (7.5, 8.5, 9, 9.5, 10, 11.5)
             for bold in (False, True)}
    wrap_left = Alignment(wrap_text=True, vertical="top")
    halign = {"left": "left", "right": "right", "center": "center"}
    usable = 180.0  # mm: A4 less the PDF's 14 mm margins
    for book in list_books(session, org_id):  # type: ignore[arg-type]
        ctx = make_context(session, book.id, period)  # type: ignore[arg-type]
        parts: list[tuple[str, list[object]]] = []
        for section in registered_sections():
            blocks = section.build(session, ctx)  # type: ignore[arg-type]
            if blocks:
                parts.append((section.title, list(blocks)))
        cover = cover_blocks(session, ctx, [t for t, _ in parts])  # type: ignore[arg-type]
        sheets: list[list[object]] = [list(cover)]  # blocks per worksheet
        for i, (title, blocks) in enumerate(parts):
            current: list[object] = [TextBlock(f"{CN_NUMBERS[i % 10]}、{title}", "heading")]
            columns = None
            for block in blocks:
                if isinstance(block, TableBlock):
                    if columns is not None and block.columns != columns:  # other column widths: next sheet
                        sheets.append(current)
                        current = []
                    columns = block.columns
                current.append(block)
            sheets.append(current)
        sheets[-1].extend(TextBlock(line, "body") for line in signoff_lines(ctx, None))
        s = ctx.settings
        for n, sheet_blocks in enumerate(sheets):
            ws = wb.create_sheet(f"{book.code}-{n}")
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.orientation = "portrait"
            ws.page_margins = PageMargins(left=14 / MM_PER_INCH, right=14 / MM_PER_INCH, top=33 / MM_PER_INCH,
                                          bottom=36 / MM_PER_INCH, header=14 / MM_PER_INCH, footer=14 / MM_PER_INCH)
            # LibreOffice shows a newline in a header as _x000a_: one line per area, which wraps in its third
            ws.oddHeader.center.text = f'&"{face},Bold"&14{ctx.title}'
            ws.oddHeader.left.text = f"&8统一社会信用代码：{ctx.organisation.uscc}　账套：{ctx.book.code} {ctx.book.name}　公开期间：{period.label}"
            ws.oddHeader.right.text = "&8单位：元"
            ws.oddFooter.left.text = (f"&8监督电话：{s.phone or BLANK * 6}　公开日期：{BLANK * 4}年{BLANK * 2}月{BLANK * 2}日　"
                                      f"公开期限：{s.posting_days}天　审核：{s.checking_body}")
            ws.oddFooter.center.text = "&9第 &P 页 / 共 &N 页"
            ws.oddFooter.right.text = f"&5校验码：{ctx.legacy_payload}"
            table = next((b for b in sheet_blocks if isinstance(b, TableBlock)), None)
            ncols = len(table.columns) if table else 1
            total = sum(c.width_mm for c in table.columns) if table else usable
            for j, col in enumerate(table.columns if table else [None]):
                w = (col.width_mm if col else total) / total * usable
                ws.column_dimensions[get_column_letter(j + 1)].width = _xlsx_width(w)
            for block in sheet_blocks:
                if isinstance(block, TextBlock):
                    size = {"heading": 11.5, "body": 9, "note": 7.5, "warning": 9.5}[block.style]
                    ws.append([block.text])
                    r = ws.max_row
                    cell = ws.cell(r, 1)
                    cell.font = fonts[(size, block.style in ("heading", "warning"))]
                    cell.alignment = Alignment(wrap_text=True, vertical="top",
                                               horizontal="center" if block.style == "heading" else "left")
                    if ncols > 1:
                        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
                    lines = len(wrap(block.text, size, usable / MM_PER_INCH * 72))
                    ws.row_dimensions[r].height = lines * size * 1.5  # merged cells do not grow by themselves
                elif isinstance(block, TableBlock):
                    ws.append([block.title])
                    ws.cell(ws.max_row, 1).font = fonts[(10, True)]
                    ws.append([c.header for c in block.columns])
                    head = ws.max_row
                    if ws.print_title_rows is None:
                        ws.print_title_rows = f"{head}:{head}"  # the header on every page
                    for cell in ws[head]:
                        cell.font, cell.border = fonts[(8.5, True)], border
                        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                    body = [*block.rows, *([block.totals_row] if block.totals_row is not None else [])]
                    for k, row in enumerate(body):
                        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])  # xlsx holds doubles
                        bold = k in block.bold_rows or k == len(block.rows)
                        for cell, col in zip(ws[ws.max_row], block.columns, strict=False):
                            cell.border, cell.font = border, fonts[(8.5, bold)]
                            if isinstance(cell.value, float):
                                cell.number_format = "#,##0.00"
                            cell.alignment = wrap_left if col.wrap else Alignment(
                                horizontal=halign[col.align], vertical="top", shrink_to_fit=True)
                    if block.note:
                        ws.append([block.note])
                        ws.cell(ws.max_row, 1).font = fonts[(7.5, False)]
    wb.save(path)


def soffice_convert(files: list[Path], outdir: Path, profile: Path) -> float:
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
           "--outdir", str(outdir), *map(str, files)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - t


def pdf_pages(files: list[Path]) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(f).pages) for f in files)


COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from db.migrate import open_database
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.files import write_atomically
from pathlib import Path
import uuid
t1 = time.perf_counter()
db = open_database({db!r}, create=False)
with db.read() as s:
    doc = build_disclosure(s, uuid.UUID({org!r}), {period!r})
write_atomically(Path({out!r}), doc.pdf)
t2 = time.perf_counter()
db.close()
print(t1 - t0, t2 - t1)
"""

WORKER_START = """
import sys
sys.path.insert(0, {root!r})
from db.engine import make_engine
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.registry import registered_sections
from desktop_app.reports.fonts import register_cjk_font
register_cjk_font(); registered_sections()
engine = make_engine({db!r}); engine.connect().close()  # a worker would not check migrations
"""


def cold_process(db_path: Path, org_id: object, period: str, out: Path) -> tuple[float, float, float]:
    """(whole process, imports, open + first build + write) of a new Python process."""
    code = COLD.format(root=str(ROOT), db=str(db_path), org=str(org_id), period=period, out=str(out))
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    imports, build = map(float, done.stdout.split())
    return wall, imports, build


def worker_start(db_path: Path) -> float:
    """What a spawned worker pays before its first village: interpreter, imports, font, sections."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", WORKER_START.format(root=str(ROOT), db=str(db_path))], check=True)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=20)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--keep", help="keep the output files in this folder")
    ap.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
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
    out = work / "pdf"
    cold = statistics.median(cold_process(db_path, first.id, args.period, work / "cold.pdf") for _ in range(3))
    with db.begin() as s:
        runs = []
        for _ in range(5):
            _qr_matrix.cache_clear()  # honest: a new sheet computes its QR code
            t = time.perf_counter()
            doc = build_disclosure(s, first.id, args.period)
            runs.append(time.perf_counter() - t)
        book_ids = [list_books(s, first.id)[0].id]
        one_book = build_disclosure(s, first.id, args.period, book_ids=book_ids)
        t = time.perf_counter()
        for _ in range(5):
            _qr_matrix.cache_clear()
            build_disclosure(s, first.id, args.period, book_ids=book_ids)
        per_book = (time.perf_counter() - t) / 5
    warm = statistics.median(runs)
    print(f"\nONE VILLAGE-MONTH ({first.name}: {len(doc.sheets)} books, {doc.pages} pages, {len(doc.pdf):,} bytes)")
    print(f"  warm (in the running app), median of 5:   {warm:.3f} s   (one book, {one_book.pages} pages: {per_book:.3f} s)")
    print(f"  cold (new process: imports {cold[1]:.2f} s + open, build, write {cold[2]:.3f} s): {cold[0]:.2f} s")

    t = time.perf_counter()
    pages = 0
    with db.begin() as s:
        for org in villages:
            d = build_disclosure(s, org.id, args.period)
            write_atomically(out / village_file_name(org.region_code, org.name, args.period), d.pdf)
            pages += d.pages
    township = time.perf_counter() - t
    spawn = statistics.median(worker_start(db_path) for _ in range(3))
    print(f"\nTOWNSHIP: all {len(villages)} villages ({books} books, {pages} pages) for {args.period}")
    print(f"  serial, one process:  {township:.2f} s = {township / len(villages):.3f} s per village")
    print(f"  a spawned worker process needs {spawn:.2f} s before its first village "
          f"(so on N cores a pool takes at least {spawn:.2f} s + {township:.2f} s / N)")

    if args.no_libreoffice or not shutil.which("soffice"):
        print("\nLibreOffice comparison skipped" + ("" if args.no_libreoffice else " (soffice not installed)"))
        db.close()
        return 0
    xdir, lodir, profile = work / "xlsx", work / "lo_pdf", work / "lo_profile"
    xdir.mkdir(exist_ok=True)
    t = time.perf_counter()
    xfiles = []
    with db.begin() as s:
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
    lo_files = [lodir / f.with_suffix(".pdf").name for f in xfiles]
    lo_first, lo_pages = pdf_pages(lo_files[:1]), pdf_pages(lo_files)
    print("\nLIBREOFFICE (the same content as an xlsx, converted by soffice --headless)")
    print(f"  xlsx with openpyxl, all villages: {xlsx_time:.2f} s")
    print(f"  one village ({lo_first} pages; ours {doc.pages}): {lo_one:.2f} s (median of 3, warm profile; "
          f"first start with a new profile {lo_cold:.2f} s)")
    print(f"  all {len(villages)} villages in one soffice call ({lo_pages} pages; ours {pages}): {lo_all:.2f} s")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    def verdict(ratio: float) -> str:
        return f"{ratio:.1f}x  {'meets' if ratio >= TARGET_RATIO else 'MISSES'} the >= {TARGET_RATIO}x target"

    print("\nTARGETS")
    print(f"  one village-month <= {TARGET_SECONDS} s: warm {warm:.3f} s, cold process {cold[0]:.2f} s, "
          f"township {township / len(villages):.3f} s per village "
          f"-> {'met' if max(warm, township / len(villages)) <= TARGET_SECONDS else 'MISSED'} (warm and per village)")
    print(f"  one village, LibreOffice {lo_one:.2f} s / ours warm {warm:.3f} s = {verdict(lo_one / warm)}")
    print(f"  one village, LibreOffice {lo_one:.2f} s / ours cold process {cold[0]:.2f} s = {verdict(lo_one / cold[0])}"
          "\n    (a new Python process for one sheet, i.e. `disclose` run once from the command line: Python and"
          "\n     SQLAlchemy/reportlab imports, which the app pays once when it starts)")
    print(f"  township, xlsx + LibreOffice {xlsx_time + lo_all:.2f} s / ours {township:.2f} s = "
          f"{verdict((xlsx_time + lo_all) / township)}")
    print(f"  township, LibreOffice convert only {lo_all:.2f} s / ours {township:.2f} s = {verdict(lo_all / township)}")
    print(f"  per page: LibreOffice {lo_all / lo_pages * 1000:.1f} ms, ours {township / pages * 1000:.1f} ms "
          f"(LibreOffice spreads the same content over {lo_pages / pages:.2f}x the pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
