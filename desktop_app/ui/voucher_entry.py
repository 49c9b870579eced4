"""Keyboard-first voucher entry: Enter moves to the next cell, "=" in an amount cell balances the
voucher, the account cell completes by code, name or pinyin initials, the 往来单位或个人 cell by the
names already used in the book (it carries down like the 摘要), the 大写 of the totals and of the
current line are shown while typing (the grid's keys: ``voucher_grid``). A line's
project, contract and asset references, which the form does not show, are kept when it is edited.

The dialog only reads widgets and calls one service (``create_voucher`` / ``update_voucher``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_end, period_start
from desktop_app.core.rows import AccountRow
from desktop_app.core.rows_funds import VoucherDetail
from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services import vouchers as svc
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.ui.context import AppContext, UndoEntry
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.permissions import gate
from desktop_app.ui.voucher_grid import ACCOUNT, CREDIT, DEBIT, HEADERS, PARTY, SUMMARY, VoucherGrid
from desktop_app.ui.widgets.dates import DateEdit
from desktop_app.ui.widgets.money_edit import words_for

__all__ = ["ACCOUNT", "CREDIT", "DEBIT", "HEADERS", "PARTY", "SUMMARY", "VoucherDialog", "VoucherGrid",
           "default_date"]
LOCKED = ("记账", "作废")  # a voucher in these states is only looked at (a posted one is corrected by 红字冲销)


def default_date(period: str | None, today: dt.date | None = None) -> dt.date:
    """A new voucher's date: today when it falls in the selected period, else the period's
    last day (entries of a past month are month-end work) or its first (a month ahead)."""
    today = today or dt.date.today()
    if not period:
        return today
    first, last = period_start(period), period_end(period)
    return min(max(today, first), last)


_PARTY_WORDS = ("应收", "应付", "往来", "借款", "预收", "预付", "暂收", "暂付")


def party_codes(accounts: list[AccountRow]) -> set[str]:
    """The accounts whose lines name a 往来单位或个人: an account under a receivable, payable,
    internal-current or loan account (by name, so 2004 and 2023 charts alike; 51302 办公费 none)."""
    by_id = {a.id: a for a in accounts}
    out: set[str] = set()
    for account in accounts:
        names: list[str] = []
        node: AccountRow | None = account
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        if any(word in name for name in names for word in _PARTY_WORDS):
            out.add(account.code)
    return out


def _words(amount: Decimal) -> str:
    try:
        return words_for(amount)
    except ValueError:  # beyond what 大写 writes, or a fraction of a 分: the totals line says the figure
        return "—"


class VoucherDialog(QDialog):
    """填制 or 修改 one voucher of the context's book; a posted or voided one opens read-only
    (a posted one offers 红字冲销)."""

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
                                parties=ctx.read(svc.list_counterparties, self.book.id),
                                party_codes=party_codes(accounts))
        self.date_edit = DateEdit()
        self.date_edit.setValue(default_date(ctx.period))
        self.attach = QSpinBox()
        self.attach.setRange(0, 9999)
        self.attach.setSuffix(" 张")
        self.attach.installEventFilter(self)  # Enter in 附件 goes on to the lines, as Tab does
        self.total_label = QLabel()
        self.words_label = QLabel()  # the totals' 大写, while typing too
        self.line_label = QLabel()  # the current line's 大写
        for label in (self.words_label, self.line_label):
            label.setObjectName("voucher_words")
        self.setWindowTitle("记账凭证" + ("（修改）" if voucher_id else "（填制）"))
        head = QHBoxLayout()
        for text, widget in (("日期(&D)", self.date_edit), ("附件(&F)", self.attach)):
            label = QLabel(text)
            label.setBuddy(widget)
            head.addWidget(label)
            head.addWidget(widget)
        head.addStretch(1)
        head.addWidget(self.line_label)
        save, cancel = QPushButton("保存(&S)"), QPushButton("取消")
        self.save_button = save
        self.reverse_button = QPushButton("红字冲销(&H)…")
        self.reverse_button.setVisible(False)
        self.reverse_button.clicked.connect(self.reverse)
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        foot = QHBoxLayout()
        foot.addWidget(self.words_label, 1)
        foot.addWidget(self.total_label)
        foot.addWidget(self.reverse_button)
        foot.addWidget(save)
        foot.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.grid, 1)
        layout.addLayout(foot)
        chain = (self.date_edit, self.attach, self.grid, self.reverse_button, save, cancel)
        for first, second in itertools.pairwise(chain):  # Tab from 附件 enters the grid
            QWidget.setTabOrder(first, second)
        self.grid.itemChanged.connect(lambda _i: self.update_totals())
        self.grid.typing.connect(lambda r, c, text: self.update_totals((r, c, text)))
        self.grid.currentCellChanged.connect(lambda *_a: self.update_totals())
        self.before: VoucherDetail | None = None  # the voucher as it was when the dialog opened
        status = None
        if voucher_id is not None:
            detail = self.before = ctx.read(svc.get_voucher, voucher_id)
            status = detail.voucher.status
            self.date_edit.setValue(detail.voucher.voucher_date)
            self.attach.setValue(detail.voucher.attachments)
            self.grid.load(detail, names)
        if status in LOCKED:  # shown as it stands; a posted voucher offers its correction at once
            self.setWindowTitle(f"记账凭证 {detail.voucher.code}（已{status}，只读）")
            save.setVisible(False)
            save.setEnabled(False)
            self.reverse_button.setVisible(status == "记账")
            gate(self.reverse_button, ctx, MAKE_VOUCHER)
            self._read_only()
        elif not gate(save, ctx, MAKE_VOUCHER):  # a role that may not make vouchers only looks (issue #16)
            self.setWindowTitle("记账凭证（只读）")
            self._read_only()
        self.resize(900, 420)
        self.update_totals()
        self.grid.setCurrentCell(0, SUMMARY)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.attach and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.grid.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def _read_only(self) -> None:
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.date_edit.setEnabled(False)
        self.attach.setEnabled(False)

    def update_totals(self, live: tuple[int, int, str] | None = None) -> None:
        """Totals, their 大写 and the current line's 大写, counting the amount being typed."""
        d, c = self.grid.totals(live=live)
        diff = "" if d == c else f"　差额 {format_amount(d - c)}"
        self.total_label.setText(f"借方合计 {format_amount(d)}　贷方合计 {format_amount(c)}{diff}")
        if d == c:
            words = f"合计（大写）：{_words(d)}" if d else ""
        else:
            words = f"借方（大写）：{_words(d)}　贷方（大写）：{_words(c)}"
        self.words_label.setText(words)
        row = live[0] if live is not None else self.grid.currentRow()
        amount = self.grid.line_amount(row, live) if row >= 0 else Decimal(0)
        self.line_label.setText(f"第{row + 1}行（大写）：{_words(amount)}" if amount else "")

    def reverse(self) -> None:
        """红字冲销 of the posted voucher shown: a red copy dated in the current period (not before
        the original), then this dialog closes; the new voucher goes through 审核 and 记账."""
        if self.before is None or not self.reverse_button.isEnabled():
            return
        original = self.before.voucher
        reason, ok = QInputDialog.getText(self, "红字冲销", f"冲销 {original.code} 的原因（将生成一张红字凭证）：")
        if not ok:
            return
        day = max(default_date(self.ctx.period), original.voucher_date)
        try:
            row = self.ctx.call(svc.reverse_voucher, original.id, user=self.ctx.user, voucher_date=day, reason=reason)
        except UserError as err:
            show_user_error(self, err)
            return
        self.saved_id = row.id
        self.ctx.saved("voucher", (row.id,))
        self.accept()

    def save(self) -> None:
        if not self.save_button.isEnabled():  # Ctrl+S of a read-only dialog
            return
        self.grid.commit_editor()
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
