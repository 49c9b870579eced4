"""``LedgerView``: the table every ledger page shows.

A filter box (pinyin initials work), the table, a 合计 footer aligned with the table's
columns, Ctrl+C copying the selection as TSV, column widths and sort remembered through a
tiny ``SettingsStore`` (anything with ``get(key) -> dict | None`` and ``set(key, dict)``).

Text columns (names, codes, dates) fit their text after every reload (``TextColumnFitter``),
except a column whose width the user chose: a width dragged by hand is kept, saved and restored,
and wins over the fit from then on. Only such widths are saved (fitted widths follow the data).

Keys: Ctrl+F filter box; in the filter box Esc clears it and ↓ goes to the table;
Enter or double-click on a row emits ``row_activated(row)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.tables import TextColumnFitter, TotalsModel, copy_selection_tsv

__all__ = ["LedgerView", "MemorySettings", "SettingsStore"]

FILTER_DELAY_MS = 200
STATE_VERSION = 2  # 2: "widths" holds the widths the user chose only (1: every column's width)


class SettingsStore(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def set(self, key: str, value: dict[str, Any]) -> None: ...


class MemorySettings:
    """A ``SettingsStore`` in a dict (tests; the app passes its window-state file)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        return dict(value) if value is not None else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        self.data[key] = dict(value)


class _RowNumbers(QHeaderView):
    """The row-number column, as wide as its widest number. Qt's own size hint asks the model
    for ~200 sections' label, font, icon and size after every reset (a tenth of a big ledger's
    first paint); the numbers need only their digit count."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def sizeHint(self) -> QSize:
        model = self.model()
        digits = len(str(max(model.rowCount() if model is not None else 0, 1)))
        text = self.fontMetrics().horizontalAdvance("9" * digits)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
        return QSize(text + 2 * margin + 4, self.defaultSectionSize())


class _FooterView(QTableView):
    """One-row table under the ledger; follows the ledger's columns and scrolling."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.horizontalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        font = self.font()
        font.setBold(True)
        self.setFont(font)

    def fit_height(self) -> None:
        self.setFixedHeight(self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth())

    def set_right_margin(self, margin: int) -> None:
        self.setViewportMargins(0, 0, margin, 0)


