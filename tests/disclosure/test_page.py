"""The 财务公开 page: preview renders pages, batch writes a file per village, settings and posting."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel

from desktop_app.core.services.disclosure import list_disclosure_records
from desktop_app.core.services.users import list_users
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.settings import WindowSettings

from .conftest import PERIOD, Village


@pytest.fixture
def page(qtbot: object, village: Village, tmp_path: Path) -> DisclosurePage:
    with village.db.begin() as s:
        user = next(u for u in list_users(s) if u.has_role("bookkeeper"))
    ctx = AppContext(village.db, user, WindowSettings(tmp_path / "w.json"))
    ctx.set_selection(village.org, village.book)
    p = DisclosurePage(ctx)
    qtbot.addWidget(p)  # type: ignore[attr-defined]
    p.period_edit.setText(PERIOD)
    return p


def test_preview_shows_the_pages(page: DisclosurePage, village: Village) -> None:
    assert page.org_box.currentData().id == village.org.id
    handle = page.preview()
    assert handle is not None and handle.wait(30_000) and handle.error is None
    labels = page.pages_box.findChildren(QLabel, "preview_page")
    assert page.doc is not None and len(labels) == page.doc.pages >= 4
    assert labels[0].pixmap().width() > 500
    assert "财务公开表（2026年10月）" in page.info.text()


def test_batch_writes_one_file_per_village(page: DisclosurePage, village: Village, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui_errors, "_exec", lambda box: shown.append(box.text()) or 0)
    out = tmp_path / "batch"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    handle = page.batch()
    assert handle is not None and handle.wait(60_000) and handle.error is None
    assert len(list(out.glob("*.pdf"))) == page.org_box.count() == 2
    with village.db.begin() as s:
        assert {r.period_code for r in list_disclosure_records(s)} == {PERIOD}
    assert "已生成 2 个村" in shown[-1]
    assert "尚未公开：" in page.status.toPlainText()
