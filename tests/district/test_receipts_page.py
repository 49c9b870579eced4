"""数据接收 checks the received audit chains and every closed month's seal on the task runner
(issue #13): the page paints at once with 检查中…, fills in when the check arrives, shows a progress
dialog with 取消 after 600 ms and stops when it is pressed. Real Qt widgets offscreen, a real
township carried into a real district file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from desktop_app.core.services.periods import close_periods
from desktop_app.core.services.users import authenticate, create_user
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.district_receipts import CHECKING, DistrictReceiptsPage
from desktop_app.ui.settings import WindowSettings
from desktop_app.ui.tasks import DIALOG_DELAY_MS
from tests.district.conftest import HandTown
from tests.district.test_stats import book_hand

MONTHS = [f"2025-{m:02d}" for m in range(1, 6)]


def open_page(h: HandTown, cls: type[Any], tmp_path: Path, qtbot) -> Any:  # type: ignore[no-untyped-def]
    """A district page as quji (password secret1) sees it in November 2026, offscreen."""
    with h.district.begin() as s:
        user = authenticate(s, "quji", "secret1")
    ctx = AppContext(h.district, user, WindowSettings(tmp_path / "window.json"))
    ctx.period = "2026-11"
    page = cls(ctx)
    qtbot.addWidget(page)
    return page


@pytest.fixture
def page(hand_town: HandTown, tmp_path: Path, qtbot) -> DistrictReceiptsPage:  # type: ignore[no-untyped-def]
    h = hand_town
    book_hand(h)
    with h.town.begin("test") as s:  # 东湖's first five months closed (its May voucher inside the seal)
        close_periods(s, [(h.books["东湖"], p) for p in MONTHS], user=h.maker)
    with h.district.begin() as s:
        create_user(s, username="quji", display_name="区经管站", password="secret1", roles=["district_admin"])
    h.carry()
    page: DistrictReceiptsPage = open_page(h, DistrictReceiptsPage, tmp_path, qtbot)
    return page


def _wait(qtbot, p: DistrictReceiptsPage) -> None:  # type: ignore[no-untyped-def]
    assert p.check_task is not None
    if not p.check_task.done:
        with qtbot.waitSignal(p.check_task.finished, timeout=30_000):
            pass


def test_the_page_paints_at_once_and_fills_the_checks_in(page: DistrictReceiptsPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    p = page
    # straight after construction: the packages are there, the checks are still being made
    assert len(p.package_model.all_rows()) == 1 and p.package_model.all_rows()[0].status == "✓"
    assert CHECKING in p.summary.text() and CHECKING in p.town_box.title()
    p.resize(1300, 800)
    p.show()
    assert not p.grab().isNull()
    _wait(qtbot, p)
    towns = {t.township: t for t in p.town_model.all_rows()}  # the sender's audit chain, its villages' townships
    assert set(towns) == {"江宁区各镇（测试）", "阳光街道", "月湖镇"}
    assert towns["江宁区各镇（测试）"].audit_status == "✓" and all(t.seal_status == "✓" for t in towns.values())
    east = next(v for v in towns["阳光街道"].villages if v.name.startswith("东湖"))
    assert east.closed_months == len(MONTHS) and east.status == "✓"
    # (this township file's own name is not its villages' townships: those two show no audit chain)
    assert "来自 3 个乡镇" in p.summary.text() and CHECKING not in p.town_box.title() + p.summary.text()


def test_a_month_changed_behind_the_programs_back_is_named_after_a_reload(
        page: DistrictReceiptsPage, hand_town: HandTown, qtbot) -> None:  # type: ignore[no-untyped-def]
    _wait(qtbot, page)
    con = sqlite3.connect(hand_town.district.path)
    try:
        assert con.execute("UPDATE entry SET credit = credit + 100 WHERE credit > 0 AND voucher_id IN (SELECT id FROM "
                           "voucher WHERE book_id = ? AND period = '2025-05')",
                           (hand_town.books["东湖"].hex,)).rowcount == 1
        con.commit()
    finally:
        con.close()
    page.reload()
    assert CHECKING in page.summary.text()
    _wait(qtbot, page)
    (town,) = [t for t in page.town_model.all_rows() if t.seal_status != "✓"]
    assert town.township == "阳光街道" and town.seal_status == "1 个村已结账月份封存不符"
    (bad,) = [v for v in town.villages if v.status != "✓"]
    assert bad.name.startswith("东湖") and "2025年05月起" in bad.status
    assert "有问题" in page.summary.text() and "阳光街道" in page.summary.text()


def test_a_long_check_shows_a_progress_dialog_and_cancel_stops_it(page: DistrictReceiptsPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    p = page
    _wait(qtbot, p)
    release = threading.Event()
    blocker = p.runner.run(lambda _progress: release.wait(20), title="占用", cancellable=False)  # the one db thread
    p.reload()
    handle = p.check_task
    assert handle is not None and CHECKING in p.summary.text()
    qtbot.waitUntil(lambda: handle.dialog is not None, timeout=DIALOG_DELAY_MS + 5_000)
    assert handle.dialog is not None and handle.dialog.labelText() == "正在核验各乡镇数据"
    with qtbot.waitSignal(handle.cancelled, timeout=30_000):
        handle.dialog.findChild(QPushButton).click()  # 取消 pressed
        release.set()
    assert blocker.wait() and handle.was_cancelled and handle.dialog is None
    assert "核验已取消" in p.summary.text() and p.town_model.all_rows() == []
    p.reload()  # 刷新 asks again
    _wait(qtbot, p)
    assert "来自 3 个乡镇" in p.summary.text() and len(p.town_model.all_rows()) == 3
    QApplication.processEvents()


def test_a_later_reload_wins_over_an_earlier_check(page: DistrictReceiptsPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    first = page.check_task
    page.reload()
    second = page.check_task
    assert first is not second
    _wait(qtbot, page)
    assert first is not None and first.wait()
    assert "来自 3 个乡镇" in page.summary.text() and len(page.town_model.all_rows()) == 3
    assert date.today().year >= 2026  # the hand-made township's months are in the past
