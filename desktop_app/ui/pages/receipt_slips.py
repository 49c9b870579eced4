"""收款收据: the book's receipt slips by number for a month (收据登记簿), printed to PDF (a reprint says
补打), voided with a reason (the number stays), issued for a receipt recorded without one (补开),
and checked against the month's receipts and vouchers. The contracts page's receipt list opens
the same print and void actions (:func:`receipt_slip_buttons`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from desktop_app.core.rows_contracts import ContractRow, ReceiptRow
from desktop_app.core.services import receipt_slips as svc
from desktop_app.core.services.permissions import MAKE_VOUCHER, Roles
from desktop_app.core.services.receipt_slip_check import close_checklist_items, receipts_without_slip
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, follow_period
from desktop_app.ui.errors import confirm, show_user_error
from desktop_app.ui.file_dialogs import PDF_FILTER, save_file_name
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.contracts_forms import combo
from desktop_app.ui.permissions import gate_buttons
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets import DateEdit
from desktop_app.ui.widgets.buttons import button_row
from desktop_app.ui.widgets.dates import PeriodPicker

KIND = "receipt_slip"  # the data_changed kind
COLUMNS = [
    Column("number", "收据号", width=95), Column("received_on", "收款日期", "date", width=90),
    Column("payer", "交款单位（人）", "pinyin-text", width=130), Column("amount", "金额", "money", total=True, total_if=lambda r: r.status != "作废"),
    Column("purpose", "收款事由", width=220), Column("method", "方式", width=45),
    Column("contract_number", "合同编号", width=90), Column("voucher_label", "记账凭证", width=110),
    Column("collector", "经手人", width=70), Column("status", "状态", width=45),
    Column("print_count", "打印次数", "int", width=60), Column("void_reason", "作废原因", width=150),
]
GATES: dict[str, Roles] = {"btn_slip_print": MAKE_VOUCHER, "btn_slip_void": MAKE_VOUCHER,
                           "btn_slip_issue": MAKE_VOUCHER, "btn_slip_missing": MAKE_VOUCHER}


def print_to_pdf(parent: QWidget, ctx: AppContext, slips: list[svc.SlipRow], layout: str = "a4",
                 path: str | None = None) -> Path | None:
    """Print these slips to a PDF the user names (each print counted; the later ones say 补打)."""
    if not slips:
        show_user_error(parent, "请先选择要打印的收据")
        return None
    if path is None:
        suggested = f"收款收据_No.{slips[0].number}" + (f"等{len(slips)}张" if len(slips) > 1 else "") + ".pdf"
        path = save_file_name(parent, ctx.settings, "receipt_pdf", "打印收款收据（保存 PDF）", suggested, PDF_FILTER)
        if not path:
            return None
    from desktop_app.reports.receipt_pdf import write_receipt_pdf  # reportlab only when printing

    ctx.call(write_receipt_pdf, [s.id for s in slips], path, user=ctx.user, layout=layout)
    ctx.notify(KIND, tuple(s.id for s in slips))
    return Path(path)


def void_dialog(parent: QWidget, ctx: AppContext, slip: svc.SlipRow) -> FormDialog | None:
    """作废 with a reason (the number stays; the slip prints 作废 from now on)."""
    if slip.status == "作废":
        show_user_error(parent, f"收据 No.{slip.number} 已作废")
        return None
    reason = QLineEdit()
    reason.setMaxLength(150)
    reason.setPlaceholderText("如：金额写错，已收回原收据")

    def save(v: dict[str, Any]) -> svc.SlipRow:
        row = ctx.call(svc.void_slip, slip.id, reason=v["reason"], user=ctx.user)
        ctx.notify(KIND, (slip.id,))
        return row

    dialog = FormDialog(f"作废收据 No.{slip.number}（{slip.payer} {slip.amount} 元）",
                        [Field("reason", "作废原因", reason, required=True)], save, parent=parent)
    dialog.setObjectName("void_slip_form")
    return dialog


# -- the contracts page's receipt list ----------------------------------------------------------
def _receipt_slip(page: Any, *, issue: bool) -> svc.SlipRow | None:
    row = page.receipts.current_row()
    if not isinstance(row, ReceiptRow):
        show_user_error(page, "请先在收款记录中选择一笔收款")
        return None
    live = [s for s in page.ctx.read(svc.slips_of_source, "contract_receipt", row.id) if s.status == "正常"]
    if live:
        return live[-1]
    if not issue or not confirm(page, f"{row.received_on:%Y-%m-%d} 的收款 {row.amount} 元还没有收款收据，现在补开？"):
        return None
    slip = page.ctx.call(svc.issue_slips, "contract_receipt", [row.id], user=page.ctx.user,
                         on=max(dt.date.today(), row.received_on))[0]
    page.ctx.notify(KIND, (slip.id,))
    return slip


SLIP_COLUMNS = [Column("slip_no", "收据号", width=90), Column("slip_status", "收据状态", width=180)]  # a receipt's slip


def contract_receipts(ctx: AppContext, contract_id: Any) -> list[svc.ReceiptSlipState]:
    """The contract's receipts for a list with :data:`SLIP_COLUMNS`: each with its slip's number and state."""
    return ctx.read(svc.receipts_with_slips, contract_id)


def reload_receipts(ctx: AppContext, view: LedgerView, contract: Any) -> None:
    """Read a contract's receipt list again (a slip was printed or voided), keeping the chosen receipt."""
    chosen = view.current_row()
    view.model().set_rows(contract_receipts(ctx, contract.id) if isinstance(contract, ContractRow) else [])
    at = view.model().find_row(lambda r: r.id == chosen.id) if isinstance(chosen, ReceiptRow) else -1
    if at >= 0:
        view.select_row(at)


