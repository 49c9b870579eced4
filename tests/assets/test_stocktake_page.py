"""The 资产清查 tab from the keyboard: start, count (相符 / 盘亏), 盘盈, refused approval, approval
with its vouchers named, refused edits after approval, and the result sheet PDF."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.services.assets import list_assets
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.stocktake import stocktake_sheet
from desktop_app.core.services.vouchers import find_vouchers_by_source
from desktop_app.ui import errors as ui_errors
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import assets as page_mod
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import Env
from tests.ui.helpers import show_active, type_text

Answer = Callable[[forms.FormDialog], None]


@pytest.fixture
def page(env: Env, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    env.asset("ZC-001", name="村部办公楼")
    env.asset("ZC-002", name="打印机", category="办公设备", original_value=D("3000.00"), residual_rate=D(0),
              useful_life_months=30)
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "w.json"))
    ctx.period = "2026-03"
    p = page_mod.AssetsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 650)
    ctx.set_selection(env.org, env.book)
    messages: list[str] = []
    monkeypatch.setattr(page_mod.QMessageBox, "information", lambda _p, _t, text: messages.append(text))
    monkeypatch.setattr(ui_errors, "_exec", lambda box: messages.append(box.text()) or 0)  # never block
    answers: list[Answer] = []
    seen: list[tuple[str, str, dict[str, str]]] = []

    def fake_exec(dialog: forms.FormDialog) -> int:  # what the user types, then Ctrl+Enter on the last field
        answers.pop(0)(dialog)
        last = dialog.form.fields[-1].widget
        QTest.keyClick(last, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        seen.append((dialog.windowTitle(), dialog.form.banner_text(), dialog.form.errors()))
        return 1 if dialog.result_value is not None else 0

    monkeypatch.setattr(forms.FormDialog, "exec", fake_exec)
    p.messages, p.answers, p.seen = messages, answers, seen
    show_active(p)
    p.tabs.setCurrentWidget(p.stocktake)
    return p


def _alt(page: Any, key: Qt.Key) -> None:
    QTest.keyClick(page, key, Qt.KeyboardModifier.AltModifier)


def test_count_refuse_approve_and_show_vouchers(page: Any, env: Env, qtbot: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    tab = page.stocktake
    sheet = tab.sheet.model()

    def start(d: forms.FormDialog) -> None:
        assert d.form.widget("name").text().endswith("年度资产清查")
        d.form.widget("started_on").setValue(date(2026, 3, 5))

    page.answers.append(start)
    _alt(page, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: tab.takes.model().rowCount() == 1 and sheet.rowCount() == 2)
    assert [c.line.result for c in sheet.rows()] == ["未盘点", "未盘点"]
    assert [c.line.code for c in sheet.rows()] == ["ZC-001", "ZC-002"]

    tab.sheet.select_row(0)
    _alt(page, Qt.Key.Key_O)  # ZC-001 相符; the cursor moves to ZC-002
    qtbot.waitUntil(lambda: sheet.rows()[0].line.result == "相符")
    assert tab.sheet.current_row().line.code == "ZC-002"
    assert sheet.data(sheet.index(0, sheet.column_index("counted"))) == "1"

    def approve_on(day: date) -> Answer:
        return lambda d: d.form.widget("approved_on").setValue(day)

    page.answers.append(approve_on(date(2026, 3, 20)))  # ZC-002 not counted yet: refused, dialog stays
    _alt(page, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: len(page.seen) == 2)
    assert page.seen[-1][1].endswith("还有 1 项资产未盘点，不能审批")

    page.answers.append(lambda d: type_text(d.form.widget("notes"), "已丢失"))
    _alt(page, Qt.Key.Key_K)  # ZC-002 盘亏
    qtbot.waitUntil(lambda: sheet.rows()[1].line.result == "盘亏")
    assert sheet.rows()[1].line.notes == "已丢失"
    assert sheet.data(sheet.index(1, sheet.column_index("counted"))) == "0"

    def surplus(d: forms.FormDialog) -> None:
        type_text(d.form.widget("name"), "旧电动三轮车")
        d.form.widget("value").setText("1,200")
        forms.write_widget(d.form.widget("category"), "运输设备")

    page.answers.append(surplus)
    _alt(page, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: sheet.rowCount() == 3)
    assert sheet.rows()[2].line.result == "盘盈" and sheet.rows()[2].line.book_value == D("1200.00")
    assert "盘亏 1 项" in tab.summary.text() and "未盘点 0 项" in tab.summary.text()

    page.answers.append(approve_on(date(2026, 3, 20)))  # February not depreciated yet: refused
    _alt(page, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: len(page.seen) == 5)
    assert page.seen[-1][1].endswith("该资产2026年2月的折旧尚未计提，请先计提再处置")
    with env.db.begin() as s:
        run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    page.answers.append(approve_on(date(2026, 3, 20)))
    _alt(page, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: len(page.messages) == 1)
    assert "已审批" in page.messages[0] and "2026-03 记-0001、记-0002" in page.messages[0]
    assert tab.vouchers_label.text() == "调整凭证：2026-03 记-0001、记-0002"
    assert tab.takes.model().rows()[0].status == "已审批"
    take_id = tab.current_take().id
    with env.db.begin() as s:
        vouchers = find_vouchers_by_source(s, env.book.id, "stocktake", take_id)
        cards = {a.code: a for a in list_assets(s, env.org.id)}
        assert stocktake_sheet(s, take_id).voucher_ids == tuple(v.id for v in vouchers)
    assert [(v.period, v.code, v.status) for v in vouchers] == [("2026-03", "记-0001", "记账"),
                                                               ("2026-03", "记-0002", "记账")]
    assert cards["ZC-002"].status == "已处置" and cards["PY2026-001"].cost == D("1200.00")
    qtbot.waitUntil(lambda: page.assets.model.rowCount() == 3)  # the assets list reloaded itself

    tab.sheet.select_row(0)
    _alt(page, Qt.Key.Key_O)  # refused: approved stock-takes are closed
    qtbot.waitUntil(lambda: len(page.messages) == 2)
    assert page.messages[1].endswith("该清查已审批，不能再修改")

    asked: list[str] = []
    out = tmp_path / "清查结果.pdf"

    def save_name(_parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    _alt(page, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: tab.status.text().startswith("已导出"), timeout=15_000)
    assert [Path(a).name for a in asked] == ["东湖村股份经济合作社_2026年度资产清查结果表.pdf"]  # in the last folder used
    assert out.read_bytes().startswith(b"%PDF")
    page.grab().save(str(tmp_path / "stocktake.png"))
    if os.environ.get("SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "stocktake_page.png"))


def test_record_dialog_and_actions_need_a_stocktake(page: Any, qtbot: Any) -> None:
    tab = page.stocktake
    _alt(page, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: len(page.messages) == 1)
    assert page.messages[0].endswith("请先开始或选择一次资产清查")
    page.answers.append(lambda d: d.form.widget("started_on").setValue(date(2026, 3, 5)))
    tab.start()

    def count(d: forms.FormDialog) -> None:
        assert d.windowTitle().startswith("登记盘点结果：ZC-002 打印机")
        forms.write_widget(d.form.widget("result"), "盘亏")
        type_text(d.form.widget("notes"), "报废未入账")

    page.answers.append(count)
    tab.sheet.select_row(1)
    tab.sheet.table.setFocus()
    QTest.keyClick(tab.sheet.table, Qt.Key.Key_Return)  # Enter on a line opens 登记
    line = tab.sheet.model().rows()[1].line
    assert (line.result, line.notes) == ("盘亏", "报废未入账")


def test_found_walks_down_a_filtered_sheet(page: Any, env: Env, qtbot: Any) -> None:
    env.asset("ZC-003", name="会议桌", category="办公设备", original_value=D("800.00"))
    tab = page.stocktake
    page.answers.append(lambda d: d.form.widget("started_on").setValue(date(2026, 3, 5)))
    tab.start()
    tab.sheet.filter_edit.setText("wpd")  # 未盘点, by pinyin initials
    tab.sheet.apply_filter_now()
    assert tab.sheet.model().rowCount() == 3
    tab.sheet.select_row(0)
    tab.mark_found()  # ZC-001 leaves the filtered list; the cursor lands on ZC-002
    assert [c.line.code for c in tab.sheet.model().rows()] == ["ZC-002", "ZC-003"]
    assert tab.sheet.current_row().line.code == "ZC-002"
    tab.mark_found()
    assert tab.sheet.current_row().line.code == "ZC-003"
    tab.mark_found()
    assert tab.sheet.model().rowCount() == 0 and "相符 3 项" in tab.summary.text()
