"""结账 and 年终结转 on the 凭证 page, offscreen with real widgets on a real SQLite file: the checklist
dialog refuses (its 结账 disabled) and confirms; December closes after 年终结转 through the GUI;
the closed month shows it and offers 反结账."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop_app.core.services.periods import period_status
from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.ui.close_dialogs import FAIL_MARK, OK_MARK, WARN_MARK
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.funds.conftest import Env, make_env
from tests.ui.conftest import ShownBoxes

SHOTS = Path("/tmp/h_close")


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


def _marks(dialog: Any) -> dict[str, str]:
    t = dialog.table
    return {t.item(r, 1).text(): t.item(r, 0).text() for r in range(t.rowCount())}


def _shot(widget: Any, name: str) -> None:
    """A screenshot for a person to look at (only where the scratch folder exists), in the bundled font."""
    if not SHOTS.is_dir():
        return
    from PySide6.QtGui import QFont, QFontDatabase

    from desktop_app import paths

    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(paths.font_path())))
    if families:
        widget.setFont(QFont(families[0], 10))
    for _ in range(3):  # the relayout in the new font, and the dialog's queued row heights
        QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))


def test_the_checklist_refuses_then_confirms_the_close(qtbot: Any, env: Env, tmp_path: Path,
                                                       shown_boxes: ShownBoxes) -> None:
    env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    open_one = env.vouch(date(2026, 1, 9), "付办公费", ("51302", "50.00", "0"), ("10201", "0", "50.00"), post=False)
    page = _page(qtbot, env, tmp_path, "2026-01")
    page.buttons["结账"].click()
    dialog = page.close_dialog
    assert dialog is not None and dialog.isVisible()
    marks = _marks(dialog)
    assert marks["凭证均已审核"] == FAIL_MARK and marks["试算平衡"] == OK_MARK
    assert not dialog.close_button.isEnabled() and "不满足结账条件" in dialog.summary.text()
    _shot(dialog, "close_refused.png")
    dialog.reject()
    with env.db.read() as s:
        assert not period_status(s, env.book.id, "2026-01").is_closed

    from desktop_app.core.services.vouchers import post_voucher, review_voucher

    with env.db.begin("test") as s:
        review_voucher(s, open_one, user=env.reviewer)
        post_voucher(s, open_one, user=env.maker)
    page.buttons["结账"].click()
    dialog = page.close_dialog
    assert dialog is not None and dialog.close_button.isEnabled()
    assert "确认结账吗" in dialog.summary.text() and not dialog.year_end_button.isVisibleTo(dialog)
    _shot(dialog, "close_ready.png")
    dialog.close_button.click()
    assert not shown_boxes.texts
    with env.db.read() as s:
        assert period_status(s, env.book.id, "2026-01").is_closed
    assert "已结账" in page.status.text() and "反结账" in page.status.text()
    assert page.buttons["反结账"].font().bold() and not page.buttons["结账"].font().bold()
    _shot(page, "page_closed.png")
    if page.stick_offer is not None:
        page.stick_offer.reject()


def test_december_closes_after_the_year_end_in_the_gui(qtbot: Any, tmp_path: Path, shown_boxes: ShownBoxes) -> None:
    env = make_env(tmp_path / "dec.db", start="2026-12")
    try:
        env.vouch(date(2026, 12, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
        env.vouch(date(2026, 12, 8), "付办公费", ("51302", "300.00", "0"), ("10201", "0", "300.00"))
        page = _page(qtbot, env, tmp_path, "2026-12")
        page.buttons["结账"].click()
        dialog = page.close_dialog
        assert dialog is not None
        assert _marks(dialog)["已年终结转"] == FAIL_MARK and not dialog.close_button.isEnabled()
        assert dialog.year_end_button.isVisibleTo(dialog)
        dialog.year_end_button.click()
        preview = dialog.year_end_dialog
        assert preview is not None and preview.isVisible()
        rows = [[preview.table.item(r, c).text() if preview.table.item(r, c) else ""
                 for c in range(5)] for r in range(preview.table.rowCount())]
        assert ["结转本年损益", "1,000.00", ""] in [[r[0], r[3], r[4]] for r in rows if r[1] == "50101"]
        assert ["结转本年收益至未分配收益", "", "700.00"] in [[r[0], r[3], r[4]] for r in rows if r[1] == "32201"]
        assert rows[-1][0] == "合计" and rows[-1][3] == rows[-1][4] == "1,700.00"
        _shot(preview, "year_end_preview.png")
        preview.confirm_button.click()
        assert not shown_boxes.texts
        QApplication.processEvents()
        marks = _marks(dialog)  # the checklist read itself again after the carry-forward
        assert marks["已年终结转"] == OK_MARK and dialog.close_button.isEnabled()
        assert not dialog.year_end_button.isVisibleTo(dialog)
        dialog.close_button.click()
        with env.db.read() as s:
            assert period_status(s, env.book.id, "2026-12").is_closed
            made = [v for v in list_vouchers(s, env.book.id, "2026-12", "2026-12") if v.source_kind == "year_end_close"]
        assert len(made) == 2 and {v.status for v in made} == {"记账"}
        if page.stick_offer is not None:
            page.stick_offer.reject()
    finally:
        env.db.close()


def test_year_end_from_the_page_is_for_december(qtbot: Any, env: Env, tmp_path: Path,
                                                 shown_boxes: ShownBoxes) -> None:
    env.vouch(date(2026, 3, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    page = _page(qtbot, env, tmp_path, "2026-03")
    page.year_end()
    assert page.year_end_dialog is None and shown_boxes.texts == ["年终结转在12月进行：请将会计期间切换到2026年12月"]
    page.period.setValue("2026-12")
    page.year_end()
    assert page.year_end_dialog is not None and page.year_end_dialog.debit_total == Decimal("2000.00")
    page.year_end_dialog.reject()


def test_warnings_do_not_stop_the_close(qtbot: Any, env: Env, tmp_path: Path, shown_boxes: ShownBoxes) -> None:
    from desktop_app.core.services.periods import close_period

    env.vouch(date(2026, 1, 5), "收门面房租金", ("10201", "1000.00", "0"), ("50101", "0", "1000.00"))
    with env.db.begin("test") as s:
        close_period(s, env.book.id, "2026-01", user=env.maker)
    page = _page(qtbot, env, tmp_path, "2026-02")
    page.close_month()
    dialog = page.close_dialog
    assert dialog is not None
    assert _marks(dialog)["上期财务公开已张贴"] == WARN_MARK
    assert dialog.close_button.isEnabled() and "项提醒（⚠），不影响结账" in dialog.summary.text()
    dialog.reject()
