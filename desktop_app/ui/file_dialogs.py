"""Every file dialog of the program in one place: it opens where files of that kind were last
opened or saved (remembered per kind in the window settings), else in 文档 — never in the
program's folder — and remembers where the user went. The dialogs are Qt's own, in Chinese
(``app.make_application`` loads the catalogue; ``app.finish_application``, just after the login's
first paint, installs ``qt_zh.MissingQtWords``), with sizes in 字节/KB/MB
and dates as 2026/12/02 19:50 whatever the system's locale (Qt's file model formats both with
``QLocale::system()``, "C" on an English or bare system: "3 12 2026" and "KiB"), and every
column wide enough for its heading and its text.

    path = save_file_name(self, self.ctx.settings, "members_pdf", "保存 PDF", "花名册.pdf", PDF_FILTER)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import (
    QAbstractProxyModel,
    QCoreApplication,
    QEvent,
    QFileInfo,
    QMimeDatabase,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QFileIconProvider,
    QFileSystemModel,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from desktop_app.ui.settings import WindowSettings

__all__ = ["DATE_FORMAT", "PDF_FILTER", "XLSX_FILTER", "NameOnlyIcons", "existing_folder", "file_size_text",
           "fit_file_dialog", "install_file_dialog_guard", "open_file_name", "save_file_name", "start_folder"]

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
    return _remember(settings, kind, with_suffix(chosen, file_filter))


BAD_NAME_CHARS = frozenset('*?"<>|')  # wildcards and what Windows refuses in a file name


def with_suffix(chosen: str, file_filter: str) -> str:
    """``chosen`` as the file to write: a name typed without the filter's extension gets it (a
    workbook saved as ``统计表`` is ``统计表.xlsx``), so the file opens by double-click; a name
    with a wildcard (``*``: a filter typed into the name box) is not a file name at all and is
    refused as if cancelled, after saying why."""
    if not chosen:
        return chosen
    path = Path(chosen)
    if BAD_NAME_CHARS & set(path.name):
        from desktop_app.ui.errors import show_user_error

        show_user_error(None, f"文件名“{path.name}”中不能有 {' '.join(sorted(BAD_NAME_CHARS))} 等字符，请重新导出并输入文件名。",
                        title="文件名无效")
        return ""
    suffixes = [s.lower() for s in re.findall(r"\*(\.[A-Za-z0-9]+)", file_filter)]
    if suffixes and path.suffix.lower() not in suffixes:
        return str(path.with_name(path.name + suffixes[0]))
    return chosen


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
        if (ours := _OUR_TYPES.get(info.suffix().lower())) is not None:
            return ours
        mime = self._mime.mimeTypeForFile(info.fileName(), QMimeDatabase.MatchMode.MatchExtension)
        return "文件" if mime.isDefault() else mime.comment()


# the program's own files, which the MIME database calls 未知 (or, for .db, guesses from content)
_OUR_TYPES = {"db": "数据库文件", "slbak": "台账备份", "slsync": "同步包", "slcard": "身份卡"}

DATE_FORMAT = "yyyy/MM/dd HH:mm"
_UNITS = ("KB", "MB", "GB", "TB")


def file_size_text(size: int) -> str:
    """A file's size as Windows' Chinese Explorer shows it: 900 字节, 120.6 KB, 2.2 MB (1 KB = 1024
    字节); integers only, so 1023.96 KB is 1024.0 KB, never a rounding surprise."""
    if size < 1024:
        return f"{size} 字节"
    unit, scale = 0, 1024
    while unit < len(_UNITS) - 1 and size >= scale * 1024:
        unit, scale = unit + 1, scale * 1024
    tenths = (size * 10 + scale // 2) // scale
    return f"{tenths // 10}.{tenths % 10} {_UNITS[unit]}"


class _ChineseColumns(QStyledItemDelegate):
    """The 大小 and 修改日期 columns written from the file model's raw values (Qt formats them
    with the system locale, which may be "C": "3 12 2026 04:27", "120.56 KiB", "900 bytes")."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        model = index.model()
        source = index if isinstance(index, QModelIndex) else model.index(index.row(), index.column(), index.parent())
        while isinstance(model, QAbstractProxyModel):  # a proxy between (QFileDialog.setProxyModel)
            source, model = model.mapToSource(source), model.sourceModel()
        if not isinstance(model, QFileSystemModel) or not source.isValid():
            return
        if index.column() == _SIZE:
            option.text = "" if model.isDir(source) else file_size_text(model.size(source))
        elif index.column() == _DATE:
            option.text = model.lastModified(source).toString(DATE_FORMAT)


