"""Several sync packages imported as ONE run from the U盘同步 page (导入多个 / 导入U盘中的全部同步包).

Thin over ``desktop_app.sync.import_run.import_run``, the function ``sync import FILE|DIR ...``
calls: one task on the database thread (one progress dialog for the run, 取消 between and
inside packages), one 同步导入前 backup checked at the end, then ``RunSummaryDialog`` listing
every package: 已导入 / 已导入过 / 已跳过 (not for this PC, found in the folder) / 未导入（被拒绝）
(with its Chinese reason; the run goes on with the other packages, as the CLI does) / 已取消 /
未导入 (not attempted: after 取消 or with the database busy the run stops). The text under the
list names every refused package with its reason and says what became of the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from db.backup import BackupEntry
from desktop_app.core.progress import Cancelled, Progress
from desktop_app.sync.import_run import BUSY, PackageOutcome, RunResult
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.sync_dialogs import OK_COLOR, EngineProgress, show_refusal
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskHandle, TaskRunner
from desktop_app.ui.widgets.base import ERROR_COLOR

__all__ = ["PackageLine", "RunOutcome", "RunSummaryDialog", "SyncImportRun", "confirm_run", "package_lines"]

IMPORTED, ALREADY, SKIPPED, REFUSED, CANCELLED, NOT_TRIED = "已导入", "已导入过", "已跳过", "未导入（被拒绝）", "已取消", "未导入"
STOPPED_BY_CANCEL = "已取消，未导入"
STOPPED_BY_BUSY = "数据库正忙，导入到此停止：请稍候重新导入"


@dataclass(frozen=True)
class RunOutcome:
    """What the run's task hands back to the GUI thread: the run, whether 取消 was pressed, and
    the run's 同步导入前 backup after its check (None: nothing was written)."""

    result: RunResult
    cancelled: bool
    backup: BackupEntry | None


@dataclass(frozen=True)
class PackageLine:
    """One package of the run as the summary lists it."""

    file: str
    sender: str
    result: str
    detail: str


def _line(o: PackageOutcome, cancelled: bool) -> PackageLine:
    r = o.report
    if r is None:
        assert o.refusal is not None
        state = SKIPPED if o.skipped else CANCELLED if cancelled and o.stopped else REFUSED
        return PackageLine(o.file.name, "", state, str(o.refusal))
    sender = f"{r.sender_level_text}“{r.sender_name}” 第 {r.stream_seq} 号包"
    return PackageLine(o.file.name, sender, ALREADY if r.already_imported else IMPORTED, r.message)


def package_lines(outcome: RunOutcome) -> list[PackageLine]:
    lines = [_line(o, outcome.cancelled) for o in outcome.result.outcomes]
    why = STOPPED_BY_BUSY if outcome.result.stopped == BUSY else STOPPED_BY_CANCEL
    return lines + [PackageLine(f.name, "", NOT_TRIED, why) for f in outcome.result.not_attempted]


def verdict(lines: list[PackageLine]) -> str:
    counts = {k: sum(1 for x in lines if x.result == k) for k in (IMPORTED, ALREADY, SKIPPED, REFUSED, CANCELLED,
                                                                   NOT_TRIED)}
    words = {IMPORTED: "已导入", ALREADY: "此前已导入", SKIPPED: "不是发给本机的、已跳过", REFUSED: "被拒绝",
             CANCELLED: "已取消", NOT_TRIED: "未导入"}
    parts = [f"{words[k]} {n} 个" for k, n in counts.items() if n]
    return f"共 {len(lines)} 个同步包：" + "，".join(parts)


