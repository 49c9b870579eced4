"""账套设置 自动凭证 on real SQLite files: a module's voucher (an asset purchase, a depreciation run)
waits for 审核 and 记账 by a person unless the book says 系统 posts it, names its source, and blocks 结账
until reviewed; only the 审核员 changes the setting, and the change is audited; 年终结转 is
posted either way. The 凭证 page's checkbox sets it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEntry
from desktop_app.core.errors import PermissionDenied
from desktop_app.core.services.book_settings import (
    AUTO_POST,
    AUTO_REVIEW,
    auto_vouchers_posted,
    set_auto_vouchers,
)
from desktop_app.core.services.close_checklist import can_close, month_close_checklist
from desktop_app.core.services.depreciation import run_depreciation
from desktop_app.core.services.vouchers import (
    find_vouchers_by_source,
    get_voucher,
    post_voucher,
    review_voucher,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Any:
    e = make_env(tmp_path / "assets.db", auto_post=False)  # the book as created: the default setting
    yield e
    e.db.close()


def test_by_default_they_wait_and_post_keeps_the_old_way(env: Env) -> None:
    with env.db.read() as s:
        assert not auto_vouchers_posted(s, env.book.id)
    card = env.asset()
    with env.db.read() as s:
        [v] = find_vouchers_by_source(s, env.book.id, "asset_acquisition", card.id)
    assert (v.status, v.reviewer_name, v.poster_name) == ("填制", None, None)
    with env.db.begin("test") as s:
        set_auto_vouchers(s, env.book.id, AUTO_POST, user=env.reviewer)
    card = env.asset("ZC-002")
    with env.db.read() as s:
        [v] = find_vouchers_by_source(s, env.book.id, "asset_acquisition", card.id)
    assert (v.status, v.reviewer_name, v.poster_name) == ("记账", "系统（自动凭证）", "系统")


def test_set_to_review_they_wait_for_a_person(env: Env) -> None:
    with env.db.begin("test") as s, pytest.raises(PermissionDenied):
        set_auto_vouchers(s, env.book.id, AUTO_REVIEW, user=env.user)  # a 记账员 does not decide it
    with env.db.begin("test") as s:
        set_auto_vouchers(s, env.book.id, AUTO_REVIEW, user=env.reviewer)
    with env.db.read() as s:
        assert not auto_vouchers_posted(s, env.book.id)
        audit = s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "book_setting")).all()
    assert audit == ["东湖村股份经济合作社 自动凭证：送审核（与手工凭证相同）"]
    card = env.asset()  # bought with the bank: its voucher is made, not posted
    with env.db.read() as s:
        [v] = find_vouchers_by_source(s, env.book.id, "asset_acquisition", card.id)
    assert (v.status, v.reviewer_name, v.maker_name, v.source_kind) == ("填制", None, "王会计", "asset_acquisition")
    with env.db.read() as s:
        items = month_close_checklist(s, env.book.id, "2026-01")
    assert not can_close(items) and any(i.title == "凭证均已审核" and not i.ok for i in items)
    with env.db.begin("test") as s:
        review_voucher(s, v.id, user=env.reviewer)
        post_voucher(s, v.id, user=env.user)
        run = run_depreciation(s, book_id=env.book.id, period="2026-02", user=env.user)
    with env.db.read() as s:
        assert run.voucher_id is not None and get_voucher(s, run.voucher_id).voucher.status == "填制"  # the run too
        assert can_close(month_close_checklist(s, env.book.id, "2026-01"))
    with env.db.begin("test") as s:
        set_auto_vouchers(s, env.book.id, AUTO_POST, user=env.reviewer)
    with env.db.read() as s:
        assert auto_vouchers_posted(s, env.book.id)


def test_the_voucher_page_checkbox_sets_it_for_the_reviewer_only(qtbot: Any, env: Env, tmp_path: Path) -> None:
    pages = {}
    for user in (env.user, env.reviewer):
        ctx = AppContext(env.db, user, WindowSettings(tmp_path / f"{user.username}.json"))
        ctx.book, ctx.period = env.book, "2026-01"
        pages[user.username] = page = VouchersPage(ctx)
        qtbot.addWidget(page)
    assert not pages["kj"].auto_review.isEnabled() and "审核员" in pages["kj"].auto_review.toolTip()
    box = pages["sh"].auto_review
    assert box.isEnabled() and box.isChecked()  # the default: 送审核
    box.click()
    with env.db.read() as s:
        assert auto_vouchers_posted(s, env.book.id)
    pages["sh"].reload()
    assert not box.isChecked()