_NAME, _SIZE, _TYPE, _DATE = range(4)
_SAMPLES = {_SIZE: ("1023.9 KB", "1023 字节"), _DATE: ("2026/12/31 23:59",), _TYPE: ("Excel 2007 电子表格",)}
_PAD = 24  # a section's margins and its sort arrow
_NAME_MIN = 260
_NAME_MAX = 480


def _tree(dialog: QFileDialog) -> QTreeView | None:
    return next((v for v in dialog.findChildren(QTreeView) if v.objectName() == "treeView"), None)


def _longest_name(tree: QTreeView, rows: int = 1000) -> int:
    """The width the longest of the first ``rows`` names needs with its icon (the view's own
    size hint is a few pixels short while the file model still gathers the icons)."""
    model, root = tree.model(), tree.rootIndex()
    texts = tree.fontMetrics()
    names = (str(model.index(r, _NAME, root).data() or "") for r in range(min(model.rowCount(root), rows)))
    widest = max((texts.horizontalAdvance(n) for n in names), default=0)
    if not widest:
        return 0
    icon = tree.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, tree)
    return widest + icon + _PAD


def fit_file_dialog(dialog: QFileDialog, *, first: bool = True) -> None:
    """Every column of the detail view at least as wide as its heading and its widest text (and
    samples of a date and a size not yet listed), and the dialog wide enough to show them all
    beside the sidebar without a scroll bar (Qt sizes them for Latin text: "10/29/81 02:02PM",
    "mp3Folder"; a saved state may be narrower still); 名称 stretches over the width left. Not
    ``first`` (the folder's rows arrived), a column only widens: the user may have widened it."""
    tree = _tree(dialog)
    if tree is None:
        return
    header = tree.header()
    fm = header.fontMetrics()
    texts = tree.fontMetrics()
    wanted = {}
    for column in (_SIZE, _TYPE, _DATE):
        heading = str(tree.model().headerData(column, Qt.Orientation.Horizontal) or "")
        width = max([fm.horizontalAdvance(heading)] + [texts.horizontalAdvance(t) for t in _SAMPLES[column]])
        width = max(width + _PAD, tree.sizeHintForColumn(column))
        wanted[column] = max(width, 0 if first else header.sectionSize(column))
    for column, width in wanted.items():
        header.resizeSection(column, width)
    # 名称 takes whatever width the other columns leave (Qt's dialog leaves it at its saved or
    # default size, eliding names beside an empty strip); the dialog is made wide enough for
    # the longest name listed, up to _NAME_MAX, and never narrower than _NAME_MIN beside them.
    header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Stretch)
    name = min(max(_NAME_MIN, tree.sizeHintForColumn(_NAME), _longest_name(tree)), _NAME_MAX)
    needed = dialog.width() - tree.viewport().width() + name + sum(wanted.values()) + 4
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    limit = screen.availableGeometry().width() - 40 if screen is not None else needed
    if dialog.width() < needed:
        dialog.resize(min(needed, limit), max(dialog.height(), 480))


class _DialogGuard(QObject):
    """Gives every QFileDialog of the application the name-only icons before it first paints,
    also the ones Qt's static getters build (and the tests' monkeypatched getters never do), the
    Chinese 大小 and 修改日期, and columns and a width that fit them."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.icons = NameOnlyIcons()
        self.columns = _ChineseColumns(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.Polish, QEvent.Type.Show) or not isinstance(watched, QFileDialog):
            return False
        if kind == QEvent.Type.Polish and watched.iconProvider() is not self.icons:
            watched.setIconProvider(self.icons)
            self._dress(watched)
        elif kind == QEvent.Type.Show:
            fit_file_dialog(watched)
        return False

    def _dress(self, dialog: QFileDialog) -> None:
        tree = _tree(dialog)
        if tree is not None:
            for column in (_SIZE, _DATE):
                tree.setItemDelegateForColumn(column, self.columns)
            tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        model = dialog.findChild(QFileSystemModel)
        if model is not None:  # a folder is listed in a thread, after the dialog shows: widen to its rows
            model.directoryLoaded.connect(lambda _path, d=dialog: _refit(d))


def _refit(dialog: QFileDialog) -> None:
    try:
        visible = dialog.isVisible()
    except RuntimeError:  # the dialog is gone (its C++ side deleted) before its folder finished listing
        return
    if visible:
        fit_file_dialog(dialog, first=False)


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
