"""打印 / 导出PDF / 导出Excel for the ledger pages and the voucher list.

A page hands ``LedgerOutputs`` a function that says what it shows (``OutputRequest``: which book,
document, months, account, vouchers); the document is made on the database thread by
``reports.ledger_docs`` — the same services the page reads, so the printed sums are the page's.
打印 sends the vector PDF: "print to file" writes exactly that PDF; a real printer gets the pages
rendered at the printer's resolution (at most 300 dpi), the path the disclosure page prints by.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.ui.errors import show_user_error
from desktop_app.ui.tasks import TaskRunner

__all__ = ["LedgerOutputs", "OutputRequest", "add_voucher_outputs", "paint_pages", "send_pdf"]

PRINT_DPI = 300


@dataclass(frozen=True)
class OutputRequest:
    book_id: uuid.UUID
    kind: str  # cash-journal / bank-journal / ledger / general-ledger / trial-balance / vouchers
    first: str
    last: str
    file_stem: str  # the suggested file name: 东湖村股份经济合作社_现金日记账_2026-01
    account: str | None = None
    voucher_ids: tuple[uuid.UUID, ...] | None = None


def send_pdf(printer: QPrinter, data: bytes) -> None:
    """Print ``data`` (a PDF): to a PDF file as it is, to a printer as pages at its resolution."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        from desktop_app.reports.disclosure.files import write_atomically

        write_atomically(Path(printer.outputFileName()), data)
        return
    paint_pages(printer, data)


def paint_pages(printer: QPrinter, data: bytes) -> None:
    """The PDF's pages as images at the printer's resolution (at most ``PRINT_DPI``), each scaled
    into the printable area; landscape pages turn the paper."""
    from desktop_app.reports.disclosure import raster

    if not raster.available():
        raise RuntimeError("pypdfium2 missing")
    pages = raster.render_pages(data, min(printer.resolution(), PRINT_DPI))
    if pages and pages[0].width > pages[0].height:
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    painter = QPainter(printer)
    try:
        for i, page in enumerate(pages):
            if i:
                printer.newPage()
            image = QImage(page.rgb, page.width, page.height, 3 * page.width, QImage.Format.Format_RGB888)
            target = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
            scale = min(target.width() / page.width, target.height() / page.height)
            painter.drawImage(QRectF(target.x(), target.y(), page.width * scale, page.height * scale), image)
    finally:
        painter.end()


class LedgerOutputs(QObject):
    """The three buttons (and, for vouchers, the 每页 2/3 张 choice) over ``request``."""

    done = Signal(str)  # what was written or printed, in Chinese

    def __init__(self, page: QWidget, ctx: Any, request: Callable[[], OutputRequest | None], *,
                 per_page: bool = False) -> None:
        super().__init__(page)
        self.page, self.ctx, self.request = page, ctx, request
        self.runner = TaskRunner(page)
        self.print_button = QPushButton("打印…")
        self.pdf_button = QPushButton("导出PDF…")
        self.xlsx_button = QPushButton("导出Excel…")
        self.print_button.setToolTip("打印当前显示的账簿（可选择“打印到文件”得到同样的PDF）")
        self.print_button.clicked.connect(lambda: self.print_document())
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.per_page: QComboBox | None = None
        if per_page:
            self.per_page = QComboBox()
            self.per_page.addItem("每页2张", 2)
            self.per_page.addItem("每页3张", 3)
            self.per_page.setToolTip("记账凭证每张A4纸打印几张")
            saved = ctx.settings.get("voucher_print") if hasattr(ctx, "settings") else None
            if isinstance(saved, dict) and saved.get("per_page") == 3:
                self.per_page.setCurrentIndex(1)
            self.per_page.currentIndexChanged.connect(
                lambda _i: ctx.settings.set("voucher_print", {"per_page": self.per_page_value()}))

    def widgets(self) -> list[QWidget]:
        return [w for w in (self.per_page, self.print_button, self.pdf_button, self.xlsx_button) if w is not None]

    def add_to(self, layout: QHBoxLayout) -> None:
        for w in self.widgets():
            layout.addWidget(w)

    def per_page_value(self) -> int:
        return int(self.per_page.currentData()) if self.per_page is not None else 2

    def _render(self, req: OutputRequest, fmt: str, path: str | None) -> Callable[[Any], Any]:
        def run(_progress: Any) -> Any:
            from desktop_app.reports.ledger_docs import render_ledger_output, write_ledger_output

            options = {"account": req.account, "per_page": self.per_page_value(), "voucher_ids": req.voucher_ids}
            if path is None:  # a PDF seals its check code: a write transaction
                return self.ctx.call(render_ledger_output, req.book_id, req.kind, req.first, req.last, fmt, **options)
            return self.ctx.call(write_ledger_output, req.book_id, req.kind, req.first, req.last, path, **options)

        return run

    def export(self, fmt: str, path: str | None = None) -> None:
        req = self.request()
        if req is None:
            return
        if path is None:
            from desktop_app.ui.file_dialogs import PDF_FILTER, XLSX_FILTER, save_file_name

            path = save_file_name(self.page, self.ctx.settings, f"ledger_{fmt}", "导出", f"{req.file_stem}.{fmt}",
                                  PDF_FILTER if fmt == "pdf" else XLSX_FILTER)
            if not path:
                return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        chosen = path
        self.runner.run(self._render(req, fmt, chosen), title="正在导出…",
                        on_result=lambda out: self.done.emit(f"已导出{out.title}：{chosen}"))

    def print_document(self, printer: QPrinter | None = None) -> None:
        """Ask for the printer (unless one is given), then make the PDF and send it."""
        req = self.request()
        if req is None:
            return
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
            printer.setFullPage(True)
            printer.setDocName(req.file_stem)
            if QPrintDialog(printer, self.page).exec() != QDialog.DialogCode.Accepted:
                return
        chosen = printer

        def send(out: Any) -> None:
            try:
                send_pdf(chosen, out.data)
            except RuntimeError:
                show_user_error(self.page, "本机缺少 PDF 渲染组件，无法直接打印；请导出PDF后用PDF阅读器打印。")
                return
            self.done.emit(f"已发送打印：{out.title}（{out.label}）")

        self.runner.run(self._render(req, "pdf", None), title="正在准备打印…", on_result=send)


def add_voucher_outputs(page: Any, bar: QHBoxLayout) -> LedgerOutputs:
    """The voucher list's 打印/导出: the vouchers selected in the list, or else every voucher of the
    month shown (voided ones are never printed); 2 or 3 forms to an A4."""

    def request() -> OutputRequest | None:
        book = page.ctx.book
        if book is None:
            show_user_error(page, "请先选择账套")
            return None
        period = page.period.value()
        chosen: Sequence[Any] = page.view.selected_rows()
        ids = tuple(r.id for r in chosen) or None
        name = page.ctx.org.name if page.ctx.org is not None else book.name
        return OutputRequest(book.id, "vouchers", period, period, f"{name}_记账凭证_{period}", voucher_ids=ids)

    outputs = LedgerOutputs(page, page.ctx, request, per_page=True)
    for button in (outputs.print_button, outputs.pdf_button, outputs.xlsx_button):
        button.setToolTip("列表中选中的凭证；未选中任何凭证时为本月全部凭证（作废的不打印）")
    outputs.add_to(bar)
    note = QLabel()
    bar.addWidget(note)
    outputs.done.connect(note.setText)
    page.ctx.context_changed.connect(note.clear)  # "已导出…" spoke of the village/book chosen before
    note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return outputs