def refusal_text(outcome: RunOutcome, lines: list[PackageLine]) -> str:
    """Each refused package with its reason, the stop (取消, the database busy) and the packages
    it left untried, then what became of the others; "" when nothing was refused or stopped."""
    result = outcome.result
    said = []
    for o in result.refused:
        if o.stopped and outcome.cancelled:
            said.append(f"已取消：{o.refusal}")
        else:
            said.append(f"{o.file.name} 未导入：{o.refusal}")
    if result.not_attempted:
        n = len(result.not_attempted)
        if result.stopped == BUSY:
            said.append(f"数据库正忙，导入到此停止：其后 {n} 个包未尝试，请稍候重新导入")
        elif not any(o.stopped for o in result.refused):  # 取消 between two packages
            said.append(f"已取消：其后 {n} 个包未导入")
        else:
            said.append(f"其后 {n} 个包未尝试")
    if not said:
        return ""
    refused = len(result.refused)
    counts = {k: sum(1 for x in lines if x.result == k) for k in (IMPORTED, ALREADY, SKIPPED)}
    parts = [f"{w} {counts[k]} 个" for k, w in ((IMPORTED, "新导入"), (ALREADY, "此前已导入"),
                                                (SKIPPED, "不是发给本机的已跳过")) if counts[k]]
    if counts[IMPORTED]:
        others = f"其余的包已导入（{'，'.join(parts)}）。"
    elif counts[ALREADY]:  # nothing new came in: the others had been imported before
        others = f"其余的包此前都已导入，这次没有新数据（{'，'.join(parts)}）。"
    else:
        others = "没有导入任何包。" + (f"（{parts[0]}）" if parts else "")
    unchanged = (f"{'以上各' if refused > 1 else '这个'}包的数据未作任何改动；"
                 if any("未作任何改动" not in str(o.refusal) for o in result.refused) else "")
    return "\n".join(said) + "\n" + unchanged + others


def backup_text(entry: BackupEntry | None) -> tuple[str, bool]:
    """The run's backup line and whether it is a warning."""
    if entry is None:
        return "", False
    if entry.verified:
        return f"导入前的备份 {entry.path.name} 已校验通过", False
    if entry.verified is None:
        return f"导入前的备份 {entry.path.name} 尚未校验：请在“备份与恢复”中重新校验", True
    return (f"⚠ 导入前的备份 {entry.path.name} 校验未通过：{'；'.join(entry.problems)}。"
            "请运行 verify 检查数据库，并立即另做一份备份"), True


COLUMNS = [
    Column("file", "同步包", width=390),
    Column("sender", "来自", width=170),
    Column("result", "结果", width=110),
    Column("detail", "说明", width=520),
]
_RESULT = 2
_BAD, _GOOD = QBrush(QColor(ERROR_COLOR)), QBrush(QColor(OK_COLOR))


class _LineModel(RowTableModel):
    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            line = self.rows()[index.row()]
            if role == Qt.ItemDataRole.ToolTipRole:
                return line.detail
            if index.column() == _RESULT:
                if line.result in (REFUSED, CANCELLED, NOT_TRIED):
                    return _BAD
                if line.result in (IMPORTED, ALREADY):
                    return _GOOD
        return super().data(index, role)


