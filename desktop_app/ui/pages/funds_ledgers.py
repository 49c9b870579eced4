"""账簿: 现金日记账, 银行存款日记账, 科目余额表, 明细账 and 总账 of the current book for a chosen period.

Balances are shown the way books show them: a 方向 column (借/贷/平) and the amount on its side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop_app.core.errors import UserError
from desktop_app.core.rows_funds import balance_direction
from desktop_app.core.services import ledgers as svc
from desktop_app.core.services.funds_base import parse_period_range
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, follow_period
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.ledger_print import LedgerOutputs, OutputRequest
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.paged import PagedTableModel
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.paging import JournalPageSource
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.dates import PeriodPicker

JOURNAL_COLUMNS = [
    Column("voucher_date", "日期", "date", width=90),
    # as the voucher list and the printed journals show it (记-0002); sorted by the number
    Column("voucher_number", "凭证号", "int", width=70, formatter=lambda n: f"记-{n:04d}"),
    Column("summary", "摘要", "pinyin-text", width=280),
    Column("account_code", "科目", width=70),
    Column("counterparty", "往来单位", "pinyin-text", width=120),
    Column("debit", "借方", "money", width=110),
    Column("credit", "贷方", "money", width=110),
    Column("direction", "方向", alignment="center", width=40),
    Column("balance_amount", "余额", "money", width=120),
]
GENERAL_COLUMNS = [
    Column("code", "科目编码", width=80),
    Column("name", "科目名称", "pinyin-text", width=160),
    Column("period", "期间", width=70),
    Column("opening_direction", "方向", alignment="center", width=40),
    Column("opening_amount", "期初余额", "money", width=120),
    Column("debit", "本期借方", "money", width=110),
    Column("credit", "本期贷方", "money", width=110),
    Column("closing_direction", "方向", alignment="center", width=40),
    Column("closing_amount", "期末余额", "money", width=120),
]
BALANCE_COLUMNS = [
    Column("code", "科目编码", width=80),
    Column("name", "科目名称", "pinyin-text", width=180),
    Column("opening_debit", "期初借方", "money", width=110),
    Column("opening_credit", "期初贷方", "money", width=110),
    Column("period_debit", "本期借方", "money", width=110),
    Column("period_credit", "本期贷方", "money", width=110),
    Column("closing_debit", "期末借方", "money", width=110),
    Column("closing_credit", "期末贷方", "money", width=110),
]
# Journals longer than this are read a page at a time (DESIGN: lists over ~50k rows are keyset-paged).
PAGED_ABOVE = 50_000
# Rows per page read: a little over two screens, so the first paint reads what it shows and little
# more (500 rows cost a 1M-line journal's first paint ~20 ms of row conversion); pages kept: 40k rows.
PAGE_ROWS, PAGES_KEPT = 100, 400
KINDS = ("现金日记账", "银行存款日记账", "科目余额表", "明细账", "总账")
OUTPUT_KINDS = {"现金日记账": "cash-journal", "银行存款日记账": "bank-journal", "科目余额表": "trial-balance",
                "明细账": "ledger", "总账": "general-ledger"}


class LedgersPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.journal_model = RowTableModel(JOURNAL_COLUMNS)
        self.balance_model = RowTableModel(BALANCE_COLUMNS)
        self.general_model = RowTableModel(GENERAL_COLUMNS)
        self.paged_model: PagedTableModel | None = None
        self.view = LedgerView(self.journal_model, settings=ctx.settings, settings_key="table:ledgers")
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.period = PeriodPicker(ctx.period, kinds=("month", "quarter", "year"))
        self.account = QLineEdit()
        self.account.setPlaceholderText("明细账/总账科目编码，如 102（总账可留空）")
        self.summary = QLabel()
        bar = QHBoxLayout()
        for w in (self.kind, self.period, self.account):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        self.outputs = LedgerOutputs(self, ctx, self.output_request)
        self.output_note = QLabel()
        self.outputs.done.connect(self.output_note.setText)
        out_bar = QHBoxLayout()  # its own line: the toolbar must fit a 1366-pixel screen
        self.outputs.add_to(out_bar)
        out_bar.addWidget(self.output_note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(out_bar)
        layout.addWidget(self.view, 1)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.period.changed.connect(lambda _p: self.reload())
        follow_period(ctx, self.period)
        self.account.editingFinished.connect(self.reload)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in ("voucher", "refresh") else None)
        ctx.context_changed.connect(self._context_changed)
        self.reload()

    def _context_changed(self) -> None:
        """Another village or book: "已导出…" spoke of the old one's file."""
        self.output_note.clear()
        self.reload()

    def reload(self) -> None:
        book = self.ctx.book
        if book is None:
            self.view.set_model(self.journal_model)
            self.journal_model.set_rows([])
            return
        first, last = parse_period_range(self.period.value())
        kind = self.kind.currentText()
        try:
            if kind == "科目余额表":
                self.view.set_model(self.balance_model)
                self.balance_model.set_rows(self.ctx.read(svc.trial_balance, book.id, first, last))
                self.summary.setText("")
                return
            if kind == "总账":
                code = self.account.text().strip() or None
                self.view.set_model(self.general_model)
                self.general_model.set_rows(self.ctx.read(svc.general_ledger, book.id, first, last, code))
                self.summary.setText("")
                return
            if kind == "现金日记账":
                outline = self.ctx.read(svc.journal_outline, book.id, first, last, role="cash")
            elif kind == "银行存款日记账":
                outline = self.ctx.read(svc.journal_outline, book.id, first, last, role="bank")
            else:
                code = self.account.text().strip()
                if not code:
                    self.view.set_model(self.journal_model)
                    self.journal_model.set_rows([])
                    self.summary.setText("")
                    return
                outline = self.ctx.read(svc.journal_outline, book.id, first, last, account_code=code)
        except UserError as err:
            show_user_error(self, err)
            return
        self.show_journal(outline)

    def output_request(self) -> OutputRequest | None:
        """What 打印/导出 make: the book, document, months and account the page shows."""
        book = self.ctx.book
        if book is None:
            show_user_error(self, "请先选择账套")
            return None
        kind = self.kind.currentText()
        account = self.account.text().strip() or None
        if kind == "明细账" and not account:
            show_user_error(self, "请先输入明细账的科目编码")
            return None
        first, last = parse_period_range(self.period.value())
        org = self.ctx.org.name if self.ctx.org is not None else book.name
        span = first if first == last else f"{first}至{last}"
        suffix = f"_{account}" if account and kind in ("明细账", "总账") else ""
        return OutputRequest(book.id, OUTPUT_KINDS[kind], first, last, f"{org}_{kind}{suffix}_{span}",
                             account if kind in ("明细账", "总账") else None)

    def show_journal(self, outline: svc.JournalOutline) -> None:
        """A journal of more than ``PAGED_ABOVE`` lines is read a page at a time as it scrolls
        (no sort or filter: the running balance is in journal order); a smaller one is read whole
        into the sortable, filterable list."""
        book_id = self.ctx.book.id if self.ctx.book is not None else None

        def read(period: str, start_balance: Decimal, after: Any, offset: int, limit: int) -> svc.JournalPage:
            return self.ctx.read(svc.journal_page, book_id, outline.account_ids, period,
                                 start_balance=start_balance, after=after, offset=offset, limit=limit)

        source = JournalPageSource(outline, read)
        if outline.entry_count > PAGED_ABOVE:
            self.paged_model = PagedTableModel(JOURNAL_COLUMNS, source, page_size=PAGE_ROWS, max_pages=PAGES_KEPT)
            self.view.set_model(self.paged_model)
        else:
            self.view.set_model(self.journal_model)
            self.journal_model.set_rows(source.fetch_range(0, source.count()))
        side, amount = balance_direction(outline.closing)
        self.summary.setText(f"{outline.account_code} {outline.account_name}　期末余额 {side} {amount:,.2f}")

PAGE = PageSpec("ledgers", "账簿", 21, LedgersPage)
