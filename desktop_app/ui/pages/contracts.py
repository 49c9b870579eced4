"""合同: the contract register (filter, pinyin search), the form, the schedule and receipts of the
selected contract, the warnings panel and the compliance review with its 整改 notes.

Thin: every handler reads widgets, calls one service through ``ctx.call`` and fires
``data_changed``; the page reloads itself on ``contract`` / ``voucher`` / ``refresh``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.rows_contracts import ContractRow, FindingRow, ReceiptRow
from desktop_app.core.services import contract_records as records
from desktop_app.core.services import contract_review as review
from desktop_app.core.services import contract_warnings as warn
from desktop_app.core.services import contracts as svc
from desktop_app.core.services import receipts as rec
from desktop_app.core.services.contract_queries import installment_rows
from desktop_app.core.services.orgs import list_books
from desktop_app.core.services.permissions import ENTER_RECORDS, MAKE_VOUCHER, Roles
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_done, show_user_error
from desktop_app.ui.file_dialogs import PDF_FILTER, XLSX_FILTER, save_file_name
from desktop_app.ui.forms import Field, FormDialog
from desktop_app.ui.import_dialog import ImportRun, import_button, save_template
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages import receipt_slips as slips_ui
from desktop_app.ui.pages.contracts_forms import (
    cancel_receipt_fields,
    combo,
    contract_dialog,
    deposit_fields,
    filing_fields,
    finding_fields,
    procedure_fields,
    receipt_fields,
)
from desktop_app.ui.permissions import gate_buttons, press
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import DateEdit
from desktop_app.ui.widgets.buttons import button_row
from desktop_app.ui.widgets.flow import FlowLayout

CONTRACT_COLUMNS = [
    Column("number", "合同编号", width=110), Column("name", "合同名称", "pinyin-text", width=170),
    Column("kind", "类型", width=70), Column("subject", "标的", "pinyin-text", width=120),
    Column("counterparty_name", "承包方", "pinyin-text", width=150),
    Column("start_date", "起始日期", "date", width=90), Column("end_date", "终止日期", "date", width=90),
    Column("annual_rent", "年租金", "money", total=True, width=100), Column("payment_mode", "付款", width=55),
    Column("escalation_text", "递增", width=100), Column("state", "状态", width=55),
    Column("filed_on", "备案", "date", width=90),
]
INSTALLMENT_COLUMNS = [
    Column("seq", "期次", "int", width=45), Column("period_start", "所属期间起", "date", width=95),
    Column("period_end", "所属期间止", "date", width=95), Column("due_date", "缴款日期", "date", width=95),
    Column("amount", "应收", "money", total=True), Column("received", "实收", "money", total=True),
    Column("overdue", "已到期未收（欠缴）", "money", total=True, width=120),
    Column("not_due", "未到期", "money", total=True), Column("status", "状态", width=70),
]
RECEIPT_COLUMNS = [
    Column("received_on", "收款日期", "date", width=95), Column("amount", "金额", "money", total=True),
    Column("method", "方式", width=50), Column("receipt_no", "票据号", width=90), *slips_ui.SLIP_COLUMNS,
    Column("allocated", "已冲抵", "money", total=True), Column("credit", "结余（预收）", "money", total=True),
]
EXPIRY_COLUMNS = [
    Column("contract_number", "合同编号", width=110), Column("name", "合同名称", "pinyin-text", width=180),
    Column("counterparty_name", "承包方", "pinyin-text", width=150), Column("end_date", "终止日期", "date"),
    Column("days_left", "剩余天数", "int"), Column("bucket", "预警", width=70),
]
ARREARS_COLUMNS = [
    Column("contract_number", "合同编号", width=110), Column("counterparty_name", "承包方", "pinyin-text", width=150),
    Column("seq", "期次", "int", width=45), Column("due_date", "缴款日期", "date"),
    Column("outstanding", "欠缴", "money", total=True), Column("days_overdue", "逾期天数", "int"),
    Column("bucket", "账龄", width=60),
]
DEPOSIT_COLUMNS = [
    Column("contract_number", "合同编号", width=110), Column("counterparty_name", "承包方", "pinyin-text", width=150),
    Column("status", "状态", width=60), Column("ended_on", "结束日期", "date"),
    Column("held", "未退保证金", "money", total=True),
]
FINDING_COLUMNS = [
    Column("contract_number", "合同编号", width=110), Column("counterparty_name", "承包方", "pinyin-text", width=130),
    Column("rule_name", "问题", width=150), Column("message", "情况", width=300), Column("basis", "依据", width=220),
    Column("status", "整改状态", width=70), Column("rectification_note", "整改说明", width=200),
]


def _titled(title: str, view: QWidget) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(QLabel(title))
    lay.addWidget(view)
    return box


# who may press which button; 运行审查 and the exports are open to all (监督 checks the contracts too)
GATES: dict[str, Roles] = {name: ENTER_RECORDS for name in (
    "btn_new", "btn_edit", "btn_procedure", "btn_filing", "btn_renew", "btn_terminate", "btn_rectify",
    "btn_import_contracts")} | {
    "btn_receive": MAKE_VOUCHER, "btn_deposit": MAKE_VOUCHER, "btn_cancel_receipt": MAKE_VOUCHER,
    "btn_print_slip": MAKE_VOUCHER, "btn_void_slip": MAKE_VOUCHER}  # 收款收据 (pages/receipt_slips.py)


class ContractsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._register_tab(), "合同台账")
        self.tabs.addTab(self._warnings_tab(), "预警")
        self.tabs.addTab(self._review_tab(), "合同审查")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        gate_buttons(self, ctx, GATES)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.context_changed.connect(self.reload)
        self.reload()

    # -- tabs -------------------------------------------------------------------------------
    def _view(self, columns: list[Column], key: str, placeholder: str = "筛选：编号、名称或拼音首字母") -> LedgerView:
        view = LedgerView(RowTableModel(columns), settings=self.ctx.settings, settings_key=f"table:contracts:{key}",
                          filter_placeholder=placeholder)
        view.setObjectName(f"contracts_{key}")
        return view

    def _register_tab(self) -> QWidget:
        self.status_box = combo(list(svc.CONTRACT_STATES), empty="全部状态")
        self.kind_box = combo(list(svc.CONTRACT_KINDS), empty="全部类型")
        for box in (self.status_box, self.kind_box):
            box.currentIndexChanged.connect(lambda _i: self.reload_contracts())
        bar = button_row([("新增(&N)", self.new_contract, "btn_new"), ("编辑(&M)", self.edit_contract, "btn_edit"),
                        ("收款(&R)", self.receive, "btn_receive"), ("保证金(&D)", self.deposit, "btn_deposit"),
                        ("民主程序(&P)", self.procedure, "btn_procedure"), ("备案(&B)", self.filing, "btn_filing"),
                        ("续签(&W)", self.renew, "btn_renew"), ("终止(&T)", self.terminate, "btn_terminate"),
                        ("导出(&X)", lambda: self.export("contracts"), "btn_export")])
        bar.insertWidget(bar.count() - 2, import_button(  # before 导出
            "导入(&I)…", "btn_import_contracts", self.import_contracts,
            lambda: save_template(self, self.ctx, "contracts"), self))
        bar.insertWidget(0, self.kind_box)
        bar.insertWidget(0, self.status_box)
        # the row wraps onto a second line on a narrow window: in one fixed row it made the main
        # window wider than a 1280-pixel screen
        flow = FlowLayout.from_row(bar)
        flow.keep_together(self.status_box, self.kind_box)  # the filters, then the contract's actions,
        flow.keep_together(flow.named("btn_import_contracts"), flow.named("btn_export"))  # then the file's
        self.contracts = self._view(CONTRACT_COLUMNS, "register", "筛选：编号、名称、承包方或拼音首字母")
        self.contracts.current_row_changed.connect(self._load_detail)
        self.contracts.row_activated.connect(lambda _r: press(self, "btn_edit"))
        self.installments = self._view(INSTALLMENT_COLUMNS, "installments", "筛选期次")
        self.receipts = self._view(RECEIPT_COLUMNS, "receipts", "筛选收款")
        detail = QTabWidget()
        detail.addTab(self.installments, "应收期次")
        cancel = ("撤销收款", self.cancel_receipt, "btn_cancel_receipt")
        detail.addTab(slips_ui.receipts_tab(self, self.receipts, button_row([cancel, *slips_ui.receipt_slip_buttons(self)])),
                      "收款记录")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.contracts)
        split.addWidget(detail)
        split.setSizes([380, 220])
        tab = QWidget()
        lay = QVBoxLayout(tab)
        lay.addLayout(flow)
        lay.addWidget(split, 1)
        QShortcut(QKeySequence("Ctrl+F"), tab, activated=self.contracts.focus_filter)
        return tab

    def _warnings_tab(self) -> QWidget:
        self.as_of = DateEdit(dt.date.today())
        self.as_of.setObjectName("as_of")
        self.as_of.dateChanged.connect(lambda _d: (self.reload_contracts(), self.reload_warnings()))
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)  # a long summary must not widen the window
        self.expiring = self._view(EXPIRY_COLUMNS, "expiring")
        self.arrears = self._view(ARREARS_COLUMNS, "arrears")
        self.deposits = self._view(DEPOSIT_COLUMNS, "deposits")
        top = QHBoxLayout()
        top.addWidget(QLabel("截至日期："))
        top.addWidget(self.as_of)
        top.addWidget(self.counts_label, 1)
        for text, kind in (("导出欠款明细", "arrears"), ("到期清单PDF", "expiry")):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, k=kind: self.export(k))
            top.addWidget(b)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(_titled("到期预警（90天、30天内及已到期未处理）", self.expiring))
        split.addWidget(_titled("逾期欠款（账龄 ≤1年、1–3年、>3年）", self.arrears))
        split.addWidget(_titled("合同结束后未退还的保证金", self.deposits))
        tab = QWidget()
        lay = QVBoxLayout(tab)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        return tab

    def _review_tab(self) -> QWidget:
        self.finding_status = combo(["未整改", "整改中", "已整改", "已消除"], empty="全部状态")
        self.finding_status.currentIndexChanged.connect(lambda _i: self.reload_findings())
        self.findings = self._view(FINDING_COLUMNS, "findings", "筛选：编号、问题或拼音首字母")
        self.findings.row_activated.connect(lambda _r: press(self, "btn_rectify"))
        bar = button_row([("运行审查(&V)", self.run_review, "btn_review"), ("整改说明(&Z)", self.rectify, "btn_rectify"),
                        ("导出审查结果", lambda: self.export("contract-review"), "btn_export_review")])
        bar.insertWidget(0, self.finding_status)
        tab = QWidget()
        lay = QVBoxLayout(tab)
        lay.addLayout(bar)
        lay.addWidget(self.findings, 1)
        return tab

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        self.reload_contracts()
        self.reload_warnings()
        self.reload_findings()

    def reload_contracts(self) -> None:
        org = self.ctx.org
        rows = self.ctx.read(svc.list_contracts, org.id, status=self.status_box.currentData(),
                             kind=self.kind_box.currentData(), as_of=self._as_of()) if org else []
        self.contracts.model().set_rows(rows)
        self._load_detail(self.contracts.current_row())

    def _load_detail(self, row: Any) -> None:
        if isinstance(row, ContractRow):
            self.installments.model().set_rows(self.ctx.read(installment_rows, [row.id], self._as_of()))
            self.receipts.model().set_rows(slips_ui.contract_receipts(self.ctx, row.id))
        else:
            self.installments.model().set_rows([])
            self.receipts.model().set_rows([])

    def _as_of(self) -> dt.date:
        """The page's 截至日期 (today unless changed): statuses, installments and warnings read on it."""
        as_of = getattr(self, "as_of", None)
        return (as_of.value() if as_of is not None else None) or dt.date.today()

    def reload_warnings(self) -> None:
        org, as_of = self.ctx.org, self._as_of()
        if org is None:
            for v in (self.expiring, self.arrears, self.deposits):
                v.model().set_rows([])
            self.counts_label.setText("请先在左侧选择组织")
            return
        w = self.ctx.read(warn.contract_warnings, org.id, as_of)
        self.expiring.model().set_rows(list(w.expiring))
        self.arrears.model().set_rows(list(w.arrears))
        self.deposits.model().set_rows(list(w.deposits))
        [c] = self.ctx.read(warn.warning_counts, [org.id], as_of)
        self.counts_label.setText(
            f"90天内到期 {c.expiring_90} 份（30天内 {c.expiring_30}），已到期未处理 {c.expired} 份；"
            f"逾期 {c.overdue_installments} 期共 {c.overdue_amount:,.2f} 元（≤1年 {c.overdue_le1:,.2f}，"
            f"1–3年 {c.overdue_1to3:,.2f}，>3年 {c.overdue_gt3:,.2f}）；未退保证金 {c.deposits_unrefunded} 份")

    def reload_findings(self) -> None:
        org = self.ctx.org
        rows = self.ctx.read(review.list_findings, org.id, status=self.finding_status.currentData()) if org else []
        self.findings.model().set_rows(rows)

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("contract", "voucher", "organisation", "refresh"):
            self.reload()
        elif kind == slips_ui.KIND:  # a slip printed or voided: the receipt list's 收据号 and 收据状态
            slips_ui.reload_receipts(self.ctx, self.receipts, self.contracts.current_row())

    # -- actions ----------------------------------------------------------------------------
    def _book_id(self) -> Any:
        org, book = self.ctx.org, self.ctx.book
        if book is not None and org is not None and book.organisation_id == org.id:
            return book.id
        books = self.ctx.read(list_books, org.id) if org else []
        return books[0].id if books else None

    def _selected(self) -> ContractRow | None:
        row = self.contracts.current_row()
        if not isinstance(row, ContractRow):
            show_user_error(self, "请先在合同台账中选择一份合同")
            return None
        return row

    def _done(self, result: Any) -> None:
        if result is not None:
            self.ctx.notify("contract", ())

    def import_contracts(self) -> None:
        """从Excel导入 合同 through the generic import dialog (mapping, 导入方式, preview)."""
        self.importer = ImportRun(self, self.ctx, self.runner, "contracts", notify="contract",
                                  options={"user": self.ctx.user})
        self.importer.start()

    def new_contract(self) -> None:
        org, book_id = self.ctx.org, self._book_id()
        if org is None or book_id is None:
            show_user_error(self, "请先在左侧选择一个有账套的组织")
            return
        self._done(contract_dialog(self.ctx, self, org.id, book_id))

    def edit_contract(self) -> None:
        if (row := self._selected()) is not None:
            self._done(contract_dialog(self.ctx, self, row.organisation_id, row.book_id, row))

    def renew(self) -> None:
        if (row := self._selected()) is not None:
            self._done(contract_dialog(self.ctx, self, row.organisation_id, row.book_id, row, renew=True))

    def _form(self, title: str, fields: list[Field], save: Any) -> None:
        dialog = FormDialog(title, fields, save, parent=self)
        dialog.setObjectName("contract_form")
        self._done(dialog.result_value if dialog.exec() else None)

    def receive(self) -> None:
        if (row := self._selected()) is not None:
            self._form(f"收款：{row.number} {row.counterparty_name}", receipt_fields(),
                       lambda v: self.ctx.call(rec.record_receipt, row.id, user=self.ctx.user, **v))

    def cancel_receipt(self) -> None:
        """撤销收款: the service tombstones the receipt and posts the red reversal of its voucher."""
        row = self.receipts.current_row()
        if not isinstance(row, ReceiptRow):
            show_user_error(self, "请先在收款记录中选择要撤销的收款")
            return
        dialog = FormDialog(f"撤销收款：{row.received_on:%Y-%m-%d} {row.amount} 元", cancel_receipt_fields(),
                            lambda v: self.ctx.call(rec.cancel_receipt, row.id, user=self.ctx.user, **v),
                            values={"on": dt.date.today()}, parent=self)
        dialog.setObjectName("cancel_receipt_form")
        if dialog.exec():
            self.ctx.notify("contract", ())
            self.ctx.notify("voucher", ())

    def deposit(self) -> None:
        if (row := self._selected()) is not None:
            self._form(f"保证金：{row.number}", deposit_fields(),
                       lambda v: self.ctx.call(rec.record_deposit, row.id, user=self.ctx.user, **v))

    def procedure(self) -> None:
        if (row := self._selected()) is not None:
            self._form(f"民主程序：{row.number}", procedure_fields(),
                       lambda v: self.ctx.call(records.add_procedure, row.id, **v, user=self.ctx.user))

    def filing(self) -> None:
        if (row := self._selected()) is not None:
            self._form(f"乡镇备案：{row.number}", filing_fields(), lambda v: self.ctx.call(records.add_filing, row.id, **v, user=self.ctx.user))

    def terminate(self) -> None:
        if (row := self._selected()) is not None:
            fields = [Field("on", "终止日期", DateEdit(), required=True), Field("reason", "原因", combo(
                ["协商解除", "承包方违约", "到期不再续签", "其他"]), required=True)]
            self._form(f"终止合同：{row.number}", fields,
                       lambda v: self.ctx.call(svc.set_contract_status, row.id, "终止", on=v["on"], reason=v["reason"], user=self.ctx.user))

    def run_review(self) -> None:
        org = self.ctx.org
        if org is None:
            show_user_error(self, "请先在左侧选择组织")
            return
        as_of = self.as_of.value() or dt.date.today()
        self.runner.run(lambda p: self.ctx.call(review.review_contracts, org.id, as_of=as_of, progress=p, user=self.ctx.user),
                        title="正在审查合同…", on_result=lambda _r: self.ctx.notify("contract", ()))

    def export(self, kind: str) -> None:
        """合同台账 / 欠款明细 / 审查结果 as xlsx, 到期清单 as PDF, written on the database thread."""
        org = self.ctx.org
        if org is None:
            show_user_error(self, "请先在左侧选择组织")
            return
        pdf = kind == "expiry"
        names = {"contracts": "合同台账", "arrears": "欠款明细", "contract-review": "合同审查结果", "expiry": "到期合同清单"}
        suggested = f"{org.name}{names[kind]}.{'pdf' if pdf else 'xlsx'}"
        path = save_file_name(self, self.ctx.settings, "contracts_export", "导出", suggested, PDF_FILTER if pdf else XLSX_FILTER)
        if not path:
            return
        as_of, scope = self.as_of.value() or dt.date.today(), f"{org.name}（{org.uscc}）"
        self.runner.run(lambda _p: self.ctx.call(write_export, kind, path, org.id, scope, as_of, self.ctx.user),
                        title="正在导出…", on_result=lambda _r: show_done(self, f"已导出到 {path}", title="导出完成"))


    def rectify(self) -> None:
        f = self.findings.current_row()
        if not isinstance(f, FindingRow) or f.id is None:
            show_user_error(self, "请先在审查结果中选择一项问题")
            return
        self._form(f"整改：{f.contract_number} {f.rule_name}", finding_fields(f),
                   lambda v: self.ctx.call(review.update_finding, f.id, status=v["status"], note=v["note"], user=self.ctx.user))


