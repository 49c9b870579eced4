"""财务公开情况: for one month, every village book's 财务公开 (due, posted on time or late, generated
but not posted, not generated), per township and for the district (rules in district_oversight)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QSplitter

from desktop_app.core.periods import period_start
from desktop_app.core.services.district_oversight import disclosure_compliance, due_month
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table

TOWN_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("books_due", "应公开账套", "int"),
    Column("on_time", "按时公开", "int"),
    Column("late", "逾期公开", "int"),
    Column("not_posted", "未公开", "int"),
    Column("overdue", "其中已过期限", "int"),
    Column("villages_not_posted", "未公开的村", "int"),
]
LINE_COLUMNS = [
    Column("township", "乡镇", "pinyin-text", getter=lambda r: r.village.township),
    Column("village", "村集体经济组织", "pinyin-text", getter=lambda r: r.village.name),
    Column("book_name", "账套", "pinyin-text"),
    Column("frequency", "公开频次"),
    Column("period_code", "应公开期间"),
    Column("due", "公开期限", "date"),
    Column("status", "情况"),
    Column("posted_on", "张贴日期", "date"),
]


class DistrictDisclosurePage(DistrictPage):
    report = "disclosure"
    months = "required"

    def default_year(self) -> int:
        return self._due()[0]

    def default_month(self) -> int:
        return self._due()[1]

    def _due(self) -> tuple[int, int]:  # the month falling due now, as on the dashboard
        return due_month(period_start(self.ctx.period))

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle("财务公开情况")
        self.only_missing = QCheckBox("只列未公开的")
        self.only_missing.setObjectName("only_missing")
        self.only_missing.toggled.connect(lambda _b: self.reload())
        self.head.insertWidget(4, self.only_missing)
        self.town_model, self.town_view = make_table(ctx, TOWN_COLUMNS, "district_disclosure_towns", "disclosure_towns")
        self.line_model, self.line_view = make_table(ctx, LINE_COLUMNS, "district_disclosure_lines", "disclosure_lines")
        split = QSplitter(Qt.Orientation.Vertical)
        self.town_box = boxed("各乡镇", self.town_view)
        split.addWidget(self.town_box)
        split.addWidget(boxed("各村账套", self.line_view))
        split.setSizes([220, 520])
        self.body.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        month = self.month() or 1
        report: Any = self.read(disclosure_compliance, self.year(), month, as_of=date.today())
        self.town_model.set_rows([*report.townships, report.district])
        lines = report.not_posted if self.only_missing.isChecked() else report.lines
        self.line_model.set_rows(lines)
        self.town_box.setTitle(f"{report.year}年{report.month}月财务公开：各乡镇（截至 {date.today():%Y-%m-%d}，"
                               "次月10日前张贴为按时）")


PAGE = PageSpec("district_disclosure", "财务公开情况", 3, DistrictDisclosurePage, site="district")
