"""U盘同步 (issue #12): this PC's identity, the partners and their exchanges, export to a stick,
import from one.

The page has no sync logic of its own: it calls what ``sync identity|trust|export|import|status``
call (``desktop_app.sync.identity``, ``.status.partner_status``, ``.export.export_package``,
``.apply.read_package``/``import_package``, ``.import_run.import_run`` for several packages or a
stick's folder as one run, ``.drives.list_drives``). Export and import run on the
database thread (``TaskRunner``) with the delayed progress dialog and 取消, so the window stays
responsive; a cancelled export rolls back and leaves no file (the engine writes the final name
only at the end). Dialogs and the import flow: ``desktop_app.ui.sync_dialogs``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.services.proposals import STATUSES, list_proposals
from desktop_app.sync import identity
from desktop_app.sync.cards import CARD_SUFFIX, read_card, write_card
from desktop_app.sync.import_run import package_files
from desktop_app.sync.status import PartnerStatus, partner_status
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.proposals import TITLE as PROPOSALS_TITLE
from desktop_app.ui.sync_dialogs import (
    PACKAGE_FILTER,
    EngineProgress,
    SyncImport,
    TrustCardDialog,
    first_removable,
    inform,
    show_refusal,
)
from desktop_app.ui.sync_run import RunOutcome, SyncImportRun, confirm_run, package_lines, verdict
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import TaskHandle, TaskRunner
from desktop_app.ui.widgets.base import ERROR_COLOR

__all__ = ["PAGE", "PartnerLine", "SyncPage"]

CHOOSE_FOLDER = "选择文件夹…"
NO_STICK = "（未找到U盘：请插入U盘，或选择文件夹）"
NO_DISTRICT = ("尚未登记区经管站的名片：请点“导出本机名片…”把本机名片交给区经管站登记，并点“登记对方名片…”"
               "登记区经管站导出的名片（登记时双方电话核对指纹）。")
NO_TOWNSHIPS = ("尚未登记任何乡镇的名片：请点“登记对方名片…”登记各乡镇导出的名片，并点“导出本机名片…”"
                "把本机名片交给各乡镇登记（登记时双方电话核对指纹）。")
ALL_TOWNSHIPS = "全部乡镇（各写一个包）"


@dataclass(frozen=True)
class PartnerLine:
    """One partner as the table shows it (from ``status.partner_status``)."""

    origin: uuid.UUID
    name: str
    level: str
    fingerprint: str
    sent: str
    acknowledged: str
    unacknowledged: int | None
    received: str
    warning: str


def _when(at: Any) -> str:
    return f"{at.astimezone():%Y-%m-%d}"


def partner_line(st: PartnerStatus) -> PartnerLine:
    p = st.partner
    name = p.name if p.active else f"{p.name}（旧电脑，已由{'“' + st.successor_name + '”' if st.successor_name else '新电脑'}接替）"
    sent = "尚未导出" if p.active else ""
    if st.last_sent:
        what = f"{st.last_sent.changes} 条变更" if st.last_sent.changes else "仅确认信息"
        sent = f"{_when(st.last_sent.at)}，第{st.last_sent.stream_seq}号包，{what}"
    held = sum(x.held for x in st.positions)
    acked = sum(min(x.held, x.acknowledged) for x in st.positions)
    if not p.active:
        acknowledged = ""
    elif not held:
        acknowledged = "暂无需发送的变更"
    elif st.unacknowledged:
        acknowledged = f"{acked} / {held} 条"
    else:
        acknowledged = f"全部 {held} 条"
    received = "尚未导入"
    if st.last_received:
        what = f"{st.last_received.changes} 条新变更" if st.last_received.changes else "仅确认信息"
        received = f"{_when(st.last_received.at)}，第{st.last_received.stream_seq}号包，{what}"
    return PartnerLine(p.origin, name, p.level_text, p.fingerprint, sent, acknowledged,
                       st.unacknowledged if p.active else None, received, st.warning or "")


COLUMNS = [
    Column("name", "名称", "pinyin-text", width=150),
    Column("level", "级别", width=40),
    Column("fingerprint", "指纹", width=185),
    Column("sent", "最近发出", width=230),
    Column("acknowledged", "对方已确认", width=110),
    Column("unacknowledged", "未确认变更", "int", width=85,
           tooltip="对方尚未确认收到的变更条数：下次导出时会重新发送"),
    Column("received", "最近接收", width=240),
    Column("warning", "提醒", width=420),
]
_WARNING = COLUMNS.index(next(c for c in COLUMNS if c.key == "warning"))
_RED = QBrush(QColor(ERROR_COLOR))


class _PartnerModel(RowTableModel):
    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == _WARNING:
            return _RED
        return super().data(index, role)


class SyncPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self)
        self.task: TaskHandle | None = None
        self.importer: SyncImport | None = None
        self.run_importer: SyncImportRun | None = None
        self._waiting: frozenset[uuid.UUID] = frozenset()  # proposals waiting for an answer before an import
        self.exported: list[tuple[str, Any]] = []  # (partner name, ExportResult) of the last export
        self.site: identity.SiteInfo | None = None
        self.fingerprint = ""
        self._targets: dict[str, list[tuple[uuid.UUID, str]]] = {}
        self.trust_dialog: TrustCardDialog | None = None

        who = QGroupBox("本机")
        self.identity_label = QLabel()
        self.identity_label.setObjectName("sync_identity")
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label = QLabel()
        self.fingerprint_label.setObjectName("sync_fingerprint")
        self.fingerprint_label.setStyleSheet("font-weight: bold; font-size: 14pt; letter-spacing: 2px;")
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        who_row = QHBoxLayout(who)
        text = QVBoxLayout()
        text.addWidget(self.identity_label)
        text.addWidget(self.fingerprint_label)
        who_row.addLayout(text, 1)
        for label, handler in (("设置本机名称…", self.rename), ("导出本机名片(&D)…", self.export_card),
                               ("登记对方名片(&T)…", self.trust)):
            btn = QPushButton(label)
            btn.clicked.connect(lambda _c=False, h=handler: h())
            who_row.addWidget(btn)

        self.model = _PartnerModel(COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:sync_partners",
                               filter_placeholder="筛选：名称或拼音首字母")
        self.view.setObjectName("sync_partners")

        exchange = QGroupBox("交换数据")
        rows = QVBoxLayout(exchange)  # where (partner, stick) above, what to do below: fits a 1366 screen
        row = QHBoxLayout()
        rows.addLayout(row)
        row.addWidget(QLabel("发往："))
        self.partner_combo = QComboBox()
        self.partner_combo.setObjectName("sync_partner_combo")
        self.partner_combo.setMinimumWidth(200)
        self.partner_combo.setPlaceholderText("（尚未登记）")
        row.addWidget(self.partner_combo)
        row.addWidget(QLabel("U盘："))
        self.drive_combo = QComboBox()
        self.drive_combo.setObjectName("sync_drive_combo")
        self.drive_combo.setMinimumWidth(320)
        self.drive_combo.activated.connect(self._drive_chosen)
        row.addWidget(self.drive_combo, 1)
        rescan = QPushButton("重新查找U盘")
        rescan.clicked.connect(lambda: self.load_drives())
        row.addWidget(rescan)
        row = QHBoxLayout()
        rows.addLayout(row)
        row.addStretch(1)
        self.export_button = QPushButton("导出到U盘(&X)")
        self.export_button.clicked.connect(lambda: self.export_to_stick())
        row.addWidget(self.export_button)
        self.import_button = QPushButton("从U盘导入(&I)…")
        self.import_button.setToolTip("选择一个或多个同步包（.slsync）导入；选多个时作为一次导入，共用一份导入前的备份")
        self.import_button.clicked.connect(lambda: self.import_from_stick())
        row.addWidget(self.import_button)
        self.import_all_button = QPushButton("导入U盘中的全部同步包(&A)")
        self.import_all_button.setObjectName("sync_import_all")
        self.import_all_button.setToolTip("按文件名顺序导入所选U盘或文件夹中的全部同步包；不是发给本机的包自动跳过")
        self.import_all_button.clicked.connect(lambda: self.import_all_from_stick())
        row.addWidget(self.import_all_button)

        self.status = QLabel()
        self.status.setObjectName("sync_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(QLabel("同步对象（区经管站登记各乡镇的名片，各乡镇登记区经管站的名片）："))
        layout.addWidget(self.view, 1)
        self.hint = QLabel()
        self.hint.setObjectName("sync_hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.warnings = QLabel()
        self.warnings.setObjectName("sync_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        layout.addWidget(self.warnings)
        layout.addWidget(exchange)
        layout.addWidget(self.status)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in ("sync", "refresh") else None)
        self.load_drives()
        self.reload()

    # -- reading ------------------------------------------------------------------------------
    def reload(self) -> None:
        def read(s: Any) -> tuple[identity.SiteInfo, str, list[PartnerStatus]]:
            return identity.site(s), identity.my_card(s)[0].fingerprint, partner_status(s)

        self.site, self.fingerprint, rows = self.ctx.read(read)
        me = self.site
        unnamed = "" if me.named else "（尚未设置名称：请点“设置本机名称…”，对方才能辨认本机）"
        self.identity_label.setText(f"{me.level_text}“{me.name}”{unnamed}    区划代码 {me.region_code or '（未设置）'}")
        self.fingerprint_label.setText(f"本机指纹：{self.fingerprint}")
        self.model.set_rows([partner_line(st) for st in rows])
        warnings = [f"⚠ {st.warning}" for st in rows if st.warning]
        self.warnings.setText("\n".join(warnings))
        self.warnings.setVisible(bool(warnings))
        self._load_targets([st for st in rows if st.partner.active])

    def _load_targets(self, active: list[PartnerStatus]) -> None:
        """发往: the active partners of the other level (the CLI's rule); a district may export
        to all its townships at once."""
        assert self.site is not None
        other = "township" if self.site.level == "district" else "district"
        targets = [(st.partner.origin, st.partner.name) for st in active if st.partner.level == other]
        chosen = self.partner_combo.currentData()
        self._targets = {o.hex: [(o, n)] for o, n in targets}
        self.partner_combo.clear()
        if self.site.level == "district" and len(targets) > 1:
            self._targets["all"] = targets
            self.partner_combo.addItem(ALL_TOWNSHIPS, "all")
        level = "乡镇" if other == "township" else "区"
        for o, n in targets:
            self.partner_combo.addItem(f"{level}“{n}”", o.hex)
        i = self.partner_combo.findData(chosen)
        self.partner_combo.setCurrentIndex(max(i, 0))
        self.export_button.setEnabled(bool(targets) and not self.runner.active)
        hint = NO_TOWNSHIPS if self.site.level == "district" else NO_DISTRICT
        self.export_button.setToolTip("" if targets else hint)
        self.hint.setText("" if targets else hint)
        self.hint.setVisible(not targets)

    def load_drives(self) -> None:
        """The mounted places (removable first) and 选择文件夹…; a folder chosen before stays."""
        from desktop_app.sync.drives import list_drives

        chosen = [self.drive_combo.itemData(i) for i in range(self.drive_combo.count())
                  if self.drive_combo.itemData(i) is not None and self.drive_combo.itemText(i).startswith("文件夹")]
        self.drive_combo.clear()
        # only removable drives are offered: the system disk's root is never a default target
        sticks = [d for d in list_drives() if d.removable]
        for d in sticks:
            self.drive_combo.addItem(d.label, str(d.path))
        if not sticks:
            self.drive_combo.addItem(NO_STICK, "")
        for folder in chosen:
            self.drive_combo.addItem(f"文件夹  {folder}", folder)
        self.drive_combo.addItem(CHOOSE_FOLDER, None)
        self.drive_combo.setCurrentIndex(0)

    def set_folder(self, folder: Path | str) -> None:
        """Add a folder to the stick choices and select it (选择文件夹…, and tests)."""
        folder = str(folder)
        i = self.drive_combo.findData(folder)
        if i < 0:
            i = self.drive_combo.count() - 1  # before 选择文件夹…
            self.drive_combo.insertItem(i, f"文件夹  {folder}", folder)
        self.drive_combo.setCurrentIndex(i)

    def _drive_chosen(self, index: int) -> None:
        if self.drive_combo.itemData(index) is not None:  # a stick, a folder, or 未找到U盘
            return
        folder = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹", str(first_removable() or ""))
        if folder:
            self.set_folder(folder)
        else:
            self.drive_combo.setCurrentIndex(0)

    def target_dir(self) -> Path | None:
        data = self.drive_combo.currentData()
        return Path(data) if data else None

    # -- identity -----------------------------------------------------------------------------
    def rename(self) -> None:
        assert self.site is not None
        me = self.site
        name, ok = QInputDialog.getText(self, "设置本机名称", f"本机（{me.level_text}）的名称，如 大桥镇、江宁区经管站：",
                                        text=me.name if me.named else "")
        if not ok:
            return
        try:
            self.ctx.call(identity.set_site, me.level, name, me.region_code)
        except UserError as exc:
            show_user_error(self, exc)
            return
        self.ctx.notify("sync")

    def export_card(self, path: Path | str | None = None) -> Path | None:
        assert self.site is not None
        if not self.site.named:
            show_user_error(self, "本机名称仍为“本机”，名片未导出：请先点“设置本机名称…”设置名称（如 大桥镇），对方才能辨认本机")
            return None
        if path is None:
            where = first_removable() or Path.home()
            name, _ = QFileDialog.getSaveFileName(self, "导出本机名片", str(where / f"{self.site.name}{CARD_SUFFIX}"),
                                                  f"同步名片 (*{CARD_SUFFIX})")
            if not name:
                return None
            path = name
        try:
            data = self.ctx.read(lambda s: identity.my_card(s)[1])
            written = write_card(Path(path), data)
        except UserError as exc:
            show_user_error(self, exc)
            return None
        except OSError as exc:
            show_user_error(self, f"名片未能写出：{exc.strerror or exc}（请检查U盘是否已插好、是否写保护）")
            return None
        inform(self, "已导出本机名片", f"已导出本机名片：{written}\n\n请把名片文件交给对方登记，"
                                     f"并在对方登记时与对方电话核对指纹：{self.fingerprint}")
        return written

    def trust(self, path: Path | str | None = None) -> TrustCardDialog | None:
        """Read a card, show it with its fingerprint; ``_trust_confirmed`` registers it."""
        if path is None:
            where = first_removable() or Path.home()
            name, _ = QFileDialog.getOpenFileName(self, "登记对方名片", str(where), f"同步名片 (*{CARD_SUFFIX});;所有文件 (*)")
            if not name:
                return None
            path = name
        try:
            card = read_card(Path(path))
        except UserError as exc:
            show_user_error(self, exc)
            return None
        dialog = TrustCardDialog(card, self.fingerprint, self)
        dialog.accepted.connect(lambda: self._trust_confirmed(dialog))
        dialog.open()
        self.trust_dialog = dialog
        return dialog

    def _trust_confirmed(self, dialog: TrustCardDialog) -> None:
        try:
            result = self.ctx.call(lambda s: identity.trust_card(s, dialog.card, actor=self.ctx.user.username))
        except UserError as exc:
            show_user_error(self, exc, title="名片未登记")
            return
        self.ctx.notify("sync")
        title = "已登记新电脑" if result.outcome == "succession" else "已登记名片"
        inform(self, title, result.message)

    # -- export -------------------------------------------------------------------------------
    def export_to_stick(self) -> TaskHandle | None:
        targets = self._targets.get(self.partner_combo.currentData() or "", [])
        to_dir = self.target_dir()
        if not targets:
            show_user_error(self, "尚未登记同步对象的名片：请先点“登记对方名片…”")
            return None
        if to_dir is None:
            show_user_error(self, "未找到U盘：请插入U盘后点“重新查找U盘”，或在“U盘”一栏选择文件夹")
            return None
        if not to_dir.is_dir():
            show_user_error(self, f"文件夹不存在：{to_dir}（请插入U盘后点“重新查找U盘”，或选择已有的文件夹）")
            return None
        db, actor = self.ctx.db, self.ctx.user.username

        def work(progress: Progress) -> tuple[list[tuple[str, Any]], str]:
            from desktop_app.sync.export import export_package

            done: list[tuple[str, Any]] = []
            for i, (origin, name) in enumerate(targets):
                engine = EngineProgress(progress, f"正在导出给“{name}”（{i + 1}/{len(targets)}）…")
                engine.report(0, 0)
                try:
                    done.append((name, export_package(db, origin, to_dir, actor=actor, data_dir=db.path.parent,
                                                      progress=engine)))
                except UserError as exc:
                    if not done:
                        raise
                    return done, str(exc)  # the packages written before stay valid
            return done, ""

        self.status.setText(f"正在导出到 {to_dir} …")
        self.task = self.runner.run(work, title="正在导出同步包…", on_result=self._exported,
                                    on_error=self._export_failed, on_cancelled=self._export_cancelled)
        self._busy(self.task)
        return self.task

    def _busy(self, handle: TaskHandle) -> None:
        """One exchange at a time: export and import wait until this task has finished."""
        self.export_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.import_all_button.setEnabled(False)

        def free() -> None:
            self.import_button.setEnabled(True)
            self.import_all_button.setEnabled(True)
            self.export_button.setEnabled(bool(self._targets))

        handle.finished.connect(free)

    def _exported(self, outcome: tuple[list[tuple[str, Any]], str]) -> None:
        results, stopped = outcome
        self.exported = results
        lines = []
        for name, r in results:
            if r.path is None:
                lines.append(f"“{name}”：{r.message or '没有需要发送的新数据'}")
                continue
            what = f"共 {r.changes} 条变更" if r.changes else "没有新的变更，只带回确认信息"
            lines.append(f"已写入 {r.path}，{what}，已在本机保留副本")
        if stopped:
            lines.append(f"其余未导出：{stopped}")
        text = "\n".join(lines)
        self.status.setText(text)
        self.ctx.notify("sync")
        inform(self, "导出完成" if not stopped else "部分导出", text)

    def _export_failed(self, exc: BaseException) -> None:
        if self.task is not None and self.task.progress.cancelled and isinstance(exc, UserError):
            self._export_cancelled()
            return
        self.status.setText(f"导出未完成：{exc}" if isinstance(exc, UserError) else "导出未完成")
        show_refusal(self, exc, "导出未完成")

    def _export_cancelled(self) -> None:
        self.status.setText("已取消导出，未写出任何文件")

    # -- import -------------------------------------------------------------------------------
    def import_from_stick(self, path: Path | str | list[Path] | None = None) -> SyncImport | SyncImportRun | None:
        """One package: the dry run's summary, then 确认导入. Several (chosen together in the file
        dialog, or given): one run (``import_several``)."""
        where = self.target_dir()
        start = where if where is not None and where.is_dir() else first_removable()
        if path is None:
            names, _ = QFileDialog.getOpenFileNames(self, "从U盘导入同步包（可选多个）", str(start or ""), PACKAGE_FILTER)
            if not names:
                return None
            path = [Path(n) for n in names]
        paths = path if isinstance(path, list) else [Path(path)]
        if len(paths) > 1:
            return self.import_several(paths)
        self._waiting = self._proposals_waiting()
        self.importer = SyncImport(self, self.ctx, self.runner, self._imported, start_dir=start, busy=self._busy)
        self.importer.start(paths[0])
        return self.importer

    def import_all_from_stick(self) -> SyncImportRun | None:
        """导入U盘中的全部同步包: every package in the chosen stick or folder, after one question."""
        where = self.target_dir()
        if where is None or not where.is_dir():
            show_user_error(self, "未找到U盘：请插入U盘后点“重新查找U盘”，或在“U盘”一栏选择放同步包的文件夹"
                            if where is None else f"文件夹不存在：{where}（请插入U盘后点“重新查找U盘”）")
            return None
        try:
            files, _ = package_files([where])
        except UserError as exc:
            show_user_error(self, exc)
            return None
        if not confirm_run(self, files, f"{where} 中"):
            return None
        return self.import_several(files, folder=True)

    def import_several(self, files: list[Path], *, folder: bool = False) -> SyncImportRun:
        """``files`` as one run (``sync import FILE ...`` / ``sync import DIR``): one progress
        dialog, one backup, then the summary of every package."""
        self._waiting = self._proposals_waiting()
        self.run_importer = SyncImportRun(self, self.ctx, self.runner, self._run_imported, busy=self._busy)
        self.status.setText(f"正在导入 {len(files)} 个同步包…")
        self.task = self.run_importer.start(files, folder=folder)
        return self.run_importer

    def _proposals_waiting(self) -> frozenset[uuid.UUID]:
        """The district's correction proposals waiting for this PC's answer (its own villages)."""
        return frozenset(r.id for r in self.ctx.read(list_proposals, status=STATUSES[0]))

    def _proposals_text(self, reports: list[Any]) -> str:
        if not any(r.rows.get("proposal") for r in reports):
            return ""
        received = len(self._proposals_waiting() - self._waiting)  # one stream to every township: ours only
        return f"\n收到区级更正建议 {received} 条，请到“{PROPOSALS_TITLE}”页答复" if received else ""

    def _imported(self, report: Any) -> None:
        self.status.setText(report.message + self._proposals_text([report]))
        self.ctx.notify("sync")
        self.ctx.notify("refresh")  # the books changed under every page

    def _run_imported(self, outcome: RunOutcome) -> None:
        reports = [o.report for o in outcome.result.outcomes if o.report is not None and not o.report.already_imported]
        self.status.setText(verdict(package_lines(outcome)) + self._proposals_text(reports))
        self.ctx.notify("sync")
        if reports:
            self.ctx.notify("refresh")


PAGE = PageSpec("sync", "U盘同步", 92, SyncPage, roles=("bookkeeper", "district_admin", "sysadmin"),
                site="both")
