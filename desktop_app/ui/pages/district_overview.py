"""全区概览: the district's dashboard — villages per income tier (chart and shares), villages that
have not posted the month's 财务公开, 收益分配 progress, contracts expiring or in arrears, the last
package of each township and whether it reconciled (control totals, village digests, audit chain).

The tiers and packages are read before the first paint (summaries: fast at any size); the
oversight figures (disclosure, distribution, contracts: the contract review grows with every
contract of the district) are read in the background and fill their boxes when ready."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.money import format_amount
from desktop_app.core.periods import period_start
from desktop_app.core.services.district_oversight import (
    contract_oversight,
    disclosure_compliance,
    distribution_progress,
    distribution_year,
    due_month,
    last_packages,
)
from desktop_app.core.services.district_stats import tier_counts
from desktop_app.ui.charts import BarChart
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, fill_grid, grid, make_table, yes_no
from desktop_app.ui.tasks import TaskHandle, TaskRunner

NOT_POSTED = ("未生成", "已生成未张贴")


@dataclass(frozen=True)
class PackageLine:
    township: str
    packages: int
    file_name: str
    imported_at: str
    totals: str
    digests: str
    audit: str


PACKAGE_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("packages", "已导入包数", "int"),
    Column("file_name", "最近一次同步包"),
    Column("imported_at", "导入时间"),
    Column("totals", "控制数"),
    Column("digests", "状态摘要"),
    Column("audit", "审计链"),
]


class ElidedLabel(QLabel):
    """One line of grey text cut with "…" to the width it gets (the whole text in its tooltip): a
    wrapped label asks the grid for more height than the grid counts, squeezing its neighbours."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 0)))


class _Row(QWidget):
    """A row of boxes that answers no height-for-width: a layout holding word-wrapped labels
    takes their preferred heights as minimums and squeezed the tier table to 3 of its 8 rows at
    1229x691; the row keeps its plain minimum and leaves the rest to the stretch factors."""

    def hasHeightForWidth(self) -> bool:
        return False


