"""Every file dialog of the program in one place: it opens where files of that kind were last
opened or saved (remembered per kind in the window settings), else in 文档 — never in the
program's folder — and remembers where the user went. The dialogs are Qt's own, in Chinese
(``app.make_application`` loads the catalogue and ``qt_zh.MissingQtWords``).

    path = save_file_name(self, self.ctx.settings, "members_pdf", "保存 PDF", "花名册.pdf", PDF_FILTER)
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QFileInfo, QMimeDatabase, QObject, QStandardPaths, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

from desktop_app.ui.settings import WindowSettings

__all__ = ["PDF_FILTER", "XLSX_FILTER", "NameOnlyIcons", "existing_folder", "install_file_dialog_guard",
           "open_file_name", "save_file_name", "start_folder"]

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


class NameOnlyIcons(QFileIconProvider):
    """Icons and 类型 judged by the file's name, never its content.

    Qt's own provider reads a file whose extension is not conclusive (``village.db``) to guess
    its type. On POSIX, closing any descriptor of a file drops every fcntl lock the process holds
    on it, so a dialog shown in the database's folder silently released the window's SQLite
    locks (DESIGN-NOTES 55)."""

    def __init__(self) -> None:
        super().__init__()
        self._mime = QMimeDatabase()

    def icon(self, what: QFileInfo | QFileIconProvider.IconType) -> QIcon:
        if isinstance(what, QFileIconProvider.IconType):
            return super().icon(what)
        kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
        return super().icon(kind)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "文件夹"
        return self._mime.mimeTypeForFile(info.fileName(), QMimeDatabase.MatchMode.MatchExtension).comment()


class _DialogGuard(QObject):
    """Gives every QFileDialog of the application the name-only icons before it first paints,
    also the ones Qt's static getters build (and the tests' monkeypatched getters never do)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.icons = NameOnlyIcons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Polish and isinstance(watched, QFileDialog) \
                and watched.iconProvider() is not self.icons:
            watched.setIconProvider(self.icons)
        return False


_GUARD_PROPERTY = "file_dialog_guard"


def install_file_dialog_guard(app: QCoreApplication) -> QObject:
    """Once per application (idempotent). Off Windows the dialogs are Qt's own, not the desktop's
    (a GTK dialog runs in this process and sniffs content too, where no provider reaches it);
    Windows locks are not dropped by another handle's close, so its native dialog stays."""
    guard = app.property(_GUARD_PROPERTY)
    if isinstance(guard, _DialogGuard):
        return guard
    if sys.platform != "win32":
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    guard = _DialogGuard(app)
    app.installEventFilter(guard)
    app.setProperty(_GUARD_PROPERTY, guard)
    return guard
