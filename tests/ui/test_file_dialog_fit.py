"""The file dialog as a Chinese user reads it (review finding): 大小 in 字节/KB/MB, 修改日期 as
2026/12/02 19:50 whatever the system locale (Qt's file model formats both with the system's,
"C" on a bare system: "3 12 2026 04:27", "120.56 KiB"), every column at least as wide as its
heading and its text, and the dialog wide enough to show them all — also the dialogs Qt's static
getters build, which the application's guard dresses at polish and show."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QStyleOptionViewItem, QTreeView

from desktop_app.app import make_application
from desktop_app.ui import file_dialogs as fd

FILES = {"花名册.pdf": 123_456, "成员导入模板.xlsx": 2_345_678, "village.db": 40, "2026年第四季度全区财务公开情况统计表.pdf": 900,
         "备份.slbak": 5_000}
MTIME = datetime(2026, 12, 2, 19, 50)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    where = tmp_path / "报表"
    where.mkdir()
    for name, size in FILES.items():
        (where / name).write_bytes(b"x" * size)
        os.utime(where / name, (MTIME.timestamp(), MTIME.timestamp()))
    (where / "子文件夹").mkdir()
    return where


def _tree(dialog: QFileDialog) -> QTreeView:
    return next(v for v in dialog.findChildren(QTreeView) if v.objectName() == "treeView")


def _shown(tree: QTreeView) -> dict[str, list[str]]:
    """Each row's four cells as drawn: the text its column's delegate paints."""
    model, root = tree.model(), tree.rootIndex()
    rows: dict[str, list[str]] = {}
    for r in range(model.rowCount(root)):
        cells = []
        for c in range(4):
            index = model.index(r, c, root)
            option = QStyleOptionViewItem()
            tree.itemDelegateForIndex(index).initStyleOption(option, index)  # type: ignore[attr-defined]
            cells.append(option.text)
        rows[cells[0]] = cells
    return rows


def _wait_listed(qtbot: Any, dialog: QFileDialog, count: int) -> QTreeView:
    tree = _tree(dialog)
    qtbot.waitUntil(lambda: tree.model().rowCount(tree.rootIndex()) == count, timeout=10_000)
    return tree


def _assert_fits(dialog: QFileDialog, tree: QTreeView) -> None:
    header = tree.header()
    heads = header.fontMetrics()
    for c in range(4):
        text = str(tree.model().headerData(c, Qt.Orientation.Horizontal))
        assert header.sectionSize(c) >= heads.horizontalAdvance(text) + 16, (text, header.sectionSize(c))
    texts = tree.fontMetrics()
    for cells in _shown(tree).values():
        for c in (1, 2, 3):  # 大小, 类型, 修改日期: never elided
            assert texts.horizontalAdvance(cells[c]) + 8 <= header.sectionSize(c), (cells[c], header.sectionSize(c))
    assert header.length() <= tree.viewport().width() + 1, "a column lies beyond the dialog's edge"


def test_the_application_speaks_chinese_dates() -> None:
    make_application()
    assert QLocale().name() == "zh_CN"
    assert fd.file_size_text(0) == "0 字节" and fd.file_size_text(1023) == "1023 字节"
    assert fd.file_size_text(1024) == "1.0 KB" and fd.file_size_text(123_456) == "120.6 KB"
    assert fd.file_size_text(2_345_678) == "2.2 MB" and fd.file_size_text(5 * 1024 ** 3) == "5.0 GB"


def test_sizes_dates_and_types_in_chinese_and_every_column_fits(qtbot: Any, folder: Path) -> None:
    make_application()
    dialog = QFileDialog(None, "保存 PDF", str(folder), "所有文件 (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    tree = _wait_listed(qtbot, dialog, len(FILES) + 1)
    rows = _shown(tree)
    assert rows["花名册.pdf"][1:] == ["120.6 KB", "PDF 文档", "2026/12/02 19:50"]
    assert rows["成员导入模板.xlsx"][1] == "2.2 MB" and rows["village.db"][1:3] == ["40 字节", "数据库文件"]
    assert rows["备份.slbak"][2] == "台账备份"
    assert rows["子文件夹"][1:3] == ["", "文件夹"]
    dates = {cells[3] for name, cells in rows.items() if name != "子文件夹"}
    assert dates == {"2026/12/02 19:50"}
    assert not any(re.search(r"KiB|MiB|bytes", " ".join(cells)) for cells in rows.values())
    _assert_fits(dialog, tree)


def test_a_narrow_saved_state_is_widened_when_shown(qtbot: Any, folder: Path) -> None:
    """Qt restores the header from its own settings file; a state saved narrow is fitted again."""
    make_application()
    dialog = QFileDialog(None, "打开", str(folder), "所有文件 (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.resize(400, 300)
    for c in (1, 2, 3):
        _tree(dialog).header().resizeSection(c, 20)
    dialog.show()
    qtbot.waitExposed(dialog)
    tree = _wait_listed(qtbot, dialog, len(FILES) + 1)
    qtbot.waitUntil(lambda: tree.header().sectionSize(2) > 20)
    _assert_fits(dialog, tree)
    assert dialog.width() > 400


def test_the_static_open_dialog_is_dressed_too(qtbot: Any, folder: Path) -> None:
    """``QFileDialog.getOpenFileName`` builds its own dialog (what open_file_name calls): the
    guard fits it; its buttons read 打开/取消."""
    make_application()
    seen: dict[str, Any] = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        try:
            dialog.setViewMode(QFileDialog.ViewMode.Detail)
            tree = _wait_listed(qtbot, dialog, len(FILES) + 1)
            seen["rows"] = _shown(tree)
            seen["buttons"] = {b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()}
            _assert_fits(dialog, tree)
            seen["fits"] = True
        finally:
            dialog.reject()

    QTimer.singleShot(0, look)
    chosen, _ = QFileDialog.getOpenFileName(None, "导入", str(folder), "所有文件 (*)")
    assert chosen == ""
    assert seen.get("fits"), seen
    assert seen["rows"]["花名册.pdf"][1:] == ["120.6 KB", "PDF 文档", "2026/12/02 19:50"]
    assert {"打开(&O)", "取消"} <= seen["buttons"], seen["buttons"]


def test_qts_own_words_the_catalogue_lacks_are_chinese() -> None:
    from PySide6.QtCore import QCoreApplication

    make_application()
    said = {(ctx, src): QCoreApplication.translate(ctx, src) for ctx, src in (
        ("QFileDialog", "&Look in:"), ("QFileSystemModel", "Size"), ("QFileSystemModel", "Date Modified"),
        ("QAbstractFileIconProvider", "Shortcut"), ("QPlatformTheme", "Don't Save"), ("QPlatformTheme", "Cancel"),
        ("QFileDialog", "&New Folder"), ("QFileDialog", "Show &hidden files"), ("QFileDialog", "Recent Places"))}
    assert not [key for key, text in said.items() if text == key[1] or not any("\u4e00" <= ch <= "\u9fff" for ch in text)]
    assert said[("QFileSystemModel", "Size")] == "大小" and said[("QPlatformTheme", "Don't Save")] == "不保存"
