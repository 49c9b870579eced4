"""A row of buttons that wraps onto a second line when the page is narrower than the row.

A page's command row in a ``QHBoxLayout`` asks for its whole width as the page's minimum: the
合同 and 凭证 rows made the main window 1287-1293 px wide at the least, wider than a 1280-pixel
screen. In a ``FlowLayout`` the row asks only for its widest item; on a wide window it is one
line as before, on a narrow one the last buttons go to the next line, each whole and in order
(Qt's own flow-layout example, without the spacing a style gives per control type).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QLayoutItem, QStyle, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    @classmethod
    def from_row(cls, row: QBoxLayout) -> FlowLayout:
        """The widgets of ``row`` (e.g. ``button_row``'s), in order, in a flow; its stretches go
        (a flow leaves the rest of a line empty anyway)."""
        flow = cls()
        while row.count():
            item = row.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                flow.addWidget(widget)
        return flow

    def keep_together(self, *widgets: QWidget) -> QWidget:
        """``widgets`` (next to each other in the flow) stay on one line: a label with its field,
        导入 with 导出. They move into one container, in their place; the container is returned."""
        indices = sorted(self.indexOf(w) for w in widgets)
        if indices[0] < 0 or indices != list(range(indices[0], indices[0] + len(widgets))):
            raise ValueError("keep_together: the widgets must be next to each other in this flow")
        group = QWidget()
        row = QHBoxLayout(group)
        row.setContentsMargins(QMargins(0, 0, 0, 0))
        row.setSpacing(self._gap())
        in_order = [w for i in indices if (w := self._items[i].widget()) is not None]  # in the flow's order
        for index in reversed(indices):
            self.takeAt(index)
        for widget in in_order:
            row.addWidget(widget)
        self.insertWidget(indices[0], group)
        return group

    def named(self, name: str) -> QWidget:
        """The widget of this flow whose object name is ``name``."""
        for item in self._items:
            if (widget := item.widget()) is not None and widget.objectName() == name:
                return widget
        raise LookupError(name)

    # -- QLayout --------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        """As ``QBoxLayout.insertWidget`` (a page adds its filters before its buttons)."""
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._lay_out(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._lay_out(rect, move=True)

    def sizeHint(self) -> QSize:
        """One line: every item side by side."""
        shown = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in shown) + self._gap() * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """The widest item: the others may go to another line."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- laying out -----------------------------------------------------------------------------
    def _gap(self) -> int:
        if (spacing := self.spacing()) >= 0:
            return spacing
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) if style is not None else 6

    def _lay_out(self, rect: QRect, *, move: bool) -> int:
        """Place the items line by line within ``rect`` (when ``move``), each centred on its
        line's height (a combo box beside the buttons); the height it takes."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if lines[-1] and x + hint.width() > area.right() + 1:  # does not fit: the next line
                lines.append([])
                x = area.x()
            lines[-1].append((item, hint))
            x += hint.width() + gap
        y = area.y()
        for line in lines:
            height = max((hint.height() for _item, hint in line), default=0)
            x = area.x()
            for item, hint in line:
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + gap
            y += height + gap
        used = y - gap - area.y() if lines[0] else 0
        return used + m.top() + m.bottom()
