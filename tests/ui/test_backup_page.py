"""备份与恢复 page, offscreen with real widgets on a real demo database: who sees what, backing
up here and (sealed) to a folder, restoring a chosen backup after the typed confirmation that shows
what will be lost — with the page releasing the program's own connections and reopening them."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from db.backup import list_backups
from db.migrate import open_database
from desktop_app.core.backup_crypto import is_sealed
from desktop_app.core.errors import PermissionDenied
from desktop_app.core.rows import UserRow
from desktop_app.core.services import backups as svc
from desktop_app.core.services.users import list_users
from desktop_app.ui.backup_dialogs import StickCopyDialog
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import backups as page_mod
from desktop_app.ui.pages import visible_pages
from desktop_app.ui.settings import WindowSettings
from tests.conftest import copy_of
from tests.ui.conftest import ShownBoxes
from tests.ui.helpers import type_text

PASS = "青山绿水-2026"
SHOTS = os.environ.get("BACKUP_PAGE_SHOTS", "")


def _user(*roles: str) -> UserRow:
    return UserRow(id=uuid.uuid4(), username="admin" if "sysadmin" in roles else "kuaiji", display_name="测试",
                   roles=roles, active=True)


@pytest.fixture
def ctx(demo_template: Path, tmp_path: Path) -> Any:
    path = copy_of(demo_template, tmp_path / "data")
    db = open_database(path)
    with db.read("admin") as s:  # the demo's 系统管理员: the passphrase is set as a real user (issue #16)
        admin = next(u for u in list_users(s) if u.username == "admin")
    context = AppContext(db, admin, WindowSettings(tmp_path / "w.json"))
    yield context
    context.db.close()


def _page(ctx: AppContext, qtbot: Any) -> page_mod.BackupsPage:
    page = page_mod.BackupsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 640)
    page.show()
    return page


def _cells(page: page_mod.BackupsPage) -> list[dict[str, str]]:
    m = page.model
    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    return [{h: m.data(m.index(r, c)) for c, h in enumerate(heads)} for r in range(m.rowCount())]


def _shot(widget: Any, name: str) -> None:
    """Keep a screenshot in ``BACKUP_PAGE_SHOTS``, in the program's own Chinese font."""
    if not SHOTS:
        return
    from PySide6.QtGui import QFont, QFontDatabase

    from desktop_app import paths

    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(paths.font_path())))
    if families:
        widget.setFont(QFont(families[0], 10))
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(Path(SHOTS) / name))


def test_who_sees_the_page_and_who_may_restore(ctx: AppContext, qtbot: Any) -> None:
    for roles, level, shown in ((("bookkeeper",), "township", True), (("sysadmin",), "district", True),
                                (("supervisor",), "township", False), (("reviewer",), "township", False)):
        assert ("backups" in [p.id for p in visible_pages(roles, level)]) is shown
    ctx.user = _user("bookkeeper")
    page = _page(ctx, qtbot)
    assert page.backup_button.isVisible() and page.outside_button.isVisible()
    assert not page.restore_button.isVisible() and not page.passphrase_button.isVisible()


def test_back_up_here_and_sealed_to_a_folder(ctx: AppContext, qtbot: Any, tmp_path: Path,
                                             shown_boxes: ShownBoxes) -> None:
    page = _page(ctx, qtbot)
    before = len(page.model.rows())
    entry = page.backup_now()
    assert entry is not None and entry.verified
    rows = _cells(page)
    assert len(rows) == before + 1
    top = rows[0]
    assert top["原因"] == "手动" and top["校验"] == "✓" and top["文件"] == entry.path.name and top["大小"].endswith("MB")
    with entry.path.open("r+b") as f:  # the copy rots on the disk
        f.seek(entry.size - 10)
        f.write(b"\xff\x00")
    page.view.select_row(page.model.find_row(lambda e: e.path == entry.path))
    assert page.recheck_selected() is not None
    assert "校验未通过：文件内容与备份时登记的不同" in page.status.text() and _cells(page)[0]["校验"] == "✗"

    stick = tmp_path / "stick"
    stick.mkdir()
    assert page.passphrase_state.text().startswith("尚未设置备份口令")  # the 系统管理员 is told the button beside it
    assert "请点“设置备份口令…”设置" in page.passphrase_state.text() and "请系统管理员" not in page.passphrase_state.text()
    assert page.backup_to(stick) is None  # refused: no passphrase set
    assert "尚未设置备份口令" in shown_boxes.texts[-1] and not list(stick.iterdir())

    kuaiji = next(u for u in ctx.read(list_users) if u.username == "kuaiji")
    with pytest.raises(PermissionDenied, match="系统管理员"):  # a 系统管理员's act (issue #16)
        ctx.call(svc.set_passphrase, PASS, user=kuaiji)
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    page.reload()
    assert page.passphrase_state.text() == "已设置备份口令。" and page.passphrase_button.text() == "修改备份口令…"
    assert page.backup_to(stick, "猜的口令-1234") is None
    assert shown_boxes.texts[-1] == "备份口令不正确，未备份" and not list(stick.iterdir())
    page.drives.set_folder(stick)
    assert page.drives.folder() == stick
    result = page.backup_to(page.drives.folder(), PASS)
    assert isinstance(result, svc.ExportResult) and is_sealed(result.path) and result.path.parent == stick
    assert "已加密备份到" in page.status.text()
    _shot(page, "backups_page.png")


