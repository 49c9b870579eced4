"""The main window's page navigation: a grouped list on the left (账务, 台账, 公开与报表, 系统)
instead of a tab strip. Fifteen tabs asked for 1150 px where a 1280-pixel screen leaves the
pages about 1016: 用户管理 and 备份与恢复 hid behind a scroll arrow (DESIGN-NOTES 95). The pages
still live in one ``QTabWidget`` (``PageTabs``, its own tab bar hidden), so everything that
finds a page by its tab (``tabText``, ``isTabEnabled``, ``indexOf``, a page's count in its title)
works as before; the list mirrors the tabs' words, state and tooltips.

Every page has a key by its place in the list: Alt+1 … Alt+9, Alt+0 for the tenth, then
Ctrl+Alt+1 … (``page_shortcut``), the same for every user (a page the user may not use keeps its
key, greyed beside it, and the key does nothing); shown beside its name in the list and, for the
pages the user may use, in the 导航 menu.

The arrow keys (and Home/End/PgUp/PgDn) move the selection only, over the pages and never onto a
group's heading; Enter, a click or a double click opens the page (``itemActivated`` and
``page_clicked``); Alt+N/Ctrl+Alt+N open at once."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
)

INDEX_ROLE = Qt.ItemDataRole.UserRole

# (pages with an order below this, group word); a page's PageSpec.order says where it goes
GROUPS = ((1, ""), (10, "区级汇总"), (30, "账务"), (60, "台账"), (80, "公开与报表"), (1000, "系统"))


def group_of(order: int) -> str:
    return next(word for bound, word in GROUPS if order < bound)


def page_shortcut(n: int) -> str:
    """The key of the n-th page (1-based) of the list, whoever the user."""
    if n <= 9:
        return f"Alt+{n}"
    if n == 10:
        return "Alt+0"
    return f"Ctrl+Alt+{n - 10}"


class PageTabs(QTabWidget):
    """The pages, one per tab, with the tab bar hidden: ``nav`` shows them. Text, enabled state
    and tooltip set on a tab show in the list too."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: PageNav | None = None
        self.tabBar().hide()
        self.setDocumentMode(True)  # no frame around the page where the tabs were

    def setTabText(self, index: int, text: str) -> None:
        super().setTabText(index, text)
        if self.nav is not None:
            self.nav.sync_tab(index)

    def setTabEnabled(self, index: int, enabled: bool) -> None:
        super().setTabEnabled(index, enabled)
        if self.nav is not None:
            self.nav.sync_tab(index)

    def setTabToolTip(self, index: int, tip: str) -> None:
        super().setTabToolTip(index, tip)
        if self.nav is not None:
            self.nav.sync_tab(index)


class PageNav(QTreeWidget):
    """页面: the groups, each with its pages and their keys; as tall as its rows (no scrolling:
    every page in sight at 1280 x 1024). ``page_clicked``: a page clicked (its tab index)."""

    page_clicked = Signal(int)

    def __init__(self, tabs: PageTabs, orders: list[int], shortcuts: dict[int, str]) -> None:
        super().__init__()
        self.setObjectName("page_nav")
        self.tabs = tabs
        self.setColumnCount(2)
        self.setHeaderLabels(["页面", "快捷键"])
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # as tall as its rows
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.items: dict[int, QTreeWidgetItem] = {}
        groups: dict[str, QTreeWidgetItem] = {}
        bold = QFont(self.font())
        bold.setBold(True)
        for index, order in enumerate(orders):
            word = group_of(order)
            parent: QTreeWidget | QTreeWidgetItem = self
            if word:
                if word not in groups:
                    head = QTreeWidgetItem(self, [word])
                    head.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not selectable
                    head.setFont(0, bold)
                    groups[word] = head
                parent = groups[word]
            item = QTreeWidgetItem(parent, ["", shortcuts.get(index, "")])
            item.setData(0, INDEX_ROLE, index)
            item.setForeground(1, self.palette().placeholderText())
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.items[index] = item
            self.sync_tab(index)
        self.expandAll()
        tabs.nav = self
        tabs.currentChanged.connect(self.follow_tab)
        self.itemClicked.connect(self._on_clicked)
        self.follow_tab(tabs.currentIndex())

    def sync_tab(self, index: int) -> None:
        item = self.items.get(index)
        if item is None:
            return
        item.setText(0, self.tabs.tabText(index))
        item.setDisabled(not self.tabs.isTabEnabled(index))
        key = item.text(1)
        tip = self.tabs.tabToolTip(index) or (f"{self.tabs.tabText(index)}（{key}）" if key else "")
        item.setToolTip(0, tip)
        item.setToolTip(1, tip)
        self.updateGeometry()

    def follow_tab(self, index: int) -> None:
        item = self.items.get(index)
        if item is not None and item is not self.currentItem():
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)

    def _on_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        index = item.data(0, INDEX_ROLE)
        if isinstance(index, int):
            self.page_clicked.emit(index)

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """The arrows step over a group's heading onto the page beyond it (a heading is not
        selectable: stopping on it left nothing highlighted)."""
        index = super().moveCursor(action, modifiers)
        Move = QAbstractItemView.CursorAction
        upward = action in (Move.MoveUp, Move.MovePageUp, Move.MoveEnd, Move.MovePrevious)
        while index.isValid() and not isinstance(index.data(INDEX_ROLE), int):
            index = self.indexAbove(index) if upward else self.indexBelow(index)
        if not index.isValid():  # a heading at the very top (Home, or Up from the first page of a group)
            return self.currentIndex()
        return index

    def rows(self) -> int:
        return self.topLevelItemCount() + sum(self.topLevelItem(i).childCount() for i in range(self.topLevelItemCount()))

    def sizeHint(self) -> QSize:
        first = self.topLevelItem(0)
        row = self.sizeHintForRow(0) if first is not None else -1
        row = row if row > 0 else self.fontMetrics().height() + 2
        head = self.header().sizeHint().height() if not self.isHeaderHidden() else 0
        return QSize(super().sizeHint().width(), head + row * self.rows() + 2 * self.frameWidth() + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

