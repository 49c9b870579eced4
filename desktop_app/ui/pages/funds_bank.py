"""银行对账: a bank account of the current book and a month, the bank's statement beside the
银行存款日记账, and the 银行存款余额调节表 under them.

「导入对账单…」 reads a bank's xlsx/CSV (``read_statement`` → ``preview_bank_statement``), shows what
it holds and imports it on 确定 (all or nothing; the same statement twice adds nothing). 「自动勾对」
pairs lines with entries; 「手工勾对」 ties the lines selected on the left to the entries selected on
the right (their sums must agree); 「取消勾对」 undoes the group of the selected row. The table
below follows every change; 「标记已对账」 is refused by the service unless it balances. Exports
(PDF, Excel) and reading stay open to every role; the writes are gated with ``RECONCILE_BANK``.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.services import bank_matching as match_svc
from desktop_app.core.services import bank_reconcile as rec_svc
from desktop_app.core.services import bank_statements as st_svc
from desktop_app.core.services.bank_rows import BankItem, BankReconciliationReport
from desktop_app.core.services.funds_base import period_label
from desktop_app.core.services.permissions import RECONCILE_BANK
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, follow_period
from desktop_app.ui.errors import confirm, show_user_error
from desktop_app.ui.file_dialogs import PDF_FILTER, XLSX_FILTER, open_file_name, save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.permissions import gate
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.dates import PeriodPicker

__all__ = ["BOOK_COLUMNS", "STATEMENT_COLUMNS", "BankPage"]

STATEMENT_COLUMNS = [
    Column("day", "交易日期", "date", width=88),
    Column("summary", "摘要", "pinyin-text", width=126),
    Column("counterparty", "对方户名", "pinyin-text", width=96),
    Column("income", "收入", "money", width=88, total=True),
    Column("expense", "支出", "money", width=88, total=True),
    Column("balance", "余额", "money", width=100),
    Column("state", "勾对", width=70),
]
BOOK_COLUMNS = [
    Column("day", "日期", "date", width=88),
    Column("reference", "凭证号", width=76),
    Column("summary", "摘要", "pinyin-text", width=170),
    Column("counterparty", "往来单位", "pinyin-text", width=90),
    Column("income", "借方（收）", "money", width=88, total=True),
    Column("expense", "贷方（付）", "money", width=88, total=True),
    Column("state", "勾对", width=70),
]
SHOW = ("全部", "未达账项", "已勾对")


class BankPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.items: list[BankItem] = []
        self.report: BankReconciliationReport | None = None
        self.account = QComboBox()
        self.account.setMinimumWidth(150)
        self.period = PeriodPicker(ctx.period, kinds=("month",))
        self.show_kind = QComboBox()
        self.show_kind.addItems(list(SHOW))
        self.bank_model, self.book_model = RowTableModel(STATEMENT_COLUMNS), RowTableModel(BOOK_COLUMNS)
        self.bank_view = LedgerView(self.bank_model, settings=ctx.settings, settings_key="table:bank_statement",
                                    filter_placeholder="筛选对账单：摘要、对方户名")
        self.book_view = LedgerView(self.book_model, settings=ctx.settings, settings_key="table:bank_book",
                                    filter_placeholder="筛选日记账：摘要、往来单位")
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot, write in (
                ("import", "导入对账单(&I)…", self.import_dialog, True), ("auto", "自动勾对(&A)", self.auto_match, True),
                ("match", "手工勾对(&M)", self.match_selected, True), ("unmatch", "取消勾对(&U)", self.unmatch_selected, True),
                ("mark", "标记已对账(&K)", self.mark, True), ("unmark", "取消已对账", self.unmark, True),
                ("delete", "删除本月对账单", self.delete_statement, True),
                ("pdf", "导出PDF(&P)…", lambda: self.export("pdf"), False),
                ("xlsx", "导出Excel(&X)…", lambda: self.export("xlsx"), False)):
            button = QPushButton(text)
            button.setObjectName(f"btn_{key}")
            button.clicked.connect(slot)
            if write:
                gate(button, ctx, RECONCILE_BANK)
            self.buttons[key] = button
        self.may_write = self.buttons["import"].isEnabled()
        self.heading_bank, self.heading_book = QLabel("银行对账单"), QLabel("银行存款日记账（已记账凭证）")
        self.table_label = QLabel()
        self.table_label.setTextFormat(Qt.TextFormat.RichText)
        self.table_label.setObjectName("reconciliation_table")
        self.message = QLabel()
        self.message.setWordWrap(True)

        bar = QHBoxLayout()
        for w in (QLabel("银行账户"), self.account, self.period, QLabel("显示"), self.show_kind):
            bar.addWidget(w)
        bar.addStretch(1)
        for key in ("import", "auto", "match", "unmatch"):
            bar.addWidget(self.buttons[key])
        split = QSplitter(Qt.Orientation.Horizontal)
        for heading, view in ((self.heading_bank, self.bank_view), (self.heading_book, self.book_view)):
            side = QWidget()
            box = QVBoxLayout(side)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(heading)
            box.addWidget(view, 1)
            split.addWidget(side)
        foot = QHBoxLayout()
        foot.addWidget(self.table_label, 1)
        side_buttons = QVBoxLayout()
        for key in ("mark", "unmark", "pdf", "xlsx", "delete"):
            side_buttons.addWidget(self.buttons[key])
        side_buttons.addStretch(1)
        foot.addLayout(side_buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(foot)

        self.period.changed.connect(lambda _p: self.reload())
        follow_period(ctx, self.period)
        self.account.currentIndexChanged.connect(lambda _i: self.reload())
        self.show_kind.currentIndexChanged.connect(lambda _i: self.show_items())
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in ("voucher", "bank", "refresh") else None)
        ctx.context_changed.connect(self.load_accounts)
        self.load_accounts()

    # -- data -------------------------------------------------------------------------------
    def code(self) -> str | None:
        data = self.account.currentData()
        return str(data) if data else None

    def load_accounts(self) -> None:
        book = self.ctx.book
        was = self.code()
        self.account.blockSignals(True)
        self.account.clear()
        if book is not None:
            try:
                for acc in self.ctx.read(st_svc.bank_accounts, book.id):
                    self.account.addItem(f"{acc.code} {acc.name}", acc.code)
            except UserError as err:
                self.message.setText(err.message)
        found = self.account.findData(was) if was else -1
        self.account.setCurrentIndex(max(found, 0))
        self.account.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        book, code, period = self.ctx.book, self.code(), self.period.value()
        if book is None or code is None:
            self.items, self.report = [], None
            self.show_items()
            return
        try:
            self.items = match_svc.month_view(self.ctx.read(match_svc.bank_items, book.id, code, period), period)
            self.report = self.ctx.read(rec_svc.reconciliation_report, book.id, code, period)
        except UserError as err:
            show_user_error(self, err)
            return
        self.show_items()

    def show_items(self) -> None:
        shown = self.show_kind.currentText()

        def wanted(i: BankItem) -> bool:
            return shown == "全部" or (shown == "未达账项") == (not i.matched)

        self.bank_model.set_rows([i for i in self.items if i.side == "bank" and wanted(i)])
        self.book_model.set_rows([i for i in self.items if i.side == "book" and wanted(i)])
        self.show_report()

    def show_report(self) -> None:
        r = self.report
        reconciled = r is not None and r.reconciled
        for key in ("import", "auto", "match", "unmatch", "mark", "delete"):
            self.buttons[key].setEnabled(self.may_write and r is not None and not reconciled)
        self.buttons["delete"].setEnabled(self.buttons["delete"].isEnabled() and r is not None and r.statement_lines > 0)
        self.buttons["unmark"].setEnabled(self.may_write and reconciled)
        for key in ("pdf", "xlsx"):
            self.buttons[key].setEnabled(r is not None)
        if r is None:
            self.table_label.setText("本账套没有银行存款科目" if self.ctx.book is not None else "请先选择账套")
            return
        unmatched = sum(1 for i in self.items if i.side == "bank" and not i.matched)
        self.heading_bank.setText(f"银行对账单（本月 {r.statement_lines} 笔，未达 {unmatched} 笔）")
        self.heading_book.setText(f"银行存款日记账（未达 {sum(1 for i in self.items if i.side == 'book' and not i.matched)} 笔）")
        self.table_label.setText(reconciliation_html(r))

    # -- actions ----------------------------------------------------------------------------
    def _ready(self) -> tuple[object, str, str] | None:
        book, code = self.ctx.book, self.code()
        if book is None or code is None:
            show_user_error(self, "请先选择账套和银行账户")
            return None
        return book.id, code, self.period.value()

    def _write(self, fn: object, *args: object, **kwargs: object) -> object | None:
        try:
            result = self.ctx.call(fn, *args, user=self.ctx.user, **kwargs)  # type: ignore[arg-type]
        except UserError as err:
            show_user_error(self, err)
            return None
        self.ctx.notify("bank", ())
        return result

    def import_dialog(self) -> None:
        name = open_file_name(self, self.ctx.settings, "bank_statement", "导入银行对账单",
                              "银行对账单 (*.xlsx *.xls *.csv);;所有文件 (*)")
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> bool:
        """Read, show what the file holds, import on 确定. Returns whether lines were added."""
        from desktop_app.excel.bank_statement_read import read_statement

        ready = self._ready()
        if ready is None:
            return False
        book_id, code, period = ready
        try:
            read = read_statement(path)
            p = self.ctx.read(st_svc.preview_bank_statement, book_id, code, period, read.lines)
        except UserError as err:
            show_user_error(self, err)
            return False
        errors = [*read.errors, *p.errors]
        if errors:
            more = f"\n……共 {len(errors)} 处" if len(errors) > 12 else ""
            show_user_error(self, f"{path.name} 有 {len(errors)} 处错误，未导入（没有写入任何数据）：\n" + "\n".join(errors[:12]) + more)
            return False
        if not p.new_lines:
            self.message.setText(f"{path.name} 的 {p.known_lines} 笔交易都已导入过，没有新增")
            return False
        text = (f"{path.name}：{p.account_code} {p.account_name}，{p.period}\n表头在第{read.header_row}行："
                f"{'，'.join(read.columns)}\n新增 {p.new_lines} 笔，已导入过 {p.known_lines} 笔；收入 {format_amount(p.total_in)}，"
                f"支出 {format_amount(p.total_out)}，期末余额 "
                f"{format_amount(p.closing_balance) if p.closing_balance is not None else '—'}")
        if p.warnings:
            text += "\n\n注意：\n" + "\n".join(p.warnings[:6])
        if not confirm(self, text + "\n\n确定导入？", title="导入银行对账单"):
            return False
        done = self._write(st_svc.import_bank_statement, book_id, code, period, read.lines, source_name=path.name,
                           source_hash=read.sha256)
        if done is None:
            return False
        self.message.setText(f"已导入 {path.name}：{p.new_lines} 笔")
        return True

    def auto_match(self) -> None:
        ready = self._ready()
        if ready is not None:
            done = self._write(match_svc.auto_match, *ready)
            if done is not None:
                self.message.setText(f"自动勾对 {done.groups} 笔（金额、方向相同，日期相差不超过 {match_svc.DATE_WINDOW} 天）")  # type: ignore[attr-defined]

    def match_selected(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        bank = [i.id for i in self.bank_view.selected_rows()]
        book = [i.id for i in self.book_view.selected_rows()]
        done = self._write(match_svc.match_items, *ready, bank, book)
        if done is not None:
            self.message.setText(f"已手工勾对：对账单 {done.bank_lines} 笔与日记账 {done.entries} 笔")  # type: ignore[attr-defined]

    def unmatch_selected(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        chosen = [i for i in [*self.bank_view.selected_rows(), *self.book_view.selected_rows()] if i.matched]
        if not chosen:
            show_user_error(self, "请先选中已勾对的行")
            return
        book_id, code, _period = ready
        if self._write(match_svc.unmatch_item, book_id, code, chosen[0].id) is not None:
            self.message.setText("已取消勾对，这些行恢复为未达账项")

    def mark(self) -> None:
        ready = self._ready()
        if ready is not None and self._write(rec_svc.mark_reconciled, *ready) is not None:
            self.message.setText("已标记本月已对账")

    def delete_statement(self) -> None:
        ready = self._ready()
        if ready is None or self.report is None:
            return
        if confirm(self, f"删除{self.report.period}导入的全部 {self.report.statement_lines} 笔对账单（导错账户或月份时）？"
                         "其中的勾对一并取消；之后可重新导入。"):
            done = self._write(st_svc.delete_statement, *ready)
            if done is not None:
                self.message.setText(f"已删除本月对账单 {done} 笔")

    def unmark(self) -> None:
        ready = self._ready()
        if ready is not None and confirm(self, "取消本月的已对账标记？取消后可再导入对账单、更改勾对。"):
            if self._write(rec_svc.unmark_reconciled, *ready, reason="在银行对账页取消") is not None:
                self.message.setText("已取消已对账标记")

    def export(self, kind: str) -> None:
        r = self.report
        if r is None:
            return
        suffix = ".pdf" if kind == "pdf" else ".xlsx"
        suggested = f"银行存款余额调节表_{r.account_code}_{r.period}{suffix}"
        name = save_file_name(self, self.ctx.settings, "bank_reconciliation", "导出银行存款余额调节表", suggested,
                              PDF_FILTER if kind == "pdf" else XLSX_FILTER)
        if name:
            self.export_to(Path(name if name.lower().endswith(suffix) else name + suffix))

    def export_to(self, path: Path) -> None:
        r, book = self.report, self.ctx.book
        if r is None or book is None:
            return
        try:
            if path.suffix.lower() == ".pdf":  # sealed: the check code is recorded (a write)
                from desktop_app.reports.bank_seal import write_sealed_reconciliation_pdf

                self.ctx.call(write_sealed_reconciliation_pdf, book.id, r.account_code, r.period, path)
            else:
                from desktop_app.excel.bank_xlsx import write_reconciliation_xlsx

                write_reconciliation_xlsx(r, path)
        except OSError as exc:
            show_user_error(self, f"无法写入文件 {path}：{exc.strerror or exc}")
            return
        except UserError as err:
            show_user_error(self, err)
            return
        self.message.setText(f"已导出：{path}")


def reconciliation_html(r: BankReconciliationReport) -> str:
    """The 调节表 as the page shows it (the same figures as the PDF)."""
    def money(v: object) -> str:
        return "—" if v is None else format_amount(v)  # type: ignore[arg-type]

    s = r.sections()
    rows = [("银行存款日记账余额", money(r.book_balance), "银行对账单余额", money(r.bank_balance)),
            (s[0][0], money(s[0][2]), s[2][0], money(s[2][2])), (s[1][0], money(s[1][2]), s[3][0], money(s[3][2])),
            ("<b>调节后的存款余额</b>", f"<b>{money(r.adjusted_book)}</b>", "<b>调节后的存款余额</b>",
             f"<b>{money(r.adjusted_bank)}</b>")]
    cells = "".join(f"<tr><td>{a}</td><td align='right'>{b}</td><td>{c}</td><td align='right'>{d}</td></tr>"
                    for a, b, c, d in rows)
    colour = "#1a7f37" if r.balanced else "#c00000"
    return (f"<b>银行存款余额调节表</b>　{html.escape(r.account_code)} {html.escape(r.account_name)}　"
            f"{period_label(r.period)}"
            f"<table border='1' cellspacing='0' cellpadding='3'>{cells}</table>"
            f"<span style='color:{colour}'>{html.escape(r.verdict)}</span>")


PAGE = PageSpec("bank", "银行对账", 22, BankPage)
