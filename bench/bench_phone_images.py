"""Benchmark of the 财务公开 phone images (prints figures; not a test).

    .venv/bin/python bench/bench_phone_images.py [--db DEMO.db] [--org 李家庄村股份] [--period 2026-10]

Without ``--db`` a 2-village demo is built in a temporary folder. For one organisation and period:

1. layout: the sheets laid out on the phone page (database reads included);
2. three ways to get 1080 px wide pixels, each beside its raw limit (what the same tool costs for
   the same number of blank pages of the same size):
   A. rasterise the A4 PDF the program already makes (pdfium), the page scaled to 1080 px wide —
      and the size table text then has on the phone;
   B. draw the phone pages into a PDF (reportlab) and rasterise it (pdfium);
   C. draw the phone pages straight onto Pillow images;
3. PNG encoding of the images (B's, what the program writes) and of the 长图 (beside zlib's
   level-1 pass over the same bytes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.services.orgs import list_organisations
from desktop_app.reports.disclosure import phone_render
from desktop_app.reports.disclosure.builder import build_disclosure
from desktop_app.reports.disclosure.layout import A4_PORTRAIT, BASE_SIZE
from desktop_app.reports.disclosure.phone import PHONE, PX_PER_PT, WIDTH_PX, build_phone_images


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def blank_pdf(n: int, width: float, height: float) -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), invariant=True)
    for _ in range(n):
        c.showPage()
    c.save()
    return buf.getvalue()


def pdfium_pages(pdf: bytes, scale: float) -> list[Image.Image]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=scale, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--org", default="")
    ap.add_argument("--period", default="2026-10")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "demo.db"
    if not args.db:
        database = open_database(path)
        with database.begin("demo") as s:
            build_demo(s, villages=2, years=1, seed=7)
        database.close()
    db = open_database(path)
    with db.begin() as s:
        org = next(o for o in list_organisations(s) if o.level == "村" and o.name.startswith(args.org))
        t_layout, phone = timed(lambda: build_phone_images(s, org.id, args.period))
        t_a4, doc = timed(lambda: build_disclosure(s, org.id, args.period))
    db.close()
    n = len(phone.images)
    print(f"{org.name} {args.period}: {n} phone images ({WIDTH_PX} x {round(PHONE.height * PX_PER_PT)} px); "
          f"A4 PDF {doc.pages} pages")
    print(f"1. layout (reads included)            {t_layout * 1000:8.0f} ms   (the A4 PDF's build: {t_a4 * 1000:.0f} ms)")

    a4_scale = WIDTH_PX / A4_PORTRAIT.width
    t_a, a_imgs = timed(lambda: pdfium_pages(doc.pdf, a4_scale))
    t_a0, _ = timed(lambda: pdfium_pages(blank_pdf(doc.pages, A4_PORTRAIT.width, A4_PORTRAIT.height), a4_scale))
    t_b, b_imgs = timed(lambda: phone_render.render_pages(phone.images))
    t_b0, _ = timed(lambda: pdfium_pages(blank_pdf(n, PHONE.width, PHONE.height), PX_PER_PT))
    t_c, c_imgs = timed(lambda: [phone_render.render(i) for i in phone.images])
    size = (WIDTH_PX, round(PHONE.height * PX_PER_PT))
    t_c0, _ = timed(lambda: [Image.new("L", size, 255).tobytes() for _ in range(n)])
    a_px, phone_px = BASE_SIZE * a4_scale, BASE_SIZE * PHONE.scale * PX_PER_PT
    print("2. pixels, 1080 px wide                  time   raw limit   per image   table text")
    print(f"   A. A4 PDF rasterised (pdfium)    {t_a * 1000:8.0f} ms {t_a0 * 1000:8.0f} ms {t_a / doc.pages * 1000:8.0f} ms"
          f"   {a_px:5.1f} px  ({doc.pages} A4 pages at {a_imgs[0].width} x {a_imgs[0].height})")
    print(f"   B. phone PDF -> pdfium           {t_b * 1000:8.0f} ms {t_b0 * 1000:8.0f} ms {t_b / n * 1000:8.0f} ms"
          f"   {phone_px:5.1f} px")
    print(f"   C. Pillow, drawn directly        {t_c * 1000:8.0f} ms {t_c0 * 1000:8.0f} ms {t_c / n * 1000:8.0f} ms"
          f"   {phone_px:5.1f} px")
    same = sum(1 for b, c in zip(b_imgs, c_imgs, strict=True) if b.size == c.size)
    print(f"   (B and C give images of the same size: {same}/{n})")

    t_png, pngs = timed(lambda: [phone_render.png(i) for i in b_imgs], repeat=1)
    raw = [i.tobytes() for i in b_imgs]
    t_z, _ = timed(lambda: [zlib.compress(r, 1) for r in raw], repeat=1)
    parts = phone_render.long_parts(b_imgs)
    t_long, long_pngs = timed(lambda: [phone_render.png(phone_render.long_image(p)) for p in parts], repeat=1)
    print(f"3. PNG encoding of {n} images         {t_png * 1000:8.0f} ms   raw limit (zlib level 1) {t_z * 1000:.0f} ms; "
          f"{sum(map(len, pngs)) / 1024:.0f} KB in all, {max(map(len, pngs)) / 1024:.0f} KB the largest")
    print(f"   长图 ({len(parts)} file(s), {WIDTH_PX} x {sum(i.height for i in b_imgs)} px in all) {t_long * 1000:8.0f} ms   "
          f"{sum(map(len, long_pngs)) / 1024:.0f} KB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
