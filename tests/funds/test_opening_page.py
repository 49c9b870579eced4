"""The 期初余额 dialog, offscreen over a real SQLite book: type amounts, totals follow, save through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core.services.ledgers import trial_balance, trial_balance_total
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_opening import CREDIT, DEBIT, OpeningDialog, OpeningLine
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env, table_counts
from tests.ui.conftest import ShownBoxes, shown_boxes  # noqa: F401  (fixture)

D = Decimal


def _dialog(qtbot: object, env: Env, tmp_path: Path) -> tuple[AppContext, OpeningDialog]:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    dlg = OpeningDialog(ctx)
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    dlg.show()
    return ctx, dlg


def _type(qtbot: object, dlg: OpeningDialog, code: str, column: int, text: str, *, enter: bool = True) -> None:
    """Select the cell, open its editor, type ``text`` key by key (Chinese too), press Enter."""
    table = dlg.view.table
    row = dlg.model.find_row(lambda r: r.code == code)
    assert row >= 0, code
    index = dlg.model.index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.indexWidget(index)
    assert editor is not None
    editor.selectAll()  # type: ignore[attr-defined]
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, editor, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)
    if not enter:
        return
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: table.indexWidget(index) is None)  # type: ignore[attr-defined]  # closes queued


def _row(dlg: OpeningDialog, code: str) -> OpeningLine:
    return next(r for r in dlg.lines() if r.code == code)


def test_lists_leaf_accounts_only(qtbot: object, env: Env, tmp_path: Path) -> None:
    _ctx, dlg = _dialog(qtbot, env, tmp_path)
    codes = [r.code for r in dlg.lines()]
    assert "10201" in codes and "102" not in codes and "101" in codes  # 102 has a sub-account
    assert codes == sorted(codes)
    assert _row(dlg, "301").side == "贷" and _row(dlg, "101").side == "借"
    assert dlg.state_label.text() == "试算平衡" and "差额 0.00" in dlg.totals_label.text()


def test_typed_amounts_update_totals_and_unbalanced_save_writes_nothing(
        qtbot: object, env: Env, tmp_path: Path, shown_boxes: ShownBoxes) -> None:  # noqa: F811
    ctx, dlg = _dialog(qtbot, env, tmp_path)
    _type(qtbot, dlg, "101", DEBIT, "1,000.50")
    _type(qtbot, dlg, "10201", DEBIT, "９０００元")  # full-width digits and 元, typed key by key
    assert _row(dlg, "101").debit == D("1000.50") and _row(dlg, "10201").debit == D("9000.00")
    assert "借方合计 10,000.50" in dlg.totals_label.text() and dlg.state_label.text() == "试算不平衡"
    _type(qtbot, dlg, "301", CREDIT, "10000")
    assert "贷方合计 10,000.00" in dlg.totals_label.text() and "差额 0.50" in dlg.totals_label.text()
    assert dlg.view.footer.model().data(dlg.view.footer.model().index(0, DEBIT)) == "10,000.50"

    before = table_counts(env)
    notified: list[str] = []
    ctx.data_changed.connect(lambda kind, _ids: notified.append(kind))
    dlg.save()
    assert len(shown_boxes.texts) == 1 and "不平衡" in shown_boxes.texts[0] and "相差 0.50" in shown_boxes.texts[0]
    assert dlg.problems.isVisible() and "未保存" in dlg.problems.toPlainText()
    assert table_counts(env) == before and notified == [] and dlg.result() == 0


def test_bad_amount_is_refused_in_the_cell(qtbot: object, env: Env, tmp_path: Path) -> None:
    _ctx, dlg = _dialog(qtbot, env, tmp_path)
    _type(qtbot, dlg, "101", DEBIT, "12.345")
    assert _row(dlg, "101").debit is None
    assert "101 库存现金" in dlg.problems.toPlainText() and "两位小数" in dlg.problems.toPlainText()
    _type(qtbot, dlg, "101", DEBIT, "12.34")
    assert _row(dlg, "101").debit == D("12.34") and not dlg.problems.isVisible()


def test_balanced_save_writes_the_trial_balance_opening(qtbot: object, env: Env, tmp_path: Path) -> None:
    ctx, dlg = _dialog(qtbot, env, tmp_path)
    _type(qtbot, dlg, "101", DEBIT, "1,234.56")
    _type(qtbot, dlg, "10201", DEBIT, "98765.44")
    _type(qtbot, dlg, "301", CREDIT, "１００，０００．００", enter=False)  # still in the editor: 保存 commits it
    notified: list[str] = []
    ctx.data_changed.connect(lambda kind, _ids: notified.append(kind))
    qtbot.keyClick(dlg, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert notified == ["voucher"] and dlg.result() == 1
    with env.db.begin() as s:
        rows = {r.code: r for r in trial_balance(s, env.book.id, "2026-01", "2026-01")}
        total = trial_balance_total(list(rows.values()))
    assert rows["101"].opening_debit == D("1234.56") and rows["10201"].opening_debit == D("98765.44")
    assert rows["102"].opening_debit == D("98765.44") and rows["301"].opening_credit == D("100000.00")
    assert total.opening_debit == total.opening_credit == D("100000.00")

    again = OpeningDialog(ctx)  # reopening shows what was saved
    qtbot.addWidget(again)  # type: ignore[attr-defined]
    assert _row(again, "10201").debit == D("98765.44") and _row(again, "301").credit == D("100000.00")


def test_save_refused_once_the_book_has_posted_vouchers(
        qtbot: object, env: Env, tmp_path: Path, shown_boxes: ShownBoxes) -> None:  # noqa: F811
    env.vouch(date(2026, 1, 2), "收租金", ("101", "10.00", "0"), ("50101", "0", "10.00"))
    _ctx, dlg = _dialog(qtbot, env, tmp_path)
    _type(qtbot, dlg, "101", DEBIT, "5")
    _type(qtbot, dlg, "301", CREDIT, "5")
    before = table_counts(env)
    dlg.save()
    assert any("已有记账凭证" in t for t in shown_boxes.texts)
    assert table_counts(env) == before


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["科目编码", "科目名称", "借方余额", "贷方余额"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_from_excel_fills_the_table_or_shows_row_errors(
        qtbot: object, env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ctx, dlg = _dialog(qtbot, env, tmp_path)
    _type(qtbot, dlg, "101", DEBIT, "7")
    bad = _sheet(tmp_path / "bad.xlsx", [["101", "库存现金", 100.005, None], ["102", "银行存款", 5, None]])
    picked: list[str] = [str(bad)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a, **_k: (picked[0], "Excel 文件 (*.xlsx)")))
    dlg.load_file(Path(picked[0]))  # fills the table, saves nothing (从Excel导入… is the generic import)
    text = dlg.problems.toPlainText()
    assert "第2行C列“借方余额”：金额最多两位小数" in text and "第3行“科目编码”列" in text
    assert _row(dlg, "101").debit == D("7.00")  # all or nothing: the table is untouched

    picked[0] = str(_sheet(tmp_path / "ok.xlsx", [["10201", "农商行", 5000, None], ["301", "资本", None, "4,999.00"]]))
    dlg.load_file(Path(picked[0]))
    assert _row(dlg, "10201").debit == D("5000.00") and _row(dlg, "301").credit == D("4999.00")
    assert _row(dlg, "101").debit is None  # the sheet replaces the whole table
    assert dlg.state_label.text() == "试算不平衡" and "相差 1.00" in dlg.problems.toPlainText()


def test_export_template_and_reachable_from_the_vouchers_page(
        qtbot: object, env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ctx, dlg = _dialog(qtbot, env, tmp_path)
    out = tmp_path / "模板"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(out), "")))
    dlg.export_template()
    ws = openpyxl.load_workbook(tmp_path / "模板.xlsx").active
    assert ws is not None and ws["A1"].value == "科目编码" and ws["D3"].number_format == "#,##0.00"

    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w2.json"))
    ctx.book = env.book
    page = VouchersPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    opened: list[OpeningDialog] = []
    monkeypatch.setattr(OpeningDialog, "exec", lambda self: opened.append(self) or 0)
    button = next(b for b in page.findChildren(QWidget) if getattr(b, "text", lambda: "")() == "期初余额")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert len(opened) == 1 and opened[0].book.id == env.book.id