class LedgerView(QWidget):
    row_activated = Signal(object)  # the row object under Enter / double-click
    current_row_changed = Signal(object)  # the current row object or None

    def __init__(
        self,
        model: Any = None,
        *,
        settings: SettingsStore | None = None,
        settings_key: str = "",
        filter_placeholder: str = "筛选：名称、编号或拼音首字母",
        fit_columns: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._settings_key = settings_key
        self._model: Any = None
        self._totals: TotalsModel | None = None
        self._restoring = False  # widths, order and sort set by the view itself, not by the user
        self._by_hand: dict[str, int] = {}  # column key -> the width the user chose (dragged or saved)
        self._connections: list[tuple[Any, Any]] = []
        self._kept: Any = None  # the current row's key across a reload (see _remember_current)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(filter_placeholder)
        self.filter_edit.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        self.table = QTableView(self)
        self.footer = _FooterView(self)
        self._setup_table()
        # names, codes and dates as wide as their text, but for the widths the user chose
        self.fitter = TextColumnFitter(self.table, keep=self._kept_columns) if fit_columns else None

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.footer)

        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter_now)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.filter_edit.installEventFilter(self)
        self._save_timer = QTimer(self, singleShot=True, interval=400)
        self._save_timer.timeout.connect(self.save_state)
        self._add_actions()
        if model is not None:
            self.set_model(model)

    # -- setup ----------------------------------------------------------------------------
    def _setup_table(self) -> None:
        t = self.table
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        t.setVerticalHeader(_RowNumbers(t))
        self.footer.verticalHeader().setDefaultSectionSize(t.verticalHeader().defaultSectionSize())
        header = t.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorClearable(True)
        header.sectionResized.connect(self._on_section_resized)
        header.sectionMoved.connect(self._on_section_moved)
        header.sortIndicatorChanged.connect(self._schedule_save)
        t.horizontalScrollBar().valueChanged.connect(self.footer.horizontalScrollBar().setValue)
        t.verticalScrollBar().rangeChanged.connect(lambda *_: QTimer.singleShot(0, self, self._sync_footer_geometry))
        t.activated.connect(self._on_activated)

    def _add_actions(self) -> None:
        copy = QAction("复制", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        find = QAction("筛选", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.focus_filter)
        self.table.addAction(copy)
        self.addAction(find)
        self.copy_action, self.find_action = copy, find

    # -- model ----------------------------------------------------------------------------
    def model(self) -> Any:
        return self._model

    def set_model(self, model: Any) -> None:
        if self._model is not None:
            self._remember_current()  # a page that rebuilds its model keeps its row too
            for signal, slot in self._connections:
                signal.disconnect(slot)
        if self._totals is not None:
            self._totals.deleteLater()
        self._model = model
        self.table.setSortingEnabled(False)
        self._restoring = True
        try:
            self.table.setModel(model)
        finally:
            self._restoring = False
        self._totals = TotalsModel(model, self)
        self.footer.setModel(self._totals)
        self.footer.setVisible(self._totals.has_totals)
        self.footer.fit_height()
        self.filter_edit.setVisible(getattr(model, "can_filter", True))
        sel = self.table.selectionModel()
        sel.currentRowChanged.connect(self._on_current_changed)
        header = self.table.horizontalHeader()
        column, order = getattr(model, "sort_state", (-1, Qt.SortOrder.AscendingOrder))
        header.setSortIndicator(column, order)  # the model's current order, or "as given"
        self.restore_state()
        self._restoring = True
        try:  # the width the user chose (saved, or dragged on the previous model), else the declared one
            for i, column in enumerate(model.columns):
                width = self._by_hand.get(column.key) or column.width
                if width:
                    self.table.setColumnWidth(i, width)
        finally:
            self._restoring = False
        if self.fitter is not None:
            self.fitter.watch(model)  # fits now, and after each reload before _after_reset lays out
        self._connections = [(model.modelAboutToBeReset, self._remember_current), (model.modelReset, self._after_reset),
                             (model.layoutChanged, self._update_count)]
        for signal, slot in self._connections:
            signal.connect(slot)
        self.table.setSortingEnabled(getattr(model, "can_sort", True))
        self._after_reset()

    def _after_reset(self) -> None:
        self._update_count()
        self._sync_footer_geometry()
        self._settle()
        self._restore_current()

    # -- the current row across a reload ----------------------------------------------------
    @staticmethod
    def row_key(row: Any) -> Any:
        """What a row is, across reloads: its ``id`` (or ``member_id``, …), never its index."""
        for attr in ("id", "member_id"):
            key = getattr(row, attr, None)
            if key is not None:
                return key
        return None

    def _remember_current(self) -> None:
        row = self.current_row() if self._model is not None else None
        self._kept = self.row_key(row) if row is not None else None

    def _restore_current(self) -> None:
        """After a save the page reloads: the same row (by its key) is current again and
        ``current_row_changed`` fires, so the detail panel below reloads too; a row that is gone
        leaves nothing current and the panel is told so."""
        key, self._kept = self._kept, None
        find = getattr(self._model, "find_row", None)  # in-memory models; a paged one is not scanned
        if key is None or find is None:
            return
        at = find(lambda r: self.row_key(r) == key)
        if at >= 0:
            self.select_row(at)
        else:
            self.current_row_changed.emit(None)

    def _settle(self) -> None:
        """Lay the view out now (the filter box shown or hidden, the row-number column's width, a
        scroll bar coming or going): left to the event loop, a reload that changes them paints
        the table twice, once before that layout and once after it (half a big ledger's first
        paint)."""
        layout = self.layout()
        if self.isVisible() and layout is not None:
            layout.invalidate()
            layout.activate()
            self.table.doItemsLayout()

    def _update_count(self) -> None:
        model = self._model
        shown = model.rowCount()
        if getattr(model, "filter_text", "") and hasattr(model, "all_rows"):
            self.count_label.setText(f"筛选出 {shown} 条（共 {len(model.all_rows())} 条）")
        else:
            self.count_label.setText(f"共 {shown} 条")

    def _sync_footer_geometry(self) -> None:
        if self._model is None:
            return
        vh, fvh = self.table.verticalHeader(), self.footer.verticalHeader()
        width = max(vh.sizeHint().width(), fvh.sizeHint().width())
        vh.setFixedWidth(width)
        fvh.setFixedWidth(width)
        for i in range(len(self._model.columns)):
            self.footer.setColumnWidth(i, self.table.columnWidth(i))
        sb = self.table.verticalScrollBar()
        self.footer.set_right_margin(sb.sizeHint().width() if sb.isVisible() else 0)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._sync_footer_geometry)  # not after the view is gone

    # -- rows -----------------------------------------------------------------------------
    def current_row(self) -> Any | None:
        index = self.table.currentIndex()
        return self._model.row_at(index.row()) if index.isValid() else None

    def selected_rows(self) -> list[Any]:
        sel = self.table.selectionModel()
        rows = sorted({i.row() for i in sel.selectedIndexes()}) if sel else []
        return [r for r in (self._model.row_at(i) for i in rows) if r is not None]

    def select_row(self, row: int) -> None:
        index = self._model.index(row, 0)
        if index.isValid():
            # Through the selection model: QTableView.selectRow follows the keyboard modifiers
            # held at that moment (Ctrl would toggle the row off again).
            flags = QItemSelectionModel.SelectionFlag
            self.table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
            self.table.scrollTo(index)

    def _on_activated(self, index: QModelIndex) -> None:
        row = self._model.row_at(index.row())
        if row is not None:
            self.row_activated.emit(row)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_row_changed.emit(self._model.row_at(current.row()) if current.isValid() else None)

    # -- filter and copy --------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def apply_filter_now(self) -> None:
        self._filter_timer.stop()
        if self._model is not None and hasattr(self._model, "set_filter"):
            self._model.set_filter(self.filter_edit.text())

    def copy_selection(self) -> str:
        """Put the selection on the clipboard as TSV (with a header line); returns the text."""
        text = copy_selection_tsv(self.table)
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                self.apply_filter_now()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_filter_now()
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.table.currentIndex().isValid() and self._model.rowCount():
                    self.select_row(0)
                return True
        return super().eventFilter(watched, event)

    # -- saved state ------------------------------------------------------------------------
    def _kept_columns(self) -> list[int]:
        """Columns at a width the user chose: the fitter leaves them alone."""
        if self._model is None:
            return []
        return [i for i, c in enumerate(self._model.columns) if c.key in self._by_hand]

    def _on_section_resized(self, logical: int, _old: int, new: int) -> None:
        self.footer.setColumnWidth(logical, new)
        if self._restoring or self._model is None or new <= 0 or (self.fitter is not None and self.fitter.fitting):
            return  # the view's own widths, or a hidden column: not a width the user chose
        columns = self._model.columns
        if 0 <= logical < len(columns):  # the user's drag (or a page's own setColumnWidth)
            self._by_hand[columns[logical].key] = new
            self._schedule_save()

    def _on_section_moved(self, _logical: int, old_visual: int, new_visual: int) -> None:
        self.footer.horizontalHeader().moveSection(old_visual, new_visual)
        self._schedule_save()

    def _schedule_save(self, *_args: Any) -> None:
        if self._settings is not None and self._settings_key and not self._restoring:
            self._save_timer.start()

    def state(self) -> dict[str, Any]:
        """The widths the user chose, column order and sort, keyed by column key (survives added
        columns); a fitted width is not saved (it follows the data)."""
        header = self.table.horizontalHeader()
        keys = [c.key for c in self._model.columns]
        section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        return {
            "v": STATE_VERSION,
            "widths": dict(self._by_hand),
            "order": [keys[header.logicalIndex(v)] for v in range(len(keys))],
            "sort": [keys[section], "desc" if order == Qt.SortOrder.DescendingOrder else "asc"]
            if 0 <= section < len(keys)
            else None,
        }

    def save_state(self) -> None:
        self._save_timer.stop()
        if self._settings is not None and self._settings_key and self._model is not None:
            self._settings.set(self._settings_key, self.state())

    def restore_state(self) -> None:
        """Read the saved state: the widths the user chose (``set_model`` applies them), column
        order and sort."""
        if self._settings is None or not self._settings_key or self._model is None:
            return
        saved = self._settings.get(self._settings_key)
        if not isinstance(saved, dict):  # missing or damaged: keep the declared widths
            return
        columns = self._model.columns
        keys = [c.key for c in columns]
        header = self.table.horizontalHeader()
        old_format = saved.get("v") != STATE_VERSION
        self._restoring = True
        try:
            widths = saved.get("widths")
            for key, width in (widths.items() if isinstance(widths, dict) else ()):
                if not isinstance(key, str) or not isinstance(width, int) or width <= 0 or key in self._by_hand:
                    continue  # damaged; or dragged in this session, newer than the file
                if old_format and key in keys and width in (columns[keys.index(key)].width, header.defaultSectionSize()):
                    continue  # the old state saved every width: one at its starting width was never chosen
                self._by_hand[key] = width
            for visual, key in enumerate(k for k in (saved.get("order") or []) if k in keys):
                header.moveSection(header.visualIndex(keys.index(key)), visual)
            sort = saved.get("sort")
            if isinstance(sort, list) and len(sort) == 2 and sort[0] in keys:
                order = Qt.SortOrder.DescendingOrder if sort[1] == "desc" else Qt.SortOrder.AscendingOrder
                # With sorting enabled the header's signal sorts the model; set_model enables it after.
                header.setSortIndicator(keys.index(sort[0]), order)
        finally:
            self._restoring = False
