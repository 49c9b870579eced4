"""年报（清产核资）: the year's 农村集体资产年报 forms for every village (or the selected one), shown
form by form as the platform will receive them, and 导出Excel — the workbook ``export
annual-tables`` writes (services.annual_tables, excel.annual_xlsx). Reading and writing run on the
database thread (``TaskRunner``); the page only reads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
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
from desktop_app.core.money import format_amount
from desktop_app.core.periods import year_of
from desktop_app.core.services.annual_tables import AnnualForm, AnnualTables, annual_tables
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_done
from desktop_app.ui.file_dialogs import XLSX_FILTER, save_file_name
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.tasks import TaskHandle, TaskRunner

LEADING = ("区划代码",)  # the 单位名称 is the row header: it stays in view while the items scroll


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind in ("money", "each"):
        return format_amount(value)
    if kind == "area":
        return f"{Decimal(value):,.2f}"
    if kind == "int":  # 户数, 成员数: separators as the amounts beside them have
        return f"{int(value):,}"
    return str(value)


class AnnualTablesPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = TaskRunner(self)
        self.tables: AnnualTables | None = None
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("annual_year")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setSuffix(" 年")
        self.year_spin.setValue(year_of(ctx.period))
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("annual_scope")
        self.form_combo = QComboBox()
        self.form_combo.setObjectName("annual_form")
        for combo in (self.scope_combo, self.form_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_button = QPushButton("刷新(&R)")
        self.refresh_button.setObjectName("annual_refresh")
        self.export_button = QPushButton("导出Excel(&X)")
        self.export_button.setObjectName("annual_export")
        self.status = QLabel()
        self.status.setObjectName("annual_status")
        self.status.setWordWrap(True)
        self.grid = QTableWidget()
        self.grid.setObjectName("annual_grid")
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head = QHBoxLayout()
        for w in (QLabel("年度"), self.year_spin, QLabel("范围"), self.scope_combo, QLabel("报表"), self.form_combo,
                  self.refresh_button):
            head.addWidget(w)
        head.addStretch(1)
        head.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.status)
        layout.addWidget(self.grid, 1)
        self._fill_scopes()
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export)
        self.form_combo.currentIndexChanged.connect(lambda _i: self.show_form())
        self.year_spin.valueChanged.connect(lambda _v: self.reload())
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        ctx.context_changed.connect(self._fill_scopes)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    def _on_data_changed(self, _kind: str, _ids: object) -> None:
        """Any change may move a figure: reload while shown (the main window reloads a hidden page
        when it is shown again)."""
        if self.isVisible():
            self.reload()

    def _fill_scopes(self) -> None:
        """全部村, and the organisation picked on the left (if any)."""
        org = self.ctx.org
        items = [("全部村（按乡镇合计）", None)] + ([(org.name, org.uscc)] if org is not None else [])
        combo = self.scope_combo
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == items:
            return
        before = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(combo.findData(before), 0) if before else 0)
        combo.blockSignals(False)
        if combo.currentData() != before:
            self.reload()

    def organisation(self) -> str | None:
        data = self.scope_combo.currentData()
        return str(data) if data else None

    def reload(self) -> TaskHandle:
        year, org = self.year_spin.value(), self.organisation()
        self.status.setText("正在汇总…")
        return self.runner.run(lambda _p: self.ctx.read(annual_tables, year, organisation=org),
                               title="正在汇总年报…", on_result=self._loaded, on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.tables = None
        self.form_combo.clear()
        self.grid.clear()
        self.grid.setRowCount(0)
        self.grid.setColumnCount(0)
        if isinstance(exc, UserError):
            self.status.setText(str(exc))
        else:
            raise exc

    def _loaded(self, tables: AnnualTables) -> None:
        self.tables = tables
        villages = len([r for r in tables.forms[0].rows if not r.is_total])
        text = f"{tables.year}年度　{tables.scope}：列入 {villages} 个村。金额单位：元；面积单位：亩。"
        if tables.skipped:
            names = "、".join(v.name for v, _why in tables.skipped[:5])
            more = f"等 {len(tables.skipped)} 个村" if len(tables.skipped) > 5 else ""
            text += f"　未列入（当年没有记账）：{names}{more}"
        self.status.setText(text)
        current = self.form_combo.currentData()
        self.form_combo.blockSignals(True)
        self.form_combo.clear()
        for f in tables.forms:
            self.form_combo.addItem(f.title, f.key)
        keys = [f.key for f in tables.forms]
        self.form_combo.setCurrentIndex(keys.index(current) if current in keys else 0)
        self.form_combo.blockSignals(False)
        self.show_form()

    def current_form(self) -> AnnualForm | None:
        if self.tables is None or self.form_combo.currentIndex() < 0:
            return None
        return self.tables.form(self.form_combo.currentData())

    def show_form(self) -> None:
        form = self.current_form()
        if form is None:
            return
        g = self.grid
        g.clear()
        g.setColumnCount(len(LEADING) + len(form.columns))
        g.setRowCount(len(form.rows))
        g.setHorizontalHeaderLabels([*LEADING, *(c.label for c in form.columns)])
        g.setVerticalHeaderLabels([row.name for row in form.rows])
        bold = QFont(g.font())
        bold.setBold(True)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, row in enumerate(form.rows):
            cells = [QTableWidgetItem(row.region_code)]
            if row.is_total:
                g.verticalHeaderItem(r).setFont(bold)
            for col, value in zip(form.columns, row.values, strict=True):
                item = QTableWidgetItem(_shown(value, col.kind))
                if col.kind != "text":
                    item.setTextAlignment(right)
                cells.append(item)
            for c, item in enumerate(cells):
                if row.is_total:
                    item.setFont(bold)
                g.setItem(r, c, item)
        g.resizeColumnsToContents()

    def export(self) -> None:
        year, org = self.year_spin.value(), self.organisation()
        suggested = f"{year}年度农村集体资产年报.xlsx"
        path = save_file_name(self, self.ctx.settings, "annual_xlsx", "导出年报", suggested, XLSX_FILTER)
        if path:
            self.write_export(Path(path), year, org)

    def write_export(self, path: Path, year: int, org: str | None) -> TaskHandle:
        from desktop_app.excel.annual_xlsx import write_annual_xlsx

        def work(_p: Any) -> Path:
            return write_annual_xlsx(self.ctx.read(annual_tables, year, organisation=org), path)

        return self.runner.run(work, title="正在导出年报…",
                               on_result=lambda p: show_done(self, f"已导出年报：{p}", title="导出完成"))


PAGE = PageSpec("annual_tables", "年报（清产核资）", 75, AnnualTablesPage, site="both")
