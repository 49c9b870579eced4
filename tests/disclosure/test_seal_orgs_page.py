"""组织与账套: a book's own 统一社会信用代码 is set on the page (a 村民委员会's 54… code), checked as
typed, and what the sheets print follows it."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.services import orgs as org_svc
from desktop_app.core.services.users import authenticate
from desktop_app.ui import forms
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.orgs import OrgsPage
from desktop_app.ui.settings import WindowSettings

from .conftest import Village

COMMITTEE_CODE = "54320115MF00001236"


def test_edit_book_sets_its_own_credit_code(qtbot, village: Village, monkeypatch, tmp_path: Path) -> None:
    with village.db.begin() as s:
        user = authenticate(s, "admin", "demo1234")
        committee = next((b for b in org_svc.list_books(s, village.org.id) if b.kind == "村民委员会"), village.book)
    page = OrgsPage(AppContext(village.db, user, WindowSettings(tmp_path / "w.json")))
    qtbot.addWidget(page)
    row = page.org_model.find_row(lambda r: r.id == village.org.id)
    page.org_view.select_row(row)
    page.book_view.select_row(page.book_model.find_row(lambda b: b.id == committee.id))
    with village.db.begin() as s:
        before = org_svc.book_credit_code(s, committee.id, own_only=True) or ""
    typed: list[str] = []

    def fill(form: forms.Form) -> None:
        typed.append(form.widget("credit_code").text())
        form.widget("credit_code").setText(COMMITTEE_CODE if committee.kind == "村民委员会" else village.org.uscc)

    monkeypatch.setattr(forms.FormDialog, "exec", lambda d: (fill(d.form), 1 if d.try_save() else 0)[1])
    page.edit_book()
    with village.db.begin() as s:
        own = org_svc.book_credit_code(s, committee.id, own_only=True)
    assert typed == [before]  # what the book itself has recorded, never the cooperative's code borrowed
    assert own == (COMMITTEE_CODE if committee.kind == "村民委员会" else village.org.uscc)
