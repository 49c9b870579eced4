"""The file dialog's 名称 column takes the width the other columns leave (it stayed at its
default 260 px, eliding long names beside an empty strip), also after the dialog is resized."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QTreeView

from desktop_app.app import make_application

LONG = "2026年第四季度全区财务公开情况统计表（含各村股份经济合作社）.pdf"


def _tree(dialog: QFileDialog) -> QTreeView:
    return next(v for v in dialog.findChildren(QTreeView) if v.objectName() == "treeView")


def test_the_name_column_takes_the_spare_width(qtbot: Any, tmp_path: Path) -> None:
    make_application()
    for name in (LONG, "花名册.pdf", "village.db"):
        (tmp_path / name).write_bytes(b"x" * 100)
    dialog = QFileDialog(None, "打开", str(tmp_path), "所有文件 (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 500)
    dialog.show()
    qtbot.waitExposed(dialog)
    tree = _tree(dialog)
    qtbot.waitUntil(lambda: tree.model().rowCount(tree.rootIndex()) == 3, timeout=10_000)
    header = tree.header()
    others = sum(header.sectionSize(c) for c in (1, 2, 3))

    def name_fills() -> bool:
        return abs(header.sectionSize(0) + others - tree.viewport().width()) <= 1

    qtbot.waitUntil(name_fills, timeout=10_000)
    assert header.sectionSize(0) >= tree.fontMetrics().horizontalAdvance(LONG) + 16, "the long name is elided"
    dialog.resize(1300, 500)  # wider still: 名称 grows, the other columns keep their width
    qtbot.waitUntil(lambda: abs(header.sectionSize(0) + others - tree.viewport().width()) <= 1, timeout=10_000)
    assert sum(header.sectionSize(c) for c in (1, 2, 3)) == others
