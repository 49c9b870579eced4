"""Qt's own words that the Chinese catalogue shipped with the PySide6 wheels lacks (older wheels
ship only ``qt_zh_CN``, newer ones ``qtbase_zh_CN``; neither has Qt 6's "&Look in:" nor the icon
provider's words), and the few it words wrongly ("Size" as 体积). Installed after the catalogue,
so it is asked first; anything else falls through to the catalogue. Dates and sizes in the file
dialog are ``file_dialogs``' own (Qt formats them with the system locale, not these words)."""

from __future__ import annotations

from PySide6.QtCore import QTranslator

_WORDS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "File &name:"): "文件名称(&N)：",
    ("QFileDialog", "Directory:"): "文件夹：",
    ("QFileDialog", "&Choose"): "选择(&C)",
    ("QFileDialog", "Back"): "后退",
    ("QFileDialog", "Forward"): "前进",
    ("QFileDialog", "Parent Directory"): "上一级文件夹",
    ("QFileDialog", "Create New Folder"): "新建文件夹",
    ("QFileDialog", "List View"): "列表",
    ("QFileDialog", "Detail View"): "详细信息",
    ("QFileDialog", "All Files (*)"): "所有文件 (*)",
    ("QFileDialog", "Directories"): "文件夹",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Alias"): "替身",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QPlatformTheme", "Don't Save"): "不保存",
    ("QFileSystemModel", "Folder"): "文件夹",
    ("QFileSystemModel", "Size"): "大小",  # the catalogue says 体积 (a volume), not a file's size
}


class MissingQtWords(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None,  # type: ignore[override]
                  n: int = -1) -> str | None:
        # None, not "": an empty string counts as a translation and blanked every other Qt word
        # (the file dialog's 保存/取消 buttons, its column headers)
        return _WORDS.get((context, source))

    def isEmpty(self) -> bool:
        return False