def test_restore_shows_what_is_lost_and_needs_the_typed_word(ctx: AppContext, qtbot: Any, tmp_path: Path,
                                                            shown_boxes: ShownBoxes) -> None:
    page = _page(ctx, qtbot)
    entry = page.backup_now()
    assert entry is not None
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)  # two audited changes after the backup
    ctx.call(svc.set_passphrase, "新的备份口令-2027", user=ctx.user, current=PASS)
    page.reload()
    page.view.select_row(page.model.find_row(lambda e: e.path == entry.path))
    dialog = page.restore_selected()
    assert dialog is not None
    assert str(entry.path) in dialog.summary.text() and "最近的凭证日期：20" in dialog.summary.text()
    assert "又记录了 2 条审计日志" in dialog.loss.text()
    assert not dialog.ok.isEnabled()
    type_text(dialog.typed, "恢 复")
    assert not dialog.ok.isEnabled()
    dialog.typed.clear()
    type_text(dialog.typed, "恢复")
    assert dialog.ok.isEnabled()
    _shot(dialog, "backups_restore_confirm.png")
    old_db = ctx.db
    dialog.ok.click()
    assert ctx.db is not old_db  # released and reopened
    assert not ctx.read(svc.has_passphrase)  # the restored books are what is open
    assert "已从备份恢复" in page.status.text() and not shown_boxes.boxes
    assert [e.reason for e in list_backups(svc.backups_folder(ctx.db.path))].count("restore") == 1
    assert not [p for p in ctx.db.path.parent.iterdir() if ".restoring" in p.name or ".decrypting" in p.name]


def test_a_sealed_backup_asks_for_the_passphrase_and_a_bad_one_changes_nothing(
        ctx: AppContext, qtbot: Any, tmp_path: Path, shown_boxes: ShownBoxes) -> None:
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    page = _page(ctx, qtbot)
    stick = tmp_path / "stick"
    stick.mkdir()
    result = page.backup_to(stick, PASS)
    assert isinstance(result, svc.ExportResult)
    before = ctx.db.path.read_bytes()
    assert page.restore_file(result.path, passphrase="猜的口令-1234") is None
    assert "备份口令不正确" in shown_boxes.texts[-1]
    cut = stick / "cut.slbak"
    cut.write_bytes(result.path.read_bytes()[:100_000])
    assert page.restore_file(cut, passphrase=PASS) is None
    assert "不完整" in shown_boxes.texts[-1]
    assert ctx.db.path.read_bytes() == before
    dialog = page.restore_file(result.path, passphrase=PASS)
    assert dialog is not None and "没有新的改动" in dialog.loss.text()
    dialog.reject()  # cancelled: the staged and decrypted copies go
    assert not [p for p in ctx.db.path.parent.iterdir() if ".restoring" in p.name or ".decrypting" in p.name]


def test_restore_is_refused_while_another_program_has_the_database(ctx: AppContext, qtbot: Any,
                                                                  shown_boxes: ShownBoxes) -> None:
    page = _page(ctx, qtbot)
    entry = page.backup_now()
    assert entry is not None
    other = open_database(ctx.db.path)  # e.g. a second window of the program
    try:
        with other.read("other") as s:
            list_users(s)
            dialog = page.restore_file(entry.path)
            assert dialog is not None
            type_text(dialog.typed, "恢复")
            dialog.ok.click()
    finally:
        other.close()
    assert "正被其他程序使用" in shown_boxes.texts[-1]
    assert ctx.read(list_users)  # our own connections were reopened


def test_month_close_offers_a_sealed_copy_on_a_stick(ctx: AppContext, qtbot: Any, tmp_path: Path,
                                                     shown_boxes: ShownBoxes) -> None:
    dialog = StickCopyDialog(ctx, period="2026-10")
    qtbot.addWidget(dialog)
    assert not dialog.copy_button.isEnabled() and "尚未设置备份口令" in dialog.status.text()
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    dialog = StickCopyDialog(ctx, period="2026-10")
    qtbot.addWidget(dialog)
    stick = tmp_path / "stick"
    stick.mkdir()
    dialog.drives.set_folder(stick)
    type_text(dialog.passphrase, PASS)
    dialog.copy_button.click()
    assert isinstance(dialog.result_value, svc.ExportResult) and dialog.result_value.path.parent == stick


def test_the_passphrase_is_set_and_changed_in_its_dialog(ctx: AppContext, qtbot: Any) -> None:
    from desktop_app.ui.backup_dialogs import passphrase_dialog

    dialog = passphrase_dialog(ctx, None)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "设置备份口令" and "current" not in dialog.form.error_labels
    dialog.show()  # what losing it costs is shown in the dialog, not only in a tooltip
    note = dialog.findChild(QLabel, "bk_passphrase_note")
    assert note is not None and note.isVisible() and "口令丢失则这些备份无法恢复" in note.text()
    type_text(dialog.findChild(QLineEdit, "bk_new"), PASS)
    type_text(dialog.findChild(QLineEdit, "bk_repeat"), PASS + "x")
    assert not dialog.try_save()
    assert dialog.form.errors()["repeat"] == "两次输入的备份口令不一致" and not ctx.read(svc.has_passphrase)
    dialog.findChild(QLineEdit, "bk_repeat").clear()
    type_text(dialog.findChild(QLineEdit, "bk_repeat"), PASS)
    assert dialog.try_save() and ctx.read(svc.check_passphrase, PASS)

    dialog = passphrase_dialog(ctx, None)  # changing it needs the current one
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "修改备份口令"
    type_text(dialog.findChild(QLineEdit, "bk_current"), "猜的口令-1234")
    for name in ("bk_new", "bk_repeat"):
        type_text(dialog.findChild(QLineEdit, name), "新的备份口令-2027")
    assert not dialog.try_save() and "原备份口令不正确" in " ".join(dialog.form.errors().values()) + dialog.form.banner.text()
    assert ctx.read(svc.check_passphrase, PASS)
