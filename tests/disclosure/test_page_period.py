"""The 财务公开 page opens on the window's month (issue #17 review): a month that has ended as it
is; while the window shows the running month, the month due (the one before, due by the 10th).
It follows the window's month when that changes, and leaves a quarter or year typed alone."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.periods import prev_period
from desktop_app.core.services.users import list_users
from desktop_app.ui.context import AppContext, current_period
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.settings import WindowSettings

from .conftest import Village


def _page(qtbot: object, village: Village, tmp_path: Path, period: str | None) -> DisclosurePage:
    with village.db.begin() as s:
        user = next(u for u in list_users(s) if u.has_role("bookkeeper"))
    ctx = AppContext(village.db, user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(village.org, village.book)
    if period is not None:
        ctx.set_period(period)
    page = DisclosurePage(ctx)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    return page


def test_opens_on_the_months_the_window_shows(qtbot: object, village: Village, tmp_path: Path) -> None:
    page = _page(qtbot, village, tmp_path, "2026-11")  # chosen in the window, as the reviewer did
    assert page.period_edit.text() == "2026-11"
    assert page.status.toPlainText().startswith("2026年11月财务公开情况（应于12月10日前公开）")
    page.ctx.set_period("2026-09")  # the window (or 首页's 前往) switches month: the page follows
    assert page.period_edit.text() == "2026-09" and "2026年9月财务公开情况" in page.status.toPlainText()
    page.period_edit.setText("2026-Q3")  # a quarter typed by hand stays when the window's month changes
    page.ctx.set_period("2026-08")
    assert page.period_edit.text() == "2026-Q3"


def test_the_running_month_opens_on_the_month_due(qtbot: object, village: Village, tmp_path: Path) -> None:
    page = _page(qtbot, village, tmp_path, None)  # the window starts on today's month, still running
    assert page.ctx.period == current_period()
    assert page.period_edit.text() == prev_period(current_period())
