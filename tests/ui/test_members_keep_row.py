"""成员与分配: after a save through the page's own form the same row (by its id) stays selected
and the detail panel below shows the new entry, without re-selecting the row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import desktop_app.ui.pages.members as page_mod
from desktop_app.core.services import shares as sh
from desktop_app.core.services.orgs import get_organisation
from desktop_app.ui.context import AppContext
from desktop_app.ui.forms import FormDialog
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.settings import WindowSettings
from tests.members.conftest import Village, village  # noqa: F401 (fixture)


@pytest.fixture
def page(village: Village, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> MembersPage:  # noqa: F811
    with village.db.begin("test") as s:
        org = get_organisation(s, village.org.id)
    ctx = AppContext(village.db, village.user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(org, village.book)
    p = MembersPage(ctx)
    qtbot.addWidget(p)
    return p


def answer(monkeypatch: pytest.MonkeyPatch, values: dict[str, Any]) -> None:
    """The page's FormDialog filled with ``values`` and saved, as the user's 保存 would."""

    class Filled(FormDialog):
        def exec(self) -> int:  # type: ignore[override]
            self.form.set_values(values)
            ok = self.try_save()
            assert ok, {k: v.text() for k, v in self.form.error_labels.items() if v.text()}
            return int(ok)

    monkeypatch.setattr(page_mod, "FormDialog", Filled)


def test_adjust_keeps_the_holder_and_shows_the_new_event(page: MembersPage, village: Village,  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    page.tabs.setCurrentIndex(2)
    page.holdings.select_row(2)
    holder = page.holdings.current_row()
    before = page.share_events.model().rowCount()
    with village.db.begin() as s:
        share_type = sh.list_share_types(s, village.org.id)[0]
    answer(monkeypatch, {"share_type_id": share_type.name, "new_shares": "7", "event_date": dt.date(2026, 11, 1),
                         "basis": "成员代表大会决议〔2026〕3号"})
    page.adjust()
    now = page.holdings.current_row()
    assert now is not None and now.member_id == holder.member_id and now.total != holder.total
    assert page.share_events.model().rowCount() == before + 1
    assert page.share_events.count_label.text() == f"共 {before + 1} 条"


def test_member_event_and_edit_keep_the_member(page: MembersPage, monkeypatch: pytest.MonkeyPatch) -> None:
    page.members.select_row(3)
    member = page.members.current_row()
    before = page.history.model().rowCount()
    answer(monkeypatch, {"kind": "迁出", "event_date": dt.date(2026, 11, 2), "basis": "迁移证明"})
    page.member_event()
    assert page.members.current_row().id == member.id
    assert page.history.model().rowCount() == before + 1
    answer(monkeypatch, {"name": member.name + "新", "ric": member.ric, "relation": member.relation})
    page.edit_member()
    now = page.members.current_row()
    assert now.id == member.id and now.name == member.name + "新"
    assert page.history.model().rowCount() == before + 1
