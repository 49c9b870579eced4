"""全乡镇计提 (the 资产 page): the month's depreciation for every book of the township in one go,
through ``run_depreciation_books``; the dialog shows each book's cards, amount and voucher, and
each refused book with its reason. The demo township, real widgets offscreen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import AssetDepreciation, Period, Voucher
from desktop_app.core.errors import UserError
from desktop_app.core.rules.depreciation import add_months
from desktop_app.core.services import depreciation as dep
from desktop_app.core.services.assets import create_asset
from desktop_app.core.services.depreciation_township import run_township_depreciation
from desktop_app.core.services.home import home_scopes
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.users import authenticate
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import assets as page_mod
from desktop_app.ui.pages import assets_dialogs
from desktop_app.ui.settings import WindowSettings


def _ctx(db: Any, username: str, tmp_path: Path) -> AppContext:
    with db.begin() as s:
        user = authenticate(s, username, "demo1234")
    return AppContext(db, user, WindowSettings(tmp_path / f"{username}.json"))


def _stored(db: Any, period: str) -> dict[Any, tuple[int, Decimal]]:
    """Book -> (lines, amount) of the month's depreciation as stored."""
    with db.read() as s:
        rows = s.execute(select(AssetDepreciation.book_id, func.count(), func.sum(AssetDepreciation.amount))
                         .where(AssetDepreciation.period == period, AssetDepreciation.deleted.is_(False))
                         .group_by(AssetDepreciation.book_id)).all()
    return {b: (n, Decimal(total)) for b, n, total in rows}  # the sum keeps the column's 元


@pytest.fixture
def page(demo_db: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    ctx = _ctx(demo_db, "kuaiji", tmp_path)
    orgs = ctx.read(list_organisations)
    village = next(o for o in orgs if o.level == "村")
    ctx.set_selection(village, ctx.read(list_books, village.id)[0])
    p = page_mod.AssetsPage(ctx)
    qtbot.addWidget(p)
    monkeypatch.setattr(page_mod, "confirm", lambda *_a, **_k: True)
    monkeypatch.setattr(ui_errors, "_exec", lambda box: 0)
    shown: list[Any] = []
    monkeypatch.setattr(assets_dialogs.TableDialog, "exec", lambda d: shown.append(d) or 0)
    p.shown = shown
    return p


def test_the_township_runs_in_one_go_and_the_dialog_shows_each_book(page: Any, demo_db: Any) -> None:
    ctx = page.ctx
    period = ctx.period
    books = ctx.read(list_books)
    previous = add_months(period, -1)
    ran_last = _stored(demo_db, previous)
    first = next(b for b in books if b.id in ran_last)
    late = next(b for b in books if b.id not in ran_last)  # no card charged last month (a 村委会's book)
    with demo_db.begin("test") as s:  # one book ran its month already; one gets a card whose last month was not run
        user = authenticate(s, "kuaiji", "demo1234")
        dep.run_depreciation(s, book_id=first.id, period=period, user=user)
        create_asset(s, organisation_id=late.organisation_id, book_id=late.id, user=user, code="ZC-T01",
                     name="旧仓库", category="房屋及建筑物", nature="经营性", acquired_on=date(2026, 1, 20),
                     original_value=Decimal("120000.00"), useful_life_months=240, residual_rate=Decimal(4))
    before = _stored(demo_db, period)
    page.findChild(page_mod.QPushButton, "btn_depreciate_township").click()
    assert len(page.shown) == 1
    dialog = page.shown[0]
    lines = [dialog.model.row_at(i) for i in range(dialog.model.rowCount())]
    by_book = {ln.book: ln for ln in lines}
    assert len(lines) == len(books)  # every book of the township, the 联合社 and the 村委会 included
    # what the run stored is what the dialog shows, book by book
    after = _stored(demo_db, period)
    for b in books:
        ln = by_book[f"{b.code} {b.name}"] if f"{b.code} {b.name}" in by_book else None
        assert ln is not None
        if b.id == late.id:
            assert ln.refused and "ZC-T01" in ln.result and "尚未计提" in ln.result and ln.voucher_code is None
            assert b.id not in after
        elif b.id == first.id:
            assert ln.already and ln.result == f"此前已计提（{ln.voucher_code}），未重复生成"
            assert after[b.id] == before[b.id] == (ln.cards, ln.amount)
        elif ln.cards:
            assert after[b.id] == (ln.cards, ln.amount) and ln.result == "已计提"
            with demo_db.read() as s:
                number = s.scalar(select(Voucher.number).where(Voucher.source_id == dep.run_source_id(b.id, period)))
            assert ln.voucher_code == f"记-{number:04d}"
    charged = [ln for ln in lines if ln.result == "已计提"]
    assert charged, "the demo's villages have cards due this month"
    # the sentence above the table: the month in Chinese, amounts with thousands separators, the refusal
    note = dialog.findChild(page_mod.QLabel).text()
    total = sum((ln.amount for ln in charged), Decimal(0))
    assert f"本次新计提 {len(charged)} 个账套" in note and f"{total:,.2f} 元" in note
    assert "1 个账套未计提" in note and "此前已计提 1 个账套" in note
    assert lines[0].refused is not None  # refused books come first
    # the rows after it in the navigation tree's order (list_organisations), not by character code
    tree = [o.name for o in ctx.read(list_organisations)]
    shown = [ln.organisation for ln in lines[1:]]
    assert shown == sorted(shown, key=tree.index)
    # 合计 counts what the rows show: this run's and the one found charged before
    counted = [ln for ln in lines if ln.refused is None]
    assert _footer(dialog, "cards") == f"{sum(ln.cards for ln in counted):,}"
    assert _footer(dialog, "amount") == f"{sum((ln.amount for ln in counted), Decimal(0)):,.2f}"
    nothing = [ln for ln in lines if ln.result == "无需计提（没有应计提的资产）"]
    assert all(not ln.cards and ln.voucher_code is None for ln in nothing)


def _footer(dialog: Any, key: str) -> str:
    col = next(i for i, c in enumerate(dialog.model.columns) if c.key == key)
    return str(dialog.view.footer.model().index(0, col).data())


def test_a_second_run_repeats_the_rows_and_its_total_agrees(page: Any) -> None:
    button = page.findChild(page_mod.QPushButton, "btn_depreciate_township")
    button.click()
    first = page.shown[-1]
    charged = [first.model.row_at(i) for i in range(first.model.rowCount())]
    charged = [ln for ln in charged if ln.result == "已计提"]
    assert charged
    button.click()
    again = page.shown[-1]
    lines = [again.model.row_at(i) for i in range(again.model.rowCount())]
    by_book = {ln.book: ln for ln in lines}
    cards = sum(ln.cards for ln in charged)
    amount = sum((ln.amount for ln in charged), Decimal(0))
    for ln in charged:  # the same figures, found: nothing charged twice
        found = by_book[ln.book]
        assert found.already and (found.cards, found.amount, found.voucher_code) == (ln.cards, ln.amount, ln.voucher_code)
        assert found.result == f"此前已计提（{ln.voucher_code}），未重复生成"
    assert _footer(again, "cards") == f"{cards:,}" and _footer(again, "amount") == f"{amount:,.2f}"
    note = again.findChild(page_mod.QLabel).text()
    assert "本次新计提 0 项，0.00 元" in note
    assert f"此前已计提 {len(charged)} 个账套 {cards:,} 项，{amount:,.2f} 元" in note and "表中合计为此前已计提的数" in note
    # 结果 is the last column and takes the width left: its text is read without scrolling sideways
    again.show()
    table = again.view.table
    result = len(again.model.columns) - 1
    widest = max(table.fontMetrics().horizontalAdvance(ln.result) for ln in lines)
    assert table.columnWidth(result) >= widest
    assert not table.horizontalScrollBar().isVisible()


def test_a_closed_month_says_charged_before_nothing_due_or_reopen_first(demo_db: Any, tmp_path: Path) -> None:
    ctx = _ctx(demo_db, "kuaiji", tmp_path)
    town = next(s for s in ctx.read(home_scopes, None) if s.kind == "township")
    with demo_db.read() as s:
        month = s.scalar(select(func.max(Period.period)).where(Period.status == "closed"))
        vouchers = s.scalar(select(func.count()).select_from(Voucher))
    assert month is not None, "the demo closes its months up to the one before last"
    stored = _stored(demo_db, month)
    run = ctx.call(run_township_depreciation, organisation_ids=town.organisation_ids, period=month, user=ctx.user)
    assert run.lines and not run.refused and not run.charged
    for ln in run.lines:  # the demo charged its closed months: each book says so, with its voucher
        if ln.already:
            assert ln.voucher_code and ln.result == f"此前已计提（{ln.voucher_code}），未重复生成" and ln.cards
        else:
            assert ln.result == "无需计提（没有应计提的资产）" and not ln.cards
    assert sorted((ln.cards, ln.amount) for ln in run.already) == sorted(stored.values())
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Voucher)) == vouchers


