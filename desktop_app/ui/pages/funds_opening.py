"""期初余额: enter or import the opening 科目余额表 of the current book, checked to balance.

Every leaf account of the book is a row with editable 借方余额/贷方余额 cells (typed text is read
with ``parse_amount``: "1,234.5", "１２３元", "(12.00)"; more than two decimals is refused). The
totals, the 差额 and the 试算平衡 state follow every edit. 「从Excel导入…」 is the generic import
dialog (kind ``opening``: preview, then written by ``set_opening_balances``; the table reloads);
``load_file`` fills the table from a sheet without saving (only when no row has an error); 「导出模板…」 writes the empty template; 保存 hands the table to ``set_opening_balances``,
which decides what is allowed (balanced, the first month open, nothing posted) and says why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount, parse_amount
from desktop_app.core.rows import AccountRow, BookRow
from desktop_app.core.rows_funds import balance_sides
from desktop_app.core.services import ledgers as ledger_svc
from desktop_app.core.services import opening as svc
from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services.funds_base import period_label
from desktop_app.core.services.permissions import SET_OPENING
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.file_dialogs import XLSX_FILTER, save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.permissions import gate
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.base import ERROR_COLOR

__all__ = ["COLUMNS", "CREDIT", "DEBIT", "OpeningDialog", "OpeningLine"]

ZERO = Decimal("0.00")
_OK_COLOR = "#1e7e34"


@dataclass(frozen=True)
class OpeningLine:
    code: str
    name: str
    side: str  # the account's 方向: 借 / 贷
    debit: Decimal | None = None
    credit: Decimal | None = None


def _amount_parser(field: str) -> Any:
    def parse(text: str) -> Decimal | None:
        if not text.strip():
            return None
        value = parse_amount(text, field=field, allow_negative=True)
        return value if value != 0 else None

    return parse


COLUMNS = [
    Column("code", "科目编码", width=90),
    Column("name", "科目名称", "pinyin-text", width=300),
    Column("side", "方向", alignment="center", width=50),
    Column("debit", "借方余额", "money", editable=True, total=True, width=140, parser=_amount_parser("借方余额"),
           tooltip="输入金额后按回车；可输入 1,234.50、１２３元"),
    Column("credit", "贷方余额", "money", editable=True, total=True, width=140, parser=_amount_parser("贷方余额"),
           tooltip="输入金额后按回车；可输入 1,234.50、１２３元"),
]
DEBIT, CREDIT = 3, 4


def _load(session: Any, book: BookRow) -> tuple[list[AccountRow], dict[str, Decimal]]:
    """The book's accounts and each leaf's current opening balance (debit-positive), one transaction."""
    accounts = org_svc.list_accounts(session, book.id)
    rows = ledger_svc.trial_balance(session, book.id, book.start_period, book.start_period)
    return accounts, {r.code: r.opening for r in rows if r.is_leaf and r.opening != 0}


def _line(acc: AccountRow, net: Decimal = ZERO) -> OpeningLine:
    debit, credit = balance_sides(net)
    return OpeningLine(acc.code, acc.name if acc.active else f"{acc.name}（停用）", acc.normal_side,
                       debit or None, credit or None)


class OpeningDialog(QDialog):
    """期初余额 of ``ctx.book``; 保存 replaces the book's whole opening table."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if ctx.book is None:
            raise UserError("请先选择账套")
        self.ctx, self.book = ctx, ctx.book
        self.saved: svc.OpeningPreview | None = None
        self.runner: Any = None  # the import's TaskRunner, made when first used
        self.importer: Any = None
        self.setWindowTitle(f"期初余额 — {self.book.name}")
        self.model = RowTableModel(COLUMNS)
        self.view = LedgerView(self.model, filter_placeholder="筛选：科目编码、名称或拼音首字母")
        self.view.table.setSortingEnabled(False)  # the 科目余额表 order is the code order
        intro = QLabel(f"{self.book.name}（{self.book.chart_version}版科目，{period_label(self.book.start_period)}启用）："
                       "在末级科目上填写启用时的余额，借方合计须等于贷方合计。启用月份结账或有记账凭证后不能再修改。")
        intro.setWordWrap(True)
        self.totals_label = QLabel()
        self.state_label = QLabel()
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(90)
        self.problems.setStyleSheet(f"color: {ERROR_COLOR};")
        self.problems.hide()
        import_btn, export_btn = QPushButton("从Excel导入…"), QPushButton("导出模板…")
        save, cancel = QPushButton("保存(&S)"), QPushButton("取消")
        import_btn.clicked.connect(self.import_xlsx)
        export_btn.clicked.connect(self.export_template)
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        save.setAutoDefault(False)  # Enter commits a cell, it must not save the dialog
        cancel.setAutoDefault(False)
        save.setObjectName("btn_save")
        import_btn.setObjectName("btn_import")
        gate(import_btn, ctx, SET_OPENING)
        if gate(save, ctx, SET_OPENING):  # 监督 and 区级 see the figures, nobody offers them a save
            QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        foot = QHBoxLayout()
        foot.addWidget(import_btn)
        foot.addWidget(export_btn)
        foot.addStretch(1)
        foot.addWidget(self.totals_label)
        foot.addWidget(self.state_label)
        foot.addWidget(save)
        foot.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addLayout(foot)
        self.model.totals_changed.connect(self.update_totals)
        self.model.edit_failed.connect(self._edit_failed)
        self.model.row_edited.connect(lambda _old, _new: self.show_problems([]))
        self.reload()
        self.resize(820, 600)

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        accounts, opening = self.ctx.call(_load, self.book)
        self._accounts = {a.code: a for a in accounts}
        from desktop_app.excel.opening_xlsx import template_accounts  # openpyxl: only when used

        leaves = template_accounts(accounts)
        self.model.set_rows([_line(a, opening.get(a.code, ZERO)) for a in leaves])
        self.show_problems([])

    def lines(self) -> list[OpeningLine]:
        """Every row, in code order, as shown after the last edit (the filter does not matter)."""
        return self.model.all_rows()

    def totals(self) -> tuple[Decimal, Decimal]:
        rows = self.lines()
        return (sum((r.debit or ZERO for r in rows), ZERO), sum((r.credit or ZERO for r in rows), ZERO))

    def inputs(self) -> list[svc.OpeningInput]:
        return [svc.OpeningInput(r.code, r.debit or ZERO, r.credit or ZERO) for r in self.lines()
                if r.debit or r.credit]

    def update_totals(self) -> None:
        d, c = self.totals()
        self.totals_label.setText(f"借方合计 {format_amount(d)}　贷方合计 {format_amount(c)}　差额 {format_amount(d - c)}")
        balanced = d == c
        self.state_label.setText("试算平衡" if balanced else "试算不平衡")
        self.state_label.setStyleSheet(f"font-weight: bold; color: {_OK_COLOR if balanced else ERROR_COLOR};")

    # -- messages ---------------------------------------------------------------------------
    def show_problems(self, problems: list[str], heading: str = "") -> None:
        self.problems.setPlainText("\n".join([heading, *problems] if heading else problems))
        self.problems.setVisible(bool(problems))

    def _edit_failed(self, err: UserError) -> None:
        index = self.view.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        where = f"{row.code} {row.name}　" if isinstance(row, OpeningLine) else ""
        self.show_problems([f"{where}{err}（未修改）"])

    # -- actions ----------------------------------------------------------------------------
    def import_xlsx(self, path: Path | str | None = None) -> None:
        """从Excel导入 through the generic import dialog (kind ``opening``: mapping, 导入方式, preview of
        each account's change); 确认导入 writes the book's opening balances and the table reloads."""
        from desktop_app.ui.import_dialog import ImportRun
        from desktop_app.ui.tasks import TaskRunner

        if self.runner is None:
            self.runner = TaskRunner(self)
        self.importer = ImportRun(self, self.ctx, self.runner, "opening", notify="voucher",
                                  options={"user": self.ctx.user}, on_done=lambda _r: self.reload())
        self.importer.start(path)

    def load_file(self, path: Path) -> bool:
        """Fill the table from a sheet; on any row error the table stays as it was and the errors show."""
        from desktop_app.excel.opening_xlsx import by_row, read_opening_sheet

        try:
            lines, read_errors = read_opening_sheet(path)
            preview = self.ctx.read(svc.preview_opening, self.book.id, lines)
        except UserError as err:
            show_user_error(self, err)
            return False
        # Row errors keep the table as it was; an unbalanced sheet is loaded, to be corrected here.
        row_errors = by_row([*read_errors, *(e for e in preview.errors if not e.startswith("期初余额不平衡"))])
        if row_errors:
            self.show_problems(row_errors, f"{path.name} 有 {len(row_errors)} 处错误，表格未改动：")
            return False
        amounts = {code: d - c for code, _name, d, c in preview.lines}
        self.model.set_rows([_line(self._accounts[r.code], amounts.get(r.code, ZERO)) for r in self.lines()])
        note = [] if preview.ok else [*preview.errors, "请在表格中改正后再保存。"]
        self.show_problems(note, f"已从 {path.name} 读入 {len(preview.lines)} 个科目（尚未保存）：" if note else "")
        return True

    def export_template(self) -> None:
        suggested = f"{self.book.name}_期初余额表模板.xlsx"
        name = save_file_name(self, self.ctx.settings, "opening_xlsx", "导出期初余额表模板", suggested, XLSX_FILTER)
        if not name:
            return
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        from desktop_app.excel.opening_xlsx import write_opening_template

        try:
            write_opening_template(path, self.book, list(self._accounts.values()))
        except OSError as exc:
            show_user_error(self, f"无法写入文件 {path}：{exc.strerror or exc}")

    def commit_editing(self) -> None:
        """A cell still being edited (保存 by Ctrl+S) is committed first, as if Enter was pressed."""
        table = self.view.table
        editor = table.indexWidget(table.currentIndex()) if table.state() == table.State.EditingState else None
        if editor is not None:
            table.commitData(editor)
            table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def save(self) -> None:
        self.commit_editing()
        try:
            self.saved = self.ctx.call(svc.set_opening_balances, self.book.id, self.inputs(), user=self.ctx.user)
        except UserError as err:
            self.show_problems(str(err).split("；"), "未保存：")
            show_user_error(self, err)
            return
        self.ctx.notify("voucher", (self.book.id,))
        self.accept()


def open_opening_dialog(ctx: AppContext, parent: QWidget | None = None) -> None:
    """The vouchers page's 「期初余额」 button."""
    try:
        dialog = OpeningDialog(ctx, parent)
    except UserError as err:
        show_user_error(parent, err)
        return
    dialog.exec()

