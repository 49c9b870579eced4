"""PDF pages as pixels, for the on-screen preview and for printing through QPrinter.

PySide6-Essentials has no QtPdf, and reportlab cannot rasterise, so this uses pypdfium2 when it is
installed (it comes with pdfplumber). Without it, :func:`available` is False and the app shows
a text preview and asks the user to print the exported PDF from a PDF reader.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    rgb: bytes  # width * height * channels bytes, rows top to bottom
    channels: int = 3  # 1: 8-bit grey (what is sent to a printer: a third of the bytes)


def available() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def render_pages(pdf: bytes, dpi: float, *, first: int = 0, last: int | None = None,
                 grey: bool = False) -> list[PageImage]:
    """Pages ``first`` … ``last`` (0-based, inclusive) of ``pdf`` at ``dpi``, as RGB pixels (or
    grey: the sheets are black on white)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        end = len(doc) - 1 if last is None else min(last, len(doc) - 1)
        out = []
        for i in range(first, end + 1):
            image = doc[i].render(scale=dpi / 72.0, grayscale=grey).to_pil().convert("L" if grey else "RGB")
            out.append(PageImage(image.width, image.height, image.tobytes(), 1 if grey else 3))
        return out
    finally:
        doc.close()


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page (pypdf): the preview when pypdfium2 is missing."""
    import io

    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
