"""Qt's own dialogs speak Chinese (issue #17): the file dialog's labels, which the catalogue in the
PySide6 wheels lacks, come from desktop_app/ui/qt_zh.py."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFileDialog, QLabel

from desktop_app.app import make_application


def test_the_file_dialog_is_chinese(qtbot: Any) -> None:
    make_application()
    dialog = QFileDialog(None, "选择备份文件")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = {label.text() for label in dialog.findChildren(QLabel) if label.text()}
    assert {"查找范围(&L)：", "文件类型(&T)：", "文件名称(&N)："} <= labels
    assert not [t for t in labels if any(c.isascii() and c.isalpha() and c not in "LTN" for c in t)]


def test_the_status_bar_shows_menu_texts_without_their_mnemonic() -> None:
    from desktop_app.ui.actions import plain_text

    assert plain_text("撤销上次保存(&U)") == "撤销上次保存"
    assert plain_text("撤销：凭证 记-0001(&U)") == "撤销：凭证 记-0001"
    assert plain_text("&File") == "File" and plain_text("收 && 支") == "收 & 支"
