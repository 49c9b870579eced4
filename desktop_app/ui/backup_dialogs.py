"""Dialogs of 备份与恢复: the backup passphrase, the typed confirmation of a restore, and the
month close's offer to copy a backup to a USB stick (``offer_stick_copy``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.backup import BackupEntry
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.services import backups as svc
from desktop_app.core.services.restore import BackupContents, PreparedRestore
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.forms import Field, FormDialog

CONFIRM_WORD = "恢复"
CHOOSE_FOLDER = "选择文件夹…"
NO_STICK = "（未找到U盘：请插入U盘，或选择文件夹）"
ERROR_COLOR = "#b00020"


def password_edit(name: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    if name:
        edit.setObjectName(name)
    return edit


def ask_passphrase(parent: QWidget | None, text: str) -> str | None:
    """The passphrase, asked in a password field; None when cancelled."""
    value, ok = QInputDialog.getText(parent, "备份口令", text, QLineEdit.EchoMode.Password)
    return value if ok and value else None


def passphrase_dialog(ctx: AppContext, parent: QWidget | None) -> FormDialog:
    """设置/修改备份口令 (系统管理员): the current one when one is set, the new one twice."""
    has = ctx.read(svc.has_passphrase)
    fields = [Field("current", "原备份口令", password_edit("bk_current"), required=True)] if has else []
    fields += [Field("passphrase", "新备份口令", password_edit("bk_new"), required=True,
                     hint=f"至少 {svc.MIN_PASSPHRASE} 个字符。写到U盘或其他文件夹的备份用它加密，恢复时要输入它；"
                          "口令丢失则这些备份无法恢复，请妥善保管"),
               Field("repeat", "再输入一次", password_edit("bk_repeat"), required=True)]

    def save(v: dict[str, Any]) -> None:
        if v["repeat"] != v["passphrase"]:
            raise ValidationError("两次输入的备份口令不一致", field="repeat")
        ctx.call(svc.set_passphrase, v["passphrase"], user=ctx.user, current=v.get("current"))

    dialog = FormDialog("修改备份口令" if has else "设置备份口令", fields, save, parent=parent)
    # what losing it costs must be read before saving, not found in a tooltip
    note = QLabel(f"至少 {svc.MIN_PASSPHRASE} 个字符。写到U盘或其他文件夹的备份用它加密，恢复时要输入它；"
                  "口令丢失则这些备份无法恢复，请妥善保管。")
    note.setObjectName("bk_passphrase_note")
    note.setWordWrap(True)
    note.setStyleSheet(f"color: {ERROR_COLOR};")
    layout = dialog.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.insertWidget(1, note)
    return dialog


class RestoreConfirmDialog(QDialog):
    """What the backup holds and what restoring it loses (and, when they differ, that the backup
    passphrase comes back as the backup had it); 恢复 is enabled once the user has typed
    恢复 (and, for a backup that failed verify, ticked that they restore it anyway)."""

    def __init__(self, prepared: PreparedRestore, contents: BackupContents, parent: QWidget | None = None,
                 passphrase_change: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("恢复备份")
        self.setMinimumWidth(560)
        self.prepared = prepared
        orgs = contents.organisations
        shown = "、".join(orgs[:6]) + (f" 等 {len(orgs)} 个" if len(orgs) > 6 else "")
        lines = [f"备份文件：{prepared.source}",
                 f"其中的组织：{shown or '（没有组织）'}",
                 f"最近的凭证日期：{contents.latest_voucher or '（没有凭证）'}",
                 f"审计日志：共 {contents.audit_last_n} 条，末条哈希 {contents.audit_last_hash[:16] or '—'}"]
        if contents.same_history:
            loss = (f"当前数据库在此备份之后又记录了 {contents.lost_entries} 条审计日志（新增、修改、登录等），"
                    "恢复后这些改动都将不存在。" if contents.lost_entries else "当前数据库在此备份之后没有新的改动。")
        else:
            loss = (f"此备份与当前数据库的历史不同源（不是当前数据库早先的副本），恢复后当前数据库的全部 "
                    f"{contents.lost_entries} 条审计日志及其数据都将被替换。")
        self.summary = QLabel("\n".join(lines))
        self.summary.setObjectName("restore_summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)
        self.loss = QLabel(loss + "\n当前数据库会先另存到数据文件夹的 backups 中，恢复后本机启用新的安装标识。")
        self.loss.setObjectName("restore_loss")
        self.loss.setWordWrap(True)
        self.loss.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.loss)
        self.passphrase_change = QLabel(passphrase_change or "")  # restore_passphrase_change: said before, not after
        self.passphrase_change.setObjectName("restore_passphrase")
        self.passphrase_change.setWordWrap(True)
        self.passphrase_change.setStyleSheet(f"color: {ERROR_COLOR};")
        self.passphrase_change.setVisible(bool(passphrase_change))
        layout.addWidget(self.passphrase_change)
        self.force = QCheckBox("我已看到以上问题，仍用此备份恢复")
        findings = prepared.check.findings
        if findings:
            problems = QLabel(f"此备份未通过完整性检查，发现 {len(findings)} 个问题：\n"
                              + "\n".join(f"  {p}" for p in findings[:12])
                              + (f"\n  ……另有 {len(findings) - 12} 个" if len(findings) > 12 else ""))
            problems.setObjectName("restore_findings")
            problems.setWordWrap(True)
            problems.setStyleSheet(f"color: {ERROR_COLOR};")
            layout.addWidget(problems)
            layout.addWidget(self.force)
        layout.addWidget(QLabel(f"确认恢复，请输入“{CONFIRM_WORD}”："))
        self.typed = QLineEdit()
        self.typed.setObjectName("restore_typed")
        layout.addWidget(self.typed)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("恢复", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("restore_ok")
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.typed.textChanged.connect(self._update)
        self.force.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(self.typed.text().strip() == CONFIRM_WORD
                           and (not self.prepared.check.findings or self.force.isChecked()))


class DriveChooser(QWidget):
    """U盘 or folder: the removable drives (desktop_app.sync.drives) and 选择文件夹…."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("backup_drive_combo")
        self.combo.setMinimumWidth(320)
        self.combo.activated.connect(self._chosen)
        rescan = QPushButton("重新查找U盘")
        rescan.clicked.connect(lambda: self.load())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(rescan)
        self.load()

    def load(self) -> None:
        from desktop_app.sync.drives import list_drives

        folders = [self.combo.itemData(i) for i in range(self.combo.count())
                   if self.combo.itemData(i) and self.combo.itemText(i).startswith("文件夹")]
        self.combo.clear()
        sticks = [d for d in list_drives() if d.removable]
        for d in sticks:
            self.combo.addItem(d.label, str(d.path))
        if not sticks:
            self.combo.addItem(NO_STICK, "")
        for folder in folders:
            self.combo.addItem(f"文件夹  {folder}", folder)
        self.combo.addItem(CHOOSE_FOLDER, None)
        self.combo.setCurrentIndex(0)

    def set_folder(self, folder: Path | str) -> None:
        folder = str(folder)
        i = self.combo.findData(folder)
        if i < 0:
            i = self.combo.count() - 1
            self.combo.insertItem(i, f"文件夹  {folder}", folder)
        self.combo.setCurrentIndex(i)

    def _chosen(self, index: int) -> None:
        if self.combo.itemData(index) is not None:
            return
        folder = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹")
        if folder:
            self.set_folder(folder)
        else:
            self.combo.setCurrentIndex(0)

    def folder(self) -> Path | None:
        data = self.combo.currentData()
        return Path(data) if data else None


