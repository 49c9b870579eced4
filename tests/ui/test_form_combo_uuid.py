"""A drop-down filled from an id equal to (not the same object as) an item's id selects that item."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QComboBox

from desktop_app.ui.forms import read_widget, write_widget


def test_an_equal_uuid_selects_its_item(qtbot: Any) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    box = QComboBox()
    qtbot.addWidget(box)
    for n, i in zip(("人口股", "农龄股", "募集股"), ids, strict=True):
        box.addItem(n, i)
    write_widget(box, uuid.UUID(ids[1].hex))  # equal, another object: as read back from the database
    assert box.currentText() == "农龄股"
    assert read_widget(box) == ids[1]
    write_widget(box, "募集股")  # a text still finds its item
    assert box.currentIndex() == 2
