"""收益分配进度: each village's 收益分配 of a year (its latest plan's state and whether it was paid
out by the deadline, 4月30日 of the next year unless the village set another), per township."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

from desktop_app.core.services.district_oversight import distribution_progress, distribution_year
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table

TOWN_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("villages", "村数", "int"),
    Column("on_time", "按期完成", "int"),
    Column("late", "逾期完成", "int"),
    Column("overdue_open", "逾期未完成", "int"),
    Column("in_progress", "进行中", "int"),
    Column("no_plan", "未编制方案", "int"),
]
LINE_COLUMNS = [
    Column("township", "乡镇", "pinyin-text", getter=lambda r: r.village.township),
    Column("village", "村集体经济组织", "pinyin-text", getter=lambda r: r.village.name),
    Column("deadline", "完成期限", "date"),
    Column("plan_status", "方案状态"),
    Column("approved_on", "批准日期", "date"),
    Column("paid_on", "发放日期", "date"),
    Column("members_amount", "成员分配总额", "money", total=True),
    Column("state", "进度"),
]


class DistrictDistributionPage(DistrictPage):
    report = "distribution"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle("收益分配进度")
        self.town_model, self.town_view = make_table(ctx, TOWN_COLUMNS, "district_distribution_towns",
                                                     "distribution_towns")
        self.line_model, self.line_view = make_table(ctx, LINE_COLUMNS, "district_distribution_lines",
                                                     "distribution_lines")
        split = QSplitter(Qt.Orientation.Vertical)
        self.town_box = boxed("各乡镇", self.town_view)
        split.addWidget(self.town_box)
        split.addWidget(boxed("各村", self.line_view))
        split.setSizes([220, 520])
        self.body.addWidget(split, 1)
        self.reload()

    def default_year(self) -> int:  # last year's distribution is this spring's work (if any was due)
        year = super().default_year()
        return int(self.read(distribution_year, date.today() if year >= date.today().year else date(year, 12, 31)))

    def reload(self) -> None:
        report: Any = self.read(distribution_progress, self.year(), as_of=date.today())
        self.town_model.set_rows([*report.townships, report.district])
        self.line_model.set_rows(report.lines)
        self.town_box.setTitle(f"{report.year}年度收益分配：各乡镇（截至 {date.today():%Y-%m-%d}）")


PAGE = PageSpec("district_distribution", "收益分配进度", 4, DistrictDistributionPage, site="district")
