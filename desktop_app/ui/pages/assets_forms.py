"""Form fields and column declarations of the assets page (资产卡片, 资源地块, 集体经济项目)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from desktop_app.core.rows_assets import AssetRow, ParcelRow, ProjectRow
from desktop_app.core.services import assets as asset_svc
from desktop_app.core.services import projects as project_svc
from desktop_app.core.services import resources as resource_svc
from desktop_app.ui.columns import Column
from desktop_app.ui.forms import Field
from desktop_app.ui.widgets.dates import DateEdit
from desktop_app.ui.widgets.money_edit import MoneyEdit

L = asset_svc.LABELS
RL = resource_svc.LABELS

ASSET_COLUMNS = [
    Column("code", "资产编号", width=90),
    Column("name", "资产名称", "pinyin-text", width=150),
    Column("category", "类别", width=90),
    Column("nature", "性质", width=60),
    Column("acquired_on", "取得日期", "date", width=90),
    Column("cost", "原值", "money", total=True, width=110),
    Column("accumulated", "累计折旧", "money", total=True, width=100),
    Column("net_value", "净值", "money", total=True, width=110),
    Column("useful_life_months", "年限(月)", "int", width=60),
    Column("status", "状态", width=60),
    Column("custodian", "责任人", "pinyin-text", width=70),
    Column("poverty_alleviation", "扶贫", formatter=lambda v: "是" if v else "", width=40),
    Column("location", "坐落位置", "pinyin-text", width=140),
]
PARCEL_COLUMNS = [
    Column("code", "地块编号", width=90),
    Column("name", "地块名称", "pinyin-text", width=140),
    Column("land_class", "地类", width=90),
    # 亩 to 4 places with thousands separators, in each row and in 合计, as the summary above the list
    Column("area_mu", "面积（亩）", "decimal", total=True, width=100, formatter=lambda v: f"{v:,.4f}"),
    Column("ownership", "权属", width=50),
    Column("shown_status", "经营状态", width=90),
    Column("contract_no", "合同", width=90),
    Column("location", "坐落", "pinyin-text", width=120),
    Column("east", "东至", width=80), Column("south", "南至", width=80),
    Column("west", "西至", width=80), Column("north", "北至", width=80),
]
def _p(attr: str) -> Callable[[Any], Any]:
    return lambda r: getattr(r.project, attr)


PROJECT_COLUMNS = [  # rows are ProjectReturnRow: the project and its return for the current year
    Column("code", "项目编号", getter=_p("code"), width=90),
    Column("name", "项目名称", "pinyin-text", getter=_p("name"), width=160),
    Column("kind", "类型", getter=_p("kind"), width=80),
    Column("status", "状态", getter=_p("status"), width=60),
    Column("investment", "总投资", "money", total=True, getter=_p("investment"), width=120),
    Column("asset_count", "形成资产", "int", getter=_p("asset_count"), width=70),
    Column("asset_value", "资产原值", "money", total=True, getter=_p("asset_value"), width=120),
    Column("income", "本年收益", "money", total=True, width=110),
    Column("return_rate", "收益率%", "decimal", width=70),
    Column("completed_on", "建成日期", "date", getter=_p("completed_on"), width=90),
    Column("operating_on", "运营日期", "date", getter=_p("operating_on"), width=90),
]


def combo(items: tuple[str, ...] | list[str], current: str | None = None, *, empty: str | None = None) -> QComboBox:
    box = QComboBox()
    if empty is not None:
        box.addItem(empty, "")
    for item in items:
        box.addItem(item, item)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _text(value: object = None, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit("" if value is None else str(value))
    edit.setPlaceholderText(placeholder)
    return edit


def asset_fields(a: AssetRow | None, today: dt.date) -> list[Field]:
    """The card form. Cost, acquisition date, opening depreciation and method are fixed once saved."""
    new = a is None
    acquired = DateEdit(a.acquired_on if a else today)
    cost = MoneyEdit(L["original_value"], allow_zero=False)
    opening = MoneyEdit(L["opening_accumulated"])
    method = combo(("年限平均法", "工作量法"), a.method if a else "年限平均法")
    for w in (acquired, cost, opening, method):
        w.setEnabled(new)
    fields = [
        Field("code", L["code"], _text(), required=True),
        Field("name", L["name"], _text(), required=True),
        Field("category", L["category"], combo(asset_svc.CATEGORIES, a.category if a else None), required=True),
        Field("nature", L["nature"], combo(asset_svc.NATURES, a.nature if a else "经营性"), required=True),
        Field("status", L["status"], combo(asset_svc.STATUSES[:-1], a.status if a else "自用"), required=True),
        Field("use_kind", L["use_kind"], combo(asset_svc.USE_KINDS, a.use_kind if a else None, empty="（按性质和状态）"),
              hint="决定折旧费用记入的科目：生产→生产成本，管理→管理费用，出租→经营支出，公益→公益支出"),
        Field("location", L["location"], _text()),
        Field("quantity", L["quantity"], _text("1")),
        Field("unit", L["unit"], _text("项")),
        Field("area_m2", L["area_m2"], _text(placeholder="最多4位小数")),
        Field("acquisition_mode", L["acquisition_mode"], combo(asset_svc.MODES, a.acquisition_mode if a else "购建")),
        Field("funding_source", L["funding_source"], _text()),
        Field("acquired_on", L["acquired_on"], acquired, required=True, hint="当月取得的资产次月起计提折旧"),
        Field("original_value", L["original_value"], cost, required=True),
        Field("useful_life_months", L["useful_life_months"], _text(placeholder="如 10 年填 120"), required=True),
        Field("residual_rate", L["residual_rate"], _text("5")),
        Field("method", L["method"], method),
        Field("opening_accumulated", L["opening_accumulated"], opening, hint="接管旧账时已提的折旧；新购资产为 0"),
        Field("custodian", L["custodian"], _text()),
        Field("title_no", L["title_no"], _text()),
        Field("poverty_alleviation", L["poverty_alleviation"], QCheckBox("扶贫项目形成的资产")),
        Field("notes", L["notes"], _text()),
    ]
    if new:
        fields.append(Field("payment_account", "付款科目", _text(placeholder="如 102；不填则不生成购置凭证"),
                            hint="填写后自动生成并记账购置凭证：借 固定资产，贷 付款科目"))
    return fields


def asset_values(a: AssetRow) -> dict[str, Any]:
    values = {k: getattr(a, k) for k in L if hasattr(a, k)}
    values["quantity"] = format(a.quantity.normalize(), "f")
    values["area_m2"] = format(a.area_m2, "f") if a.area_m2 is not None else None
    values["residual_rate"] = format(a.residual_rate.normalize(), "f")
    return values


def clean_asset(values: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values so the service applies its defaults."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def parcel_fields(p: ParcelRow | None) -> list[Field]:
    return [
        Field("code", RL["code"], _text(), required=True),
        Field("name", RL["name"], _text(), required=True),
        Field("land_class", RL["land_class"], combo(resource_svc.LAND_CLASSES, p.land_class if p else "耕地"), required=True),
        Field("area_mu", RL["area_mu"], _text(placeholder="精确到4位小数"), required=True),
        Field("status", RL["status"], combo(resource_svc.STATUSES, p.status if p else None), required=True),
        Field("ownership", RL["ownership"], combo(resource_svc.OWNERSHIPS, p.ownership if p else "村")),
        Field("group_name", RL["group_name"], _text(), hint="权属为“组”时填写"),
        Field("location", RL["location"], _text()),
        Field("east", RL["east"], _text()), Field("south", RL["south"], _text()),
        Field("west", RL["west"], _text()), Field("north", RL["north"], _text()),
        Field("notes", RL["notes"], _text()),
    ]


def parcel_values(p: ParcelRow) -> dict[str, Any]:
    values = {k: getattr(p, k) for k in RL if hasattr(p, k)}
    values["area_mu"] = format(p.area_mu, "f")
    return values


def project_fields(p: ProjectRow | None, contracts: list[tuple[str, Any]] | None = None) -> list[Field]:
    funding = dict(p.funding) if p else {}
    fields = [
        Field("code", "项目编号", _text(), required=True),
        Field("name", "项目名称", _text(), required=True),
        Field("kind", "项目类型", combo(project_svc.KINDS, p.kind if p else None), required=True),
        Field("status", "项目状态", combo(project_svc.STATUSES, p.status if p else "申报"), required=True),
    ]
    for key, label in project_svc.DATE_FIELDS.items():
        fields.append(Field(key, label, DateEdit(getattr(p, key) if p else None, allow_empty=True)))
    for source in project_svc.SOURCES:
        edit = MoneyEdit(f"{source}金额")
        if funding.get(source):
            edit.setValue(funding[source])
        fields.append(Field(f"funding:{source}", f"{source}", edit))
    return [*fields, *works_fields(p, contracts or []), Field("notes", "备注", _text())]


def works_fields(p: ProjectRow | None, contracts: list[tuple[str, Any]]) -> list[Field]:
    """The 工程 facts 专项公开 prints: budget, tender result, contract, final account."""
    W = project_svc.WORKS_LABELS

    def money(key: str) -> MoneyEdit:
        edit = MoneyEdit(W[key])
        value = getattr(p, key) if p else None
        if value is not None:
            edit.setValue(value)
        return edit

    contract = QComboBox()
    contract.addItem("（不关联）", "")
    for label, cid in contracts:
        contract.addItem(label, str(cid))  # a string: QComboBox.findData cannot match a UUID object
    if p and p.contract_id:
        contract.setCurrentIndex(max(0, contract.findData(str(p.contract_id))))
    return [
        Field("budget", W["budget"], money("budget"), hint="工程预算；专项公开（工程招投标及预决算）列示"),
        Field("tender_method", W["tender_method"],
              combo(project_svc.TENDER_METHODS, p.tender_method if p else None, empty="（未招标）")),
        Field("tender_winner", W["tender_winner"], _text(p.tender_winner if p else None)),
        Field("tender_amount", W["tender_amount"], money("tender_amount")),
        Field("tender_on", W["tender_on"], DateEdit(p.tender_on if p else None, allow_empty=True)),
        Field("contract_id", W["contract_id"], contract),
        Field("final_amount", W["final_amount"], money("final_amount"), hint="决算后填写，与决算日期一起"),
        Field("final_on", W["final_on"], DateEdit(p.final_on if p else None, allow_empty=True)),
    ]


def split_project(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Decimal]]:
    funding = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("funding:") and v}
    plain = {k: v for k, v in values.items() if not k.startswith("funding:")}
    return plain, funding
