"""成员名册 从Excel导入 on the members page: background check → preview → 确认导入, all or nothing."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select

from db.models import Household, Member
from desktop_app.core.ids import make_ric
from desktop_app.core.services.members import list_households, list_members
from desktop_app.core.services.orgs import get_organisation
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import members_import
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.settings import WindowSettings
from tests.ui.helpers import show_active

from .conftest import Village

HEADER = ["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股"]


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _people() -> list[list[object]]:
    return [
        ["301", "第三组", "陈国富", make_ric("320115", date(1962, 2, 3), 31), "户主", date(2019, 12, 31), 1, 1],
        ["301", "第三组", "林秀珍", make_ric("320115", date(1964, 4, 5), 32), "配偶", None, 1, 0.5],
        ["302", "第三组", "黄志刚", make_ric("320115", date(1980, 6, 7), 33), "户主", None, 1, None],
    ]


@pytest.fixture
def page(empty_village: Village, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    v = empty_village
    with v.db.begin() as s:
        org = get_organisation(s, v.org.id)
    ctx = AppContext(v.db, v.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, v.book)
    p = MembersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 650)
    messages: list[str] = []
    previews: list[members_import.ImportPreviewDialog] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    monkeypatch.setattr(ui_errors, "_exec", lambda box: messages.append(box.text()) or 0)
    p.messages, p.previews, p.file = messages, previews, tmp_path / "成员.xlsx"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(p.file), "Excel 文件 (*.xlsx)"))
    return p


def _preview_answers(page: Any, monkeypatch: pytest.MonkeyPatch, *, confirm: bool) -> None:
    def fake_exec(dialog: members_import.ImportPreviewDialog) -> int:
        page.previews.append(dialog)
        if os.environ.get("SCREENSHOT_DIR"):
            dialog.show()
            dialog.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], f"import_preview_{'ok' if dialog.preview.ok else 'errors'}.png"))
        if confirm and dialog.import_button is not None:
            dialog.date_edit.setValue(date(2020, 1, 1))
            dialog.import_button.setFocus()
            QTest.keyClick(dialog.import_button, Qt.Key.Key_Space)  # the default button: 确认导入
        return dialog.result()

    monkeypatch.setattr(members_import.ImportPreviewDialog, "exec", fake_exec)


def test_good_file_previews_then_imports(page: Any, empty_village: Village, qtbot: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _sheet(page.file, _people())
    _preview_answers(page, monkeypatch, confirm=True)
    show_active(page)
    QTest.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # 从Excel导入(&I)…
    qtbot.waitUntil(lambda: len(page.messages) == 1, timeout=15_000)
    dialog = page.previews[0]
    assert dialog.preview.ok and dialog.import_button is not None
    assert "共 3 名成员，新户 2 户（301、302），股份合计 4.5 股" in dialog.summary.text()
    assert dialog.table.model().rowCount() == 3 and dialog.table.model().totals()["shares"] == D("4.5")
    assert page.messages[0] == "已导入 东湖村股份经济合作社：成员 3 人，新户 2 户，股份 4.5 股。"
    qtbot.waitUntil(lambda: page.members.model().rowCount() == 3)  # the page reloaded on ctx.notify("member")
    with empty_village.db.begin() as s:
        members = list_members(s, empty_village.org.id)
        households = list_households(s, empty_village.org.id)
    assert sorted(m.name for m in members) == ["林秀珍", "陈国富", "黄志刚"]
    assert {m.name: m.confirmed_on for m in members}["林秀珍"] == date(2020, 1, 1)  # the chosen 登记日期
    assert sorted(h.head_name for h in households) == ["陈国富", "黄志刚"]
    if os.environ.get("SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "members_page.png"))


def test_bad_check_digit_shows_row_and_column_and_writes_nothing(page: Any, empty_village: Village, qtbot: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _people()
    good = str(rows[1][3])
    rows[1][3] = good[:-1] + ("1" if good[-1] != "1" else "2")  # row 3 of the sheet: wrong check digit
    _sheet(page.file, rows)
    _preview_answers(page, monkeypatch, confirm=True)  # even a user pressing on cannot import
    page.import_members()
    qtbot.waitUntil(lambda: len(page.previews) == 1, timeout=15_000)
    dialog = page.previews[0]
    assert dialog.import_button is None and dialog.date_edit is None
    assert dialog.verdict.text().startswith("发现 1 处错误，未写入任何数据")
    assert "（其中 1 行有错误）" in dialog.summary.text()
    model = dialog.table.model()
    assert [h for h in (model.headerData(i, Qt.Orientation.Horizontal) for i in range(3))] == ["行", "列", "问题"]
    assert (model.rows()[0].row, model.rows()[0].column) == (3, "身份证号")
    assert "校验" in model.rows()[0].message
    qtbot.wait(50)
    assert page.messages == [] and page.runner.active == 0
    with empty_village.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0
        assert s.scalar(select(func.count()).select_from(Household)) == 0


def test_cancelled_file_choice_does_nothing(page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: ("", ""))
    page.import_members()
    assert page.runner.active == 0 and page.messages == []


def test_cancel_during_import_writes_nothing(page: Any, empty_village: Village, qtbot: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _sheet(page.file, _people())
    _preview_answers(page, monkeypatch, confirm=False)
    page.import_members()
    qtbot.waitUntil(lambda: len(page.previews) == 1, timeout=15_000)
    handle = page.importer._run(apply=True, event_date=date(2020, 1, 1))
    handle.cancel()  # 取消 in the progress dialog: the worker's transaction rolls back
    assert handle.wait()
    assert handle.was_cancelled and page.messages == ["已取消导入，未写入任何数据。"]
    with empty_village.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0