def receipts_tab(parent: QWidget, view: QWidget, buttons: Any) -> QWidget:
    """The 收款记录 tab of a page: its buttons (a layout) over its receipt list."""
    tab = QWidget(parent)
    lay = QVBoxLayout(tab)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addLayout(buttons)
    lay.addWidget(view, 1)
    return tab


def receipt_slip_buttons(page: Any) -> list[tuple[str, Any, str]]:
    """打印收据 / 作废收据 for a page with a ``receipts`` list of ReceiptRow and a ``ctx``."""
    def print_one() -> None:
        slip = _receipt_slip(page, issue=True)
        if slip is not None:
            print_to_pdf(page, page.ctx, [slip])

    def void_one() -> None:
        slip = _receipt_slip(page, issue=False)
        if slip is None:
            show_user_error(page, "这笔收款没有未作废的收据")
            return
        dialog = void_dialog(page, page.ctx, slip)
        if dialog is not None:
            dialog.open()

    return [("打印收据", print_one, "btn_print_slip"), ("作废收据", void_one, "btn_void_slip")]


# -- the page -----------------------------------------------------------------------------------
class ReceiptSlipsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.period = PeriodPicker(ctx.period)
        follow_period(ctx, self.period)
        self.period.changed.connect(lambda _p: self.reload())
        self.status_box = combo(["正常", "作废"], empty="全部状态")
        self.status_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.layout_box = combo([(text.split("，")[0], key) for key, text in svc.LAYOUTS.items()])
        self.layout_box.setToolTip("\n".join(svc.LAYOUTS.values()))
        bar = button_row([("打印收据…", self.print_selected, "btn_slip_print"), ("作废…", self.void, "btn_slip_void"),
                          ("补开收据…", self.issue, "btn_slip_issue"),
                          ("本月未开的全部补开", self.issue_missing, "btn_slip_missing"),
                          ("核对", self.reload, "btn_slip_check")])
        for w in (self.layout_box, QLabel("版式："), self.status_box, self.period, QLabel("收款月份：")):
            bar.insertWidget(0, w)
        self.check_label = QLabel()
        self.check_label.setObjectName("slip_check")
        self.check_label.setWordWrap(True)
        self.view = LedgerView(RowTableModel(COLUMNS), settings=ctx.settings, settings_key="table:receipt_slips",
                               filter_placeholder="筛选：收据号、交款人或拼音首字母")
        self.view.setObjectName("receipt_slips")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.check_label)
        layout.addWidget(self.view, 1)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in (KIND, "refresh", "voucher",
                                                                               "contract") else None)
        ctx.context_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        book, period = self.ctx.book, self.period.value()
        if book is None or len(period) != 7:
            self.view.model().set_rows([])
            self.check_label.setText("请先选择账套和月份")
            return
        self.view.model().set_rows(self.ctx.read(svc.list_slips, book.id, period_from=period, period_to=period,
                                                 status=self.status_box.currentData() or None))
        item = self.ctx.read(close_checklist_items, book.id, period)[0]
        self.check_label.setText(f"{'✓' if item.ok else '⚠'} {item.title}：{item.detail}")
        self.check_label.setStyleSheet("" if item.ok else "color: #a15c00")

    def selected(self) -> list[svc.SlipRow]:
        row = self.view.current_row()
        return [row] if isinstance(row, svc.SlipRow) else []

    def print_selected(self, path: str | None = None) -> Path | None:
        return print_to_pdf(self, self.ctx, self.selected(), self.layout_box.currentData(), path)

    def void(self) -> None:
        slips = self.selected()
        if not slips:
            show_user_error(self, "请先选择要作废的收据")
            return
        dialog = void_dialog(self, self.ctx, slips[0])
        if dialog is not None:
            dialog.open()

    def issue(self) -> FormDialog | None:
        """补开 for one receipt named by its voucher number in the month (other income included)."""
        book, period = self.ctx.book, self.period.value()
        if book is None or len(period) != 7:
            show_user_error(self, "请先选择账套和月份")
            return None
        number = QSpinBox()
        number.setRange(1, 99999)
        payer = QLineEdit()
        payer.setPlaceholderText("凭证上没有往来单位时填写")

        def save(v: dict[str, Any]) -> list[svc.SlipRow]:
            def run(s: Any) -> list[svc.SlipRow]:
                kind, sid = svc.source_of_voucher(s, book.id, period, int(v["number"]))
                return svc.issue_slips(s, kind, [sid], user=self.ctx.user, payer=v.get("payer") or None, on=v["on"])
            rows = self.ctx.call(run)
            self.ctx.notify(KIND, tuple(r.id for r in rows))
            return rows

        dialog = FormDialog(f"补开收款收据（{period[:4]}年{int(period[5:])}月的收款凭证）",
                            [Field("number", "凭证号", number, required=True), Field("payer", "交款单位（人）", payer),
                             Field("on", "开具日期", DateEdit(dt.date.today()), required=True)], save, parent=self)
        dialog.setObjectName("issue_slip_form")
        dialog.open()
        return dialog

    def issue_missing(self) -> None:
        book, period = self.ctx.book, self.period.value()
        if book is None or len(period) != 7:
            show_user_error(self, "请先选择账套和月份")
            return
        missing = self.ctx.read(receipts_without_slip, book.id, period)
        if not missing:
            show_user_error(self, "本月的收款都已开具收据")
            return
        if not confirm(self, f"为本月 {len(missing)} 笔未开收据的收款补开收据（开具日期为今天）？"):
            return

        def run(s: Any) -> list[svc.SlipRow]:
            today = dt.date.today()
            return [r for src in missing for r in svc.issue_slips(s, src.kind, [src.id], user=self.ctx.user,
                                                                  on=max(today, src.received_on))]
        rows = self.ctx.call(run)
        self.ctx.notify(KIND, tuple(r.id for r in rows))


PAGE = PageSpec("receipt_slips", "收款收据", 41, ReceiptSlipsPage)
