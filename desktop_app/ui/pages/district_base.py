"""What the district pages share (no ``PAGE`` here): the header with year/month, 刷新 and the
导出PDF/Excel buttons, read-only tables, and the export through DISTRICT-STATS's report functions.

The district's copy of the townships' data is read-only: these pages only read (``ctx.read``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserError
from desktop_app.core.periods import year_of
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_done, show_user_error
from desktop_app.ui.file_dialogs import save_file_name
from desktop_app.ui.ledger_view import LedgerView
from desktop_app.ui.tables import RowTableModel

READ_ONLY_NOTE = "各乡镇数据只读：如需更正，请在乡镇电脑上修改后同步"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("✓" if value else "✗")


def make_table(ctx: AppContext, columns: Sequence[Column], key: str, name: str) -> tuple[RowTableModel, LedgerView]:
    model = RowTableModel(columns)
    view = LedgerView(model, settings=ctx.settings, settings_key=f"table:{key}")
    view.setObjectName(name)
    return model, view


def boxed(title: str, widget: QWidget, name: str = "") -> QGroupBox:
    box = QGroupBox(title)
    if name:
        box.setObjectName(name)
    QVBoxLayout(box).addWidget(widget)
    return box


def fill_grid(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A small read-only matrix (tier counts and the like)."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(list(headers))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def grid(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setObjectName(name)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    return table


class DistrictPage(QWidget):
    """A district page: header (year, optional month, 刷新, exports), a note, a body.

    ``report`` names DISTRICT-STATS's report (tiers/disclosure/distribution/contracts) or ""."""

    report = ""
    months = "none"  # none / optional (全年 or 1–n月累计) / required (one month)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("district_year")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(self.default_year())
        self.year_spin.setSuffix(" 年")
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("district_month")
        if self.months == "optional":
            self.month_combo.addItems(["全年"] + [f"1–{m}月累计" for m in range(1, 13)])
        else:
            self.month_combo.addItems([f"{m}月" for m in range(1, 13)])
            self.month_combo.setCurrentIndex(self.default_month() - 1)
        self.month_combo.setVisible(self.months != "none")
        self.refresh_button = QPushButton("刷新(&R)")
        self.refresh_button.clicked.connect(self.reload)
        self.pdf_button = QPushButton("导出PDF")
        self.pdf_button.setObjectName("export_pdf")
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.xlsx_button = QPushButton("导出Excel")
        self.xlsx_button.setObjectName("export_xlsx")
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        for b in (self.pdf_button, self.xlsx_button):
            b.setVisible(bool(self.report))
        self.year_label = QLabel("年度")
        self.head = head = QHBoxLayout()
        for w in (self.year_label, self.year_spin, self.month_combo, self.refresh_button):
            head.addWidget(w)
        head.addStretch(1)
        head.addWidget(self.pdf_button)
        head.addWidget(self.xlsx_button)
        self.note = QLabel(READ_ONLY_NOTE)
        self.note.setObjectName("district_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666")
        self.body = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addLayout(self.body, 1)
        self.year_spin.valueChanged.connect(lambda _v: self.reload())
        self.month_combo.currentIndexChanged.connect(lambda _i: self.reload())
        ctx.data_changed.connect(self._on_data_changed)

    def default_year(self) -> int:
        return year_of(self.ctx.period)

    def default_month(self) -> int:
        return int(self.ctx.period[5:7])

    def year(self) -> int:
        return self.year_spin.value()

    def month(self) -> int | None:
        if self.months == "none":
            return None
        i = self.month_combo.currentIndex()
        return (i or None) if self.months == "optional" else i + 1

    def _on_data_changed(self, kind: str, _ids: object) -> None:
        if kind in ("refresh", "sync"):
            self.reload()

    def reload(self) -> None:  # pages fill themselves
        raise NotImplementedError

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.ctx.read(fn, *args, **kwargs)

    # -- export ----------------------------------------------------------------------------
    def as_of(self) -> date:
        """The date the report is as of (today; pages of a past year may say its end)."""
        return date.today()

    def export(self, fmt: str) -> None:
        suffix = ".pdf" if fmt == "pdf" else ".xlsx"
        month = self.month()
        default = f"{self.windowTitle() or self.report}_{self.year()}{f'-{month:02d}' if month else ''}{suffix}"
        path = save_file_name(self, self.ctx.settings, "district_export", "导出", default, f"{fmt.upper()} (*{suffix})")
        if path:
            self.write_export(Path(path))

    def write_export(self, path: Path) -> Path | None:
        """DISTRICT-STATS's report (the one ``district report`` writes) as PDF or xlsx; the PDF is
        sealed (QR and check code on every page, recorded for verify-sheet), so it is a write."""
        from desktop_app.reports.district_sheets import build_doc
        from desktop_app.sync.identity import site

        # read the widgets here: the functions below run on the database thread
        year, month, as_of = self.year(), self.month(), self.as_of()

        def xlsx(session: Any) -> Any:
            from desktop_app.excel.district_xlsx import write_district_xlsx

            doc = build_doc(session, self.report, year, month, organisation=site(session).name, as_of=as_of)
            write_district_xlsx(doc, path)
            return doc

        def pdf(session: Any) -> Any:
            from desktop_app.reports.district_seal import write_sealed_district_pdf

            return write_sealed_district_pdf(session, self.report, year, month, path, as_of=as_of)[0]

        try:
            built = self.ctx.call(pdf) if path.suffix.lower() == ".pdf" else self.read(xlsx)
        except UserError as exc:
            show_user_error(self, exc)
            return None
        show_done(self, f"已导出{built.title}：{path}", title="导出完成")
        return path
