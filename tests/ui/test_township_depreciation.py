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
            assert ln.already and ln.result == "此前已计提，未重复生成" and after[b.id] == before[b.id]
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
    assert f"合计 {total:,.2f} 元" in note and "1 个账套未计提" in note and "此前已计提" in note
    assert lines[0].refused is not None  # refused books come first


def test_a_closed_month_refuses_each_book_and_writes_nothing(demo_db: Any, tmp_path: Path) -> None:
    ctx = _ctx(demo_db, "kuaiji", tmp_path)
    town = next(s for s in ctx.read(home_scopes, None) if s.kind == "township")
    with demo_db.read() as s:
        month = s.scalar(select(func.max(Period.period)).where(Period.status == "closed"))
        vouchers = s.scalar(select(func.count()).select_from(Voucher))
    assert month is not None, "the demo closes its months up to the one before last"
    run = ctx.call(run_township_depreciation, organisation_ids=town.organisation_ids, period=month, user=ctx.user)
    assert run.lines and all(ln.refused and "已结账" in ln.refused for ln in run.lines if not ln.already)
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
