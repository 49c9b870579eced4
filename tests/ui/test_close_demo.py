"""The demo township's December closes through the GUI as an accountant would: each open month
through its checklist dialog, and in December 年终结转 from the dialog (preview, then 结转), then
结账 — the path issue #17 found missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from db.engine import Database
from desktop_app.core.periods import next_period
from desktop_app.core.services.auth import authenticate
from desktop_app.core.services.periods import last_closed_period, period_status
from desktop_app.core.services.vouchers import list_vouchers
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.funds_vouchers import VouchersPage
from desktop_app.ui.settings import WindowSettings
from tests.ui.conftest import ShownBoxes


def test_the_demo_december_closes_in_the_gui(qtbot: Any, demo_db: Database, tmp_path: Path,
                                             shown_boxes: ShownBoxes) -> None:
    from desktop_app.core.services.orgs import list_books, list_organisations

    with demo_db.begin() as s:
        user = authenticate(s, "kuaiji", "demo1234")
    ctx = AppContext(demo_db, user, WindowSettings(tmp_path / "w.json"))
    with demo_db.read() as s:
        ctx.org = next(o for o in list_organisations(s) if o.level == "村")
        ctx.book = list_books(s, ctx.org.id)[0]
        month = next_period(last_closed_period(s, ctx.book.id) or ctx.book.start_period)
    december = f"{month[:4]}-12"
    ctx.period = month
    page = VouchersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    while month <= december:
        page.period.setValue(month)
        page.close_month()
        dialog = page.close_dialog
        assert dialog is not None and dialog.isVisible()
        if month == december:
            assert not dialog.close_button.isEnabled() and dialog.year_end_button.isVisibleTo(dialog)
            dialog.year_end_button.click()
            preview = dialog.year_end_dialog
            assert preview is not None and preview.table.rowCount() > 3
            assert preview.debit_total == preview.credit_total > 0
            preview.confirm_button.click()
            # December's 折旧 is due in the demo: 年终结转 asks (确定 here) before carrying without it
            assert len(shown_boxes.texts) == 1 and "折旧" in shown_boxes.texts[0] and "仍要结转吗" in shown_boxes.texts[0]
            shown_boxes.boxes.clear()
        blocking = [(i.title, i.detail) for i in dialog.items if not i.ok and i.blocking]
        assert dialog.close_button.isEnabled(), blocking
        dialog.close_button.click()
        assert not shown_boxes.texts
        assert f"{int(month[5:])}月已结账" in page.status.text()
        if page.stick_offer is not None:
            page.stick_offer.reject()
        month = next_period(month)
    with demo_db.read() as s:
        assert period_status(s, ctx.book.id, december).is_closed
        closing = [v for v in list_vouchers(s, ctx.book.id, december, december) if v.source_kind == "year_end_close"]
    assert closing and {v.status for v in closing} == {"记账"}
