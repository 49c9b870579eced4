"""财务公开: choose a village and a period, preview the sheets, export the PDF or the phone images,
print it, register that it was posted; batch every village of the township into one folder; check a
posted sheet.

Printing to a file (Qt's PDF printer) writes the exported PDF itself (vector pages, a few hundred
KB); a real printer gets the pages rasterised in grey at no more than ``PRINT_DPI``.

Building and rendering run on the database thread (tasks.py) with progress and 取消. The preview
shows the PDF's pages as images when pypdfium2 is installed (PySide6-Essentials has no QtPdf),
otherwise the pages' text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.periods import prev_period
from desktop_app.core.progress import Progress
from desktop_app.core.rows import OrgRow
from desktop_app.core.services import disclosure as svc
from desktop_app.core.services.orgs import list_organisations
from desktop_app.core.services.permissions import ENTER_RECORDS, Roles
from desktop_app.reports.disclosure import raster
from desktop_app.reports.disclosure.files import village_file_name, write_atomically
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext, current_period
from desktop_app.ui.file_dialogs import PDF_FILTER, existing_folder, save_file_name
from desktop_app.ui.pages import PageSpec, disclosure_forms
from desktop_app.ui.permissions import gate_buttons
from desktop_app.ui.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from desktop_app.reports.disclosure.builder import DisclosureDocument

def disclosure_month(month: str) -> str:
    """The month the page shows for the window's: an ended month itself; while it runs, the month due."""
    running = current_period()
    return month if month < running else prev_period(running)


PREVIEW_DPI = 80
PRINT_DPI = 300


def _info(parent: QWidget, text: str, title: str = "财务公开") -> None:
    ui_errors._exec(ui_errors._box(parent, QMessageBox.Icon.Information, title, text))


# who may press which button: previews, exports, prints and the check are open to all
GATES: dict[str, Roles] = {"btn_posted": ENTER_RECORDS, "btn_settings": ENTER_RECORDS}


def to_image(page: raster.PageImage) -> QImage:
    fmt = QImage.Format.Format_Grayscale8 if page.channels == 1 else QImage.Format.Format_RGB888
    return QImage(page.rgb, page.width, page.height, page.width * page.channels, fmt).copy()


