"""数据接收: the packages the district imported (newest first) with their control totals and the
reconciliation of each village they touched; and, per township and village, the district's own
check of what it holds: received audit chains and every closed month's period seal (✓ or what
failed). Packages are imported on the U盘同步 page; nothing here changes data."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter

from desktop_app.core.progress import Progress
from desktop_app.core.services.district_receipts import TownshipCheck, check_integrity, list_receipts
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table
from desktop_app.ui.tasks import TaskHandle, TaskRunner

CHECKING = "检查中…"
TOWN_BOX = "各乡镇数据核验（审计链、结账封存）"


def _time(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


PACKAGE_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("stream_seq", "包序号", "int"),
    Column("status", "核对"),
    Column("imported_at", "导入时间", formatter=_time),
    Column("vouchers", "凭证数", "int"),
    Column("lines", "分录数", "int"),
    Column("debit", "借方合计", "money"),
    Column("credit", "贷方合计", "money"),
    Column("books", "账套数", "int"),
    Column("months", "账套月份数", "int"),
    Column("changes", "新变更条数", "int"),
    Column("audit_new", "新审计记录", "int"),
    Column("file_name", "文件"),
    Column("imported_by", "导入人"),
]
VILLAGE_COLUMNS = [
    Column("name", "组织", "pinyin-text"),
    Column("rows", "数据行数", "int"),
    Column("totals", "控制数（账套月份）", "int"),
    Column("status", "控制数与状态摘要"),
]
TOWNSHIP_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("packages", "已导入包数", "int"),
    Column("last_imported", "最近导入", formatter=_time),
    Column("audit_entries", "审计记录数", "int"),
    Column("audit_status", "审计链"),
    Column("seal_status", "结账封存"),
]
CHECK_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("name", "组织", "pinyin-text"),
    Column("closed_months", "已结账账套月份", "int"),
    Column("status", "结账封存核验"),
]


class DistrictReceiptsPage(DistrictPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.runner = TaskRunner(self)
        self.check_task: TaskHandle | None = None
        self.packages: list[Any] = []
        self.year_spin.hide()
        self.year_label.hide()
        self.note.setText("同步包在“U盘同步”页导入；此页列出已导入的包、其控制数，以及区级对所收数据的核验"
                          "（审计链、已结账月份封存）。各乡镇数据只读。")
        self.package_model, self.package_view = make_table(ctx, PACKAGE_COLUMNS, "district_packages", "packages")
        self.village_model, self.village_view = make_table(ctx, VILLAGE_COLUMNS, "district_package_villages",
                                                           "package_villages")
        self.town_model, self.town_view = make_table(ctx, TOWNSHIP_COLUMNS, "district_integrity", "integrity")
        self.check_model, self.check_view = make_table(ctx, CHECK_COLUMNS, "district_integrity_villages",
                                                       "integrity_villages")
        self.package_view.current_row_changed.connect(self.show_package)
        self.town_view.current_row_changed.connect(self.show_township)
        self.summary = QLabel()
        self.summary.setObjectName("receipts_summary")
        self.village_box = boxed("包中各组织的核对", self.village_view)
        upper = QSplitter()
        upper.addWidget(boxed("已导入的同步包", self.package_view))
        upper.addWidget(self.village_box)
        upper.setSizes([900, 420])
        self.check_box = boxed("各组织结账封存核验", self.check_view)
        lower = QSplitter()
        self.town_box = boxed(TOWN_BOX, self.town_view)
        lower.addWidget(self.town_box)
        lower.addWidget(self.check_box)
        lower.setSizes([760, 560])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        self.body.addWidget(self.summary)
        self.body.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        self.packages = packages = self.read(list_receipts)
        self.package_model.set_rows(packages)
        if packages:
            self.package_view.select_row(0)
        else:
            self.village_model.set_rows([])
        if self.check_task is not None and not self.check_task.done:
            self.check_task.cancel()  # its answer is of the data before this reload
        self.town_model.set_rows([])
        self.check_model.set_rows([])
        self.town_box.setTitle(f"{TOWN_BOX}　{CHECKING}")
        self.summary.setText(f"共收到 {len(packages)} 个同步包；核验：{CHECKING}")
        self.check_task = handle = self.runner.run(
            self._check, title="正在核验各乡镇数据", on_result=lambda towns: self._show_checks(handle, towns),
            on_cancelled=lambda: self._check_cancelled(handle))

    def _check(self, progress: Progress) -> list[TownshipCheck]:
        """In the background: its own read transaction (a WAL snapshot)."""
        return self.ctx.read(check_integrity, progress)  # runs here: a database thread

    def _show_checks(self, handle: TaskHandle, towns: list[TownshipCheck]) -> None:
        if handle is not self.check_task:
            return  # a later reload asked again
        self.town_model.set_rows(towns)
        self.town_box.setTitle(TOWN_BOX)
        bad = [t.township for t in towns if t.audit_status != "✓" or t.seal_status != "✓"]
        self.summary.setText(f"共收到 {len(self.packages)} 个同步包，来自 {len(towns)} 个乡镇；核验："
                             + ("全部 ✓" if not bad else "有问题：" + "、".join(bad)))
        if towns:
            self.town_view.select_row(0)

    def _check_cancelled(self, handle: TaskHandle) -> None:
        if handle is self.check_task:
            self.town_box.setTitle(f"{TOWN_BOX}　已取消")
            self.summary.setText(f"共收到 {len(self.packages)} 个同步包；核验已取消（按“刷新”重新核验）")

    def show_package(self, row: Any) -> None:
        self.village_model.set_rows(list(row.villages) if row is not None else [])
        if row is not None:
            self.village_box.setTitle(f"{row.township} 第 {row.stream_seq} 号包中各组织的核对")

    def show_township(self, row: Any) -> None:
        self.check_model.set_rows(list(row.villages) if row is not None else [])
        if row is not None:
            self.check_box.setTitle(f"{row.township} 各组织结账封存核验")


PAGE = PageSpec("district_receipts", "数据接收", 7, DistrictReceiptsPage, site="district")
