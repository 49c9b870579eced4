"""收入分档: villages per income tier, per township and for the district (经营性收入 or 总收入, the
year or January … a month), the settings used; double-click a tier → its villages (with the same
months of the year before); double-click a village → its income month by month."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSplitter, QVBoxLayout, QWidget

from desktop_app.core.money import format_amount
from desktop_app.core.services.district_settings import KIND_TEXT
from desktop_app.core.services.district_stats import (
    TierReport,
    TownshipTiers,
    tier_counts,
    village_monthly_income,
    villages_in_tier,
)
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, fill_grid, grid, make_table

KINDS = ("operating", "total")


def _pct(value: Any) -> str:
    return "" if value is None else f"{value}%"


VILLAGE_COLUMNS = [
    Column("township", "乡镇", "pinyin-text", getter=lambda r: r.village.township),
    Column("name", "村集体经济组织", "pinyin-text", getter=lambda r: r.village.name),
    Column("amount", "本期收入", "money", total=True),
    Column("other", "另一口径收入", "money", total=True),
    Column("prev_amount", "上年同期", "money", total=True),
    Column("change", "增减额", "money", total=True),
    Column("change_pct", "增减%", "decimal", formatter=_pct),
    Column("prev_tier", "上年同期档次"),
]
MONTH_COLUMNS = [
    Column("period", "月份"),
    Column("operating", "经营性收入", "money", total=True),
    Column("total", "总收入", "money", total=True),
]


class DistrictTiersPage(DistrictPage):
    report = "tiers"
    months = "optional"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle("收入分档统计表")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("tier_kind")
        self.kind_combo.addItems([KIND_TEXT[k] for k in KINDS])
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.head.insertWidget(3, self.kind_combo)
        self.matrix = grid("tier_matrix")
        self.matrix.cellDoubleClicked.connect(self.open_tier)
        self.settings_label = QLabel()
        self.settings_label.setObjectName("tier_settings")
        self.settings_label.setWordWrap(True)
        self.settings_label.setStyleSheet("color: #666")
        self.villages_title = QLabel("双击上表中某一档次的村数，列出该档次的村；双击某村，列出其逐月收入")
        self.village_model, self.village_view = make_table(ctx, VILLAGE_COLUMNS, "district_tier_villages",
                                                           "tier_villages")
        self.village_view.row_activated.connect(self.open_village)
        self.month_model, self.month_view = make_table(ctx, MONTH_COLUMNS, "district_village_months", "village_months")
        lower = QSplitter()
        lower.addWidget(boxed("档次中的村", self.village_view))
        self.month_box = boxed("村逐月收入", self.month_view)
        lower.addWidget(self.month_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        t = QVBoxLayout(top)
        t.setContentsMargins(0, 0, 0, 0)
        t.addWidget(self.matrix, 1)
        t.addWidget(self.settings_label)
        t.addWidget(self.villages_title)
        split.addWidget(top)
        split.addWidget(lower)
        split.setSizes([260, 540])
        self.body.addWidget(split, 1)
        self.report_data: TierReport | None = None
        self.lines: list[TownshipTiers] = []
        self.reload()

    def kind(self) -> str:
        return KINDS[max(self.kind_combo.currentIndex(), 0)]

    def reload(self) -> None:
        kind = self.kind()
        self.report_data = report = self.read(tier_counts, self.year(), self.month())
        self.lines = [*report.townships, report.district]
        first = getattr(report.district, kind)
        headers = ["乡镇", "村数"] + [c.label for c in first] + [f"{KIND_TEXT[kind]}合计（元）"]
        rows = []
        for line in self.lines:
            counts = getattr(line, kind)
            rows.append([line.township, line.villages] + [f"{c.count}（{c.share}%）" for c in counts]
                        + [format_amount(getattr(line, f"{kind}_sum"))])
        fill_grid(self.matrix, headers, rows)
        self.matrix.setMinimumHeight(self.matrix_height(len(rows)))
        span = "全年" if report.month is None else f"1–{report.month}月累计"
        self.settings_label.setText(f"{report.year}年{span}（{report.first}至{report.last}）　"
                                    + "　".join(report.settings.describe()))
        self.village_model.set_rows([])
        self.month_model.set_rows([])

    def matrix_height(self, rows: int) -> int:
        """Tall enough for every township and 全区 (up to 12 rows, then it scrolls): the splitter
        below must never squeeze the table the page is about (at 1366x768 it showed 2 of 4 rows)."""
        m = self.matrix
        return (m.horizontalHeader().sizeHint().height() + min(rows, 12) * m.verticalHeader().defaultSectionSize()
                + m.horizontalScrollBar().sizeHint().height() + 2 * m.frameWidth())

    def open_tier(self, row: int, column: int) -> None:
        """Double-click on a tier's count: the villages of that tier (of that township, or all)."""
        tiers = len(getattr(self.lines[0], self.kind())) if self.lines else 0
        if not (0 <= row < len(self.lines)) or not 2 <= column < 2 + tiers:
            return
        line = self.lines[row]
        code = line.township_code or None
        rows = self.read(villages_in_tier, self.year(), self.month(), self.kind(), column - 2, township_code=code)
        self.village_model.set_rows(rows)
        header = self.matrix.horizontalHeaderItem(column)
        label = header.text() if header is not None else ""
        self.villages_title.setText(f"{line.township} {KIND_TEXT[self.kind()]}“{label}”的村：{len(rows)} 个（双击某村看逐月收入）")

    def open_village(self, row: Any) -> None:
        monthly = self.read(village_monthly_income, row.village.organisation_id, self.year())
        self.month_model.set_rows(list(monthly.months))
        self.month_box.setTitle(f"{row.village.name} {monthly.year}年逐月收入")


PAGE = PageSpec("district_tiers", "收入分档", 2, DistrictTiersPage, site="district")