def write_export(session: Any, kind: str, path: str, org_id: Any, scope: str, as_of: dt.date, user: Any = None) -> None:
    from desktop_app.core.services.personal_data import export_ids
    from desktop_app.excel import contracts_xlsx as x
    from desktop_app.reports.contracts_pdf import write_contract_report

    if kind == "contracts":
        rows = svc.list_contracts(session, org_id, as_of=as_of)
        codes = x.link_codes(session, rows)  # 地块编号/资产编号, so the file imports back linked
        export_ids(session, org_id, user=user, document="合同台账", path=path, subject="承包方", write=lambda ids: x.export_contracts(
            path, rows, scope=scope, org_names={org_id: scope}, as_of=as_of, mask_ids=not ids.full,
            codes=codes))  # persons' 身份证号 by personal_data's rule: full for keepers (audited)
    elif kind == "arrears":
        x.export_arrears(path, warn.list_arrears(session, org_id, as_of), scope=scope, as_of=as_of)
    elif kind == "contract-review":
        x.export_review(path, review.current_findings(session, org_id, as_of=as_of), scope=scope, as_of=as_of)
    else:
        write_contract_report(session, kind, path, organisation_id=org_id, scope=scope, as_of=as_of)


PAGE = PageSpec("contracts", "合同", 40, ContractsPage)
