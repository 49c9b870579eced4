"""The dialogs of 结账 and 年终结转 on the 凭证 page.

``CloseMonthDialog`` shows the month-close checklist (✔ met, ✖ refuses the close, ⚠ a warning)
and is itself the confirmation: its 结账 button is enabled only when nothing refuses. In
December, while the year is not carried forward, it offers 年终结转 first. ``YearEndDialog``
shows the closing vouchers 年终结转 would post (step, account, debit, credit) and posts them
when confirmed. Both are opened with ``open()`` (window-modal, not a nested event loop), so the
page goes on when they are accepted.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_label
from desktop_app.core.services.close_checklist import ChecklistItem, can_close, month_close_checklist
from desktop_app.core.services.permissions import CLOSE_PERIOD
from desktop_app.core.services.yearend import YearEndLine, close_year, preview_year_end, year_end_warnings
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import confirm, show_user_error
from desktop_app.ui.permissions import gate

OK_MARK, FAIL_MARK, WARN_MARK = "✔", "✖", "⚠"
_COLORS = {OK_MARK: "#1b7f3b", FAIL_MARK: "#b00020", WARN_MARK: "#b26a00"}
YEAR_END_TITLE = "已年终结转"  # the checklist item that sends December to 年终结转 first


def mark_of(item: ChecklistItem) -> str:
    return OK_MARK if item.ok else (FAIL_MARK if item.blocking else WARN_MARK)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    return table


def _cell(text: str, *, color: str | None = None, right: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color:
        item.setForeground(QBrush(QColor(color)))
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item


class CloseMonthDialog(QDialog):
    """结账检查 of the context's book for ``period``; accepted = the user confirmed 结账."""

    def __init__(self, ctx: AppContext, period: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert ctx.book is not None
        self.ctx, self.period, self.book = ctx, period, ctx.book
        self.setWindowTitle(f"结账 — {self.book.name} {period_label(period)}")
        self.items: list[ChecklistItem] = []
        self.year_end_dialog: YearEndDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{self.book.name}　{period_label(period)}结账前检查："))
        self.table = _table(["", "检查项", "说明"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox()
        self.year_end_button = QPushButton("年终结转(&Y)…")
        self.year_end_button.clicked.connect(self.open_year_end)
        self.close_button = QPushButton("结账(&C)")
        self.close_button.clicked.connect(self.accept)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons.addButton(self.year_end_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.reload()

    def reload(self) -> None:
        self.items = self.ctx.read(month_close_checklist, self.book.id, self.period)
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            mark = mark_of(item)
            self.table.setItem(row, 0, _cell(mark, color=_COLORS[mark], bold=True))
            self.table.setItem(row, 1, _cell(item.title))
            detail = _cell(item.detail, color=None if item.ok else _COLORS[mark])
            detail.setToolTip(item.detail)
            self.table.setItem(row, 2, detail)
        self.table.resizeRowsToContents()
        allowed = can_close(self.items)
        refusals = sum(1 for i in self.items if not i.ok and i.blocking)
        warnings = sum(1 for i in self.items if not i.ok and not i.blocking)
        if not allowed:
            text = f"有 {refusals} 项不满足结账条件（{FAIL_MARK}），处理后才能结账。"
        else:
            text = (f"有 {warnings} 项提醒（{WARN_MARK}），不影响结账。" if warnings else "检查均已通过。") + \
                f"结账后{period_label(self.period)}的凭证将封存，不能再修改；确认结账吗？"
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {_COLORS[FAIL_MARK]}" if not allowed else "")
        self.close_button.setEnabled(allowed and gate(self.close_button, self.ctx, CLOSE_PERIOD))
        self.year_end_button.setVisible(any(i.title == YEAR_END_TITLE and not i.ok for i in self.items))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # once the 说明 column has its width (after this event): wrap long lines instead of eliding
        QTimer.singleShot(0, self.table, self.table.resizeRowsToContents)

    def open_year_end(self) -> None:
        dlg = open_year_end(self.ctx, int(self.period[:4]), self)
        if dlg is not None:
            self.year_end_dialog = dlg
            dlg.accepted.connect(self.reload)


class YearEndDialog(QDialog):
    """年终结转 of ``year``: the preview of the closing vouchers, then 结转 posts them."""

    def __init__(self, ctx: AppContext, year: int, lines: list[YearEndLine], parent: QWidget | None = None,
                 warnings: list[str] | None = None) -> None:
        super().__init__(parent)
        assert ctx.book is not None
        self.ctx, self.year, self.book, self.lines = ctx, year, ctx.book, lines
        self.warnings = warnings or []
        self.setWindowTitle(f"年终结转 — {self.book.name} {year}年度")
        layout = QVBoxLayout(self)
        # December's depreciation not run is a warning, as at the month close: shown, asked again on 结转.
        self.warning_label = QLabel("\n".join(f"{WARN_MARK} {w}" for w in self.warnings))
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(f"color: {_COLORS[WARN_MARK]}; font-weight: bold;")
        self.warning_label.setVisible(bool(self.warnings))
        layout.addWidget(self.warning_label)
        steps = list(dict.fromkeys(ln.step for ln in lines))
        layout.addWidget(QLabel(f"将生成 {len(steps)} 张结转凭证（日期 {year}-12-31，由系统审核、记账）："))
        self.table = _table(["凭证", "科目编码", "科目名称", "借方金额", "贷方金额"])
        header = self.table.horizontalHeader()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setRowCount(len(lines) + 1)
        zero = Decimal("0.00")
        for row, ln in enumerate(lines):
            self.table.setItem(row, 0, _cell(ln.step))
            self.table.setItem(row, 1, _cell(ln.account_code))
            self.table.setItem(row, 2, _cell(ln.account_name))
            self.table.setItem(row, 3, _cell(format_amount(ln.debit, blank_zero=True), right=True))
            self.table.setItem(row, 4, _cell(format_amount(ln.credit, blank_zero=True), right=True))
        self.debit_total = sum((ln.debit for ln in lines), zero)
        self.credit_total = sum((ln.credit for ln in lines), zero)
        last = len(lines)
        self.table.setItem(last, 0, _cell("合计", bold=True))
        self.table.setItem(last, 3, _cell(format_amount(self.debit_total), right=True, bold=True))
        self.table.setItem(last, 4, _cell(format_amount(self.credit_total), right=True, bold=True))
        layout.addWidget(self.table, 1)
        note = QLabel("损益类科目结转至“本年收益”，本年收益和各项分配结转至“收益分配——未分配收益”。"
                      "结转后即可结账12月；如需补记，反结账12月后再次结转只结转差额。")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox()
        self.confirm_button = QPushButton("结转(&T)")
        self.confirm_button.clicked.connect(self.carry_forward)
        gate(self.confirm_button, ctx, CLOSE_PERIOD)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.resize(760, 460)

    def carry_forward(self) -> None:
        if self.warnings and not confirm(self, "\n".join(self.warnings) + "\n\n建议先计提12月折旧（资产 → 计提折旧）；结转后再计提，需要再次结转。仍要结转吗？",
                                         title="年终结转"):
            return
        try:
            self.ctx.call(close_year, self.book.id, self.year, user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
            return
        self.ctx.notify("voucher")
        self.accept()


def open_year_end(ctx: AppContext, year: int, parent: QWidget | None) -> YearEndDialog | None:
    """Preview 年终结转 of ``year`` in a dialog (opened, not run); None when there is nothing to carry
    (the reason shown)."""
    if ctx.book is None:
        return None
    try:
        lines = ctx.read(preview_year_end, ctx.book.id, year)
        warnings = ctx.read(year_end_warnings, ctx.book.id, year)
    except UserError as err:
        show_user_error(parent, err)
        return None
    dlg = YearEndDialog(ctx, year, lines, parent, warnings)
    dlg.open()
    return dlg
