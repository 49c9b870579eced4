"""审计日志: who changed what and when, newest first, for the 村务监督委员会 and the accountant.

The trail is read a page at a time by keyset (``services.audit_trail.audit_page``: 上一页/下一页
move by the entry number a page ended at, never by offset, and no count over a table of millions);
the filters are the service's. A double-click (or 查看详情) shows one entry's fields before and after
the change; a keeper of the member register may ask there to see its 身份证号 whole (audited).
导出Excel writes every filtered row; 校验审计链 runs ``verify``'s chain check.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.periods import period_end, period_of, period_start
from desktop_app.core.services import audit_trail as svc
from desktop_app.core.services.permissions import REVEAL_ID_NUMBER
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.file_dialogs import XLSX_FILTER, save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.permissions import gate
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.dates import DateEdit

COLUMNS = [
    Column("n", "序号", "int", width=60),
    Column("at", "时间", width=150),
    Column("actor_name", "用户", "pinyin-text", width=80),
    Column("action", "操作", width=80),
    Column("entity", "对象", width=100),
    Column("organisation", "组织", "pinyin-text", width=180),
    Column("summary", "摘要", width=600),
]
PAGE_ROWS = 200
AUTO_VERIFY_MAX = 100_000  # a longer chain is checked on 校验审计链 only (it reads every entry)
REVERIFY_MAX = 5_000  # 查询/最新 check the chain again up to this size (≈35 µs an entry); above, count only
_CHANGED = QBrush(QColor("#fff4c2"))


class AuditDetailDialog(QDialog):
    """One entry: who, when, what, and its fields before and after (changed ones first, marked)."""

    def __init__(self, ctx: AppContext, detail: svc.AuditDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"审计记录 第 {detail.row.n} 条")
        self.resize(760, 520)
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["字段", "修改前", "修改后"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(1, 270)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("这条记录没有保存修改前后的内容，只有上面的摘要。")
        self.empty_label.setObjectName("detail_empty")
        self.empty_label.setWordWrap(True)
        self.reveal_button = QPushButton("显示完整身份证号")
        self.reveal_button.setObjectName("btn_reveal")
        self.reveal_button.clicked.connect(self.reveal)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.reveal_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.head)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.show_detail(detail)

    def show_detail(self, detail: svc.AuditDetail) -> None:
        self.detail = detail
        r = detail.row
        where = f"　组织：{r.organisation}" if r.organisation else ""
        self.head.setText(f"{r.at}　{r.actor_name}（{r.actor}）　{r.action}{r.entity}{where}\n摘要：{r.summary}")
        self.table.setRowCount(len(detail.fields))
        bold = QFont()
        bold.setBold(True)
        for i, f in enumerate(detail.fields):
            for j, text in enumerate((f.label, f.before, f.after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text if j else f.key)
                if f.changed:
                    item.setBackground(_CHANGED)
                    if j == 0:
                        item.setFont(bold)
                self.table.setItem(i, j, item)
        # a 新增 has nothing before it, a 删除 nothing after: the empty side gives its width to the other
        self.table.setColumnHidden(1, not any(f.before for f in detail.fields))
        self.table.setColumnHidden(2, not any(f.after for f in detail.fields))
        self.table.resizeRowsToContents()
        self.empty_label.setVisible(not detail.fields)
        self.table.setVisible(bool(detail.fields))
        gate(self.reveal_button, self.ctx, REVEAL_ID_NUMBER)
        self.reveal_button.setVisible(detail.has_ids and not detail.revealed)

    def reveal(self) -> None:
        try:
            detail = self.ctx.call(svc.audit_detail, self.detail.row.n, user=self.ctx.user, reveal=True)
        except UserError as err:
            show_user_error(self, err)
            return
        self.ctx.notify("audit", (detail.row.n,))
        self.show_detail(detail)


class AuditLogPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model = RowTableModel(COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:audit_log")
        self.view.filter_edit.hide()  # the filters above search the whole trail, not the page shown
        self.view.count_label.hide()  # the pager says what the page holds
        self.view.row_activated.connect(lambda _r: self.show_detail())
        self._starts: list[int | None] = [None]  # the ``after`` of each page read so far (keyset)
        self._next: int | None = None
        self._stale = False

        self.org = QComboBox()
        self.book = QComboBox()
        self.actor = QComboBox()
        self.action = QComboBox()
        self.entity = QComboBox()
        for box, letters in ((self.org, 14), (self.book, 10), (self.actor, 7), (self.action, 6), (self.entity, 7)):
            # wide enough for a 股份经济合作社's whole name; the list drops down as wide as its longest item
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(letters)
            box.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.date_from = DateEdit(allow_empty=True)
        self.date_to = DateEdit(allow_empty=True)
        self.text = QLineEdit()
        self.text.setPlaceholderText("摘要中包含的文字")
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.search)

        top = QHBoxLayout()
        for label, w in (("组织", self.org), ("账套", self.book), ("用户", self.actor), ("操作", self.action),
                         ("对象", self.entity)):
            top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(QLabel("日期"))
        second.addWidget(self.date_from)
        second.addWidget(QLabel("至"))
        second.addWidget(self.date_to)
        this_month = QPushButton("本月")
        this_month.clicked.connect(self.this_month)
        second.addWidget(this_month)
        second.addWidget(self.text, 1)
        actions: list[QPushButton] = []
        for text, name, handler in (("查询(&Q)", "btn_search", self.search), ("清空条件", "btn_clear", self.clear),
                                    ("查看详情(&D)", "btn_detail", self.show_detail),
                                    ("导出Excel(&X)", "btn_export", self.export)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(handler)
            actions.append(button)
        second.addWidget(actions[0])
        second.addWidget(actions[1])
        chain = QHBoxLayout()
        self.chain_label = QLabel("审计链尚未校验")
        self.chain_label.setObjectName("chain_status")
        self.chain_label.setWordWrap(True)
        verify = QPushButton("校验审计链")
        verify.setObjectName("btn_verify")
        verify.clicked.connect(self.verify_chain)
        chain.addWidget(self.chain_label, 1)
        chain.addWidget(verify)
        pager = QHBoxLayout()
        self.newest_button = QPushButton("最新")
        self.prev_button = QPushButton("上一页")
        self.next_button = QPushButton("下一页")
        for b, handler in ((self.newest_button, self.first_page), (self.prev_button, self.previous_page),
                           (self.next_button, self.next_page)):
            b.clicked.connect(handler)
            pager.addWidget(b)
        self.page_label = QLabel()
        self.page_label.setWordWrap(True)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(actions[2])  # one entry and the export: beside the list they act on
        pager.addWidget(actions[3])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addLayout(chain)
        layout.addWidget(self.view, 1)
        layout.addLayout(pager)

        self.chain: svc.ChainStatus | None = None  # the last check (its ``entries``: how far it reached)
        ctx.data_changed.connect(self._data_changed)
        self._load_choices()
        self.org.currentIndexChanged.connect(self._org_chosen)
        for box in (self.book, self.actor, self.action, self.entity):  # a choice applies at once
            box.currentIndexChanged.connect(self.search)
        if self.ctx.read(svc.audit_size, user=self.ctx.user) <= AUTO_VERIFY_MAX:
            self.verify_chain()
        self.first_page()

    # -- filters ------------------------------------------------------------------------------
    def _load_choices(self) -> None:
        self.choices = self.ctx.read(svc.audit_choices, user=self.ctx.user)
        for box, items, everything in (
                (self.org, self.choices.organisations, "全部组织"),
                (self.actor, [(u, f"{n}（{u}）" if n != u else u) for u, n in self.choices.users], "全部用户"),
                (self.action, self.choices.actions, "全部操作"),
                (self.entity, self.choices.entities, "全部对象")):
            box.blockSignals(True)
            box.clear()
            box.addItem(everything, None)
            for code, label in items:
                box.addItem(label, code)
            box.blockSignals(False)
        self._fill_books()

    def _fill_books(self, *_args: object) -> None:
        org = self.org.currentData()
        self.book.blockSignals(True)
        self.book.clear()
        self.book.addItem("全部账套", None)
        for bid, oid, name in self.choices.books:
            if oid == org:
                self.book.addItem(name, bid)
        self.book.blockSignals(False)
        self.book.setEnabled(org is not None)

    def _org_chosen(self, *_args: object) -> None:
        self._fill_books()
        self.search()

    def current_filter(self) -> svc.AuditFilter:
        org: uuid.UUID | None = self.org.currentData()
        book: uuid.UUID | None = self.book.currentData()
        return svc.AuditFilter(organisation_id=org, book_id=book, actor=self.actor.currentData(),
                               date_from=self.date_from.value(), date_to=self.date_to.value(),
                               action=self.action.currentData(), entity=self.entity.currentData(),
                               text=self.text.text().strip())

    def this_month(self) -> None:
        month = period_of(date.today())
        self.date_from.setValue(period_start(month))
        self.date_to.setValue(period_end(month))
        self.search()

    def clear(self) -> None:
        for box in (self.org, self.actor, self.action, self.entity):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self._fill_books()
        self.date_from.setValue(None)
        self.date_to.setValue(None)
        self.text.clear()
        self.search()

    def search(self) -> None:
        self.first_page()

    # -- pages --------------------------------------------------------------------------------
    def first_page(self) -> None:
        """The newest page (查询, 最新): the chain line is brought up to date too."""
        self._starts = [None]
        self._read_page()
        self._refresh_chain()

    def next_page(self) -> None:
        if self._next is not None:
            self._starts.append(self._next)
            self._read_page()

    def previous_page(self) -> None:
        if len(self._starts) > 1:
            self._starts.pop()
            self._read_page()

    def _read_page(self) -> None:
        try:
            page = self.ctx.read(svc.audit_page, self.current_filter(), user=self.ctx.user, after=self._starts[-1],
                                 limit=PAGE_ROWS)
        except UserError as err:
            show_user_error(self, err)
            return
        self._stale = False
        self.page = page
        self._next = page.last_key
        self.model.set_rows(list(page.rows))
        number = len(self._starts)
        short = f"（已查找 {page.scanned:,} 条记录，按“下一页”继续查找）" \
            if page.last_key is not None and len(page.rows) < PAGE_ROWS else ""
        self.page_label.setText(f"第 {number} 页，{pager_text(page.rows)}{short}")
        self.prev_button.setEnabled(number > 1)
        self.newest_button.setEnabled(number > 1)
        self.next_button.setEnabled(page.last_key is not None)

    def _data_changed(self, _kind: str, _ids: object) -> None:
        """Every save writes an audit entry: the newest page shows it (once the page is seen)."""
        if len(self._starts) == 1:
            if self.isVisible():
                self.first_page()
            else:
                self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.first_page()

    # -- one entry, export, the chain ---------------------------------------------------------
    def show_detail(self) -> None:
        row = self.view.current_row()
        if not isinstance(row, svc.AuditRow):
            show_user_error(self, "请先在列表中选择一条审计记录")
            return
        try:
            detail = self.ctx.read(svc.audit_detail, row.n, user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
            return
        self.detail_dialog = AuditDetailDialog(self.ctx, detail, self)
        self.detail_dialog.open()

    def export(self) -> None:
        try:
            filt = self.current_filter()
        except UserError as err:
            show_user_error(self, err)
            return
        path = save_file_name(self, self.ctx.settings, "audit_xlsx", "导出审计日志",
                              f"审计日志_{date.today():%Y%m%d}.xlsx", XLSX_FILTER)
        if not path:
            return
        from desktop_app.excel.audit_xlsx import export_audit_xlsx

        try:
            count = self.ctx.read(export_audit_xlsx, filt, path, user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
            return
        except OSError as err:
            show_user_error(self, f"无法写入 {path}：{err.strerror or err}")
            return
        self.page_label.setText(f"已导出 {count} 条审计记录：{path}")

    def verify_chain(self) -> None:
        status = self.ctx.read(svc.audit_chain_status, user=self.ctx.user)
        self.chain = status
        self.chain_label.setText(status.text)
        self.chain_label.setStyleSheet("" if status.ok else "color: #b00020; font-weight: bold;")
        self.chain_label.setToolTip("\n".join(status.problems))

    def _refresh_chain(self) -> None:
        """The chain line after 查询/最新: checked again while that is cheap, else its count brought
        up to date (a full check reads every entry; 校验审计链 does it on request)."""
        size = self.ctx.read(svc.audit_size, user=self.ctx.user)
        if self.chain is not None and size == self.chain.entries:
            return
        if size <= REVERIFY_MAX:
            self.verify_chain()
            return
        if self.chain is None:
            self.chain_label.setText(f"审计链尚未校验：共 {size} 条记录（点“校验审计链”校验，需读遍全部记录）")
        elif self.chain.ok:
            self.chain_label.setText(f"审计链校验通过（前 {self.chain.entries} 条）；现共 {size} 条记录，"
                                     f"之后新增的 {size - self.chain.entries} 条点“校验审计链”校验")


def pager_text(rows: tuple[svc.AuditRow, ...]) -> str:
    """What a page holds, plainly: 200 条（记录号 2137 至 1938）, 1 条（记录号 2195）."""
    if not rows:
        return "没有符合条件的记录"
    if len(rows) == 1:
        return f"1 条（记录号 {rows[0].n}）"
    return f"{len(rows)} 条（记录号 {rows[0].n} 至 {rows[-1].n}，从新到旧）"


PAGE = PageSpec("audit_log", "审计日志", 93, AuditLogPage, roles=svc.VIEW_AUDIT)

__all__ = ["PAGE", "AuditDetailDialog", "AuditLogPage"]