def _label(text: str, name: str, *, color: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    style = (f"color: {color};" if color else "") + ("font-weight: bold;" if bold else "")
    if style:
        label.setStyleSheet(style)
    return label


class RunSummaryDialog(QDialog):
    """After the run: every package with its result; under the list, each refused package with
    its reason in full and what became of the others (``refusal_text``)."""

    def __init__(self, outcome: RunOutcome, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_run_summary")
        self.setWindowTitle("导入同步包：结果")
        self.outcome = outcome
        self.lines = package_lines(outcome)
        layout = QVBoxLayout(self)
        bad = any(x.result in (REFUSED, CANCELLED) for x in self.lines)
        self.verdict = _label(verdict(self.lines), "run_verdict", color=ERROR_COLOR if bad else OK_COLOR, bold=True)
        layout.addWidget(self.verdict)
        self.table = LedgerView(_LineModel(COLUMNS, self.lines), filter_placeholder="筛选：文件名或发送方")
        self.table.setObjectName("run_packages")
        self.table.table.horizontalHeader().setStretchLastSection(True)  # 说明 takes the rest of the width
        layout.addWidget(self.table, 1)
        text = refusal_text(outcome, self.lines)
        self.refusal: QLabel | None = None
        if text:
            self.refusal = _label(text, "run_refusal", color=ERROR_COLOR)
            layout.addWidget(self.refusal)
        text, warn = backup_text(outcome.backup)
        self.backup = _label(text, "run_backup", color=ERROR_COLOR if warn else "")
        self.backup.setVisible(bool(text))
        layout.addWidget(self.backup)
        buttons = QDialogButtonBox(self)
        buttons.addButton("关闭(&C)", QDialogButtonBox.ButtonRole.RejectRole).setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1240, 460)


def confirm_run(parent: QWidget | None, files: list[Path], where: str) -> bool:
    """导入 N 个同步包？ with the names (a long list is shortened)."""
    names = "\n".join(f"  {f.name}" for f in files[:12]) + (f"\n  ……另有 {len(files) - 12} 个" if len(files) > 12 else "")
    box = QMessageBox(QMessageBox.Icon.Question, "导入同步包",
                      f"{where}共 {len(files)} 个同步包，按顺序全部导入：\n{names}\n\n"
                      "导入前先备份一次数据库；每个包单独检查，全部无误才写入。被拒绝的包不写入任何数据，"
                      "其余的包照常导入，最后列出每个包的结果。",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("全部导入(&Y)")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    return ui_errors._exec(box) == int(QMessageBox.StandardButton.Ok)


def _say(progress: Progress, text: str) -> None:
    """A report that never raises: a 取消 pressed now is seen by the engine's next tick or by
    ``import_run``'s ``stop`` before the next package."""
    try:
        progress.report(0, 0, text)
    except Cancelled:
        pass


class SyncImportRun:
    """Several packages from the page: ``start(files, folder=)`` → one task → ``dialog`` (the
    summary); ``done(outcome)`` is called on the GUI thread before the summary opens."""

    def __init__(self, parent: QWidget, ctx: AppContext, runner: TaskRunner, done: Callable[[RunOutcome], None],
                 busy: Callable[[TaskHandle], None] | None = None) -> None:
        self.parent, self.ctx, self.runner, self._done = parent, ctx, runner, done
        self._busy = busy or (lambda _h: None)
        self.outcome: RunOutcome | None = None
        self.dialog: RunSummaryDialog | None = None
        self.task: TaskHandle | None = None

    def start(self, files: list[Path], *, folder: bool) -> TaskHandle:
        db, actor, n = self.ctx.db, self.ctx.user.username, len(files)

        def work(progress: Progress) -> RunOutcome:
            from desktop_app.sync.apply import ImportRun
            from desktop_app.sync.import_run import import_run

            def engine(i: int, file: Path) -> EngineProgress:
                p = EngineProgress(progress, f"正在导入第 {i + 1}/{n} 个同步包：{file.name}…")
                _say(p, "")
                return p

            run = ImportRun()
            try:
                result = import_run(db, files, folder=folder, actor=actor, run=run, progress_for=engine,
                                    stop=lambda: progress.cancelled)
            except BaseException:
                run.verify()  # the packages before stay imported: their backup is checked all the same
                raise
            if run.backup is not None:
                _say(progress, "正在校验导入前的备份…")
            return RunOutcome(result, progress.cancelled, run.verify())

        self.task = self.runner.run(work, title=f"正在导入 {n} 个同步包…", on_result=self._finished,
                                    on_error=lambda exc: show_refusal(self.parent, exc, "同步包未导入"))
        self._busy(self.task)
        return self.task

    def _finished(self, outcome: RunOutcome) -> None:
        self.outcome = outcome
        self._done(outcome)
        self.dialog = RunSummaryDialog(outcome, self.parent)
        self.dialog.open()
