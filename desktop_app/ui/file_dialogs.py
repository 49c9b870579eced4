"""Every file dialog of the program in one place: it opens where files of that kind were last
opened or saved (remembered per kind in the window settings), else in 文档 — never in the
program's folder — and remembers where the user went. The dialogs are Qt's own, in Chinese
(``app.make_application`` loads the catalogue and ``qt_zh.MissingQtWords``).

    path = save_file_name(self, self.ctx.settings, "members_pdf", "保存 PDF", "花名册.pdf", PDF_FILTER)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.ui.settings import WindowSettings

__all__ = ["PDF_FILTER", "XLSX_FILTER", "existing_folder", "open_file_name", "save_file_name", "start_folder"]

PDF_FILTER = "PDF 文件 (*.pdf)"
XLSX_FILTER = "Excel 文件 (*.xlsx)"


def start_folder(settings: WindowSettings | None, kind: str, fallback: str | Path | None = None) -> Path:
    """Where a dialog for ``kind`` opens: the folder last used for it, else ``fallback`` (e.g. a
    U盘 found), else the user's 文档."""
    if settings is not None and (last := settings.last_folder(kind)) is not None:
        return last
    if fallback:
        return Path(fallback)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def _remember(settings: WindowSettings | None, kind: str, chosen: str) -> str:
    if chosen and settings is not None:
        settings.remember_folder(kind, chosen)
    return chosen


def save_file_name(parent: QWidget | None, settings: WindowSettings | None, kind: str, title: str,
                   suggested: str, file_filter: str, *, fallback: str | Path | None = None) -> str:
    """The path to save to ("" when cancelled); ``suggested`` is a file name (or a path, whose
    folder then wins only when nothing was remembered)."""
    name = Path(suggested)
    folder = start_folder(settings, kind, fallback or (name.parent if name.is_absolute() else None))
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name.name), file_filter)
    return _remember(settings, kind, chosen)


def open_file_name(parent: QWidget | None, settings: WindowSettings | None, kind: str, title: str,
                   file_filter: str, *, fallback: str | Path | None = None) -> str:
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(start_folder(settings, kind, fallback)), file_filter)
    return _remember(settings, kind, chosen)


def existing_folder(parent: QWidget | None, settings: WindowSettings | None, kind: str, title: str, *,
                    fallback: str | Path | None = None) -> str:
    chosen = QFileDialog.getExistingDirectory(parent, title, str(start_folder(settings, kind, fallback)))
    return _remember(settings, kind, chosen)
