"""UI test fixtures: message boxes that never block."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtWidgets import QMessageBox

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
