"""A page's row of command buttons, declared as data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton


def button_row(specs: Sequence[tuple[str, Callable[..., Any], str]]) -> QHBoxLayout:
    """(text with &mnemonic, handler, object name) per button, left-aligned."""
    row = QHBoxLayout()
    for text, handler, name in specs:
        button = QPushButton(text)
        button.setObjectName(name)
        # clicked(bool) would hand its flag to a handler's first optional parameter (a path, a row …)
        button.clicked.connect(lambda _checked=False, h=handler: h())
        row.addWidget(button)
    row.addStretch(1)
    return row
