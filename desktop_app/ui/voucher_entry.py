"""Keyboard-first voucher entry: Enter moves to the next cell, "=" in an amount cell balances the
voucher, the account cell completes by code, name or pinyin initials, the 往来单位或个人 cell by the
names already used in the book (it carries down like the 摘要), the 大写 total is shown. A line's
project, contract and asset references, which the form does not show, are kept when it is edited.

The dialog only reads widgets and calls one service (``create_voucher`` / ``update_voucher``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCompleter,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import amount_in_words, format_amount, parse_amount
from desktop_app.core.periods import period_end, period_start
from desktop_app.core.rows_funds import VoucherDetail
from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services import vouchers as svc
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.ui.context import AppContext, UndoEntry
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.permissions import gate
from desktop_app.ui.widgets.dates import DateEdit
from desktop_app.ui.widgets.picker import CompleterPicker

SUMMARY, ACCOUNT, PARTY, DEBIT, CREDIT = range(5)
HEADERS = ("摘要", "会计科目", "往来单位或个人", "借方金额", "贷方金额")
REFS = Qt.ItemDataRole.UserRole + 1  # (project_id, contract_id, asset_id) of a loaded line, on its 摘要 cell
ZERO = Decimal("0.00")
AnyIndex = QModelIndex | QPersistentModelIndex


def _amount(text: str, row: int, field: str) -> Decimal:
    text = (text or "").strip()
    if not text:
        return ZERO
    try:
        return parse_amount(text, field=field, allow_negative=True)
    except ValidationError as err:
        raise ValidationError(err.message, row=row, field=field) from None


class _Delegate(QStyledItemDelegate):
    def __init__(self, grid: VoucherGrid) -> None:
        super().__init__(grid)
        self.grid = grid

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        col = index.column()
        if col == ACCOUNT:
            picker = CompleterPicker(self.grid.accounts, field="科目", parent=parent)
            return picker
        edit = QLineEdit(parent)
        words = self.grid.phrases if col == SUMMARY else self.grid.parties if col == PARTY else []
        if words:
            completer = QCompleter(words, edit)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            edit.setCompleter(completer)
        if col == PARTY:
            edit.setMaxLength(100)
        if col in (DEBIT, CREDIT):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.installEventFilter(self)
            edit.setProperty("cell", (index.row(), col))
        return edit

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if isinstance(obj, QLineEdit) and event.type() == QEvent.Type.KeyPress:
            key = event if isinstance(event, QKeyEvent) else None
            if key is not None and key.text() == "=":
                row, col = obj.property("cell")
                obj.setText(self.grid.balancing_text(row, col))
                return True
        return super().eventFilter(obj, event)

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        if isinstance(editor, CompleterPicker):
            try:
                key = editor.value()
            except ValidationError:
                key = None
            text = editor.display_text(key) if key else editor.text()
            model.setData(index, text)
            return
        super().setModelData(editor, model, index)


class VoucherGrid(QTableWidget):
    """The lines of one voucher. ``lines()`` returns ``LineInput``s or raises ``ValidationError``."""

    def __init__(self, accounts: list[tuple[str, str]], phrases: list[str], parent: QWidget | None = None,
                 parties: list[str] | None = None) -> None:
        super().__init__(5, len(HEADERS), parent)
        self.accounts = accounts
        self.phrases = phrases
        self.parties = parties or []
        self._codes = {CompleterPicker.item_text(k, v): k for k, v in accounts}
        self.setHorizontalHeaderLabels(list(HEADERS))
        for col, width in enumerate((200, 210, 150, 110, 110)):
            self.setColumnWidth(col, width)
        self.setItemDelegate(_Delegate(self))
        self.setEditTriggers(QTableWidget.EditTrigger.AllEditTriggers)
        self.setTabKeyNavigation(True)

    # Enter commits the cell and moves on (a new line is added after the last cell).
    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_next()
            return
        super().closeEditor(editor, hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QTableWidget.State.EditingState:
            self.move_next()
            return
        super().keyPressEvent(event)

    def move_next(self) -> None:
        row, col = self.currentRow(), self.currentColumn()
        if col == SUMMARY and row > 0 and not self.text(row, SUMMARY):
            self.set_text(row, SUMMARY, self.text(row - 1, SUMMARY))  # 摘要 carries down
        if col == ACCOUNT and row > 0 and not self.text(row, PARTY) and self.text(row - 1, PARTY):
            self.set_text(row, PARTY, self.text(row - 1, PARTY))  # so does the counterparty
        col += 1
        if col > CREDIT or (col == CREDIT and self.text(row, DEBIT)):
            row, col = row + 1, SUMMARY
        if row >= self.rowCount():
            self.insertRow(row)
        self.setCurrentCell(row, col)  # the CurrentChanged trigger opens the editor

    def text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item is not None else ""

    def set_text(self, row: int, col: int, text: str) -> None:
        item = self.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            if col in (DEBIT, CREDIT):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, col, item)
        item.setText(text)

    def totals(self, skip: tuple[int, int] | None = None) -> tuple[Decimal, Decimal]:
        d = c = ZERO
        for r in range(self.rowCount()):
            for col in (DEBIT, CREDIT):
                if (r, col) == skip:
                    continue
                try:
                    value = _amount(self.text(r, col), r + 1, HEADERS[col])
                except ValidationError:
                    continue
                d, c = (d + value, c) if col == DEBIT else (d, c + value)
        return d, c

    def balancing_text(self, row: int, col: int) -> str:
        """"=": the amount that makes this line balance the voucher (blank if it would be ≤ 0)."""
        d, c = self.totals(skip=(row, col))
        diff = c - d if col == DEBIT else d - c
        return f"{diff:.2f}" if diff > 0 else ""

    def lines(self) -> list[svc.LineInput]:
        out = []
        for r in range(self.rowCount()):
            texts = [self.text(r, c) for c in range(len(HEADERS))]
            if not any(texts[ACCOUNT:]):
                continue
            code = self._codes.get(texts[ACCOUNT]) or texts[ACCOUNT].split(" ")[0]
            item = self.item(r, SUMMARY)
            refs = item.data(REFS) if item is not None else None
            project_id, contract_id, asset_id = refs if isinstance(refs, tuple) else (None, None, None)
            out.append(svc.LineInput(code, _amount(texts[DEBIT], r + 1, "借方金额"),
                                     _amount(texts[CREDIT], r + 1, "贷方金额"), texts[SUMMARY] or None,
                                     texts[PARTY] or None, project_id, contract_id, asset_id))
        return out

    def load(self, detail: VoucherDetail, names: dict[str, str]) -> None:
        self.setRowCount(max(5, len(detail.lines) + 1))
        for r, ln in enumerate(detail.lines):
            self.set_text(r, SUMMARY, ln.summary or detail.voucher.summary)
            if ln.project_id or ln.contract_id or ln.asset_id:
                self.item(r, SUMMARY).setData(REFS, (ln.project_id, ln.contract_id, ln.asset_id))
            self.set_text(r, PARTY, ln.counterparty or "")
            self.set_text(r, ACCOUNT, CompleterPicker.item_text(ln.account_code, names.get(ln.account_code, "")))
            self.set_text(r, DEBIT, f"{ln.debit:.2f}" if ln.debit else "")
            self.set_text(r, CREDIT, f"{ln.credit:.2f}" if ln.credit else "")


def default_date(period: str | None, today: dt.date | None = None) -> dt.date:
    """A new voucher's date: today when it falls in the selected period, else the period's
    last day (entries of a past month are month-end work) or its first (a month ahead)."""
    today = today or dt.date.today()
    if not period:
        return today
    first, last = period_start(period), period_end(period)
    return min(max(today, first), last)


class VoucherDialog(QDialog):
    """填制 or 修改 one voucher of the context's book."""

    def __init__(self, ctx: AppContext, *, voucher_id: uuid.UUID | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if ctx.book is None:
            raise UserError("请先选择账套")
        self.ctx, self.book, self.voucher_id = ctx, ctx.book, voucher_id
        self.saved_id: uuid.UUID | None = None
        accounts = [a for a in ctx.read(org_svc.list_accounts, self.book.id) if a.active]
        names = {a.code: a.name for a in accounts}
        leaf = [(a.code, a.name) for a in accounts if a.is_leaf]
        self.grid = VoucherGrid(leaf, ctx.read(svc.list_summary_phrases, self.book.id), self,
                                parties=ctx.read(svc.list_counterparties, self.book.id))
        self.date_edit = DateEdit()
        self.date_edit.setValue(default_date(ctx.period))
        self.attach = QSpinBox()
        self.attach.setRange(0, 9999)
        self.attach.setSuffix(" 张")
        self.total_label = QLabel()
        self.words_label = QLabel()
        self.setWindowTitle("记账凭证" + ("（修改）" if voucher_id else "（填制）"))
        head = QHBoxLayout()
        for text, widget in (("日期", self.date_edit), ("附件", self.attach)):
            head.addWidget(QLabel(text))
            head.addWidget(widget)
        head.addStretch(1)
        save, cancel = QPushButton("保存(&S)"), QPushButton("取消")
        self.save_button = save
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        foot = QHBoxLayout()
        foot.addWidget(self.words_label, 1)
        foot.addWidget(self.total_label)
        foot.addWidget(save)
        foot.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.grid, 1)
        layout.addLayout(foot)
        self.grid.itemChanged.connect(lambda _i: self.update_totals())
        self.before: VoucherDetail | None = None  # the voucher as it was when the dialog opened
        if voucher_id is not None:
            detail = self.before = ctx.read(svc.get_voucher, voucher_id)
            self.date_edit.setValue(detail.voucher.voucher_date)
            self.attach.setValue(detail.voucher.attachments)
            self.grid.load(detail, names)
        if not gate(save, ctx, MAKE_VOUCHER):  # a role that may not make vouchers only looks (issue #16)
            self.setWindowTitle("记账凭证（只读）")
            self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.date_edit.setEnabled(False)
            self.attach.setEnabled(False)
        self.resize(900, 420)
        self.update_totals()
        self.grid.setCurrentCell(0, SUMMARY)

    def update_totals(self) -> None:
        d, c = self.grid.totals()
        diff = "" if d == c else f"　差额 {format_amount(d - c)}"
        self.total_label.setText(f"借方合计 {format_amount(d)}　贷方合计 {format_amount(c)}{diff}")
        self.words_label.setText(f"合计（大写）：{amount_in_words(d)}" if d > 0 and d == c else "")

    def save(self) -> None:
        if not self.save_button.isEnabled():  # Ctrl+S of a read-only dialog
            return
        try:
            lines = self.grid.lines()
            summary = next((ln.summary for ln in lines if ln.summary), "") or ""
            day = self.date_edit.value()
            if day is None:
                raise ValidationError("请填写凭证日期", field="日期")
            if self.voucher_id is None:
                row = self.ctx.call(svc.create_voucher, book_id=self.book.id, voucher_date=day, summary=summary,
                                    lines=lines, user=self.ctx.user, attachments=self.attach.value())
            else:
                row = self.ctx.call(svc.update_voucher, self.voucher_id, user=self.ctx.user, voucher_date=day,
                                    summary=summary, lines=lines, attachments=self.attach.value())
        except UserError as err:
            if err.row is not None:
                col = {"科目": ACCOUNT, "往来单位": PARTY, "摘要": SUMMARY}.get(err.field or "", DEBIT)
                self.grid.setCurrentCell(err.row - 1, col)
            show_user_error(self, err)
            return
        self.saved_id = row.id
        self.ctx.saved("voucher", (row.id,), undo=self._undo_entry(row.id))
        self.accept()

    def _undo_entry(self, voucher_id: uuid.UUID) -> UndoEntry:
        """填制 is taken back by 作废 (the number stays, the month's numbering keeps no gap);
        修改 by putting the earlier version back. Either only while nobody changed it since."""
        after, user, before = self.ctx.read(svc.get_voucher, voucher_id), self.ctx.user, self.before
        code = after.voucher.code
        if before is None:
            return UndoEntry(f"填制凭证 {code}（撤销即作废，凭证号保留）", "voucher", (voucher_id,),
                             lambda s: svc.void_voucher(s, voucher_id, user=user, reason="撤销填制", expected=after))
        old = before.voucher
        return UndoEntry(f"修改凭证 {code}", "voucher", (voucher_id,),
                         lambda s: svc.update_voucher(s, voucher_id, user=user, voucher_date=old.voucher_date,
                                                      summary=old.summary, lines=svc.inputs_of(before),
                                                      attachments=old.attachments, expected=after))
