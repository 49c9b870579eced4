"""The 凭证 list, offscreen on real SQLite files: its 合计 leaves 作废 vouchers out, 来源 names the
module that made a voucher, and a voucher made on another page shows without F5 (the main
window reloads a hidden page when it is shown; a shown page follows every change)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.engine import Database
from desktop_app.core.periods import next_period
from desktop_app.core.services.assets import create_asset
from desktop_app.core.services.auth import authenticate
from desktop_app.core.services.periods import last_closed_period
from desktop_app.core.services.vouchers import void_voucher
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Any:
    e = make_env(tmp_path / "funds.db")
    yield e
    e.db.close()


def _page(qtbot: Any, env: Env, tmp_path: Path) -> VouchersPage:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book, ctx.period = env.book, "2026-03"
    page = VouchersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_total_leaves_voided_vouchers_out(qtbot: Any, env: Env, tmp_path: Path) -> None:
    env.vouch(date(2026, 3, 2), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    wrong = env.vouch(date(2026, 3, 3), "错录", ("10201", "250.00", "0"), ("50101", "0", "250.00"), post=False)
    page = _page(qtbot, env, tmp_path)
    assert page.model.totals()["total"] == Decimal("1250.00")
    with env.db.begin("test") as s:
        void_voucher(s, wrong, user=env.maker, reason="重复录入")
    page.ctx.notify("voucher")
    statuses = [page.model.data(page.model.index(r, 5)) for r in range(page.model.rowCount())]
    assert statuses == ["记账", "作废"]  # the voided one stays listed (its number is not reused) …
    assert page.model.totals()["total"] == Decimal("1000.00")  # … but is not counted


def test_a_shown_page_follows_any_change(qtbot: Any, env: Env, tmp_path: Path) -> None:
    page = _page(qtbot, env, tmp_path)
    assert page.model.rowCount() == 0
    env.vouch(date(2026, 3, 2), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    page.ctx.notify("contract")  # what the 合同 page announces after a receipt
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 8)) == "手工填制"


def test_an_asset_purchase_made_on_another_page_shows_without_f5(qtbot: Any, demo_db: Database,
                                                                   tmp_path: Path) -> None:
    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "w.json"))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    assert ctx.org is not None and ctx.book is not None
    month = next_period(ctx.read(last_closed_period, ctx.book.id) or ctx.book.start_period)
    ctx.set_period(month)
    titles = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    win.tabs.setCurrentIndex(titles.index("凭证"))
    page = win.tabs.currentWidget().findChild(VouchersPage)
    assert page is not None
    before = page.model.rowCount()
    win.tabs.setCurrentIndex(titles.index("资产资源"))  # the purchase is made there; the voucher page is hidden
    day = date(int(month[:4]), int(month[5:]), 10)
    ctx.call(create_asset, organisation_id=ctx.org.id, book_id=ctx.book.id, user=ctx.user, payment_account="102",
             voucher_date=day, code="ZC-T01", name="喷灌设备", category="机器设备", nature="经营性", acquired_on=day,
             original_value=Decimal("8000.00"), useful_life_months=60, residual_rate=Decimal(4))
    ctx.notify("asset")
    assert page.model.rowCount() == before  # hidden: not read yet
    win.tabs.setCurrentIndex(titles.index("凭证"))  # no F5
    assert page.model.rowCount() == before + 1
    last = page.model.rowCount() - 1
    assert page.model.data(page.model.index(last, 2)) == "购置资产 喷灌设备"
    assert page.model.data(page.model.index(last, 8)) == "资产购置"
