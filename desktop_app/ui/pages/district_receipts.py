"""数据接收: the packages the district imported (newest first) with their control totals and the
reconciliation of each village they touched; and, per township and village, the district's own
check of what it holds: received audit chains and every closed month's period seal (✓ or what
failed). Packages are imported on the U盘同步 page; nothing here changes data."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter

from desktop_app.core.services.district_receipts import check_integrity, list_receipts
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table


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
        lower.addWidget(boxed("各乡镇数据核验（审计链、结账封存）", self.town_view))
        lower.addWidget(self.check_box)
        lower.setSizes([760, 560])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        self.body.addWidget(self.summary)
        self.body.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        packages = self.read(list_receipts)
        towns = self.read(check_integrity)
        self.package_model.set_rows(packages)
        self.town_model.set_rows(towns)
        bad = [t.township for t in towns if t.audit_status != "✓" or t.seal_status != "✓"]
        self.summary.setText(f"共收到 {len(packages)} 个同步包，来自 {len(towns)} 个乡镇；核验："
                             + ("全部 ✓" if not bad else "有问题：" + "、".join(bad)))
        if packages:
            self.package_view.select_row(0)
        else:
            self.village_model.set_rows([])
        if towns:
            self.town_view.select_row(0)
        else:
            self.check_model.set_rows([])

    def show_package(self, row: Any) -> None:
        self.village_model.set_rows(list(row.villages) if row is not None else [])
        if row is not None:
            self.village_box.setTitle(f"{row.township} 第 {row.stream_seq} 号包中各组织的核对")

    def show_township(self, row: Any) -> None:
        self.check_model.set_rows(list(row.villages) if row is not None else [])
        if row is not None:
            self.check_box.setTitle(f"{row.township} 各组织结账封存核验")


PAGE = PageSpec("district_receipts", "数据接收", 7, DistrictReceiptsPage, site="district")
