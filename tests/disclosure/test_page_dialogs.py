"""The 财务公开 page's dialogs are the project's: file dialogs open where their kind of file last
went (PDF, phone images and the batch folder each remembered on their own), and 登记张贴 takes a
typed date in the project's DateEdit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.services.disclosure import list_disclosure_records
from desktop_app.ui import errors as ui_errors
from desktop_app.ui.forms import FormDialog
from desktop_app.ui.pages.disclosure import DisclosurePage
from desktop_app.ui.widgets import DateEdit

from .conftest import PERIOD, Village
from .test_page import page  # noqa: F401  (the page fixture)


def test_pdf_export_remembers_its_folder(page: DisclosurePage, tmp_path: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_errors, "_exec", lambda box: 0)
    starts: list[str] = []
    chosen = tmp_path / "公开" / "东湖村.pdf"
    chosen.parent.mkdir()

    def ask(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        starts.append(start)
        return str(chosen), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    handle = page.export_pdf()
    assert handle is not None and handle.wait(60_000) and handle.error is None
    assert chosen.read_bytes().startswith(b"%PDF")
    assert Path(starts[0]).name.endswith(f"{PERIOD}.pdf") or PERIOD.replace("-", "") in Path(starts[0]).name
    page.export_pdf()  # the next export opens where the last one went
    assert Path(starts[1]).parent == chosen.parent


def test_folders_are_remembered_per_kind(page: DisclosurePage, tmp_path: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[str] = []
    answer = {"dir": ""}
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda _p, _t, start: starts.append(start) or answer["dir"]))
    images, batch = tmp_path / "图片", tmp_path / "批量"
    images.mkdir()
    batch.mkdir()
    monkeypatch.setattr(page.runner, "run", lambda *a, **k: None)  # the folder choice is what is tested here
    answer["dir"] = str(images)
    page.export_images()
    answer["dir"] = str(batch)
    page.batch()
    answer["dir"] = ""
    page.export_images()
    page.batch()
    assert starts[2:] == [str(images), str(batch)]
    assert page.ctx.settings.last_folder("disclosure_images") == images


def test_posting_date_is_typed_into_the_project_date_field(page: DisclosurePage, village: Village,  # noqa: F811
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.services.disclosure import parse_disclosure_period
    from desktop_app.reports.disclosure.builder import disclose

    with village.db.begin() as s:  # the sheets made: they can be registered as posted
        disclose(s, village.org.id, parse_disclosure_period(PERIOD), user=village.reviewer)
    seen: list[Any] = []

    def run(dialog: FormDialog) -> bool:
        field = dialog.form.widget("day")
        seen.append(field)
        field.setFocus()
        for ch in "2026-11-05":
            QTest.keyClick(field, ch)
        QTest.keyClick(field, Qt.Key.Key_Tab)
        Path("/tmp/h_polish").mkdir(exist_ok=True)
        dialog.grab().save("/tmp/h_polish/posted_dialog.png")
        return bool(dialog.try_save())

    monkeypatch.setattr(FormDialog, "exec", run)
    page.mark_posted()
    assert isinstance(seen[0], DateEdit) and seen[0].value() == date(2026, 11, 5)
    with village.db.begin() as s:
        assert {r.posted_on for r in list_disclosure_records(s) if r.period_code == PERIOD} == {date(2026, 11, 5)}
