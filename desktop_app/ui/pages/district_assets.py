"""资产资源汇总: per village, its asset cards (in use: count, cost, net value) and its resource
parcels (count, area, area let out under a contract in force on the day), read through the
assets and resources services each village's own pages use; the 合计 line is the district's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from desktop_app.core.services.assets import list_assets
from desktop_app.core.services.district_common import places
from desktop_app.core.services.resources import list_parcels
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table

LET_OUT = ("已发包", "已出租", "出租")  # the uses a parcel let out shows (resources.STATUSES, status_on)


@dataclass(frozen=True)
class AssetLine:
    township: str
    name: str
    level: str
    assets: int
    cost: Decimal
    net_value: Decimal
    parcels: int
    area_mu: Decimal
    let_out_mu: Decimal


COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("name", "组织", "pinyin-text"),
    Column("level", "层级"),
    Column("assets", "在用资产（张）", "int"),
    Column("cost", "资产原值", "money", total=True),
    Column("net_value", "资产净值", "money", total=True),
    Column("parcels", "资源地块（块）", "int"),
    Column("area_mu", "资源面积（亩）", "decimal", total=True),
    Column("let_out_mu", "其中已发包/出租（亩）", "decimal", total=True),
]


def asset_summary(session: Any, on: date) -> list[AssetLine]:
    """One line per organisation, from the services each village's own pages read (via ``ctx.read``)."""
    out = []
    for p in places(session):
        cards = list_assets(session, p.organisation_id, include_disposed=False)
        parcels = list_parcels(session, p.organisation_id, on=on)
        out.append(AssetLine(
            p.township, p.name, p.level, len(cards), sum((a.cost for a in cards), Decimal("0.00")),
            sum((a.net_value for a in cards), Decimal("0.00")), len(parcels),
            sum((x.area_mu for x in parcels), Decimal("0.0000")),
            sum((x.area_mu for x in parcels if x.shown_status in LET_OUT), Decimal("0.0000"))))
    return out


class DistrictAssetsPage(DistrictPage):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle("资产资源汇总")
        self.model, self.view = make_table(ctx, COLUMNS, "district_assets", "asset_summary")
        self.box = boxed("各组织资产资源", self.view)
        self.body.addWidget(self.box, 1)
        self.reload()

    def as_of(self) -> date:
        today = date.today()
        return today if self.year() >= today.year else date(self.year(), 12, 31)

    def reload(self) -> None:
        on = self.as_of()
        self.model.set_rows(self.read(asset_summary, on))
        self.box.setTitle(f"各组织资产资源（截至 {on:%Y-%m-%d}；资源用途按当日有效合同）")


PAGE = PageSpec("district_assets", "资产资源汇总", 6, DistrictAssetsPage, site="district")
