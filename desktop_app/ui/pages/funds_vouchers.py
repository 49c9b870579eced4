"""凭证: the vouchers of the current book and month; 填制, 修改, 审核, 记账, 作废, 红字冲销, 结账 (after
its checklist), 反结账, 年终结转 (after its preview); 期初余额; 年度财务计划.

The 合计 leaves 作废 vouchers out; 来源 names the module that made an automatic voucher. The list
follows every ``data_changed`` (a receipt or an asset purchase made on another page shows here
without F5): at once while the page is shown, else when the main window shows it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.periods import period_label
from desktop_app.core.rows_funds import VoucherRow
from desktop_app.core.services import book_settings
from desktop_app.core.services import periods as period_svc
from desktop_app.core.services import vouchers as svc
from desktop_app.core.services.permissions import (
    CLOSE_PERIOD,
    MAKE_VOUCHER,
    POST_VOUCHER,
    REOPEN_PERIOD,
    REVIEW_VOUCHER,
    Roles,
)
from desktop_app.ui.close_dialogs import CloseMonthDialog, YearEndDialog, open_year_end
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, follow_period
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.import_dialog import ImportRun, import_button, save_template
from desktop_app.ui.ledger_print import add_voucher_outputs
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.permissions import gate
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.voucher_entry import VoucherDialog
from desktop_app.ui.widgets.dates import PeriodPicker
from desktop_app.ui.widgets.flow import FlowLayout


def source_label(v: VoucherRow) -> str:
    label = svc.source_kind_label(v.source_kind)  # core's one word per source kind, as the audit trail
    return f"{label}（冲销）" if v.reversal_of_id is not None else label


# Widths: the least each column takes; names, codes and dates are fitted to their text, and the
# 摘要 takes the width the others leave (elided, its whole text in a tooltip): the ten columns fit
# the page beside the page list at any window width (R4: 特殊事项 was cut off at 1280, 来源 at 1152)
COLUMNS = [
    Column("voucher_date", "日期", "date"),
    Column("code", "凭证号"),
    Column("summary", "摘要", "pinyin-text", width=200, fit=False),
    Column("total", "金额", "money", total=True, width=100, total_if=lambda v: v.status != "作废"),
    Column("attachments", "附件", "int", width=44),
    Column("status", "状态"),
    Column("maker_name", "制单", "pinyin-text"),
    Column("reviewer_name", "审核", "pinyin-text"),
    Column("source", "来源", getter=source_label),
    Column("flags", "特殊事项", formatter=lambda f: "、".join(f)),
]


# buttons that act on the chosen month's vouchers: disabled on a closed month (action, tooltip when open)
_OPEN_MONTH_ONLY = {
    "填制(&N)": ("填制凭证", "填制一张新凭证（Ctrl+N）"), "审核(&R)": ("审核凭证", "审核选中的凭证"),
    "取消审核": ("取消审核", "取消选中凭证的审核"), "记账(&P)": ("记账", "将选中的已审核凭证记账"),
    "作废": ("作废凭证", "作废选中的未记账凭证"), "结账": ("再次结账", "检查后结账"),
}


SUMMARY = next(i for i, c in enumerate(COLUMNS) if c.key == "summary")


class VoucherModel(RowTableModel):
    """The month's vouchers: a 摘要 cell's tooltip is its whole text (the column may elide it)."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == SUMMARY:
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)


class VouchersPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.model = VoucherModel(COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:vouchers")
        self.view.table.horizontalHeader().setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        self.view.row_activated.connect(lambda _r: self.edit())
        self.period = PeriodPicker(ctx.period)
        self.period.changed.connect(lambda _p: self.reload())
        follow_period(ctx, self.period)
        self.status = QLabel()
        self.status.setWordWrap(True)  # a long 已结账 line must not push the buttons beside it off the page
        self.stick_offer: QDialog | None = None  # after a month close: copy a backup to a USB stick
        self.close_dialog: CloseMonthDialog | None = None
        self.year_end_dialog: YearEndDialog | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.allowed: dict[str, bool] = {}  # by role: a closed month must not re-enable a gated button
        # the month's actions wrap onto a second line on a narrow window (FlowLayout): in one
        # fixed row they made the main window wider than a 1280-pixel screen
        bar = FlowLayout()
        period_label = QLabel("会计期间")
        bar.addWidget(period_label)
        bar.addWidget(self.period)
        bar.keep_together(period_label, self.period)
        actions: list[tuple[str, Callable[[], None], str | None, Roles]] = [
            ("填制(&N)", self.new, "Ctrl+N", MAKE_VOUCHER), ("修改(&M)", self.edit, None, MAKE_VOUCHER),
            ("审核(&R)", self.review, None, REVIEW_VOUCHER), ("取消审核", self.unreview, None, REVIEW_VOUCHER),
            ("记账(&P)", self.post, None, POST_VOUCHER), ("作废", self.void, None, MAKE_VOUCHER),
            ("红字冲销", self.reverse, None, MAKE_VOUCHER), ("结账", self.close_month, None, CLOSE_PERIOD),
            ("反结账", self.reopen_month, None, REOPEN_PERIOD), ("期初余额", self.opening, None, ())]
        for text, handler, key, roles in actions:
            btn = QPushButton(text)
            btn.clicked.connect(handler)
            if key:  # beside the mnemonic: setShortcut would replace Alt+N with Ctrl+N (issue #17)
                QShortcut(QKeySequence(key), btn, btn.click)
            self.allowed[text] = gate(btn, ctx, roles) if roles else True
            self.buttons[text] = btn
            if text != "期初余额":  # a book's, not a month's: on the second row, beside 年终结转
                bar.addWidget(btn)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        # the status on its own line: beside the buttons it was squeezed to wrap mid-word (未结/账)
        layout.addWidget(self.status)
        status_bar = QHBoxLayout()  # its own line: the toolbar must fit a 1280-pixel screen
        self.auto_review = QCheckBox("自动凭证送审核")
        self.auto_review.setToolTip("勾选：收款、资产购置、折旧等模块生成的凭证与手工凭证一样须审核、记账；"
                                    "不勾选：由系统自动审核、记账")
        gate(self.auto_review, ctx, book_settings.SET_BOOK_SETTINGS)
        self.auto_review.clicked.connect(self.set_auto_review)
        status_bar.addWidget(self.auto_review)
        self.runner = TaskRunner(self)
        self.importer: ImportRun | None = None
        import_vouchers = import_button("导入凭证(&I)…", "btn_import_vouchers", self.import_vouchers,
                                        lambda: save_template(self, self.ctx, "vouchers"), self)
        import_vouchers.setToolTip("从Excel日记账导入凭证（按日期、凭证号、摘要、科目、借贷金额），导入后为未审核")
        gate(import_vouchers, ctx, MAKE_VOUCHER)
        status_bar.addWidget(import_vouchers)
        status_bar.addWidget(self.buttons["期初余额"])
        year_end = QPushButton("年终结转(&Y)…")
        year_end.clicked.connect(self.year_end)
        gate(year_end, ctx, CLOSE_PERIOD)
        status_bar.addWidget(year_end)
        plan = QPushButton("年度财务计划(&J)…")
        plan.clicked.connect(self.plan)
        status_bar.addWidget(plan)
        self.outputs = add_voucher_outputs(self, status_bar)  # 打印/导出 the 记账凭证
        status_bar.addStretch(1)
        layout.addLayout(status_bar)
        layout.addWidget(self.view, 1)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.context_changed.connect(self.reload)
        self.reload()

    def _on_data_changed(self, _kind: str, _ids: object) -> None:
        # any module may have made a voucher (a receipt, a purchase, a run): every change counts;
        # while the page is hidden the main window reloads it when it is shown again
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        book = self.ctx.book
        if book is None:
            self.model.set_rows([])
            self.status.setText("请先选择账套")
            return
        p = self.period.value()
        self.model.set_rows(self.ctx.read(svc.list_vouchers, book.id, p, p))
        st = self.ctx.read(period_svc.period_status, book.id, p)
        self._show_state(book.name, p, st.is_closed, st.closed_by)
        self.auto_review.setChecked(not self.ctx.read(book_settings.auto_vouchers_posted, book.id))

    def set_auto_review(self, checked: bool) -> None:
        if self.ctx.book is None:
            return
        value = book_settings.AUTO_REVIEW if checked else book_settings.AUTO_POST
        try:
            self.ctx.call(book_settings.set_auto_vouchers, self.ctx.book.id, value, user=self.ctx.user)
        except UserError as err:
            show_user_error(self, err)
        self.ctx.notify("book_setting")

    def _show_state(self, book_name: str, period: str, closed: bool, closed_by: str | None) -> None:
        """Closed or open at a glance: the status line, and the button that applies stands out."""
        label = period_label(period)
        if closed:
            self.status.setText(f"{book_name}：{label}已结账（{closed_by or '—'}），凭证不能再修改；"
                                "如需补记，请由审核员“反结账”")
            self.status.setStyleSheet("color: #b00020; font-weight: bold")
        else:
            self.status.setText(f"{book_name}：{label}未结账")
            self.status.setStyleSheet("")
        # nothing of a closed month can change: say so on the button instead of refusing after a click
        for text, (action, tip) in _OPEN_MONTH_ONLY.items():
            btn = self.buttons[text]
            if not self.allowed[text]:
                continue
            btn.setEnabled(not closed)
            btn.setToolTip(f"{label}已结账，不能{action}；如需补记，请由审核员反结账" if closed else tip)
        for text, emphasis, tip in (("结账", not closed, f"检查后结账{label}"),
                                    ("反结账", closed, f"{label}已结账，可反结账（须填写原因）" if closed
                                     else f"{label}尚未结账，无需反结账")):
            btn = self.buttons[text]
            font = btn.font()
            font.setBold(emphasis)
            btn.setFont(font)
            if btn.isEnabled():  # a role-gated button keeps the tooltip naming who may
                btn.setToolTip(tip)

    def _selected(self) -> VoucherRow | None:
        row = self.view.current_row()
        if not isinstance(row, VoucherRow):
            show_user_error(self, "请先在列表中选择一张凭证")
            return None
        return row

    def _do(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        try:
            self.ctx.call(fn, *args, **kwargs)
        except UserError as err:
            show_user_error(self, err)
            return False
        self.ctx.notify("voucher")
        return True

    def new(self) -> None:
        try:
            VoucherDialog(self.ctx, parent=self).exec()
        except UserError as err:
            show_user_error(self, err)

    def edit(self) -> None:
        v = self._selected()
        if v is not None:
            VoucherDialog(self.ctx, voucher_id=v.id, parent=self).exec()

    def review(self) -> None:
        if (v := self._selected()) is not None:
            self._do(svc.review_voucher, v.id, user=self.ctx.user)

    def unreview(self) -> None:
        if (v := self._selected()) is not None:
            self._do(svc.unreview_voucher, v.id, user=self.ctx.user)

    def post(self) -> None:
        if (v := self._selected()) is not None:
            self._do(svc.post_voucher, v.id, user=self.ctx.user)

    def void(self) -> None:
        if (v := self._selected()) is not None:
            reason, ok = QInputDialog.getText(self, "作废凭证", "作废原因：")
            if ok:
                self._do(svc.void_voucher, v.id, user=self.ctx.user, reason=reason)

    def reverse(self) -> None:
        if (v := self._selected()) is not None:
            try:  # why it cannot be reversed (a module's voucher, already reversed …) before asking why to
                self.ctx.read(svc.check_reversible, v.id)
            except UserError as err:
                show_user_error(self, err)
                return
            reason, ok = QInputDialog.getText(self, "红字冲销", "冲销原因（将生成一张红字凭证）：")
            if ok:
                self._do(svc.reverse_voucher, v.id, user=self.ctx.user, voucher_date=dt.date.today(), reason=reason)

    def import_vouchers(self) -> None:
        """从Excel导入凭证 into the current book through the generic import dialog."""
        self.importer = ImportRun(self, self.ctx, self.runner, "vouchers", notify="voucher",
                                  options={"user": self.ctx.user})  # the 制单人 of the imported vouchers
        self.importer.start()

    def opening(self) -> None:
        # imported on use: it brings openpyxl, which start-up does not need
        from desktop_app.ui.pages.funds_opening import open_opening_dialog

        open_opening_dialog(self.ctx, self)

    def plan(self) -> None:
        from desktop_app.ui.pages.funds_plan import open_plan_dialog  # imported on use: openpyxl

        open_plan_dialog(self.ctx, self, year=int(self.period.value()[:4]))

    def close_month(self) -> None:
        """The checklist first (it is the confirmation); 结账 when the user confirms it."""
        if self.ctx.book is None:
            return
        period = self.period.value()
        self.close_dialog = CloseMonthDialog(self.ctx, period, self)
        self.close_dialog.accepted.connect(lambda: self._close_confirmed(period))
        self.close_dialog.open()

    def year_end(self) -> None:
        period = self.period.value()
        if not period.endswith("-12"):  # the closing vouchers are dated 12-31 and December closes on them
            show_user_error(self, f"年终结转在12月进行：请将会计期间切换到{period[:4]}年12月")
            return
        self.year_end_dialog = open_year_end(self.ctx, int(period[:4]), self)

    def _close_confirmed(self, period: str) -> None:
        if self.ctx.book is None:
            return
        if not self._do(period_svc.close_period, self.ctx.book.id, period, user=self.ctx.user):
            return
        self.ctx.notify("period")
        # the close is committed: a 月末结账 backup beside the file, then the offer of a stick copy
        from desktop_app.core.services.backups import backup_quietly  # imported on use
        from desktop_app.ui.backup_dialogs import offer_stick_copy

        if self.ctx.db.is_file:
            backup_quietly(self.ctx.db.path, "month-close")
            self.stick_offer = offer_stick_copy(self.ctx, self, period_label(period))

    def reopen_month(self) -> None:
        if self.ctx.book is not None:
            reason, ok = QInputDialog.getText(self, "反结账", "反结账原因（将在财务公开中注明）：")
            if ok:
                self._do(period_svc.reopen_period, self.ctx.book.id, self.period.value(), user=self.ctx.user,
                         reason=reason)
                self.ctx.notify("period")


PAGE = PageSpec("vouchers", "凭证", 20, VouchersPage)
