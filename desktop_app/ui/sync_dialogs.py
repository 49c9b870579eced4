"""Dialogs and the import flow of the U盘同步 page (issue #12).

Nothing here decides anything about sync: the page and these dialogs call the same services the
CLI calls (``desktop_app.sync.identity``, ``.export.export_package``, ``.apply.read_package`` /
``import_package``) and show their results in Chinese.

- ``TrustCardDialog``: the other side's card (name, level, region, fingerprint) beside this PC's
  fingerprint; 登记 only once the user ticks that the fingerprint was read back over the phone.
- ``ImportSummaryDialog``: the dry run's summary (sender, package number and date, villages with
  rows per kind, control totals and digests ✓/✗, new vs already-held records, problems), then
  确认导入 / 取消. A package with problems or one already imported offers only 关闭.
- ``SyncImport``: file → ``read_package`` on the database thread → summary → ``import_package`` on
  the database thread with progress → the result, or the Chinese refusal (nothing changed).
- ``EngineProgress``: the task's ``Progress`` as the engine takes it (see its docstring).

Several packages at once (chosen together, or a stick's every package) are one run:
``desktop_app.ui.sync_run``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.progress import Cancelled, Progress
from desktop_app.sync.apply import ImportReport
from desktop_app.sync.cards import Card
from desktop_app.sync.kinds import clock_warning, rows_heading, rows_text, sender_time
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskHandle, TaskRunner
from desktop_app.ui.widgets.base import ERROR_COLOR

__all__ = ["OK_COLOR", "EngineProgress", "ImportSummaryDialog", "SyncImport", "TrustCardDialog", "inform",
           "show_refusal"]

PACKAGE_FILTER = "阳光台账同步包 (*.slsync);;所有文件 (*)"
OK_COLOR = "#1e7e34"
UNCHANGED = "本机数据未作任何改动。"


class EngineProgress(Progress):
    """The task's ``Progress`` in both forms the sync engine may take.

    Called as ``progress(done, total) -> bool`` (False: stop; the engine then raises its own
    "已取消…" PackageError and rolls back), or used as a ``Progress`` (``report``/``check`` raise
    ``Cancelled``). Reports go to the task's progress dialog with ``text``."""

    def __init__(self, outer: Progress, text: str) -> None:
        super().__init__(None)
        self._outer = outer
        self.text = text

    @property
    def cancelled(self) -> bool:
        return self._outer.cancelled

    def cancel(self) -> None:
        self._outer.cancel()

    def check(self) -> None:
        self._outer.check()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        self._outer.report(done, total, text or self.text)

    def __call__(self, done: int, total: int) -> bool:
        try:
            self.report(done, total)
        except Cancelled:
            return False
        return True


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """An information box (through ``ui.errors._exec`` like every box, so tests never block)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    ui_errors._exec(box)


def show_refusal(parent: QWidget | None, exc: BaseException, title: str) -> None:
    """A refusal (UserError) calmly, with what to do next; anything else as the crash it is."""
    if isinstance(exc, UserError):
        text = str(exc)
        ui_errors.show_user_error(parent, text if "未作任何改动" in text or "未写出" in text else f"{text}\n\n{UNCHANGED}",
                                  title=title)
    else:
        ui_errors.report_exception(parent, exc)


def _label(text: str, *, name: str = "", color: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    style = (f"color: {color};" if color else "") + ("font-weight: bold;" if bold else "")
    if style:
        label.setStyleSheet(style)
    return label


class TrustCardDialog(QDialog):
    """Register the other side's card only after its fingerprint was checked over the phone."""

    def __init__(self, card: Card, my_fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_trust_dialog")
        self.setWindowTitle(f"登记对方名片：{card.level_text}“{card.name}”")
        self.card = card
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("名称：", _label(f"{card.name}（{card.level_text}）", bold=True))
        form.addRow("区划代码：", _label(card.region_code or "（未设置）"))
        form.addRow("名片生成：", _label(f"{sender_time(card.created_at)}，程序版本 {card.program_version}"))
        self.fingerprint = _label(card.fingerprint, name="card_fingerprint", bold=True)
        self.fingerprint.setStyleSheet("font-weight: bold; font-size: 16pt; letter-spacing: 2px;")
        form.addRow("对方指纹：", self.fingerprint)
        form.addRow("本机指纹：", _label(my_fingerprint))
        layout.addLayout(form)
        layout.addWidget(_label(
            f"请打电话给{card.name}，请对方在其电脑的“U盘同步”页上读出本机指纹，逐组核对与上面的“对方指纹”一致。"
            "不一致时请勿登记：名片可能在传递中被替换。"))
        self.checked = QCheckBox("已与对方电话核对，指纹完全一致(&K)")
        self.checked.setObjectName("fingerprint_checked")
        layout.addWidget(self.checked)
        buttons = QDialogButtonBox(self)
        self.trust_button = buttons.addButton("登记(&T)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.trust_button.setEnabled(False)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.checked.toggled.connect(self.trust_button.setEnabled)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 320)


@dataclass(frozen=True)
class VillageView:
    """One village of a package, as the summary table shows it."""

    name: str
    kinds: str
    rows: int
    totals: str
    digest: str


def _check_text(matched: bool | None, ok: str, bad: str) -> str:
    if matched is None:
        return "— 未对账"
    return f"✓ {ok}" if matched else f"✗ {bad}"


def village_views(report: ImportReport) -> list[VillageView]:
    out = []
    for v in report.villages:
        totals = (_check_text(v.totals_matched, f"{v.totals} 个月一致", f"{v.totals} 个月中有不一致")
                  if v.totals else "—")
        out.append(VillageView(v.name or v.organisation_id[:8], rows_text(v.rows, limit=4), sum(v.rows.values()),
                               totals, _check_text(v.digest_matched, "一致", "不一致")))
    return out


VILLAGE_COLUMNS = [
    Column("name", "村（组织）", "pinyin-text", width=200),
    Column("kinds", "数据", width=380),
    Column("rows", "行数", "int", total=True, width=70),
    Column("totals", "控制数", width=140, tooltip="凭证张数、分录行数、借方与贷方合计，按账套和月份与对方核对"),
    Column("digest", "数据摘要", width=90, tooltip="村级全部同步数据的摘要，与对方核对"),
]


_BAD, _GOOD = QBrush(QColor(ERROR_COLOR)), QBrush(QColor(OK_COLOR))


class _VillageModel(RowTableModel):
    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() in (3, 4):
            text = str(super().data(index, Qt.ItemDataRole.DisplayRole) or "")
            if text.startswith("✗"):
                return _BAD
            if text.startswith("✓"):
                return _GOOD
        return super().data(index, role)


class ImportSummaryDialog(QDialog):
    """What the package would import (the dry run, rolled back), then 确认导入 / 取消."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_import_summary")
        self.setWindowTitle(f"导入同步包：{report.file_name}")
        self.report = report
        layout = QVBoxLayout(self)
        when = sender_time(report.created_at)
        layout.addWidget(_label(f"来自{report.sender_level_text}“{report.sender_name}”的第 {report.stream_seq} 号包，"
                                f"生成于 {when}", name="summary_sender", bold=True))
        layout.addWidget(_label(report.file_name))
        if (skew := clock_warning(report.created_at)) is not None:
            layout.addWidget(_label(skew, name="summary_clock"))
        self.table: LedgerView | None = None
        buttons = QDialogButtonBox(self)
        self.import_button = None
        if report.already_imported:
            self.verdict = _label(report.message, name="summary_verdict", color=OK_COLOR, bold=True)
            layout.addWidget(self.verdict)
            buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole).setDefault(True)
        else:
            # a refusal found while applying comes back without what was counted up to it: then
            # only the problems are shown, never "0 条" for a package that carries data
            if report.rows or report.new_records or report.held_records or report.villages or not report.problems:
                self._contents(layout, report)
            if report.problems:
                self.problems = _label("\n".join(f"✗ {p}" for p in report.problems), name="summary_problems",
                                       color=ERROR_COLOR)
                layout.addWidget(self.problems)
                self.verdict = _label("检查未通过，此包不能导入（见上面列出的问题）。" + UNCHANGED,
                                      name="summary_verdict", color=ERROR_COLOR, bold=True)
                layout.addWidget(self.verdict)
                buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole).setDefault(True)
            else:
                unchecked = any(v.totals_matched is None and v.digest_matched is None for v in report.villages)
                note = ("（标“未对账”的村：双方持有的数据尚不同步，待下一个包再核对）" if unchecked else "")
                self.verdict = _label("检查通过，以上只是预览，尚未导入任何数据。确认后在一个事务中导入；"
                                      f"任何一处不符则全部不导入。{note}", name="summary_verdict", color=OK_COLOR)
                layout.addWidget(self.verdict)
                self.import_button = buttons.addButton("确认导入(&Y)", QDialogButtonBox.ButtonRole.AcceptRole)
                self.import_button.setDefault(True)
                buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        if self.table is None:
            layout.addStretch(1)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480 if self.table is not None else 260)

    def _contents(self, layout: QVBoxLayout, report: ImportReport) -> None:
        extra = f"；附件 {report.attachments} 个" if report.attachments else ""
        self.counts = _label(f"新变更 {report.new_records} 条，本机已持有 {report.held_records} 条；"
                             f"审计记录新增 {report.audit_new} 条{extra}", name="summary_counts")
        layout.addWidget(self.counts)
        kinds = _label(f"{rows_heading(report.rows)}：{rows_text(report.rows, limit=8)}", name="summary_rows")
        kinds.setToolTip(rows_text(report.rows))
        layout.addWidget(kinds)
        self.table = LedgerView(_VillageModel(VILLAGE_COLUMNS, village_views(report)),
                                filter_placeholder="筛选：村名或拼音首字母")
        self.table.setObjectName("summary_villages")
        layout.addWidget(self.table, 1)


def first_removable() -> Path | None:
    from desktop_app.sync.drives import list_drives

    drives = list_drives()
    return drives[0].path if drives and drives[0].removable else None


class SyncImport:
    """One import started from the sync page: ``start(path)`` (or a file dialog) → dry run →
    ``dialog`` (the summary) → 确认导入 → ``report``. ``done`` is called after an import."""

    def __init__(self, parent: QWidget, ctx: AppContext, runner: TaskRunner, done: Callable[[ImportReport], None],
                 start_dir: Path | None = None, busy: Callable[[TaskHandle], None] | None = None) -> None:
        self.parent, self.ctx, self.runner, self._done = parent, ctx, runner, done
        self.start_dir = start_dir
        self._busy = busy or (lambda _h: None)
        self.path: Path | None = None
        self.preview: ImportReport | None = None
        self.report: ImportReport | None = None
        self.dialog: ImportSummaryDialog | None = None
        self.task: TaskHandle | None = None

    def start(self, path: Path | str | None = None) -> None:
        if path is None:
            where = self.start_dir or first_removable()
            name, _ = QFileDialog.getOpenFileName(self.parent, "从U盘导入同步包", str(where or ""), PACKAGE_FILTER)
            if not name:
                return
            path = name
        self.path = Path(path)
        db, file = self.ctx.db, self.path

        def check(progress: Progress) -> ImportReport:
            from desktop_app.sync.apply import read_package

            progress.report(0, 0, f"正在检查 {file.name}（解密、验证签名、试导入）…")
            return read_package(db, file)

        self.task = self.runner.run(check, title="正在检查同步包…", cancellable=False, on_result=self._checked,
                                    on_error=lambda exc: show_refusal(self.parent, exc, "此同步包不能导入"))
        self._busy(self.task)

    def _checked(self, preview: ImportReport) -> None:
        self.preview = preview
        self.dialog = ImportSummaryDialog(preview, self.parent)
        self.dialog.accepted.connect(self._confirmed)
        self.dialog.open()

    def _confirmed(self) -> None:
        assert self.path is not None and self.preview is not None and not self.preview.problems
        db, file, actor = self.ctx.db, self.path, self.ctx.user.username

        def apply(progress: Progress) -> ImportReport:
            from desktop_app.sync.apply import import_package

            engine = EngineProgress(progress, f"正在导入 {file.name}…")
            engine.report(0, 0)
            return import_package(db, file, actor=actor, progress=engine)

        self.task = self.runner.run(apply, title="正在导入同步包…", on_result=self._imported,
                                    on_error=self._failed, on_cancelled=self._cancelled)
        self._busy(self.task)

    def _failed(self, exc: BaseException) -> None:
        if self.task is not None and self.task.progress.cancelled and isinstance(exc, UserError):
            self._cancelled()
            return
        show_refusal(self.parent, exc, "同步包未导入")

    def _cancelled(self) -> None:
        inform(self.parent, "已取消", "已取消导入，" + UNCHANGED)

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self._done(report)
        inform(self.parent, "导入完成", report.message or "已导入")
