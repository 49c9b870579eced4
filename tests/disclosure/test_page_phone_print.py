"""The 财务公开 page: 导出手机图片 writes the images and says where; 打印 to a file writes the vector
PDF (no larger than a few times the export: it was 35.9 MB of pictures for a 170 KB sheet set); a
printer still gets every page, rasterised in grey."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QPushButton

from desktop_app.core.services.users import list_users
from desktop_app.reports.disclosure import raster
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.settings import WindowSettings

from .conftest import PERIOD, Village


@pytest.fixture
def page(qtbot: object, village: Village, tmp_path: Path) -> DisclosurePage:
    with village.db.begin() as s:
        user = next(u for u in list_users(s) if u.has_role("bookkeeper"))
    ctx = AppContext(village.db, user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(village.org, village.book)
    p = DisclosurePage(ctx)
    qtbot.addWidget(p)  # type: ignore[attr-defined]
    p.period_edit.setText(PERIOD)
    return p


def test_export_phone_images(page: DisclosurePage, village: Village, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui_errors, "_exec", lambda box: shown.append(box.text()) or 0)
    out = tmp_path / "phone"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    button = page.findChild(QPushButton, "btn_images")
    assert button is not None and button.text() == "导出手机图片(&M)…" and button.isEnabled()
    page.resize(1100, 700)
    page.show()
    page.grab().save("/tmp/h_images/page.png") if Path("/tmp/h_images").is_dir() else None
    handle = page.export_images()
    assert handle is not None and handle.wait(300_000) and handle.error is None
    pngs = sorted(out.glob("*_第*张.png"))
    longs = sorted(out.glob("*_长图*.png"))
    assert len(pngs) >= 6 and longs
    with Image.open(pngs[0]) as png:
        assert png.size == (1080, 2340)
    assert f"已导出 {len(pngs)} 张手机图片" in shown[-1] and str(out) in shown[-1] and longs[0].name in shown[-1]


def test_print_to_file_writes_the_vector_pdf(page: DisclosurePage, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui_errors, "_exec", lambda box: shown.append(box.text()) or 0)
    target = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    handle = page.print_on(printer)
    assert handle is not None and handle.wait(120_000) and handle.error is None
    assert page.doc is not None
    exported = len(page.doc.pdf)
    assert target.stat().st_size <= 3 * exported  # it is the export itself: vector pages, not pictures
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert len(reader.pages) == page.doc.pages
    assert "财务公开表" in (reader.pages[0].extract_text() or "")  # text, not an image of text
    assert "已打印到文件" in shown[-1]


def test_a_printer_gets_every_page_in_grey(page: DisclosurePage, tmp_path: Path) -> None:
    target = tmp_path / "spool.pdf"  # Qt's PDF printer stands in for the device: what _paint sends it
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    got: list[list[raster.PageImage]] = []

    def paint(doc: object, pages: list[raster.PageImage]) -> None:
        got.append(pages)
        page._paint(printer, pages)

    handle = page._build(False, 100, paint, "打印财务公开表", grey=True)
    assert handle is not None and handle.wait(120_000) and handle.error is None
    assert page.doc is not None and len(got[0]) == page.doc.pages
    assert {p.channels for p in got[0]} == {1} and len(got[0][0].rgb) == got[0][0].width * got[0][0].height
    assert len(PdfReader(str(target)).pages) == page.doc.pages
