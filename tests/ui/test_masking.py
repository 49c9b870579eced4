"""Personal data masked (issue #17): 身份证号 in the members lists show first 6 + last 4 for every
role; the register's keepers reveal them on demand through an audited service call; 监督 and the
district cannot; the audit chain still verifies after a reveal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select

from db.audit import verify_audit_chain
from db.engine import Database
from db.models import AuditEntry, Member, User
from desktop_app.core.errors import PermissionDenied
from desktop_app.core.ids import mask_ric
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import user_row
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.personal_data import reveal_id_numbers, shown_ric
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.members import MembersPage
from desktop_app.ui.settings import WindowSettings

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def _user(db: Database, username: str) -> UserRow:
    with db.read() as s:
        return user_row(s.execute(select(User).where(User.username == username)).scalar_one())


def _page(qtbot: Any, db: Database, tmp_path: Path, username: str) -> MembersPage:
    ctx = AppContext(db, _user(db, username), WindowSettings(tmp_path / f"{username}.json"))
    with db.read() as s:
        org = next(o for o in list_organisations(s) if o.level == "村")
        ctx.set_selection(org, list_books(s, org.id)[0])
    page = MembersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def _shown(page: MembersPage, header: str = "身份证号") -> list[str]:
    model = page.members.model()
    col = next(c for c in range(model.columnCount())
               if model.headerData(c, Qt.Orientation.Horizontal) == header)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _reveals(db: Database) -> list[tuple[str, str, str, str | None]]:
    """(actor, entity, summary, after_json) of each reveal in the audit log."""
    with db.read() as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(AuditEntry.actor, AuditEntry.entity, AuditEntry.summary, AuditEntry.after_json)
            .where(AuditEntry.action == "reveal").order_by(AuditEntry.n))]


def test_the_mask_is_first_six_and_last_four() -> None:
    assert mask_ric("320115196202030014") == "320115********0014"
    assert shown_ric("320115196202030014", {}, None) == "320115********0014"


def test_the_register_keeper_reveals_on_demand_and_it_is_audited(qtbot: Any, demo_db: Database,
                                                                tmp_path: Path, shown_boxes: Any) -> None:
    page = _page(qtbot, demo_db, tmp_path, "kuaiji")
    masked = _shown(page)
    assert masked and all(MASKED.match(t) for t in masked), masked[:3]
    # the masked digits are the birth date: beside them only its year is shown
    assert all(re.fullmatch(r"\d{4}年", t) for t in _shown(page, "出生日期"))
    page.members.filter_edit.setText(masked[0][-4:])  # the visible tail still finds the member
    page.members.apply_filter_now()
    assert page.members.model().rowCount() >= 1
    page.members.filter_edit.clear()
    page.members.apply_filter_now()
    button = page.findChild(QPushButton, "btn_reveal_ric")
    assert button is not None and button.isEnabled() and button.text() == "显示身份证(&D)"
    page.grab().save(str(tmp_path / "masked.png"))
    assert _reveals(demo_db) == []
    button.click()
    full = _shown(page)
    with demo_db.read() as s:
        stored = set(s.scalars(select(Member.ric).where(Member.organisation_id == page.ctx.org.id)))  # type: ignore[union-attr]
    assert set(full) <= stored and all(mask_ric(f) in masked for f in full)
    assert button.text() == "隐藏身份证(&D)"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", t) for t in _shown(page, "出生日期"))
    entries = _reveals(demo_db)
    assert len(entries) == 1
    actor, entity, summary, after = entries[0]
    assert actor == "kuaiji" and entity == "member"
    assert summary.startswith(f"显示身份证号（成员与分配）：{page.ctx.org.name}")  # type: ignore[union-attr]
    assert len(json.loads(after or "{}")["members"]) == len(stored)
    # the household tab's member list shows the revealed numbers too
    page.tabs.setCurrentIndex(1)
    page.households.select_row(0)
    QApplication.processEvents()
    assert all(not MASKED.match(page.household_members.model().index(r, 4).data())
               for r in range(page.household_members.model().rowCount()))
    button.click()  # hidden again: masked, and no audit entry for hiding
    assert _shown(page) == masked and len(_reveals(demo_db)) == 1
    with demo_db.read() as s:
        assert verify_audit_chain(s.connection()) == []
    assert not shown_boxes.texts


def test_another_organisation_is_masked_again(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    page = _page(qtbot, demo_db, tmp_path, "admin")
    page.findChild(QPushButton, "btn_reveal_ric").click()  # type: ignore[union-attr]
    assert not any(MASKED.match(t) for t in _shown(page))
    with demo_db.read() as s:
        other = [o for o in list_organisations(s) if o.level == "村"][1]
        book = list_books(s, other.id)[0]
    page.ctx.set_selection(other, book)
    assert all(MASKED.match(t) for t in _shown(page))


@pytest.mark.parametrize("username", ["jiandu"])
def test_a_supervisor_sees_masked_numbers_only(qtbot: Any, demo_db: Database, tmp_path: Path,
                                               username: str) -> None:
    page = _page(qtbot, demo_db, tmp_path, username)
    assert all(MASKED.match(t) for t in _shown(page))
    button = page.findChild(QPushButton, "btn_reveal_ric")
    assert button is not None and not button.isEnabled() and button.toolTip().startswith("仅限")
    with demo_db.begin() as s, pytest.raises(PermissionDenied):
        reveal_id_numbers(s, page.ctx.org.id, user=page.ctx.user)  # type: ignore[union-attr]
    assert _reveals(demo_db) == []
