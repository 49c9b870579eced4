"""The lines of a 记账凭证 as the accountant's old software had them under her fingers.

Enter commits the cell and moves on (摘要 → 科目 → 往来 → 借方 → 贷方 → next line; a debit skips
the credit, an account that keeps no 往来 skips the 往来 cell; a new line is added after the last);
Tab into the grid opens the current cell; the 摘要 and the counterparty carry down; "=" in
an amount cell balances the voucher, and arriving at the amounts of a line whose both sides are
empty while the voucher is out of balance puts the difference on the side that balances it
(auto-balance: the last line of a voucher needs no arithmetic). An amount cell, once left, shows
its amount as 12,345.60, right-aligned; while one is typed, ``typing`` reports the live text so
the dialog can show the 大写 of the line and of the totals at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QCompleter,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop_app.core.errors import ValidationError
from desktop_app.core.money import format_amount, parse_amount
from desktop_app.core.rows_funds import VoucherDetail
from desktop_app.core.services import vouchers as svc
from desktop_app.ui.widgets.picker import CompleterPicker

SUMMARY, ACCOUNT, PARTY, DEBIT, CREDIT = range(5)
HEADERS = ("摘要", "会计科目", "往来单位或个人", "借方金额", "贷方金额")
REFS = Qt.ItemDataRole.UserRole + 1  # (project_id, contract_id, asset_id) of a loaded line, on its 摘要 cell
ZERO = Decimal("0.00")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
AnyIndex = QModelIndex | QPersistentModelIndex


def _amount(text: str, row: int, field: str) -> Decimal:
    text = (text or "").strip()
    if not text:
        return ZERO
    try:
        return parse_amount(text, field=field, allow_negative=True)
    except ValidationError as err:
        raise ValidationError(err.message, row=row, field=field) from None


def shown_amount(text: str) -> str:
    """How an amount cell shows what was typed: 12,345.60 (a red amount -12,345.60); blank for
    zero; text that is no amount stays as typed (saving names its line)."""
    try:
        value = parse_amount(text, allow_negative=True) if text.strip() else ZERO
    except ValidationError:
        return text
    return format_amount(value) if value else ""


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
            edit.setAlignment(RIGHT)
            edit.installEventFilter(self)
            row = index.row()
            edit.setProperty("cell", (row, col))
            edit.textChanged.connect(lambda text: self.grid.typing.emit(row, col, text))
        return edit

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        super().setEditorData(editor, index)
        if isinstance(editor, QLineEdit) and index.column() in (DEBIT, CREDIT):
            editor.setText(editor.text().replace(",", ""))  # typed over as digits, shown with separators
            editor.selectAll()

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
        if isinstance(editor, QLineEdit) and index.column() in (DEBIT, CREDIT):
            model.setData(index, shown_amount(editor.text().strip()))
            model.setData(index, RIGHT, Qt.ItemDataRole.TextAlignmentRole)
            return
        super().setModelData(editor, model, index)


class VoucherGrid(QTableWidget):
    """The lines of one voucher. ``lines()`` returns ``LineInput``s or raises ``ValidationError``."""

    typing = Signal(int, int, str)  # row, column, live text of an amount cell being typed

    def __init__(self, accounts: list[tuple[str, str]], phrases: list[str], parent: QWidget | None = None,
                 parties: list[str] | None = None, party_codes: set[str] | None = None) -> None:
        super().__init__(5, len(HEADERS), parent)
        self.accounts = accounts
        self.party_codes = party_codes  # the accounts kept by 往来单位或个人; None: every account
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

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Tabbed into (from 附件, or back from 保存): the current cell opens for typing, so a
        keyboard-only user goes on typing the 摘要 instead of landing on a closed grid."""
        super().focusInEvent(event)
        tabbed = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
        if tabbed and self.editTriggers() != QTableWidget.EditTrigger.NoEditTriggers \
                and self.state() != QTableWidget.State.EditingState:
            if not self.currentIndex().isValid():
                self.setCurrentCell(0, SUMMARY)
            self.edit(self.currentIndex())

    def commit_editor(self) -> None:
        """The cell being typed is written (saving with Ctrl+S / Alt+S reads every cell)."""
        editor = QApplication.focusWidget()
        if self.state() == QTableWidget.State.EditingState and editor is not None \
                and self.viewport().isAncestorOf(editor):
            self.commitData(editor)
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def takes_party(self, row: int) -> bool:
        """Whether the line's account keeps 往来单位或个人 (an account not in the chart: yes)."""
        text = self.text(row, ACCOUNT)
        code = self._codes.get(text) or text.split(" ")[0]
        known = {k for k, _v in self.accounts}
        return self.party_codes is None or code in self.party_codes or code not in known

    def move_next(self) -> None:
        row, col = self.currentRow(), self.currentColumn()
        if col == SUMMARY and row > 0 and not self.text(row, SUMMARY):
            self.set_text(row, SUMMARY, self.text(row - 1, SUMMARY))  # 摘要 carries down
        if col == ACCOUNT and row > 0 and not self.text(row, PARTY) and self.text(row - 1, PARTY) \
                and self.takes_party(row):
            self.set_text(row, PARTY, self.text(row - 1, PARTY))  # so does the counterparty
        col += 1
        if col == PARTY and not self.text(row, PARTY) and not self.takes_party(row):
            col = DEBIT  # 51302 办公费 has no 往来: Enter goes on to the amount
        if col > CREDIT or (col == CREDIT and self.text(row, DEBIT)):
            row, col = row + 1, SUMMARY
        if row >= self.rowCount():
            self.insertRow(row)
        if col == DEBIT:
            col = self.auto_balance(row)
        self.setCurrentCell(row, col)  # the CurrentChanged trigger opens the editor

    def auto_balance(self, row: int) -> int:
        """Arriving at the amounts of a line with an account and both sides empty while the
        voucher is out of balance: the difference goes on the side that balances it. Returns
        the column to edit (the filled side, so the accountant only confirms or types over)."""
        if not self.text(row, ACCOUNT) or self.text(row, DEBIT) or self.text(row, CREDIT):
            return DEBIT
        d, c = self.totals()
        if d == c:
            return DEBIT
        col = DEBIT if c > d else CREDIT
        self.set_text(row, col, format_amount(abs(d - c)))
        return col

    def text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item is not None else ""

    def set_text(self, row: int, col: int, text: str) -> None:
        item = self.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            if col in (DEBIT, CREDIT):
                item.setTextAlignment(RIGHT)
            self.setItem(row, col, item)
        item.setText(shown_amount(text) if col in (DEBIT, CREDIT) else text)

    def totals(self, skip: tuple[int, int] | None = None,
               live: tuple[int, int, str] | None = None) -> tuple[Decimal, Decimal]:
        """Debit and credit totals of the valid amounts; ``skip`` leaves one cell out, ``live``
        puts the text being typed in place of its cell's."""
        d = c = ZERO
        for r in range(self.rowCount()):
            for col in (DEBIT, CREDIT):
                if (r, col) == skip:
                    continue
                text = live[2] if live is not None and live[:2] == (r, col) else self.text(r, col)
                try:
                    value = _amount(text, r + 1, HEADERS[col])
                except ValidationError:
                    continue
                d, c = (d + value, c) if col == DEBIT else (d, c + value)
        return d, c

    def line_amount(self, row: int, live: tuple[int, int, str] | None = None) -> Decimal:
        """The amount of one line (its debit or credit), the typed text counting."""
        total = ZERO
        for col in (DEBIT, CREDIT):
            text = live[2] if live is not None and live[:2] == (row, col) else self.text(row, col)
            try:
                total += _amount(text, row + 1, HEADERS[col])
            except ValidationError:
                pass
        return total

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
            if (item := self.item(r, SUMMARY)) is not None and (ln.project_id or ln.contract_id or ln.asset_id):
                item.setData(REFS, (ln.project_id, ln.contract_id, ln.asset_id))
            self.set_text(r, PARTY, ln.counterparty or "")
            self.set_text(r, ACCOUNT, CompleterPicker.item_text(ln.account_code, names.get(ln.account_code, "")))
            self.set_text(r, DEBIT, f"{ln.debit:.2f}" if ln.debit else "")
            self.set_text(r, CREDIT, f"{ln.credit:.2f}" if ln.credit else "")
