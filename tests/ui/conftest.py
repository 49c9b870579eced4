"""UI test fixtures: message boxes that never block."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.paths import font_path
from desktop_app.ui import errors as ui_errors
from tests.sync.conftest import sync_pair  # noqa: F401 (a fixture the U盘同步 page tests share with tests/sync)


@dataclass
class ShownBoxes:
    boxes: list[QMessageBox] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [b.text() for b in self.boxes]


@pytest.fixture
def shown_boxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShownBoxes]:
    """Record message boxes (errors, crashes) instead of running them modally."""
    shown = ShownBoxes()

    def fake_exec(box: QMessageBox) -> int:
        shown.boxes.append(box)
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(ui_errors, "_exec", fake_exec)
    yield shown


@pytest.fixture
def program_font() -> Iterator[None]:
    """The font the program runs with (make_application's), put back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(font_path())))
    if families:
        font = QFont(families[0])
        font.setPointSize(10)
        app.setFont(font)
    yield
    app.setFont(before)
