"""Searching members by 身份证号 while the numbers are masked (issue #17, reviewer): a whole number
or its last 6 typed in the search box finds that member, the row still masked and nothing
revealed or audited; a fragment of the masked middle (the birth date) finds nobody, so typing
cannot probe hidden digits. The members page offscreen as 监督, and the service's own search."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntry, Member
from desktop_app.core.ids import mask_ric
from desktop_app.core.services.members import list_members
from desktop_app.core.services.personal_data import ric_matches
from tests.ui.test_masking import _page, _shown

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def _search(qtbot: Any, page: Any, text: str) -> list[str]:
    box = page.members.filter_edit
    box.clear()
    box.setFocus()
    for ch in text:  # typed as a user does, key by key
        QTest.sendKeyEvent(QTest.KeyAction.Click, box, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)
    assert box.text() == text
    page.members.apply_filter_now()
    return _shown(page)


def _reveal_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reveal")) or 0


def test_a_full_number_finds_the_member_still_masked(qtbot: Any, demo_db: Database, tmp_path: Path) -> None:
    page = _page(qtbot, demo_db, tmp_path, "jiandu")
    everyone = _shown(page)
    assert len(everyone) > 20 and all(MASKED.match(r) for r in everyone)
    with demo_db.read() as s:
        org = page.ctx.org
        assert org is not None
        ric, name = s.execute(select(Member.ric, Member.name).where(
            Member.organisation_id == org.id, Member.deleted.is_(False)).order_by(Member.ric).limit(1)).one()
    before = _reveal_count(demo_db)

    assert _search(qtbot, page, ric) == [mask_ric(ric)]  # found, and still masked
    col = [page.members.model().headerData(c, Qt.Orientation.Horizontal)
           for c in range(page.members.model().columnCount())].index("姓名")
    assert page.members.model().index(0, col).data() == name
    assert _search(qtbot, page, ric.lower()) == [mask_ric(ric)]  # a lower-case x too
    assert mask_ric(ric) in _search(qtbot, page, ric[-6:])  # the last 6
    assert mask_ric(ric) in _search(qtbot, page, ric[-4:])  # the last 4 (shown anyway)
    assert _search(qtbot, page, ric[6:14]) == []  # the masked birth date: no probing
    assert _search(qtbot, page, ric[:17]) == []  # 17 of 18: not a whole number
    assert _search(qtbot, page, "") == everyone
    assert _reveal_count(demo_db) == before  # nothing was revealed
    page.members.filter_edit.setText(ric)
    page.members.apply_filter_now()
    page.grab().save(str(tmp_path / "search.png"))


def test_the_service_search_matches_the_stored_number_only_whole_or_by_its_ends(demo_db: Database) -> None:
    with demo_db.read() as s:
        org_id, ric = s.execute(select(Member.organisation_id, Member.ric).where(Member.deleted.is_(False))
                                .order_by(Member.ric).limit(1)).one()
        assert [m.ric for m in list_members(s, org_id, text=ric)] == [ric]
        assert ric in [m.ric for m in list_members(s, org_id, text=ric[-6:])]
        assert list_members(s, org_id, text=ric[6:14]) == []
    assert ric_matches(ric, ric) and ric_matches(f" {ric[-4:]} ", ric) and ric_matches(ric[:6], ric)
    assert not ric_matches(ric[6:14], ric) and not ric_matches(ric[8:12], ric) and not ric_matches("", ric)
