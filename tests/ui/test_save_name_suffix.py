"""A name typed without the filter's extension gets it; a wildcard is not a file name (review)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.ui.file_dialogs import save_file_name, with_suffix

XLSX = "Excel 文件 (*.xlsx)"


def test_the_filter_extension_is_added_when_missing() -> None:
    assert with_suffix("/d/收入分档", XLSX) == "/d/收入分档.xlsx"
    assert with_suffix("/d/收入分档.2026", XLSX) == "/d/收入分档.2026.xlsx"
    assert with_suffix("/d/表.XLSX", XLSX) == "/d/表.XLSX"
    assert with_suffix("/d/表.pdf", "PDF (*.pdf);;Excel (*.xlsx)") == "/d/表.pdf"
    assert with_suffix("/d/表", "PDF (*.pdf);;Excel (*.xlsx)") == "/d/表.pdf"
    assert with_suffix("", XLSX) == ""
    assert with_suffix("/d/任何", "所有文件 (*)") == "/d/任何"


def test_a_wildcard_name_is_refused_with_a_reason(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(tmp_path / "*"), XLSX))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    assert save_file_name(None, None, "t", "导出", "统计表.xlsx", XLSX) == ""
    assert shown and "文件名“*”中不能有" in shown[0]
    assert not list(tmp_path.iterdir())
