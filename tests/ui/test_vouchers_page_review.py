"""Reviewer #17.3/#17.4 on the 凭证 page, offscreen on a real SQLite file: 红字冲销 says why it cannot
before asking for a reason; a closed month disables 填制, 审核, 记账, 结账 … with a tooltip saying it is
closed, 反结账 stays; reopened, they come back."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog

from desktop_app.core.services.periods import close_period, reopen_period
from desktop_app.core.services.vouchers import (
    LineInput,
    post_voucher,
    record_auto_voucher,
    reverse_voucher,
    review_voucher,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env, make_env
from tests.ui.conftest import ShownBoxes


@pytest.fixture
def env(tmp_path: Path) -> Any:
    e = make_env(tmp_path / "funds.db")
    yield e
    e.db.close()


def _page(qtbot: Any, env: Env, tmp_path: Path, period: str) -> VouchersPage:
    ctx = AppContext(env.db, env.maker, WindowSettings(tmp_path / "w.json"))
    ctx.book = env.book
    ctx.period = period
    page = VouchersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    return page


def test_reverse_refuses_before_asking_for_a_reason(qtbot: Any, env: Env, tmp_path: Path,
                                                      shown_boxes: ShownBoxes, monkeypatch: pytest.MonkeyPatch) -> None:
    first = env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    with env.db.begin("test") as s:
        red = reverse_voucher(s, first, user=env.maker, voucher_date=date(2026, 1, 6), reason="重复入账")
        review_voucher(s, red.id, user=env.reviewer)
        post_voucher(s, red.id, user=env.maker)
        record_auto_voucher(s, book_id=env.book.id, voucher_date=date(2026, 1, 7), summary="收合同租金",
                            lines=[LineInput("10201", Decimal("500.00"), Decimal(0)),
                                   LineInput("50101", Decimal(0), Decimal("500.00"))],
                            user=env.maker, source_kind="contract_receipt", source_id=uuid.uuid4(), post=True)
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[1]), ("", False))[1])
    page = _page(qtbot, env, tmp_path, "2026-01")
    codes = [page.model.row_at(r).code for r in range(page.model.rowCount())]
    for code, expected in (("记-0001", "2026年1月第1号凭证已被冲销"), ("记-0002", "本身是红字冲销凭证，不能再冲销"),
                           ("记-0003", "由“合同收款”生成，不能在凭证中直接红字冲销")):
        page.view.select_row(codes.index(code))
        page.buttons["红字冲销"].click()
        assert expected in shown_boxes.texts[-1]
        assert not shown_boxes.texts[-1].startswith("“凭证”")  # no stray field label (#17.5)
    assert asked == []  # refused before any reason was asked


def test_closed_month_disables_what_cannot_change(qtbot: Any, env: Env, tmp_path: Path, shown_boxes: ShownBoxes) -> None:
    env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    page = _page(qtbot, env, tmp_path, "2026-01")
    assert page.buttons["审核(&R)"].toolTip().startswith("仅限审核员使用")  # the role's reason stays
    for text in ("填制(&N)", "记账(&P)", "作废", "结账"):
        btn = page.buttons[text]
        assert not btn.isEnabled(), text
        assert btn.toolTip().startswith("2026年1月已结账，不能") and "反结账" in btn.toolTip(), text
    assert page.buttons["红字冲销"].isEnabled()
    assert page.buttons["反结账"].isEnabled() == page.allowed["反结账"]  # 反结账 stays (for those who may)
    with env.db.begin("test") as s:
        reopen_period(s, env.book.id, "2026-01", user=env.reviewer, reason="补记")
    page.reload()
    assert all(page.buttons[t].isEnabled() for t in ("填制(&N)", "记账(&P)", "结账"))
    assert page.buttons["结账"].toolTip() == "检查后结账2026年1月"
    assert not shown_boxes.texts
