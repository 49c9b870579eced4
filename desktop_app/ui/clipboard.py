"""Copying table selections as tab-separated text that Excel reads as numbers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from desktop_app.ui.columns import COPY_ROLE

__all__ = ["copy_selection_tsv"]

_ROLE_DISPLAY = Qt.ItemDataRole.DisplayRole


def copy_selection_tsv(view: QAbstractItemView, *, header: bool = True) -> str:
    """Selected cells as tab-separated text: a header line, then one line per selected row.

    Columns appear in their on-screen order; unselected cells inside the block are empty.
    Money is plain ``1234.50`` (``COPY_ROLE``) so Excel reads numbers. Returns "" when
    nothing is selected.
    """
    model = view.model()
    selection = view.selectionModel()
    if model is None or selection is None:
        return ""
    indexes = [i for i in selection.selectedIndexes() if i.isValid()]
    if not indexes:
        return ""
    hh = getattr(view, "horizontalHeader", None)
    header_view = hh() if callable(hh) else None
    cols = sorted({i.column() for i in indexes}, key=lambda c: header_view.visualIndex(c) if header_view else c)
    if header_view is not None:
        cols = [c for c in cols if not header_view.isSectionHidden(c)]
    chosen = {(i.row(), i.column()) for i in indexes}
    lines: list[str] = []
    if header:
        lines.append("\t".join(_flat(model.headerData(c, Qt.Orientation.Horizontal)) for c in cols))
    for r in sorted({i.row() for i in indexes}):
        cells = []
        for c in cols:
            text = model.data(model.index(r, c), COPY_ROLE) if (r, c) in chosen else ""
            if text is None:
                text = model.data(model.index(r, c), _ROLE_DISPLAY)
            cells.append(_flat(text))
        lines.append("\t".join(cells))
    return "\n".join(lines)


def _flat(value: Any) -> str:
    return "" if value is None else " ".join(str(value).replace("\t", " ").splitlines())
