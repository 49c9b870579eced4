"""备份与恢复 (系统管理员 and 记账员 back up; only 系统管理员 restores and sets the passphrase).

The list is the data folder's catalogue (db/backup.py): date, reason, size, checked ✓/✗. 立即备份
writes into the data folder; 备份到U盘/文件夹 seals the copy with the backup passphrase. 恢复 checks
the chosen backup on a staged copy first (desktop_app.core.services.restore), shows what it holds
and what will be lost (and whether the backup passphrase comes back as the backup had it), asks
for the word 恢复 typed, then releases the program's own connections
(the restore refuses while any connection is open), replaces the file and reopens the database.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from db.backup import BackupEntry, list_backups, recheck
from desktop_app.core.errors import UserError
from desktop_app.core.services import backups as svc
from desktop_app.core.services.restore import (
    PassphraseNeeded,
    PreparedRestore,
    describe_backup,
    discard,
    finish_restore,
    prepare_restore,
)
from desktop_app.ui.backup_dialogs import (
    ERROR_COLOR,
    DriveChooser,
    RestoreConfirmDialog,
    ask_passphrase,
    backup_outside,
    passphrase_dialog,
    result_text,
)
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.tables import RowTableModel
from desktop_app.ui.tasks import run_on_db

log = logging.getLogger(__name__)
RESTORERS = ("sysadmin",)
_MARK = {True: "✓", False: "✗", None: "未校验"}
SERVER_TEXT = ("此数据库在数据库服务器上（PostgreSQL），由服务器管理员用服务器自己的备份工具（如 pg_dump）备份和恢复，"
               "本页不能备份或恢复它")


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 else f"{max(1, round(n / 1024))} KB"


COLUMNS = [
    Column("created", "备份时间", width=150, formatter=lambda d: f"{d:%Y-%m-%d %H:%M:%S}"),
    Column("reason_text", "原因", width=100, getter=lambda e: e.reason_text),
    Column("size", "大小", width=80, formatter=_size),
    Column("verified", "校验", width=60, getter=lambda e: _MARK[e.verified]),
    Column("name", "文件", width=380, getter=lambda e: e.path.name),
]


class BackupsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.can_restore = any(ctx.user.has_role(r) for r in RESTORERS)
        self.confirm_dialog: RestoreConfirmDialog | None = None

        self.model = RowTableModel(COLUMNS)
        self.view = LedgerView(self.model, settings=ctx.settings, settings_key="table:backups")
        self.view.setObjectName("backup_list")
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)  # a long data folder path must not push the text off the page

        here = QHBoxLayout()
        self.backup_button = QPushButton("立即备份(&B)")
        self.backup_button.clicked.connect(lambda: self.backup_now())
        here.addWidget(self.backup_button)
        self.restore_button = QPushButton("恢复所选备份(&R)…")
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        here.addWidget(self.restore_button)
        self.recheck_button = QPushButton("重新校验所选(&C)")
        self.recheck_button.clicked.connect(lambda: self.recheck_selected())
        here.addWidget(self.recheck_button)
        self.restore_file_button = QPushButton("从文件恢复(&O)…")
        self.restore_file_button.clicked.connect(lambda: self.restore_file())
        here.addWidget(self.restore_file_button)
        here.addStretch(1)
        for b in (self.restore_button, self.restore_file_button):
            b.setVisible(self.can_restore)

        outside = QGroupBox("备份到U盘或其他文件夹（用备份口令加密）")
        row = QHBoxLayout(outside)
        self.drives = DriveChooser(self)
        row.addWidget(self.drives, 1)
        self.outside_button = QPushButton("立即备份到…(&U)")
        self.outside_button.clicked.connect(lambda: self.backup_to(self.drives.folder()))
        row.addWidget(self.outside_button)
        self.passphrase_button = QPushButton("设置备份口令…")
        self.passphrase_button.clicked.connect(lambda: self.set_passphrase())
        self.passphrase_button.setVisible(self.can_restore)
        row.addWidget(self.passphrase_button)

        self.passphrase_state = QLabel()
        self.passphrase_state.setObjectName("backup_passphrase_state")
        self.passphrase_state.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addLayout(here)
        layout.addWidget(self.view, 1)
        layout.addWidget(outside)
        layout.addWidget(self.passphrase_state)
        layout.addWidget(self.status)
        ctx.data_changed.connect(lambda kind, _ids: self.reload() if kind in ("backup", "refresh") else None)
        self.on_server = not getattr(ctx.db, "is_file", True)  # a district database on PostgreSQL
        if self.on_server:
            for w in (self.backup_button, self.restore_button, self.restore_file_button, self.outside_button,
                      self.recheck_button):
                w.setEnabled(False)
            self.status.setText(SERVER_TEXT)
        self.reload()

    # -- reading ------------------------------------------------------------------------------
    def reload(self) -> None:
        folder = svc.backups_folder(self.ctx.db.path)
        entries = list_backups(folder, self.ctx.db.path)
        self.model.set_rows(entries)
        self.folder_label.setText(f"数据文件夹中的备份（{folder}）：共 {len(entries)} 个。每天首次启动、升级前、恢复前、"
                                  "同步导入前和月末结账时自动备份，按日、按月轮换保留")
        has = self.ctx.read(svc.has_passphrase)
        unset = ("尚未设置备份口令：写到数据文件夹以外（其他文件夹或U盘）的备份必须加密，请点“设置备份口令…”设置"
                 if self.can_restore else svc.NO_PASSPHRASE)  # the admin is on that very page
        self.passphrase_state.setText("已设置备份口令。" if has else unset)
        self.passphrase_state.setStyleSheet("" if has else f"color: {ERROR_COLOR};")
        self.passphrase_button.setText("修改备份口令…" if has else "设置备份口令…")

    def entries(self) -> list[BackupEntry]:
        return list(self.model.rows())

    # -- backing up ---------------------------------------------------------------------------
    def backup_now(self) -> BackupEntry | None:
        try:
            entry = svc.auto_backup(self.ctx.db.path, "manual")
        except UserError as exc:
            show_user_error(self, exc)
            return None
        self.status.setText(result_text(entry))
        self.ctx.notify("backup")
        return entry

    def backup_to(self, folder: Path | None, passphrase: str | None = None) -> svc.ExportResult | BackupEntry | None:
        result = backup_outside(self.ctx, self, folder, passphrase)
        if result is not None:
            self.status.setText(result_text(result))
            self.ctx.notify("backup")
        return result

    def recheck_selected(self) -> BackupEntry | None:
        row = self.view.current_row()
        if not isinstance(row, BackupEntry):
            show_user_error(self, "请先在列表中选择要校验的备份")
            return None
        entry = recheck(row)
        self.status.setText(f"{entry.path.name}：校验通过" if entry.verified
                            else f"{entry.path.name}：校验未通过：{'；'.join(entry.problems)}")
        self.ctx.notify("backup")
        return entry

    def set_passphrase(self) -> None:
        if not self.can_restore:
            show_user_error(self, "只有系统管理员可以设置备份口令")
            return
        if passphrase_dialog(self.ctx, self).exec():
            self.status.setText("备份口令已保存。")
            self.reload()

    # -- restoring ----------------------------------------------------------------------------
    def restore_selected(self) -> RestoreConfirmDialog | None:
        row = self.view.current_row()
        if not isinstance(row, BackupEntry):
            show_user_error(self, "请先在列表中选择要恢复的备份")
            return None
        return self.restore_file(row.path)

    def restore_file(self, path: Path | str | None = None, passphrase: str | None = None) -> RestoreConfirmDialog | None:
        """Check ``path`` (asked for when None) and open the confirmation; None when refused."""
        if not self.can_restore:
            show_user_error(self, "只有系统管理员可以恢复备份")
            return None
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.drives.folder() or ""),
                                                  "阳光台账备份 (*.db *.slbak);;所有文件 (*)")
            if not name:
                return None
            path = name
        source = Path(path)
        try:
            try:
                prepared = prepare_restore(source, self.ctx.db.path, passphrase=passphrase)
            except PassphraseNeeded:
                passphrase = ask_passphrase(self, f"{source.name} 已加密，请输入备份口令：")
                if not passphrase:
                    return None
                prepared = prepare_restore(source, self.ctx.db.path, passphrase=passphrase)
        except UserError as exc:
            show_user_error(self, exc)
            return None
        if prepared.check.damage:
            discard(prepared)
            show_user_error(self, f"备份文件 {source.name} 已损坏或不完整，不能用于恢复。当前数据库未作任何改动\n"
                            + "\n".join(prepared.check.damage))
            return None
        try:
            contents = describe_backup(prepared.staged, self.ctx.db.path)
        except UserError as exc:
            discard(prepared)
            show_user_error(self, exc)
            return None
        current = self.ctx.db.path
        change = run_on_db(lambda: svc.restore_passphrase_change(prepared.staged, current))
        dialog = RestoreConfirmDialog(prepared, contents, self, passphrase_change=change)
        dialog.accepted.connect(lambda: self._restore(prepared, dialog.force.isChecked()))
        dialog.rejected.connect(lambda: discard(prepared))
        self.confirm_dialog = dialog
        dialog.open()
        return dialog

    def _restore(self, prepared: PreparedRestore, force: bool) -> None:
        """Release the program's connections, restore, reopen the database in their place."""
        path = self.ctx.db.path
        self.ctx.db.close()  # our own pooled connections: the restore refuses while any is open
        try:
            result, origin = run_on_db(lambda: finish_restore(prepared, force=force))
        except UserError as exc:
            self._reopen(path)
            show_user_error(self, exc)
            return
        except BaseException:
            self._reopen(path)
            raise
        self._reopen(path)
        log.info("restored %s over %s, kept %s, new origin %s", result.source, path, result.kept, origin)
        kept = f"原数据库已另存为 {result.kept.name}（在数据文件夹的 backups 中）。" if result.kept else ""
        self.status.setText(f"已从备份恢复：{result.source.name}。{kept}数据库已重新打开，本机启用了新的安装标识。"
                            "各页面显示的是恢复后的数据；如有窗口仍显示旧内容，请退出后重新登录。")
        self.ctx.notify("refresh")

    def _reopen(self, path: Path) -> None:
        from db.migrate import open_database

        self.ctx.db = run_on_db(lambda: open_database(path, create=False, backup_dir=svc.backups_folder(path)))


PAGE = PageSpec("backups", "备份与恢复", 97, BackupsPage, roles=("sysadmin", "bookkeeper"), site="both")
