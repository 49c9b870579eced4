"""成员名册 从Excel导入: choose the file → validate in the background → preview → 确认导入.

The work is the CLI's (``excel.members_xlsx.import_members_xlsx``): validation writes nothing;
the preview lists every problem by 行/列 in Chinese and then offers no way to import; 确认导入
reads and checks the file again and writes everything in one transaction or nothing (a file
changed since the preview is refused the same way). Both steps run on the database thread with
the delayed progress dialog; 取消 rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.ids import mask_ric
from desktop_app.core.progress import Progress
from desktop_app.core.rows import OrgRow
from desktop_app.core.services.members_import import CheckedRow, ImportPreview, ImportResult
from desktop_app.core.services.personal_data import shown_birth
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.file_dialogs import open_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskHandle, TaskRunner
from desktop_app.ui.widgets.base import ERROR_COLOR
from desktop_app.ui.widgets.dates import DateEdit

__all__ = ["ImportPreviewDialog", "MemberImport", "shares_text"]

FILE_FILTER = "Excel 文件 (*.xlsx *.xlsm);;所有文件 (*)"
BASIS = "Excel导入成员名册"


def shares_text(value: Any) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _member(attr: str) -> Callable[[CheckedRow], Any]:
    return lambda r: getattr(r.member, attr)


ERROR_COLUMNS = [
    Column("row", "行", "int", width=50),
    Column("column", "列", width=110),
    Column("message", "问题", width=520),
]
ROW_COLUMNS = [
    Column("row", "行", "int", width=50),
    Column("household", "户号", getter=_member("household_number"), width=70),
    Column("group", "组别", getter=_member("group_name"), width=80),
    Column("name", "姓名", "pinyin-text", getter=_member("name"), width=80),
    Column("ric", "身份证号", getter=lambda r: mask_ric(r.member.ric), width=170),  # masked like every list
    Column("sex", "性别", getter=_member("sex"), width=40),
    Column("birth", "出生日期", getter=lambda r: shown_birth(r.member.birth_date, False), width=90),
    Column("relation", "与户主关系", getter=_member("relation"), width=80),
    Column("shares", "股数", "decimal", getter=lambda r: sum((n for _, n in r.shares), Decimal(0)),
           formatter=shares_text, total=True, width=70),
]


class ImportPreviewDialog(QDialog):
    """What the file would import, or why it cannot. ``event_date`` is the 初始登记 date chosen."""

    def __init__(self, preview: ImportPreview, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("member_import_preview")
        self.setWindowTitle(f"导入成员名册：{file_name}")
        self.preview = preview
        layout = QVBoxLayout(self)
        households = "、".join(preview.new_households[:20]) + ("等" if len(preview.new_households) > 20 else "")
        self.summary = QLabel(
            f"文件中共 {preview.members + self._unread()} 名成员{self._bad_rows()}，新户 {len(preview.new_households)} 户{f'（{households}）' if households else ''}，"
            f"股份合计 {shares_text(preview.shares_total)} 股。")
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox(self)
        self.import_button = None
        self.date_edit: DateEdit | None = None
        if preview.errors:
            self.verdict = QLabel(f"发现 {len(preview.errors)} 处错误，未写入任何数据。请按下表修改 Excel 文件后重新导入。")
            self.verdict.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
            self.table = LedgerView(RowTableModel(ERROR_COLUMNS, preview.errors), filter_placeholder="筛选")
            close = buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole)
            close.setDefault(True)
        else:
            self.verdict = QLabel("检查通过。确认后一次写入全部成员和股份；任何一处失败则全部不写入。")
            self.table = LedgerView(RowTableModel(ROW_COLUMNS, preview.rows),
                                    filter_placeholder="筛选：姓名、户号、身份证号或拼音首字母")
            self.date_edit = DateEdit(dt.date.today())
            form = QFormLayout()
            label = QLabel("初始登记日期(&D)：")
            label.setBuddy(self.date_edit)
            label.setToolTip("股份初始登记的日期；Excel 中没有“确认日期”的成员也以此为确认日期")
            form.addRow(label, self.date_edit)
            layout.addLayout(form)
            self.import_button = buttons.addButton("确认导入(&Y)", QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.setDefault(True)  # Enter imports
            buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.verdict.setObjectName("import_verdict")
        self.verdict.setWordWrap(True)
        self.table.setObjectName("import_table")
        layout.insertWidget(1, self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.resize(900, 520)

    def _bad_rows(self) -> str:
        bad = len({e.row for e in self.preview.errors})
        return f"（其中 {bad} 行有错误）" if bad else ""

    def _unread(self) -> int:
        """Rows refused while reading (never became members), counted once per row."""
        read = {r.row for r in self.preview.rows}
        return len({e.row for e in self.preview.errors} - read)

    def event_date(self) -> dt.date:
        value = self.date_edit.value() if self.date_edit is not None else None
        return value or dt.date.today()


class MemberImport:
    """One import run started from the members page. ``start()`` asks for the file; the rest
    follows from the tasks' results. ``preview``/``result`` hold the outcome (for tests)."""

    def __init__(self, parent: QWidget, ctx: AppContext, runner: TaskRunner, org: OrgRow) -> None:
        self.parent, self.ctx, self.runner, self.org = parent, ctx, runner, org
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None

    def start(self, path: Path | str | None = None) -> None:
        if path is None:
            name = open_file_name(self.parent, self.ctx.settings, "members_xlsx", f"从Excel导入成员：{self.org.name}",
                                  FILE_FILTER)
            if not name:
                return
            path = name
        self.path = Path(path)
        self._run(apply=False, event_date=None)

    def _run(self, *, apply: bool, event_date: dt.date | None) -> TaskHandle:
        assert self.path is not None
        db, actor, org_id, path = self.ctx.db, self.ctx.user.username, self.org.id, self.path

        def work(progress: Progress) -> tuple[ImportPreview, ImportResult | None]:
            from desktop_app.excel.members_xlsx import import_members_xlsx  # openpyxl: only when importing

            progress.report(0, 0, f"正在{'导入' if apply else '检查'} {path.name}…")
            with db.begin(actor) as session:
                preview, result = import_members_xlsx(session, org_id, path, apply=apply, event_date=event_date,
                                                      basis=BASIS)
                progress.check()  # 取消 after the work: the transaction rolls back, nothing written
            return preview, result

        title = "正在导入成员名册…" if apply else "正在检查成员名册…"
        return self.runner.run(work, title=title, on_result=self._applied if apply else self._checked,
                               on_cancelled=self._cancelled if apply else None)

    def _cancelled(self) -> None:
        QMessageBox.information(self.parent, "已取消", "已取消导入，未写入任何数据。")

    def _checked(self, outcome: tuple[ImportPreview, ImportResult | None]) -> None:
        self.preview = outcome[0]
        assert self.path is not None
        dialog = ImportPreviewDialog(self.preview, self.path.name, self.parent)
        if dialog.exec() and self.preview.ok:
            self._run(apply=True, event_date=dialog.event_date())

    def _applied(self, outcome: tuple[ImportPreview, ImportResult | None]) -> None:
        preview, result = outcome
        if result is None:  # the file or the roll changed since the preview: nothing was written
            self.preview = preview
            assert self.path is not None
            ImportPreviewDialog(preview, self.path.name, self.parent).exec()
            return
        self.result = result
        self.ctx.notify("member", ())
        QMessageBox.information(self.parent, "导入完成",
                                f"已导入 {self.org.name}：成员 {result.members} 人，新户 {result.households} 户，"
                                f"股份 {shares_text(result.shares_total)} 股。")
