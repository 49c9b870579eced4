"""Draws the phone images (phone.py lays them out) as PNG files, and the 长图 (all stacked).

Three ways were measured (bench/bench_phone_images.py, a village-month of the 20-village demo,
19-30 images, on a loaded 2-core machine): rasterising the A4 PDF to 1080 px is fastest (0.5-1.3 s)
but leaves table text 15 px high, unreadable on a phone without zooming; drawing the phone pages
into a PDF with reportlab and rasterising it with pdfium takes 1.3-2.7 s (40-140 ms an image,
text 34 px); drawing the same operations straight onto Pillow images takes 1.5-2x that (FreeType
per string is slower than pdfium's cached glyphs). The program uses pdfium, :func:`render_pages`;
:func:`render` (Pillow) stays for the comparison. Images are 8-bit grey: the sheet is black on
white, and the PNGs are a third of RGB's size. Encoding the PNGs costs as much as drawing them
(~0.15 s an image at zlib level 3; level 6 is 1.7x slower for 13 % smaller files).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from desktop_app.paths import font_path
from desktop_app.reports.disclosure.files import village_file_name, write_atomically
from desktop_app.reports.disclosure.pdf import qr_modules
from desktop_app.reports.disclosure.phone import PX_PER_PT, PhoneImage, PhoneSet

QR_BORDER = 2  # quiet zone, in modules (the PDF's); the page margin adds more


@lru_cache(maxsize=64)
def _font(px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), px, index=0)


_ANCHOR = {"l": "ls", "r": "rs", "c": "ms"}  # x at the left / right / middle, y on the baseline


def render(image: PhoneImage) -> Image.Image:
    """One image as 8-bit grey pixels, drawn with Pillow (the bench's comparison)."""
    k = PX_PER_PT
    w, h = round(image.width * k), round(image.height * k)
    out = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(out)
    for op in image.ops:
        kind = op[0]
        if kind == "t":
            _, x, y, text, size, align, bold = op
            px = float(size) * k  # type: ignore[arg-type]
            draw.text((float(x) * k, h - float(y) * k), str(text), fill=0, font=_font(px),  # type: ignore[arg-type]
                      anchor=_ANCHOR[str(align)], stroke_width=max(1, round(px * 0.02)) if bold else 0, stroke_fill=0)
        elif kind == "h":
            _, x1, y1, x2, y2, width = op
            lw = max(1, round(float(width) * k))  # type: ignore[arg-type]
            draw.line([(float(x1) * k, h - float(y1) * k), (float(x2) * k, h - float(y2) * k)],  # type: ignore[arg-type]
                      fill=0, width=lw)
        elif kind == "r":
            _, x, y, rw, rh, width = op
            x0, y0 = float(x) * k, h - (float(y) + float(rh)) * k  # type: ignore[arg-type]
            draw.rectangle([x0, y0, x0 + float(rw) * k, y0 + float(rh) * k], outline=0,  # type: ignore[arg-type]
                           width=max(1, round(float(width) * k)))  # type: ignore[arg-type]
        elif kind == "q":
            _, x, y, size, payload = op
            _qr(draw, str(payload), float(x) * k, h - (float(y) + float(size)) * k, float(size) * k)  # type: ignore[arg-type]
    return out


def _qr(draw: ImageDraw.ImageDraw, payload: str, left: float, top: float, side: float) -> None:
    """Whole pixels per module (a scanner reads crisp squares best), centred in the square."""
    modules = qr_modules(payload)
    n = len(modules) + 2 * QR_BORDER
    box = int(side // n)
    x0 = round(left + (side - box * n) / 2) + QR_BORDER * box
    y0 = round(top + (side - box * n) / 2) + QR_BORDER * box
    for r, row in enumerate(modules):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle([x0 + c * box, y0 + r * box, x0 + (c + 1) * box - 1, y0 + (r + 1) * box - 1], fill=0)


def phone_pdf(images: Sequence[PhoneImage]) -> bytes:
    """The images as PDF pages (reportlab, the sheets' own drawing code): what is rasterised."""
    from reportlab.pdfgen.canvas import Canvas

    from desktop_app.reports.disclosure.pdf import draw_ops, qr_form
    from desktop_app.reports.fonts import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(images[0].width, images[0].height), invariant=True, initialFontName=font,
               pageCompression=0)  # read back at once: compressing would only cost time
    forms: dict[str, str] = {}
    memo: dict[tuple[str, float, int], tuple[str, int]] = {}
    for image in images:
        for op in image.ops:
            if op[0] == "q":
                _, x, y, size, payload = op
                if payload not in forms:
                    forms[str(payload)] = qr_form(c, str(payload), float(size))  # type: ignore[arg-type]
                c.saveState()
                c.translate(float(x), float(y))  # type: ignore[arg-type]
                c.doForm(forms[str(payload)])
                c.restoreState()
        draw_ops(c, font, image.ops, 0.4, memo)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_pages(images: Sequence[PhoneImage]) -> list[Image.Image]:
    """Every image as 8-bit grey pixels: their PDF pages rasterised by pdfium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(phone_pdf(images))
    try:
        return [doc[i].render(scale=PX_PER_PT, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


# A 长图 taller than this is split. Phones and WeChat open far taller images, but desktop viewers
# and converters do not: ImageMagick's packaged policy (Debian/Ubuntu) refuses more than 16KP, and
# many GPU viewers cap textures at 16,384 px. Six 2,340 px images (14,040 px) fit.
LONG_MAX_PX = 16_000


def long_parts(images: Sequence[Image.Image]) -> list[list[Image.Image]]:
    """The images in as few runs of at most ``LONG_MAX_PX`` as fit (at least one image each),
    evened out: seven images make 4 + 3, not 6 + a lone 1."""
    parts: list[list[Image.Image]] = [[]]
    for image in images:
        if parts[-1] and sum(i.height for i in parts[-1]) + image.height > LONG_MAX_PX:
            parts.append([])
        parts[-1].append(image)
    size, extra = divmod(len(images), len(parts))
    even, start = [], 0
    for k in range(len(parts)):
        end = start + size + (k < extra)
        even.append(list(images[start:end]))
        start = end
    fits = all(len(p) == 1 or sum(i.height for i in p) <= LONG_MAX_PX for p in even)
    return even if fits else parts  # pages of unequal height: the greedy runs


def long_image(images: Sequence[Image.Image]) -> Image.Image:
    """Images one under the other (the 长图 a group chat shows as one scroll)."""
    out = Image.new("L", (max(i.width for i in images), sum(i.height for i in images)), 255)
    y = 0
    for image in images:
        out.paste(image, (0, y))
        y += image.height
    return out


def image_stem(region_code: str, name: str, period_code: str) -> str:
    """A book's images are named as a PDF of that book would be (without .pdf): the 区划代码, the
    book's name (a village with two 账套 gets two series), 财务公开 and the period."""
    return village_file_name(region_code, name, period_code).removesuffix(".pdf")


def image_names(stem: str, count: int, long_count: int = 1) -> tuple[list[str], list[str]]:
    """``<stem>_第01张.png`` … and ``<stem>_长图.png`` (``_长图1.png`` … when it is split); they
    sort in order in any file list."""
    digits = max(2, len(str(count)))
    longs = [f"{stem}_长图.png"] if long_count == 1 else [f"{stem}_长图{k}.png" for k in range(1, long_count + 1)]
    return [f"{stem}_第{k:0{digits}d}张.png" for k in range(1, count + 1)], longs


def write_images(phone: PhoneSet, folder: Path, stem: str | None = None) -> tuple[list[Path], list[Path]]:
    """Every book's images and its 长图 into ``folder``, each series named by its book (each file
    written whole or not at all): the images' paths, and the 长图s' (one a book, or more when one
    would be too tall). ``stem`` is not used: the names come from the books (older callers pass
    the organisation's)."""
    drawn = render_pages(phone.images)
    files: list[Path] = []
    longs: list[Path] = []
    for book_id in dict.fromkeys(i.book_id for i in phone.images):  # in the set's order
        mine = [(i, d) for i, d in zip(phone.images, drawn, strict=True) if i.book_id == book_id]
        book_stem = image_stem(phone.organisation.region_code, mine[0][0].book_name, phone.period.code)
        parts = long_parts([d for _, d in mine])
        names, long_names = image_names(book_stem, len(mine), len(parts))
        for name, (_, image) in zip(names, mine, strict=True):
            write_atomically(folder / name, png(image))
            files.append(folder / name)
        for name, part in zip(long_names, parts, strict=True):
            write_atomically(folder / name, png(long_image(part)))
            longs.append(folder / name)
    return files, longs
