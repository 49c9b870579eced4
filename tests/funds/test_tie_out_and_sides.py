"""收益及收益分配表 ties out with the balance sheet with a book's own 各项分配 sub-accounts (#5);
明细账/总账 show balances as 方向 + amount, never as a negative number (#8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.services.ledgers import account_ledger, general_ledger
from desktop_app.core.services.orgs import add_sub_account
from desktop_app.core.services.statements import balance_sheet_values, income_distribution_values
from desktop_app.core.services.yearend import close_year
from tests.funds.conftest import Env, make_env

D = Decimal


def _tie_out(env: Env, year: int, key_other: str, other: str) -> None:
    with env.db.begin() as s:
        i = income_distribution_values(s, env.book.id, f"{year}-01", f"{year}-12")
        _, bs = balance_sheet_values(s, env.book.id, f"{year}-12")
        assert i[key_other] == D(other), "其他 = the whole 各项分配 subtree less the named lines"
        assert i["i20"] == bs["e3"], "年末未分配收益 = 资产负债表未分配收益"


@pytest.mark.parametrize(("version", "year", "parent", "own", "named", "income"), [
    ("2023", 2026, "32202", "3220204", "3220202", "50101"),
    ("2004", 2023, "32202", "3220206", "3220204", "50103"),
])
def test_income_distribution_ties_out_with_own_distribution_sub_accounts(
        tmp_path: Path, version: str, year: int, parent: str, own: str, named: str, income: str) -> None:
    env = make_env(tmp_path / f"t{version}.db", chart_version=version, start=f"{year}-12")
    with env.db.begin() as s:
        add_sub_account(s, book_id=env.book.id, parent_code=parent, code=own, name="外来投资分利", user=env.maker)
        add_sub_account(s, book_id=env.book.id, parent_code="322", code="32203", name="以前年度损益调整",
                        user=env.maker)
    env.vouch(date(year, 12, 3), "收租金", ("102" if version == "2004" else "10201", "10000.00", "0"),
              (income, "0", "10000.00"))
    env.vouch(date(year, 12, 20), "外来投资分利", (own, "2000.00", "0"), ("113", "0", "2000.00"))
    env.vouch(date(year, 12, 21), "向成员分配", (named, "1000.00", "0"), ("113", "0", "1000.00"))
    env.vouch(date(year, 12, 22), "以前年度少计收入", ("113", "500.00", "0"), ("32203", "0", "500.00"))
    _tie_out(env, year, "i19", "2000.00")
    with env.db.begin() as s:
        i = income_distribution_values(s, env.book.id, f"{year}-01", f"{year}-12")
        assert i["i15" if version == "2023" else "i13"] == D("500.00")  # 其他转入 includes the own 322 detail
        assert i["i18"] == D("1000.00") and i["i20"] == D("7500.00")
        close_year(s, env.book.id, year, user=env.maker)
    _tie_out(env, year, "i19", "2000.00")


def test_ledgers_show_direction_and_amount(env: Env) -> None:
    env.vouch(date(2026, 1, 5), "预收租金", ("10201", "2000.00", "0"), ("211", "0", "2000.00"))
    env.vouch(date(2026, 2, 6), "退回租金", ("211", "2000.00", "0"), ("10201", "0", "2000.00"))
    with env.db.begin() as s:
        j = account_ledger(s, env.book.id, "211", "2026-01", "2026-02")
        rows = [(ln.kind, ln.direction, ln.balance_amount) for ln in j.lines]
        assert rows[0] == ("opening", "平", D("0.00"))
        assert rows[1] == ("entry", "贷", D("2000.00")) and rows[2] == ("month_total", "贷", D("2000.00"))
        assert rows[-1] == ("year_total", "平", D("0.00"))
        assert all(ln.balance_amount >= 0 for ln in j.lines)
        gl = general_ledger(s, env.book.id, "2026-01", "2026-02", "211")
        assert [(g.opening_direction, g.opening_amount, g.closing_direction, g.closing_amount) for g in gl] == [
            ("平", D("0.00"), "贷", D("2000.00")), ("贷", D("2000.00"), "平", D("0.00"))]


def test_ledger_page_shows_direction_columns(qtbot: object, env: Env, tmp_path: Path) -> None:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.pages.funds_ledgers import KINDS, LedgersPage
    from desktop_app.ui.settings import WindowSettings

    env.vouch(date(2026, 3, 5), "预收租金", ("10201", "2000.00", "0"), ("211", "0", "2000.00"))
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book, ctx.period = env.book, "2026-03"
    page = LedgersPage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.period.setValue("2026-03")
    page.kind.setCurrentIndex(KINDS.index("明细账"))
    page.account.setText("211")
    page.reload()
    model = page.journal_model
    headers = [model.headerData(c, _horizontal()) for c in range(model.columnCount())]
    assert headers[-2:] == ["方向", "余额"]
    entry = model.find_row(lambda r: r.kind == "entry")
    assert model.data(model.index(entry, len(headers) - 2)) == "贷"
    assert model.data(model.index(entry, len(headers) - 1)) == "2,000.00"
    assert "期末余额 贷 2,000.00" in page.summary.text()
    page.kind.setCurrentIndex(KINDS.index("总账"))
    g = page.general_model
    gh = [g.headerData(c, _horizontal()) for c in range(g.columnCount())]
    assert gh[-2:] == ["方向", "期末余额"]
    assert [g.data(g.index(0, c)) for c in (len(gh) - 2, len(gh) - 1)] == ["贷", "2,000.00"]


def _horizontal() -> Qt.Orientation:
    return Qt.Orientation.Horizontal
