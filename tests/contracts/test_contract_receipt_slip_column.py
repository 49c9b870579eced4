"""The contracts page's 收款记录 shows each receipt's 收款收据: its number and whether it stands,
was voided (作废), or replaced a voided one; the list follows a slip voided or issued anywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from desktop_app.core.services.receipt_slips import (
    issue_slips,
    receipts_with_slips,
    slips_of_source,
    void_slip,
)
from desktop_app.core.services.receipts import record_receipt
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.contracts import ContractsPage
from desktop_app.ui.pages.receipt_slips import KIND
from desktop_app.ui.settings import WindowSettings
from tests.contracts.conftest import Env


def _shown(page: ContractsPage) -> list[dict[str, str]]:
    model = page.receipts.model()
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [{h: model.data(model.index(r, c)) for c, h in enumerate(heads)} for r in range(model.rowCount())]


def test_receipt_list_shows_slip_number_and_void_state(env: Env, tmp_path: Path, qtbot: Any) -> None:
    cid = env.create()
    with env.db.begin() as s:
        first = record_receipt(s, cid, received_on=date(2026, 3, 10), amount="1200", method="现金", user=env.user)
        record_receipt(s, cid, received_on=date(2026, 3, 20), amount="300", method="银行", user=env.user)
    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    ctx.set_selection(env.org, env.book)
    page = ContractsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.contracts.select_row(0)
    rows = _shown(page)
    assert [(r["收据号"], r["收据状态"]) for r in rows] == [("2026-00001", "正常"), ("2026-00002", "正常")]

    receipt_id = first.receipt.id
    with env.db.begin() as s:
        slip = slips_of_source(s, "contract_receipt", receipt_id)[0]
        void_slip(s, slip.id, reason="金额写错", user=env.user)
    ctx.notify(KIND, (slip.id,))
    assert [(r["收据号"], r["收据状态"]) for r in _shown(page)][:1] == [("2026-00001", "作废")]

    with env.db.begin() as s:
        issue_slips(s, "contract_receipt", [receipt_id], user=env.user, on=date(2026, 3, 25))
    ctx.notify(KIND, ())
    assert [(r["收据号"], r["收据状态"]) for r in _shown(page)] == [
        ("2026-00003", "正常（原 2026-00001 作废）"), ("2026-00002", "正常")]
    tabs = page.receipts.parentWidget()
    while not isinstance(tabs, QTabWidget):
        tabs = tabs.parentWidget()
    tabs.setCurrentIndex(1)
    assert tabs.currentWidget().isVisibleTo(page)


def test_service_keeps_the_receipt_fields(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="1200", method="现金", user=env.user)
        rows = receipts_with_slips(s, cid)
    assert len(rows) == 1 and str(rows[0].amount) == "1200.00" and rows[0].method == "现金"
    assert rows[0].slip_no == "2026-00001" and rows[0].slip_status == "正常"