def fit_rows(table: QTableWidget) -> None:
    """At least as tall as all the table's rows (a few: the tier table's 7 档 and 合计)."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setMinimumHeight(height)


class DistrictOverviewPage(DistrictPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.runner = TaskRunner(self, delay_ms=None)  # no progress dialog: the boxes say 正在统计
        self.oversight_task: TaskHandle | None = None
        self.chart = BarChart()
        self.chart.setObjectName("tier_chart")
        self.tiers = grid("overview_tiers")
        self.settings_label = ElidedLabel()
        self.settings_label.setObjectName("tier_settings")
        self.settings_label.setStyleSheet("color: #666")
        self.disclosure_label = QLabel()
        self.disclosure_label.setObjectName("disclosure_summary")
        self.disclosure_list = QListWidget()
        self.disclosure_list.setObjectName("not_disclosed")
        self.distribution_label = QLabel()
        self.distribution_label.setObjectName("distribution_summary")
        self.contracts_label = QLabel()
        self.contracts_label.setObjectName("contracts_summary")
        for label in (self.disclosure_label, self.distribution_label, self.contracts_label):
            label.setWordWrap(True)
            label.setMinimumHeight(2 * label.fontMetrics().lineSpacing())  # two lines at 1366x768
        self.package_model, self.package_view = make_table(ctx, PACKAGE_COLUMNS, "district_overview_packages",
                                                           "overview_packages")
        disclosure = QWidget()
        d_layout = QGridLayout(disclosure)
        d_layout.setContentsMargins(0, 0, 0, 0)
        d_layout.addWidget(self.disclosure_label, 0, 0)
        d_layout.addWidget(self.disclosure_list, 1, 0)
        tiers = QWidget()
        t_layout = QGridLayout(tiers)
        t_layout.setContentsMargins(0, 0, 0, 0)
        t_layout.addWidget(self.tiers, 0, 0)
        t_layout.addWidget(self.settings_label, 1, 0)
        top, middle_row = QHBoxLayout(), _Row()
        middle = QHBoxLayout(middle_row)
        middle.setContentsMargins(0, 0, 0, 0)
        top.addWidget(boxed("收入分档（村数）", self.chart), 1)
        top.addWidget(boxed("分档村数及占比", tiers), 1)
        middle.addWidget(boxed("财务公开", disclosure, "box_disclosure"), 1)
        side = QWidget()
        s_layout = QGridLayout(side)
        s_layout.setContentsMargins(0, 0, 0, 0)
        s_layout.addWidget(boxed("收益分配进度", self.distribution_label), 0, 0)
        s_layout.addWidget(boxed("合同监管", self.contracts_label), 1, 0)
        middle.addWidget(side, 1)
        layout = QVBoxLayout()
        layout.addLayout(top, 3)
        layout.addWidget(middle_row, 2)
        layout.addWidget(boxed("各乡镇最近一次同步与核对", self.package_view), 2)
        self.body.addLayout(layout)
        self.reload()

    def reload(self) -> None:
        year = self.year()
        report = self.read(tier_counts, year)
        line = report.district
        labels = [c.label for c in line.operating]
        self.chart.set_data(labels, [("经营性收入", [c.count for c in line.operating]),
                                     ("总收入", [c.count for c in line.total])],
                            title=f"{year}年全区 {line.villages} 个村")
        fill_grid(self.tiers, ["档次", "经营性收入 村数", "占比", "总收入 档次", "村数", "占比"],
                  [[o.label, o.count, f"{o.share}%", t.label, t.count, f"{t.share}%"]
                   for o, t in zip(line.operating, line.total, strict=True)]
                  + [["合计", line.villages, "100.0%" if line.villages else "", "", line.villages,
                      "100.0%" if line.villages else ""]])
        fit_rows(self.tiers)
        described = report.settings.describe()
        self.settings_label.set_full_text(described[0])
        self.settings_label.setToolTip("\n".join(described))
        self.package_model.set_rows([
            PackageLine(p.township, p.packages, p.file_name or "（未收到）",
                        f"{p.imported_at:%Y-%m-%d %H:%M}" if p.imported_at else "", yes_no(p.totals_matched),
                        yes_no(p.digests_matched), p.audit_status)
            for p in self.read(last_packages)])
        for label in (self.disclosure_label, self.distribution_label, self.contracts_label):
            label.setText("正在统计…")
        self.disclosure_list.clear()
        self.oversight_task = self.runner.run(lambda _p: self._oversight(year), title="正在统计",
                                              cancellable=False, on_result=self._show_oversight)

    def _oversight(self, year: int) -> tuple[Any, ...]:
        """In the background: its own read transaction (a WAL snapshot)."""
        dy, dm = due_month(period_start(self.ctx.period))
        today = date.today()

        def read(s: Any) -> tuple[Any, ...]:
            dist_year = distribution_year(s, today if year >= today.year else date(year, 12, 31))
            return (dy, dm, dist_year, disclosure_compliance(s, dy, dm, as_of=today),
                    distribution_progress(s, dist_year, as_of=today).district, contract_oversight(s, today).district)

        return self.ctx.read(read)  # runs here: a database thread

    def _show_oversight(self, result: tuple[Any, ...]) -> None:
        dy, dm, year, disclosure, dist, c = result
        missing = sorted({(x.village.township, x.village.name) for x in disclosure.lines if x.status in NOT_POSTED})
        d = disclosure.district
        self.disclosure_label.setText(
            f"{dy}年{dm}月财务公开：应公开 {d.books_due} 个账套，按时 {d.on_time}，逾期公开 {d.late}，"
            f"未公开 {d.not_posted}（其中已过期限 {d.overdue}）；未公开的村 {d.villages_not_posted} 个：")
        self.disclosure_list.clear()
        self.disclosure_list.addItems([f"{town}　{name}" for town, name in missing])
        self.distribution_label.setText(
            f"{year}年度收益分配（{dist.villages} 个村）：按期完成 {dist.on_time}，逾期完成 {dist.late}，"
            f"逾期未完成 {dist.overdue_open}，进行中 {dist.in_progress}，未编制方案 {dist.no_plan}")
        self.contracts_label.setText(
            f"合规审查发现问题 {c.findings} 项（涉及合同 {c.contracts_irregular} 份）；"
            f"90天内到期 {c.expiring} 份，已到期仍在履行 {c.expired} 份；"
            f"欠款 {c.arrears_installments} 期，共 {format_amount(c.arrears_amount)} 元")


PAGE = PageSpec("district_overview", "全区概览", 1, DistrictOverviewPage, site="district")