def backup_outside(ctx: AppContext, parent: QWidget | None, folder: Path | None,
                   passphrase: str | None = None) -> svc.ExportResult | BackupEntry | None:
    """立即备份到 ``folder``: asks for the passphrase when it is outside the data folder. Shows a
    refusal and returns None; the caller says what was written."""
    if folder is None:
        show_user_error(parent, "请先插入U盘，或选择要放备份的文件夹")
        return None
    db_path = ctx.db.path
    if svc.is_outside(db_path, folder):
        if not ctx.read(svc.has_passphrase):
            show_user_error(parent, svc.NO_PASSPHRASE)
            return None
        passphrase = passphrase or ask_passphrase(parent, f"备份将加密写到 {folder}，请输入备份口令：")
        if not passphrase:
            return None
    try:
        return ctx.read(svc.backup_to_folder, db_path, folder, passphrase)
    except UserError as exc:
        show_user_error(parent, exc)
        return None


def result_text(result: svc.ExportResult | BackupEntry) -> str:
    if isinstance(result, BackupEntry):
        return f"已备份到数据文件夹：{result.path.name}（{'已通过检查' if result.verified else '未通过检查'}）"
    return (f"已加密备份到：{result.path}（已解密读回核对一致）。恢复时需要输入备份口令。"
            f"数据文件夹中另存了一份：{result.local.path.name}")


class StickCopyDialog(QDialog):
    """月末结账 done: offer to copy a backup to a USB stick (sealed with the passphrase)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, period: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: svc.ExportResult | BackupEntry | None = None
        self.setWindowTitle("结账后备份到U盘")
        layout = QVBoxLayout(self)
        head = f"{period} 已结账。" if period else "已结账。"
        layout.addWidget(QLabel(head + "建议把一份加密备份复制到U盘，与电脑分开保管（电脑损坏或丢失时可以恢复）。"))
        self.drives = DriveChooser(self)
        layout.addWidget(self.drives)
        self.passphrase = password_edit("stick_passphrase")
        self.passphrase.setPlaceholderText("备份口令")
        layout.addWidget(self.passphrase)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(self)
        self.copy_button = buttons.addButton("复制到U盘", QDialogButtonBox.ButtonRole.AcceptRole)
        later = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        self.copy_button.clicked.connect(self.copy)
        later.clicked.connect(self.reject)
        layout.addWidget(buttons)
        if not ctx.read(svc.has_passphrase):
            self.status.setText(svc.NO_PASSPHRASE)
            self.copy_button.setEnabled(False)
            self.passphrase.setEnabled(False)

    def copy(self) -> None:
        result = backup_outside(self.ctx, self, self.drives.folder(), self.passphrase.text() or None)
        if result is not None:
            self.result_value = result
            self.status.setText(result_text(result))
            self.accept()


def offer_stick_copy(ctx: AppContext, parent: QWidget | None, period: str = "") -> StickCopyDialog:
    """After a month close (funds page): open the offer, not modal; returns the dialog."""
    dialog = StickCopyDialog(ctx, parent, period=period)
    dialog.open()
    return dialog
