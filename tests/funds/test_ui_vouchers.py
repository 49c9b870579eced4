"""Voucher entry and the funds pages, offscreen: keyboard entry, "=" balancing, save through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

pytest.importorskip("pytestqt")

from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_ledgers import LedgersPage
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.voucher_entry import ACCOUNT, CREDIT, DEBIT, SUMMARY, VoucherDialog
from tests.funds.conftest import Env


def _ctx(env: Env, tmp_path: Path) -> AppContext:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = "2026-03"
    return ctx


def test_keyboard_entry_balances_and_saves(qtbot: object, env: Env, tmp_path: Path) -> None:
    ctx = _ctx(env, tmp_path)
    dlg = VoucherDialog(ctx)
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    dlg.date_edit.setValue(date(2026, 3, 8))
    grid = dlg.grid
    grid.set_text(0, SUMMARY, "收门面房租金")
    grid.set_text(0, ACCOUNT, "10201 农商行")
    grid.set_text(0, DEBIT, "1,200.50")
    grid.set_text(1, ACCOUNT, "50101")
    assert grid.balancing_text(1, CREDIT) == "1200.50"
    grid.setCurrentCell(1, CREDIT)
    grid.edit(grid.currentIndex())
    editor = grid.focusWidget()
    assert editor is not None and editor is not grid
    qtbot.keyClick(editor, "=")  # type: ignore[attr-defined]
    assert editor.text() == "1200.50"  # type: ignore[union-attr]
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: grid.currentRow() == 2)  # type: ignore[attr-defined]  # the delegate closes queued
    assert (grid.currentRow(), grid.currentColumn()) == (2, SUMMARY)  # Enter moved on to the next line
    assert dlg.words_label.text().endswith("壹仟贰佰元零伍角整")
    dlg.save()
    assert dlg.saved_id is not None
    with env.db.begin() as s:
        rows = list_vouchers(s, env.book.id, "2026-03", "2026-03")
    assert [(r.summary, r.total) for r in rows] == [("收门面房租金", Decimal("1200.50"))]


def test_pages_load(qtbot: object, env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 3, 2), "提现", ("101", "300.00", "0"), ("10201", "0", "300.00"))
    ctx = _ctx(env, tmp_path)
    page = VouchersPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.period.setValue("2026-03")
    assert page.model.rowCount() == 1
    ledgers = LedgersPage(ctx)
    qtbot.addWidget(ledgers)  # type: ignore[attr-defined]
    ledgers.period.setValue("2026-03")
    assert ledgers.journal_model.rowCount() >= 3 and "300.00" in ledgers.summary.text()
    ledgers.kind.setCurrentIndex(2)
    assert ledgers.balance_model.rowCount() >= 2
