"""Voucher entry and the funds pages, offscreen: keyboard entry, "=" balancing, save through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

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


def _entered(ctx: AppContext, qtbot: object, voucher_id: object = None, amount: str = "800.00") -> VoucherDialog:
    dlg = VoucherDialog(ctx, voucher_id=voucher_id)  # type: ignore[arg-type]
    qtbot.addWidget(dlg)  # type: ignore[attr-defined]
    dlg.date_edit.setValue(date(2026, 3, 9))
    for row, (summary, account, debit, credit) in enumerate(
            (("提现备用", "101", amount, ""), ("提现备用", "10201", "", amount))):
        dlg.grid.set_text(row, SUMMARY, summary)
        dlg.grid.set_text(row, ACCOUNT, account)
        dlg.grid.set_text(row, DEBIT, debit)
        dlg.grid.set_text(row, CREDIT, credit)
    dlg.save()
    assert dlg.saved_id is not None
    return dlg


def test_undo_of_a_new_voucher_voids_it_and_keeps_its_number(qtbot: object, env: Env, tmp_path: Path) -> None:
    ctx = _ctx(env, tmp_path)
    dlg = _entered(ctx, qtbot)
    assert ctx.undo_entry is not None and ctx.undo_entry.text == "填制凭证 记-0001（撤销即作废，凭证号保留）"
    assert ctx.undo_last() == "填制凭证 记-0001（撤销即作废，凭证号保留）"
    with env.db.begin() as s:
        rows = list_vouchers(s, env.book.id, "2026-03", "2026-03")
    assert [(r.id, r.code, r.status, r.void_reason) for r in rows] == [(dlg.saved_id, "记-0001", "作废", "撤销填制")]


def test_undo_of_a_voucher_edit_puts_the_earlier_lines_back(qtbot: object, env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.vouchers import get_voucher

    ctx = _ctx(env, tmp_path)
    first = _entered(ctx, qtbot)
    with env.db.begin() as s:
        original = get_voucher(s, first.saved_id)  # type: ignore[arg-type]
    _entered(ctx, qtbot, voucher_id=first.saved_id, amount="850.00")
    assert ctx.undo_entry is not None and ctx.undo_entry.text == "修改凭证 记-0001"
    ctx.undo_last()
    with env.db.begin() as s:
        back = get_voucher(s, first.saved_id)  # type: ignore[arg-type]
    assert back.lines == original.lines and back.voucher.status == "填制"


def test_undo_is_refused_once_the_voucher_was_reviewed(qtbot: object, env: Env, tmp_path: Path) -> None:
    from desktop_app.core.errors import ConflictError
    from desktop_app.core.services.vouchers import review_voucher

    ctx = _ctx(env, tmp_path)
    dlg = _entered(ctx, qtbot)
    with env.db.begin() as s:  # the reviewer, on another PC's copy or the CLI: no notification here
        review_voucher(s, dlg.saved_id, user=env.reviewer)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="记-0001已被再次修改、审核或作废，不能撤销"):
        ctx.undo_last()
    with env.db.begin() as s:
        assert [r.status for r in list_vouchers(s, env.book.id, "2026-03", "2026-03")] == ["审核"]
