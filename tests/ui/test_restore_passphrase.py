"""Restoring a backup brings back the backup passphrase as the backup had it (it lives in the
database): the restore confirmation and the CLI ``restore`` say so, in plain words, when it differs
from the current setting; they say nothing when it is the same. Real demo databases, real
backups, real widgets offscreen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from db.migrate import open_database
from desktop_app.core.services import backups as svc
from desktop_app.ui.context import AppContext
from tests.conftest import copy_of
from tests.ui.conftest import ShownBoxes
from tests.ui.helpers import type_text
from tests.ui.test_backup_page import PASS, _page, _shot, ctx  # noqa: F401 (ctx: a fixture)

NOT_SET = "恢复此备份后，备份口令将回到该备份时的状态：尚未设置口令。"
NEWER = "新的备份口令-2027"


def _dialog_for(page: Any, entry: Any) -> Any:
    page.reload()
    page.view.select_row(page.model.find_row(lambda e: e.path == entry.path))
    dialog = page.restore_selected()
    assert dialog is not None
    return dialog


def test_restoring_a_backup_from_before_the_passphrase_says_it_will_be_unset(ctx: AppContext, qtbot: Any,  # noqa: F811
                                                                             shown_boxes: ShownBoxes) -> None:
    page = _page(ctx, qtbot)
    entry = page.backup_now()  # the demo has no passphrase yet
    assert entry is not None
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    dialog = _dialog_for(page, entry)
    text = dialog.passphrase_change.text()
    assert dialog.passphrase_change.isVisibleTo(dialog) and text.startswith(NOT_SET)
    assert "须由系统管理员重新设置备份口令" in text
    _shot(dialog, "backups_restore_passphrase.png")
    type_text(dialog.typed, "恢复")
    dialog.ok.click()
    assert "已从备份恢复" in page.status.text() and not shown_boxes.boxes
    assert not ctx.read(svc.has_passphrase)  # as it said


def test_a_backup_with_an_older_passphrase_names_when_each_was_set(ctx: AppContext, qtbot: Any) -> None:  # noqa: F811
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    page = _page(ctx, qtbot)
    entry = page.backup_now()
    assert entry is not None
    dialog = _dialog_for(page, entry)  # the same setting: nothing to say
    assert not dialog.passphrase_change.isVisibleTo(dialog) and dialog.passphrase_change.text() == ""
    dialog.reject()
    ctx.call(svc.set_passphrase, NEWER, user=ctx.user, current=PASS)
    dialog = _dialog_for(page, entry)
    text = dialog.passphrase_change.text()
    assert text.startswith("恢复此备份后，备份口令将回到该备份时的状态：该备份中的口令是 ")
    assert "由 admin 设置的，不是当前的口令（" in text and "恢复后写到U盘的备份将用那时的口令加密" in text
    dialog.reject()


def test_the_setting_read_from_files(demo_template: Path, tmp_path: Path) -> None:
    """A file without a passphrase restored over one with it and the other way round; a file
    that is not a database says nothing."""
    plain = copy_of(demo_template, tmp_path / "plain")
    sealed_path = copy_of(demo_template, tmp_path / "with")
    db = open_database(sealed_path)
    try:
        from tests.acting import keeper

        with db.begin("admin") as s:
            svc.set_passphrase(s, PASS, user=keeper(s, "sysadmin"))
    finally:
        db.close()
    assert svc.passphrase_setting_of(plain) == svc.PassphraseSetting(None)
    setting = svc.passphrase_setting_of(sealed_path)
    assert setting is not None and setting.digest and setting.updated_at is not None
    assert (svc.restore_passphrase_change(plain, sealed_path) or "").startswith(NOT_SET)
    back = svc.restore_passphrase_change(sealed_path, plain) or ""
    assert back.startswith("恢复此备份后，备份口令将回到该备份时的状态：已设置口令（") and "当前数据库尚未设置口令" in back
    assert svc.restore_passphrase_change(plain, plain) is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    assert svc.restore_passphrase_change(junk, sealed_path) is None


def test_the_cli_restore_prints_the_same_warning(ctx: AppContext, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.cli import main

    entry = svc.auto_backup(ctx.db.path, "manual")
    ctx.call(svc.set_passphrase, PASS, user=ctx.user)
    expected = svc.restore_passphrase_change(entry.path, ctx.db.path)
    assert expected is not None and expected.startswith(NOT_SET)
    path = ctx.db.path
    ctx.db.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")  # the demo's 系统管理员
    capsys.readouterr()
    try:
        assert main(["--user", "admin", "restore", str(entry.path), "--db", str(path)]) == 0
        out = capsys.readouterr().out
        assert f"注意：{expected}\n" in out and "已从备份恢复" in out
        assert svc.passphrase_setting_of(path) == svc.PassphraseSetting(None)
    finally:
        ctx.db = open_database(path)
