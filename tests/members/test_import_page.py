"""成员名册 从Excel导入 on the members page (the generic import dialog, kind "members"): background
check → preview with 身份证号 masked → 确认导入, all or nothing; 导出成员名册 re-imports."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select

from db.models import Household, Member
from desktop_app.core.ids import make_ric, mask_ric
from desktop_app.core.services.members import list_households, list_members
from desktop_app.core.services.orgs import get_organisation
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.import_dialog import ImportDialog
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.settings import WindowSettings
from tests.ui.helpers import show_active

from .conftest import Village

HEADER = ["户号", "组别", "姓名", "身份证号", "与户主关系", "确认日期", "人口股", "农龄股"]


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["东湖村股份经济合作社成员名册"])  # a title row above the header
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _people() -> list[list[object]]:
    return [
        ["301", "第三组", "陈国富", make_ric("320115", date(1962, 2, 3), 31), "户主", date(2019, 12, 31), 1, 1],
        ["301", "第三组", "林秀珍", make_ric("320115", date(1964, 4, 5), 32), "妻", None, 1, 0.5],
        ["302", "第三组", "黄志刚", make_ric("320115", date(1980, 6, 7), 33), "户主", None, "1股", None],
    ]


@pytest.fixture
def page(empty_village: Village, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return _page(empty_village, qtbot, tmp_path, monkeypatch)


@pytest.fixture
def full_page(village: Village, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return _page(village, qtbot, tmp_path, monkeypatch)


def _page(v: Village, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with v.db.begin() as s:
        org = get_organisation(s, v.org.id)
    ctx = AppContext(v.db, v.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, v.book)
    p = MembersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 650)
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    monkeypatch.setattr(ui_errors, "_exec", lambda box: messages.append(box.text()) or 0)
    p.messages, p.file = messages, tmp_path / "成员.xlsx"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(p.file), "Excel 文件 (*.xlsx)"))
    return p


def _dialog(page: Any, qtbot: Any) -> ImportDialog:
    qtbot.waitUntil(lambda: getattr(page, "importer", None) is not None and page.importer.dialog is not None
                    and not page.importer.dialog.busy and page.runner.active == 0, timeout=15_000)
    return page.importer.dialog


def test_good_file_previews_then_imports(page: Any, empty_village: Village, qtbot: Any) -> None:
    _sheet(page.file, _people())
    show_active(page)
    QTest.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # 从Excel导入(&I)…
    dialog = _dialog(page, qtbot)
    assert dialog.result_shown.ok and not dialog.import_button.isHidden()
    assert "表头在第 2 行" in dialog.info.text()
    assert dialog.counts.text().startswith("新增 3 条")
    rows = dialog.rows_view.model().rows()
    ric = str(_people()[0][3])
    assert rows[0].key == mask_ric(ric) and rows[0].name == "陈国富"  # never the full 身份证号
    samples = dialog.mapping_table.item(3, 2).text()
    assert ric not in samples and mask_ric(ric) in samples
    dialog.date_edits["event_date"].setValue(date(2020, 1, 1))
    if os.environ.get("SCREENSHOT_DIR"):
        from tests.ui.test_import_dialog import _screenshot_font

        _screenshot_font(dialog)
        dialog.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "import_preview_members.png"))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: len(page.messages) == 1, timeout=15_000)
    assert page.messages[0].startswith("已导入成员名册")
    qtbot.waitUntil(lambda: page.members.model().rowCount() == 3)  # the page reloaded on ctx.notify("member")
    with empty_village.db.begin() as s:
        members = list_members(s, empty_village.org.id)
        households = list_households(s, empty_village.org.id)
    assert sorted(m.name for m in members) == ["林秀珍", "陈国富", "黄志刚"]
    assert {m.name: m.confirmed_on for m in members}["林秀珍"] == date(2020, 1, 1)  # the chosen 登记日期
    assert sorted(h.head_name for h in households) == ["陈国富", "黄志刚"]


def test_bad_check_digit_shows_row_and_column_and_writes_nothing(page: Any, empty_village: Village,
                                                                 qtbot: Any) -> None:
    rows = _people()
    good = str(rows[1][3])
    rows[1][3] = good[:-1] + ("1" if good[-1] != "1" else "2")  # row 4 of the sheet: wrong check digit
    _sheet(page.file, rows)
    page.import_members()
    dialog = _dialog(page, qtbot)
    assert dialog.import_button.isHidden() and not dialog.result_shown.ok
    assert dialog.verdict.text().startswith("发现 1 处问题，未写入任何数据")
    problem = dialog.problems_view.model().rows()[0]
    assert (problem.row, problem.column) == ("4", "D列“身份证号”")
    assert "校验" in problem.message
    dialog.reject()
    qtbot.wait(50)
    assert page.messages == [] and page.runner.active == 0
    with empty_village.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0
        assert s.scalar(select(func.count()).select_from(Household)) == 0


def test_cancelled_file_choice_does_nothing(page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: ("", ""))
    page.import_members()
    assert page.runner.active == 0 and page.messages == []


def test_cancel_during_import_writes_nothing(page: Any, empty_village: Village, qtbot: Any) -> None:
    _sheet(page.file, _people())
    page.import_members()
    _dialog(page, qtbot)
    handle = page.importer._run(mapping={}, mode="add", apply=True)
    handle.cancel()  # 取消 in the progress dialog: the worker's transaction rolls back
    assert handle.wait()
    assert handle.was_cancelled and page.messages == ["已取消导入，未写入任何数据。"]
    with empty_village.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 0


def test_exported_roster_reimports_in_update_mode_unchanged(full_page: Any, qtbot: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """导出成员名册 (the keeper's full-ID file) → 从Excel导入 更新已有: nothing new, nothing changed."""
    page = full_page
    out = tmp_path / "名册.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(out), "Excel 文件 (*.xlsx)"))
    page.export_members()
    qtbot.waitUntil(lambda: len(page.messages) == 1, timeout=15_000)
    assert page.messages[0].startswith("已导出 6 名成员到")
    cells = [c for row in load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True) for c in row]
    assert "张建国" in cells
    page.file = out
    page.import_members()
    dialog = _dialog(page, qtbot)
    dialog.mode_buttons["update"].setChecked(True)
    dialog = _dialog(page, qtbot)
    assert dialog.result_shown.ok, [p.message for p in dialog.result_shown.problems]
    assert dialog.counts.text().startswith("新增 0 条　更新 0 条　无变化 6 条"), dialog.counts.text()
