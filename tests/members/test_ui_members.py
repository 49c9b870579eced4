"""The 成员与分配 page: loads, searches by pinyin initials / ID, shows a plan and its roster."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop_app.core.services.distribution import draft_plan
from desktop_app.core.services.orgs import get_organisation
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import discover_pages
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.settings import WindowSettings

from .conftest import Village


def test_members_page_search_and_plan(village: Village, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    village.income("10000.00")
    with village.db.begin("test") as s:
        draft_plan(s, book_id=village.book.id, year=2026, members_amount=D("3000.00"), reserve=D("3000.00"), user=village.user)
        org = get_organisation(s, village.org.id)
    ctx = AppContext(village.db, village.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, village.book)
    page = MembersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    assert any(p.id == "members" for p in discover_pages())
    assert page.members.model().rowCount() == 6
    page.members.filter_edit.setText("zjg")
    page.members.apply_filter_now()
    assert [r.name for r in page.members.model().rows()] == ["张建国"]
    ric_tail = page.members.model().rows()[0].ric[-4:]  # what the masked number shows (issue #17)
    page.members.filter_edit.setText(ric_tail)
    page.members.apply_filter_now()
    assert [r.name for r in page.members.model().rows()] == ["张建国"]
    page.tabs.setCurrentIndex(3)
    page.plans.select_row(0)
    QApplication.processEvents()
    assert page.roster.model().rowCount() == 6
    assert page.plan_lines.model().rowCount() > 5
    page.show()
    page.grab().save(str(tmp_path / "members_page.png"))
    page.tabs.setCurrentIndex(2)
    assert page.holdings.model().rowCount() == 6


def test_settings_and_deduction_dialogs(village: Village, tmp_path: Path, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    import desktop_app.ui.pages.members as page_mod
    from desktop_app.core.services.distribution_query import get_distribution_settings
    from desktop_app.ui.forms import FormDialog

    answers: list[dict[str, object]] = []

    class AutoDialog(FormDialog):
        def exec(self) -> int:  # type: ignore[override]
            self.form.set_values(answers.pop(0))
            return int(self.try_save())

    monkeypatch.setattr(page_mod, "FormDialog", AutoDialog)
    village.income("10000.00")
    with village.db.begin("test") as s:
        draft_plan(s, book_id=village.book.id, year=2026, members_amount=D("3000.00"), reserve=D("3000.00"), user=village.user)
        org = get_organisation(s, village.org.id)
    ctx = AppContext(village.db, village.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, village.book)
    page = MembersPage(ctx)
    qtbot.addWidget(page)
    answers.append({"reserve_rate": "30", "reserve_floor": "30", "members_cap": "60", "deadline": "5-31"})
    page.edit_settings()
    with village.db.begin() as s:
        st = get_distribution_settings(s, village.org.id)
    assert (st.reserve_rate, st.members_cap, st.deadline_month, st.deadline_day) == (Decimal("30"), Decimal("60"), 5, 31)
    page.plans.select_row(0)
    page.roster.select_row(0)
    answers.append({"amount": Decimal("100.00"), "reason": "欠缴承包费", "consent": "本人签字确认书"})
    page.deduct()
    page.plans.select_row(0)
    assert page.plans.current_row().deductions == Decimal("100.00")
    assert page.violations.text().startswith("每股分红 352.94 元")  # within the rules: no violations listed


def test_cancel_payout_from_the_page(village: Village, tmp_path: Path, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    import desktop_app.ui.pages.members as page_mod
    from desktop_app.core.services.distribution import approve_plan, publicise_plan, record_payout
    from desktop_app.core.services.distribution_query import find_plan
    from desktop_app.ui.forms import FormDialog

    class AutoDialog(FormDialog):
        def exec(self) -> int:  # type: ignore[override]
            self.form.set_values({"on": date(2026, 11, 22), "reason": "发放方式录错"})
            return int(self.try_save())

    monkeypatch.setattr(page_mod, "FormDialog", AutoDialog)
    village.income("10000.00")
    with village.db.begin("test") as s:
        plan = draft_plan(s, book_id=village.book.id, year=2026, members_amount=D("3000.00"), reserve=D("3000.00"), user=village.user)
        publicise_plan(s, plan.id, on=date(2026, 11, 1), user=village.user)
        approve_plan(s, plan.id, on=date(2026, 11, 15), resolution_no="东股〔2026〕3号", resolution_text="通过",
                     user=village.user)
        record_payout(s, plan.id, paid_on=date(2026, 11, 20), method="现金", user=village.user)
        org = get_organisation(s, village.org.id)
    ctx = AppContext(village.db, village.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, village.book)
    page = MembersPage(ctx)
    qtbot.addWidget(page)
    page.plans.select_row(0)
    assert page.plans.current_row().status == "发放"
    page.cancel_payout()
    page.plans.select_row(0)
    assert page.plans.current_row().status == "批准"
    with village.db.begin() as s:
        again = find_plan(s, village.book.id, 2026)
        assert again is not None and again.paid_total == D("0.00")
