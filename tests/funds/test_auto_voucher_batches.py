"""The batch forms follow the 自动凭证 setting as the one-at-a-time forms do (one rule:
``book_settings.auto_vouchers_posted``): by default a month's receipts and a township's
depreciation run leave their vouchers in 填制 (no month totals yet), the 凭证 list names the
module under 来源, and people review and post them; under ``post`` 系统 posts them at once.
The demo's module vouchers are reviewed by its 审核员 and posted by its 记账员."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from db.migrate import open_database
from db.models import AccountPeriodTotal, AuditEntry, ContractReceipt, Voucher
from desktop_app.core.services.book_settings import AUTO_POST, set_auto_vouchers
from desktop_app.core.services.depreciation import run_depreciation_books
from desktop_app.core.services.receipts_batch import ReceiptInput, record_receipts
from desktop_app.core.services.vouchers import get_voucher, post_voucher, review_voucher
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.assets.conftest import make_env as assets_env
from tests.conftest import copy_of
from tests.contracts.conftest import make_env as contracts_env


def _vouchers(db: Any, kind: str) -> list[tuple[Any, ...]]:
    with db.read() as s:
        return list(s.execute(select(Voucher.id, Voucher.status, Voucher.reviewer_name, Voucher.poster_name)
                              .where(Voucher.source_kind == kind).order_by(Voucher.number)).all())


def _receipts(env: Any) -> list[Any]:
    cid = env.create()
    with env.db.begin("test") as s:
        ids = record_receipts(s, [ReceiptInput(cid, date(2026, 3, 10), "5000", "银行"),
                                  ReceiptInput(cid, date(2026, 3, 20), "7000", "银行")], user=env.user)
    assert len(ids) == 2
    return _vouchers(env.db, "contract_receipt")


def test_batch_receipts_wait_for_review_then_post(qtbot: Any, tmp_path: Path) -> None:
    env = contracts_env(tmp_path / "c.db", auto_post=False)
    try:
        made = _receipts(env)
        assert [(st, r, p) for _, st, r, p in made] == [("填制", None, None)] * 2
        with env.db.read() as s:
            linked = set(s.scalars(select(ContractReceipt.voucher_id)))
            assert linked == {v[0] for v in made}  # each record has its voucher
            assert s.scalars(select(AccountPeriodTotal)).all() == []  # nothing posted, no month totals
        ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "w.json"))
        ctx.book, ctx.period = env.book, "2026-03"
        page = VouchersPage(ctx)
        qtbot.addWidget(page)
        page.reload()
        heads = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
        col, status = heads.index("来源"), heads.index("状态")
        shown = [(page.model.index(r, col).data(), page.model.index(r, status).data())
                 for r in range(page.model.rowCount())]
        assert shown == [("合同收款", "填制")] * 2
        page.grab().save(str(tmp_path / "list.png"))
        with env.db.begin("test") as s:
            for vid, *_ in made:
                review_voucher(s, vid, user=env.reviewer)
                post_voucher(s, vid, user=env.user)
        assert [(st, r, p) for _, st, r, p in _vouchers(env.db, "contract_receipt")] == [("记账", "李审核", "王会计")] * 2
        with env.db.read() as s:
            assert get_voucher(s, made[0][0]).voucher.total == D("5000.00")
            assert sum(t.debit for t in s.scalars(select(AccountPeriodTotal))) == D("12000.00")
    finally:
        env.db.close()


def test_batch_receipts_under_post_are_posted_by_the_system(tmp_path: Path) -> None:
    env = contracts_env(tmp_path / "c.db")  # the fixture's setting: post
    try:
        assert [(st, r) for _, st, r, _ in _receipts(env)] == [("记账", "系统（批量）")] * 2
    finally:
        env.db.close()


def test_township_depreciation_run_follows_the_setting(tmp_path: Path) -> None:
    waits, posts = assets_env(tmp_path / "w.db", auto_post=False), assets_env(tmp_path / "p.db", auto_post=False)
    try:
        with posts.db.begin("test") as s:
            set_auto_vouchers(s, posts.book.id, AUTO_POST, user=posts.reviewer)
        for env in (waits, posts):
            env.asset("ZC-001", acquired_on=date(2025, 12, 5))
            with env.db.begin("test") as s:
                got = run_depreciation_books(s, book_ids=[env.book.id], period="2026-01", user=env.user)
            assert sum(c.amount for c in got[env.book.id]) > 0
        [(_, st, r, _)] = _vouchers(waits.db, "depreciation")
        assert (st, r) == ("填制", None)
        [(_, st, r, _)] = _vouchers(posts.db, "depreciation")
        assert (st, r) == ("记账", "系统（批量）")
        # the batch's one audit entry says what it did: 批量填制 (made, waiting for people) or 批量记账
        for env, action in ((waits, "bulk_make"), (posts, "bulk_post")):
            with env.db.read("test") as s:
                [(summary,)] = s.execute(select(AuditEntry.summary).where(AuditEntry.action == action)).all()
            assert summary.startswith(f"{env.book.name}：批量计提2026年1月折旧，共 1 张凭证")
            assert summary.endswith("，待审核、记账") == (action == "bulk_make")
    finally:
        waits.db.close()
        posts.db.close()


def test_demo_module_vouchers_reviewed_by_its_reviewer_and_posted_by_its_bookkeeper(
        two_year_demo: Path, tmp_path: Path) -> None:
    db = open_database(copy_of(two_year_demo, tmp_path))
    try:
        with db.read() as s:
            rows = s.execute(select(Voucher.source_kind, Voucher.status, Voucher.reviewer_name, Voucher.poster_name)
                             .where(Voucher.source_kind.is_not(None), Voucher.reversal_of_id.is_(None))).all()
        by_people = {(st, r, p) for k, st, r, p in rows if k != "year_end_close"}
        assert by_people == {("记账", "李审核", "王会计")}
        assert {"asset_acquisition", "depreciation", "contract_receipt"} <= {k for k, *_ in rows}
        assert {st for k, st, *_ in rows if k == "year_end_close"} == {"记账"}
    finally:
        db.close()
