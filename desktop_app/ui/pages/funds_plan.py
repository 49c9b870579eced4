"""年度财务计划: enter, import or export the plan of the current book for a year.

Every income and expense account of the book is a row with an editable 计划金额 (typed text read
with ``parse_amount``: "12,000" "１２０００元"; more than two decimals is refused) and 说明. The
income and expense totals follow every edit. 「从Excel导入…」 reads a sheet (``read_plan_xlsx`` →
``preview_plan``) and fills the table only when no row has an error; 「导出…」 writes the table as
it is saved; 保存 hands the table to ``set_plan``, which replaces the year's plan (all or nothing); Ctrl+Z puts the
earlier plan back while nobody changed it since.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.money import format_amount
from desktop_app.core.rows_funds import PlanAccountRow, PlanInput
from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services import plans as svc
from desktop_app.core.services.permissions import SET_PLAN
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext, UndoEntry
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.file_dialogs import XLSX_FILTER, open_file_name, save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.permissions import gate
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.widgets.base import ERROR_COLOR

__all__ = ["AMOUNT", "COLUMNS", "NOTE", "PlanDialog", "open_plan_dialog"]

ZERO = Decimal("0.00")


def _parse(text: str) -> Decimal | None:
    return svc.parse_plan_amount(text) if text.strip() else None


COLUMNS = [
    Column("code", "科目编码", width=90),
    Column("name", "科目名称", "pinyin-text", width=240),
    Column("side", "收支", alignment="center", width=50),
    Column("amount", "计划金额", "money", editable=True, width=150, parser=_parse,  # no 合计: income + expense is no figure
           tooltip="全年计划数；输入后按回车；可输入 12,000、１２０００元；不编计划留空"),
    Column("note", "说明", editable=True, width=220, parser=lambda t: t.strip() or None),
]
AMOUNT, NOTE = 3, 4


def _indented(row: PlanAccountRow) -> PlanAccountRow:
    return PlanAccountRow(row.code, "　" * (row.level - 1) + row.name, row.side, row.level, row.is_leaf, row.amount,
                          row.note)


class PlanDialog(QDialog):
    """The 年度财务计划 of ``ctx.book``; 保存 replaces the year's whole plan."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, year: int | None = None) -> None:
        super().__init__(parent)
        if ctx.book is None:
            raise UserError("请先选择账套")
        self.ctx, self.book = ctx, ctx.book
        self.saved: object | None = None
        self.setWindowTitle(f"年度财务计划 — {self.book.name}")
        self.year = QSpinBox()
        self.year.setRange(int(self.book.start_period[:4]), 2200)
        self.year.setValue(max(year or int((ctx.period or self.book.start_period)[:4]), self.year.minimum()))
        self.year.setSuffix(" 年")
        self.model = RowTableModel(COLUMNS)
        self.view = LedgerView(self.model, filter_placeholder="筛选：科目编码、名称或拼音首字母")
        self.view.table.setSortingEnabled(False)  # the 收支明细表 order is the code order
        intro = QLabel("在收入、支出科目上填写全年计划数（元）。一级科目和它的明细科目只填其一；不编计划的科目留空。"
                       "保存后替换该年度原有计划，财务公开表上列示“财务计划执行情况”。")
        intro.setWordWrap(True)
        self.totals_label = QLabel()
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(90)
        self.problems.setStyleSheet(f"color: {ERROR_COLOR};")
        self.problems.hide()
        import_btn, export_btn = QPushButton("从Excel导入…"), QPushButton("导出…")
        save, cancel = QPushButton("保存(&S)"), QPushButton("取消")
        import_btn.clicked.connect(self.import_xlsx)
        export_btn.clicked.connect(self.export_xlsx)
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        for b in (import_btn, export_btn, save, cancel):
            b.setAutoDefault(False)  # Enter commits a cell, it must not save the dialog
        save.setObjectName("btn_save")
        import_btn.setObjectName("btn_import")
        gate(import_btn, ctx, SET_PLAN)
        if gate(save, ctx, SET_PLAN):  # 监督 and 区级 see the figures, nobody offers them a save
            QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        head = QHBoxLayout()
        head.addWidget(QLabel("计划年度"))
        head.addWidget(self.year)
        head.addWidget(intro, 1)
        foot = QHBoxLayout()
        foot.addWidget(import_btn)
        foot.addWidget(export_btn)
        foot.addStretch(1)
        foot.addWidget(self.totals_label)
        foot.addWidget(save)
        foot.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addLayout(foot)
        self.model.totals_changed.connect(self.update_totals)
        self.model.edit_failed.connect(lambda err: self.show_problems([f"{err}（未修改）"]))
        self.model.row_edited.connect(lambda _old, _new: self.show_problems([]))
        self.year.valueChanged.connect(lambda _y: self.reload())
        self.reload()
        self.resize(860, 620)

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        rows = self.ctx.read(svc.plan_accounts, self.book.id, self.year.value())
        self.model.set_rows([_indented(r) for r in rows])
        self.show_problems([])

    def rows(self) -> list[PlanAccountRow]:
        return self.model.all_rows()

    def inputs(self) -> list[PlanInput]:
        return [PlanInput(r.code, r.amount, r.note) for r in self.rows() if r.amount is not None]

    def totals(self) -> tuple[Decimal, Decimal]:
        rows = self.rows()
        return (sum((r.amount or ZERO for r in rows if r.side == "收入"), ZERO),
                sum((r.amount or ZERO for r in rows if r.side == "支出"), ZERO))

    def update_totals(self) -> None:
        income, expense = self.totals()
        self.totals_label.setText(f"收入计划 {format_amount(income)}　支出计划 {format_amount(expense)}　"
                                  f"收支差额 {format_amount(income - expense)}")

    def show_problems(self, problems: list[str], heading: str = "") -> None:
        self.problems.setPlainText("\n".join([heading, *problems] if heading else problems))
        self.problems.setVisible(bool(problems))

    # -- actions ----------------------------------------------------------------------------
    def import_xlsx(self) -> None:
        name = open_file_name(self, self.ctx.settings, "plan_xlsx", "导入年度财务计划", XLSX_FILTER)
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> bool:
        """Fill the table from a sheet; on any error the table stays as it was and the errors show."""
        from desktop_app.excel.opening_xlsx import by_row
        from desktop_app.excel.plans_xlsx import read_plan_xlsx

        try:
            lines, read_errors = read_plan_xlsx(path)
            preview = self.ctx.read(svc.preview_plan, self.book.id, self.year.value(), lines)
        except UserError as err:
            show_user_error(self, err)
            return False
        errors = by_row([*read_errors, *preview.errors])
        if errors:
            self.show_problems(errors, f"{path.name} 有 {len(errors)} 处错误，表格未改动：")
            return False
        planned = {r.code: (amount, r.note) for r, amount in preview.lines}
        self.model.set_rows([PlanAccountRow(r.code, r.name, r.side, r.level, r.is_leaf, *planned.get(r.code, (None, None)))
                             for r in self.rows()])
        self.show_problems([f"已从 {path.name} 读入 {len(preview.lines)} 个科目的计划（尚未保存）"])
        return True

    def export_xlsx(self) -> None:
        year = self.year.value()
        suggested = f"{self.book.name}_{year}年度财务计划.xlsx"
        name = save_file_name(self, self.ctx.settings, "plan_xlsx", "导出年度财务计划", suggested, XLSX_FILTER)
        if not name:
            return
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        from desktop_app.excel.plans_xlsx import write_plan_sheet

        org = self.ctx.read(org_svc.get_organisation, self.book.organisation_id)
        rows = [PlanAccountRow(r.code, r.name.lstrip("　"), r.side, r.level, r.is_leaf, r.amount, r.note)
                for r in self.rows()]
        try:
            write_plan_sheet(path, self.book, org.name, year, rows)
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
        year, book_id, user = self.year.value(), self.book.id, self.ctx.user
        try:
            before = self.ctx.read(svc.get_plan, book_id, year)
            self.saved = self.ctx.call(svc.set_plan, book_id, year, self.inputs(), user=user)
        except UserError as err:
            self.show_problems(str(err).split("；"), "未保存：")
            show_user_error(self, err)
            return
        after = self.ctx.read(svc.get_plan, book_id, year)
        back = [PlanInput(r.code, r.amount or ZERO, r.note) for r in before]
        self.ctx.saved("plan", (book_id,), undo=UndoEntry(
            f"{'编列' if not before else '调整'}{year}年度财务计划", "plan", (book_id,),
            lambda s: svc.set_plan(s, book_id, year, back, user=user, expected=after)))
        self.accept()


def open_plan_dialog(ctx: AppContext, parent: QWidget | None = None, *, year: int | None = None) -> None:
    """The vouchers page's 「年度财务计划」 button."""
    try:
        dialog = PlanDialog(ctx, parent, year=year)
    except UserError as err:
        show_user_error(parent, err)
        return
    dialog.exec()