class DisclosurePage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self)
        self.doc: DisclosureDocument | None = None
        self.org_box = QComboBox()
        self.org_box.setObjectName("org_box")
        self.org_box.setMinimumWidth(260)
        self.month = ctx.period  # the window's month the page last followed
        self.period_edit = QLineEdit(disclosure_month(ctx.period))
        self.period_edit.setObjectName("period_edit")
        self.period_edit.setPlaceholderText("2026-10、2026-Q3 或 2026")
        self.period_edit.setMaximumWidth(120)
        self.a3_box = QCheckBox("A3横向大字版（公开栏）")
        top = QHBoxLayout()
        for w in (QLabel("组织"), self.org_box, QLabel("期间"), self.period_edit, self.a3_box):
            top.addWidget(w)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for text, handler, name in (
            ("生成预览(&P)", self.preview, "btn_preview"), ("导出PDF(&D)…", self.export_pdf, "btn_export"),
            ("导出手机图片(&M)…", self.export_images, "btn_images"),
            ("打印(&R)…", self.print_sheets, "btn_print"), ("登记张贴(&T)…", self.mark_posted, "btn_posted"),
            ("批量生成全部村(&B)…", self.batch, "btn_batch"), ("核验公开表(&V)…", self.verify, "btn_verify"),
            ("公开设置(&S)…", self.edit_settings, "btn_settings"),
        ):
            btn = QPushButton(text)
            btn.setObjectName(name)
            btn.clicked.connect(handler)
            buttons.addWidget(btn)
        buttons.addStretch(1)
        self.pages_box = QWidget()
        self.pages_layout = QVBoxLayout(self.pages_box)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages_box)
        self.text_preview = QPlainTextEdit()
        self.text_preview.setReadOnly(True)
        self.text_preview.setVisible(False)
        self.status = QPlainTextEdit()
        self.status.setObjectName("status_list")
        self.status.setReadOnly(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.info = QLabel("选择组织和期间后点击“生成预览”。")
        self.info.setWordWrap(True)
        self.status.setMinimumWidth(240)
        left_layout.addWidget(self.info)
        left_layout.addWidget(self.scroll, 1)
        left_layout.addWidget(self.text_preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.status)
        split.setSizes([760, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.context_changed.connect(self._follow_context)
        self.period_edit.editingFinished.connect(self.reload_status)
        self.reload()

    # -- data ------------------------------------------------------------------------------
    def villages(self) -> list[OrgRow]:
        return [o for o in self.ctx.read(list_organisations) if o.level in ("村", "组")]

    def reload(self) -> None:
        current = self.org_box.currentData()
        self.org_box.clear()
        for org in self.villages():
            self.org_box.addItem(f"{org.name}（{org.uscc}）", org)
        self._follow_context(prefer=current)
        self.reload_status()

    def _follow_context(self, prefer: Any = None) -> None:
        target = prefer if isinstance(prefer, OrgRow) else self.ctx.org
        for i in range(self.org_box.count()):
            if target is not None and self.org_box.itemData(i).id == target.id:
                self.org_box.setCurrentIndex(i)
        if self.ctx.period != self.month and self.period_edit.text()[5:].isdigit():  # not a quarter or year typed
            self.month = self.ctx.period
            self.period_edit.setText(disclosure_month(self.ctx.period))
            self.reload_status()

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("organisation", "refresh"):
            self.reload()
        elif kind in ("disclosure", "voucher", "period"):
            self.reload_status()

    def org(self) -> OrgRow | None:
        org = self.org_box.currentData()
        if not isinstance(org, OrgRow):
            ui_errors.show_user_error(self, "请先选择一个村（组织）")
            return None
        return org

    def period(self) -> svc.DisclosurePeriod | None:
        try:
            return svc.parse_disclosure_period(self.period_edit.text())
        except ValidationError as err:
            ui_errors.show_user_error(self, err)
            return None

    def reload_status(self) -> None:
        try:
            p = svc.parse_disclosure_period(self.period_edit.text())
        except ValidationError:
            self.status.setPlainText("")
            return
        missing = self.ctx.read(svc.list_undisclosed, p.code)
        lines = [f"{p.label}财务公开情况（应于{p.due_date.month}月{p.due_date.day}日前公开）",
                 f"尚未公开：{len(missing)} 个账套", ""]
        lines += [f"{r.status}　{r.book_name}" for r in missing]
        self.status.setPlainText("\n".join(lines))

    # -- preview, export, print ------------------------------------------------------------------
    def _build(self, record: bool, dpi: float | None, then: Any, title: str, grey: bool = False) -> TaskHandle | None:
        org, period = self.org(), self.period()
        if org is None or period is None:
            return None
        a3, user = self.a3_box.isChecked(), self.ctx.user

        def work(progress: Progress) -> tuple[DisclosureDocument, list[Any]]:
            from desktop_app.reports.disclosure.builder import (  # reportlab
                build_disclosure,
                record_disclosure,
            )

            progress.report(0, 2, f"正在生成{org.name}{period.label}财务公开表")
            # built under a read snapshot (no write lock while the PDF is drawn); ctx.call/read run
            # here directly: a task is on a database thread
            doc = self.ctx.read(build_disclosure, org.id, period, a3=a3, progress=progress, user=user)
            if record:  # a short write, refused if the sheets' data changed meanwhile
                self.ctx.call(record_disclosure, doc, user=user)
            progress.report(1, 2, "正在排版预览")
            if dpi is None:
                return doc, []
            pages: list[Any] = (raster.render_pages(doc.pdf, dpi, grey=grey) if raster.available()
                                else raster.page_texts(doc.pdf))
            progress.report(2, 2)
            return doc, pages

        def done(result: tuple[DisclosureDocument, list[Any]]) -> None:
            self.doc = result[0]
            if record:
                self.ctx.notify("disclosure", tuple(s.book_id for s in result[0].sheets))
            then(*result)

        return self.runner.run(work, title=title, on_result=done)

    def preview(self) -> TaskHandle | None:
        return self._build(False, PREVIEW_DPI, self._show_preview, "生成预览")

    def _show_preview(self, doc: DisclosureDocument, pages: list[Any]) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        texts = [p for p in pages if isinstance(p, str)]
        self.text_preview.setVisible(bool(texts))
        self.scroll.setVisible(not texts)
        if texts:
            self.text_preview.setPlainText("\n\n".join(f"—— 第{i}页 ——\n{t}" for i, t in enumerate(texts, 1)))
        for page in pages:
            if isinstance(page, raster.PageImage):
                label = QLabel()
                label.setObjectName("preview_page")
                label.setPixmap(QPixmap.fromImage(to_image(page)))
                label.setStyleSheet("border: 1px solid #999; background: white;")
                self.pages_layout.addWidget(label)
        notes = [f"{s.book_name}：{s.pages}页（{'、'.join(s.sections)}）" for s in doc.sheets]
        self.info.setText(f"{doc.title}　共{doc.pages}页　" + "；".join(notes))

    def export_pdf(self) -> TaskHandle | None:
        org, period = self.org(), self.period()
        if org is None or period is None:
            return None
        path = save_file_name(self, self.ctx.settings, "disclosure_pdf", "导出财务公开表",
                              village_file_name(org.region_code, org.name, period.code), PDF_FILTER)
        if not path:
            return None

        def save(doc: DisclosureDocument, _pages: list[Any]) -> None:
            write_atomically(Path(path), doc.pdf)
            _info(self, f"已导出：{path}（{doc.pages}页）")

        return self._build(True, None, save, "导出财务公开表")

    def export_images(self) -> TaskHandle | None:
        """The sheets as phone images (one per section, 1080 px wide, the QR seal in each) and the
        长图, into a folder the user chooses; the check code is sealed as the PDF's is."""
        org, period = self.org(), self.period()
        if org is None or period is None:
            return None
        folder = existing_folder(self, self.ctx.settings, "disclosure_images",
                                 f"选择保存{org.name}{period.label}手机图片的文件夹")
        if not folder:
            return None
        user = self.ctx.user

        def work(progress: Progress) -> tuple[list[Path], list[Path]]:
            from desktop_app.reports.disclosure.builder import seal_sheets
            from desktop_app.reports.disclosure.phone import build_phone_images  # reportlab, pdfium
            from desktop_app.reports.disclosure.phone_render import image_stem, write_images

            progress.report(0, 2, f"正在生成{org.name}{period.label}财务公开手机图片")
            phone = self.ctx.read(build_phone_images, org.id, period, progress=progress)  # no write lock
            self.ctx.call(seal_sheets, phone.contents, user=user)  # a short write
            progress.report(1, 2, f"正在绘制 {len(phone.images)} 张图片")
            written = write_images(phone, Path(folder), image_stem(org.region_code, org.name, period.code))
            progress.report(2, 2)
            return written

        def done(written: tuple[list[Path], list[Path]]) -> None:
            files, longs = written
            self.ctx.notify("disclosure", ())
            _info(self, f"已导出 {len(files)} 张手机图片（每节一张，宽1080像素，每张带二维码）和 {len(longs)} 张长图，"
                        f"保存在：{folder}\n\n第一张：{files[0].name}\n长图：{'、'.join(p.name for p in longs)}\n\n"
                        "可直接发到村务微信群；村民长按图中二维码即可核验。")

        return self.runner.run(work, title="导出手机图片", on_result=done)

    def print_sheets(self) -> TaskHandle | None:
        a3 = self.a3_box.isChecked()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A3 if a3 else QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if a3 else QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_on(printer)

    def print_on(self, printer: QPrinter) -> TaskHandle | None:
        """Print to what the dialog chose. 打印到文件 (Qt's PDF printer) gets the exported PDF's own
        bytes: vector pages, not 300 dpi pictures of them (35.9 MB for a 170 KB sheet set)."""
        to_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName()
        if to_file:
            path = Path(printer.outputFileName())

            def save(doc: DisclosureDocument, _pages: list[Any]) -> None:
                write_atomically(path, doc.pdf)
                _info(self, f"已打印到文件：{path}（{doc.pages}页）")

            return self._build(True, None, save, "打印财务公开表")
        if not raster.available():
            ui_errors.show_user_error(self, "本机缺少 PDF 渲染组件，无法直接打印；请导出PDF后用PDF阅读器打印。")
            return None
        dpi = min(PRINT_DPI, max(printer.resolution(), 150))
        return self._build(True, dpi, lambda doc, pages: self._paint(printer, pages), "打印财务公开表", grey=True)

    def _paint(self, printer: QPrinter, pages: list[raster.PageImage]) -> None:
        painter = QPainter(printer)
        try:
            for i, page in enumerate(pages):
                if i:
                    printer.newPage()
                target = printer.pageRect(QPrinter.Unit.DevicePixel)
                painter.drawImage(target, to_image(page))
        finally:
            painter.end()

    # -- posting, batch, verification, settings ---------------------------------------------------
    def mark_posted(self) -> None:
        disclosure_forms.mark_posted(self)

    def batch(self) -> TaskHandle | None:
        period = self.period()
        if period is None:
            return None
        folder = existing_folder(self, self.ctx.settings, "disclosure_batch", f"选择保存{period.label}财务公开表的文件夹")
        if not folder:
            return None
        villages, a3, user = self.villages(), self.a3_box.isChecked(), self.ctx.user

        def work(progress: Progress) -> tuple[int, list[str]]:
            from desktop_app.reports.disclosure.builder import (  # reportlab
                build_disclosure,
                record_disclosure,
            )

            failed: list[str] = []
            for i, org in enumerate(villages):
                progress.report(i, len(villages), f"正在生成 {org.name}（{i + 1}/{len(villages)}）")
                try:
                    doc = self.ctx.read(build_disclosure, org.id, period, a3=a3, progress=progress, user=user)
                    self.ctx.call(record_disclosure, doc, user=user)
                    write_atomically(Path(folder) / village_file_name(org.region_code, org.name, period.code), doc.pdf)
                except UserError as err:
                    failed.append(f"{org.name}：{err}")
            progress.report(len(villages), len(villages), "完成")
            return len(villages) - len(failed), failed

        def done(result: tuple[int, list[str]]) -> None:
            ok, failed = result
            self.ctx.notify("disclosure", ())
            text = f"已生成 {ok} 个村的财务公开表，保存在：{folder}"
            _info(self, text + ("\n未生成：\n" + "\n".join(failed) if failed else ""))

        return self.runner.run(work, title="批量生成财务公开表", on_result=done,
                        on_cancelled=lambda: _info(self, "已取消；已生成的文件保留在文件夹中。"))

    def verify(self) -> None:
        from desktop_app.reports.sealing import verify_payload

        text, ok = QInputDialog.getText(self, "核验公开表",
                                        "请扫描公开表或报表的二维码，或输入页脚的校验码（SL2-XXXX-XXXX-XXXX-XXXX）：")
        if not ok or not text.strip():
            return
        try:
            checks = self.ctx.read(verify_payload, text.strip())
        except ValidationError as err:
            ui_errors.show_user_error(self, err)
            return
        message = "\n".join(line for c in checks for line in c.lines)
        (_info if all(c.ok for c in checks) else ui_errors.show_user_error)(self, message)

    def edit_settings(self) -> None:
        disclosure_forms.edit_settings(self)


PAGE = PageSpec(id="disclosure", title="财务公开", order=70, factory=DisclosurePage)
