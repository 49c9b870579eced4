# ruff: noqa: F811 - the fixtures imported from test_import_dialog are parameters by name
"""The 从Excel导入 dialog shows what it says whole and offers 确认导入 only when there is something to
write (review of issue #15): long problems wrap in a 问题 column that takes the dialog's width, long
field names fit their 导入为 combo, and a file with 0 new and 0 changed rows disables 确认导入 and
says 没有需要写入的数据. Real widgets offscreen, a real SQLite file, real xlsx files; the test-only
kind and the helpers are test_import_dialog's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.cellvalues import cell_number
from desktop_app.core.services import resources as res
from desktop_app.excel import importers
from desktop_app.excel.importers import RecordImporter, register
from desktop_app.excel.table_read import TableSpec
from desktop_app.ui.import_dialog import ImportRun
from tests.members.conftest import Village
from tests.ui.test_import_dialog import (  # noqa: F401 - the fixtures page, parcels_kind and village
    ROWS,
    SPEC,
    _create,
    _existing,
    _file,
    _open,
    _settled,
    _update,
    _validate,
    page,
    parcels_kind,
    village,
)


def test_nothing_to_write_disables_confirm_and_says_so(page: Any, village: Village, qtbot: Any,
                                                       tmp_path: Path) -> None:
    with village.db.begin("test") as s:
        for code, name, land, area, status, notes in [r[1:] for r in ROWS]:
            res.create_parcel(s, organisation_id=village.org.id, code=code, name=name, land_class=land,
                              area_mu=Decimal(str(cell_number(area, units=("亩",), label="面积"))),
                              status=status, notes=notes, user=village.user)
    header = ["序号", "编号", "名称", "地类", "面积", "经营状态", "备注"]
    run = _open(page, qtbot, _file(tmp_path / "地块.xlsx", ROWS, header))
    dialog = _settled(run, qtbot)
    for mode in ("skip", "update"):  # every row registered (跳过) / unchanged (无变化): 0 new, 0 changed
        dialog.mode_buttons[mode].setChecked(True)
        dialog = _settled(run, qtbot)
        assert dialog.result_shown.ok and dialog.counts.text().startswith("新增 0 条　更新 0 条")
        assert not dialog.import_button.isEnabled() and not dialog.import_button.isDefault()
        assert "没有需要写入的数据" in dialog.verdict.text()
        assert dialog.close_button.isDefault() and dialog.close_button.text() == "关闭(&C)"
    with qtbot.waitSignal(dialog.finished, timeout=5_000):  # the run has handled the closing (_closed)
        dialog.accept()  # even if accepted some other way, nothing is run
    assert run.runner.active == 0 and run.done is None and page.messages == []


def _wraps_whole(view: Any) -> int:
    """Every cell of ``view`` shown whole (its text wrapped within the column's width and the row
    tall enough), every column inside the view; how many cells needed more than one line."""
    table = view.table
    model = table.model()
    fm = table.fontMetrics()
    last = model.columnCount() - 1
    assert table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width() + 1
    wrapped = 0
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            text = model.data(model.index(r, c))
            if not text:
                continue
            assert model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole) == text
            width = table.columnWidth(c) - 8  # the item's margins
            rect = fm.boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap), text)
            assert rect.width() <= width and rect.height() <= table.rowHeight(r), (text, rect, table.rowHeight(r))
            wrapped += fm.horizontalAdvance(text) > width
    return wrapped


def test_long_problems_wrap_and_are_read_whole(page: Any, qtbot: Any, tmp_path: Path) -> None:
    rows = [[1, "D001", "耕地", "3.5亩"], [2, "D002", "水域", "4亩"]]
    header = ["序号", "编号", "地类", "面积（亩）"]  # no 名称: the whole file is refused, a long message
    run = _open(page, qtbot, _file(tmp_path / "地块.xlsx", rows, header))
    dialog = _settled(run, qtbot)
    dialog.resize(1080, 760)
    assert dialog.tabs.currentIndex() == 1
    message = dialog.problems_view.model().rows()[0].message
    assert "缺少必填列" in message

    def laid_out_again() -> None:  # the resize's layout requests handled: every cell shown whole
        assert dialog.size() == QSize(1080, 760)
        assert _wraps_whole(dialog.problems_view) >= 1  # the long one wraps, not cut with …

    qtbot.waitUntil(laid_out_again, timeout=5_000)
    if os.environ.get("SCREENSHOT_DIR"):
        dialog.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "import_dialog_long_problem.png"))
    dialog.reject()


LONG_KIND = "test_parcels_long"


@pytest.fixture
def long_kind(parcels_kind: None) -> Iterator[None]:
    fields = tuple(replace(f, label="地块名称（与不动产权证书一致的全称）") if f.key == "name" else f for f in SPEC.fields)
    spec = TableSpec(LONG_KIND, "资源地块", fields, key="code")
    register(RecordImporter(kind=LONG_KIND, label="资源地块", table=spec,
                            readers={"area_mu": lambda c: cell_number(c, units=("亩",), label="面积")},
                            validate=_validate, existing=_existing, create=_create, update=_update))
    yield
    importers.IMPORTERS.pop(LONG_KIND, None)


def test_mapping_shows_long_field_names_whole(page: Any, qtbot: Any, tmp_path: Path, long_kind: None) -> None:
    run = ImportRun(page, page.ctx, page.runner, LONG_KIND, notify="resource", label="资源地块")
    run.start(_file(tmp_path / "地块.xlsx", ROWS))
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=15_000)
    dialog = _settled(run, qtbot)
    QApplication.processEvents()
    combo = dialog.combo("C")
    assert combo.currentText() == "地块名称（与不动产权证书一致的全称）（必填）"
    fm = combo.fontMetrics()
    for letter in "BCDE":
        box = dialog.combo(letter)
        assert box.width() >= box.sizeHint().width(), box.currentText()
    assert fm.horizontalAdvance(combo.currentText()) < combo.width()
    if os.environ.get("SCREENSHOT_DIR"):
        dialog.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "import_dialog_long_field.png"))
    dialog.reject()
