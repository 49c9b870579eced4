"""File dialogs remember the last folder per kind of file (issue #17): the first opens in 文档 (never
the program's folder), each later one where that kind last went, other kinds unaffected, the choice
kept in the settings file across a restart; a folder that is gone (a U盘 pulled out) is forgotten."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from desktop_app.ui import file_dialogs as fd
from desktop_app.ui.settings import WindowSettings


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str]]:
    """Qt's modal dialogs answered at once: each records (which, where it opened)."""
    seen: list[tuple[str, str]] = []
    answers = {"save": tmp_path / "u盘" / "报表" / "花名册.pdf", "open": tmp_path / "下载" / "成员.xlsx",
               "folder": tmp_path / "u盘"}
    for path in answers.values():
        (path if path.suffix == "" else path.parent).mkdir(parents=True, exist_ok=True)

    def save(_parent: Any, _title: str, where: str, _filter: str) -> tuple[str, str]:
        seen.append(("save", where))
        return str(answers["save"]), _filter

    def open_(_parent: Any, _title: str, where: str, _filter: str) -> tuple[str, str]:
        seen.append(("open", where))
        return str(answers["open"]), _filter

    def folder(_parent: Any, _title: str, where: str) -> str:
        seen.append(("folder", where))
        return str(answers["folder"])

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", folder)
    return seen


def test_each_kind_opens_where_it_last_went(asked: list[tuple[str, str]], tmp_path: Path) -> None:
    settings = WindowSettings(tmp_path / "window.json")
    first = fd.save_file_name(None, settings, "roster_pdf", "保存 PDF", "花名册.pdf", fd.PDF_FILTER)
    assert first == str(tmp_path / "u盘" / "报表" / "花名册.pdf")
    start = Path(asked[-1][1])
    assert start.name == "花名册.pdf" and start.parent != Path.cwd() and start.parent.is_dir()
    fd.save_file_name(None, settings, "roster_pdf", "保存 PDF", "公示稿.pdf", fd.PDF_FILTER)
    assert asked[-1] == ("save", str(tmp_path / "u盘" / "报表" / "公示稿.pdf"))
    fd.open_file_name(None, settings, "members_xlsx", "导入", fd.XLSX_FILTER)  # another kind: not there
    assert Path(asked[-1][1]) != tmp_path / "u盘" / "报表"
    fd.open_file_name(None, settings, "members_xlsx", "导入", fd.XLSX_FILTER)
    assert asked[-1] == ("open", str(tmp_path / "下载"))
    # a restart reads the same file
    again = WindowSettings(tmp_path / "window.json")
    assert again.last_folder("roster_pdf") == tmp_path / "u盘" / "报表"
    stored = json.loads((tmp_path / "window.json").read_text(encoding="utf-8"))
    assert stored["folder:members_xlsx"] == str(tmp_path / "下载")
    fd.existing_folder(None, again, "usb", "选择U盘", fallback=tmp_path)
    assert asked[-1] == ("folder", str(tmp_path))  # the fallback (a U盘 found) before anything remembered
    shutil.rmtree(tmp_path / "u盘")  # the stick is gone: its folder is not offered
    assert again.last_folder("roster_pdf") is None and again.last_folder("usb") is None


def test_a_cancelled_dialog_remembers_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: ("", ""))
    settings = WindowSettings(tmp_path / "window.json")
    assert fd.open_file_name(None, settings, "backup", "选择备份", "*.slbak") == ""
    assert settings.last_folder("backup") is None and not (tmp_path / "window.json").exists()


def test_qts_file_dialog_is_chinese_throughout(qtbot: Any, tmp_path: Path) -> None:
    """The words the catalogue knows are not blanked by the ones we add (they once were: an
    empty string counts as a translation, so 保存/取消 and the column headers showed nothing)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QPushButton, QTreeView

    from desktop_app.app import make_application

    make_application()
    dialog = QFileDialog(None, "保存 PDF", str(tmp_path), fd.PDF_FILTER)
    qtbot.addWidget(dialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.show()
    buttons = {b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()}
    assert {"保存(&S)", "取消"} <= buttons
    tree = next(v for v in dialog.findChildren(QTreeView) if v.objectName() == "treeView")
    headers = [tree.model().headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers == ["名称", "大小", "类型", "修改日期"]
    labels = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "查找范围" in labels and "文件类型" in labels