def test_a_closed_month_not_yet_charged_is_refused_in_words_about_jiti(demo_db: Any, tmp_path: Path) -> None:
    ctx = _ctx(demo_db, "kuaiji", tmp_path)
    town = next(s for s in ctx.read(home_scopes, None) if s.kind == "township")
    period = ctx.period
    assert not _stored(demo_db, period), "the demo has not charged this month yet"
    with demo_db.begin("test") as s:  # the month closed in every book (the row a 结账 leaves; no seal needed here)
        s.add_all(Period(book_id=b, period=period, status="closed") for o in town.organisation_ids
                  for b in (x.id for x in list_books(s, o)))
        vouchers = s.scalar(select(func.count()).select_from(Voucher))
    run = ctx.call(run_township_depreciation, organisation_ids=town.organisation_ids, period=period, user=ctx.user)
    assert run.refused and not run.charged
    for ln in run.refused:
        assert "已结账，不能再计提本月折旧；需先由审核员反结账" in ln.result and ln.voucher_code is None
    assert all(ln.result == "无需计提（没有应计提的资产）" for ln in run.lines if ln.refused is None)
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Voucher)) == vouchers


def test_only_makers_may_run_and_the_button_says_so(demo_db: Any, tmp_path: Path, qtbot: Any) -> None:
    ctx = _ctx(demo_db, "jiandu", tmp_path)  # 监督: reads only
    p = page_mod.AssetsPage(ctx)
    qtbot.addWidget(p)
    assert not p.findChild(page_mod.QPushButton, "btn_depreciate_township").isEnabled()
    town = next(s for s in ctx.read(home_scopes, None) if s.kind == "township")
    with pytest.raises(UserError):
        ctx.call(run_township_depreciation, organisation_ids=town.organisation_ids, period=ctx.period, user=ctx.user)
