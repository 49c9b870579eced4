"""The assets area's lists as plain sheets (typed cells), shared by the PDF and the xlsx writers:
资产台账, 资源台账, 资产变动表, 折旧计算表 (one asset), 集体经济项目台账, 资产清查结果表."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy.orm import Session

from desktop_app.core.money import format_amount
from desktop_app.core.rows_assets import ProjectRow
from desktop_app.core.services.funds_base import period_label, range_label

Kind = Literal["text", "money", "decimal", "mu", "int", "date", "percent"]
Cell = str | Decimal | int | date | None
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SheetColumn:
    header: str
    width_mm: float
    kind: Kind = "text"
    medium: Literal["", "pdf", "xlsx"] = ""  # "": both; "xlsx": the file only (so it imports back), "pdf": paper only


@dataclass(frozen=True)
class Sheet:
    name: str  # English id (CLI)
    title: str
    organisation: str
    uscc: str  # empty: no code recorded for the body keeping the book
    period_label: str
    columns: tuple[SheetColumn, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None
    note: str = ""
    landscape: bool = True
    unit: str = "元"


def on_medium(sheet: Sheet, medium: Literal["pdf", "xlsx"]) -> Sheet:
    """The sheet as ``medium`` shows it: the columns meant for the other medium left out."""
    keep = [i for i, c in enumerate(sheet.columns) if c.medium in ("", medium)]
    if len(keep) == len(sheet.columns):
        return sheet

    def pick(row: tuple[Cell, ...]) -> tuple[Cell, ...]:
        return tuple(row[i] for i in keep)

    return replace(sheet, columns=pick(sheet.columns),  # type: ignore[arg-type]
                   rows=tuple(pick(r) for r in sheet.rows),
                   totals=None if sheet.totals is None else pick(sheet.totals))


def owner_line(sheet: Sheet) -> str:
    """编制单位：name（credit code）, the code left out when none is recorded."""
    return f"编制单位：{sheet.organisation}" + (f"（{sheet.uscc}）" if sheet.uscc else "")


def _org(session: Session, org_id: uuid.UUID) -> tuple[str, str]:
    from desktop_app.core.services.orgs import get_organisation

    o = get_organisation(session, org_id)
    return o.name, o.uscc


def _owner(session: Session, org_id: uuid.UUID, book_id: uuid.UUID | None) -> tuple[str, str]:
    """编制单位 of a sheet: the book's name and credit code when the sheet is one book's (never the
    cooperative's code on a 村民委员会 book), else the organisation's."""
    if book_id is None:
        return _org(session, org_id)
    from desktop_app.core.services.funds_base import get_book_row
    from desktop_app.core.services.orgs import book_credit_code

    return get_book_row(session, book_id).name, book_credit_code(session, book_id) or ""


C = SheetColumn


def _total(data: tuple[tuple[Cell, ...], ...], i: int) -> Decimal:
    return sum((v for r in data if isinstance(v := r[i], Decimal)), ZERO)


def asset_register(session: Session, org_id: uuid.UUID, book_id: uuid.UUID | None = None, *, label: str = "") -> Sheet:
    from desktop_app.core.services.assets import list_assets

    rows = list_assets(session, org_id, book_id=book_id)
    cols = (C("资产编号", 20), C("资产名称", 34), C("类别", 22), C("性质", 16), C("坐落位置", 24), C("数量", 12, "decimal"),
            C("面积㎡", 14, "decimal"), C("取得方式", 16), C("取得日期", 20, "date"), C("原值", 24, "money"),
            C("年限(月)", 14, "int"), C("残值%", 11, "decimal"), C("累计折旧", 22, "money"), C("净值", 24, "money"),
            C("状态", 12), C("责任人", 14), C("扶贫", 8), C("计量单位", 10, medium="xlsx"), C("折旧方法", 16, medium="xlsx"),
            C("预计总工作量", 16, "decimal", "xlsx"), C("工作量单位", 12, medium="xlsx"),
            C("资金来源", 20, medium="xlsx"), C("权证号", 30, medium="xlsx"),
            C("备注", 30, medium="xlsx"))
    data = tuple((a.code, a.name, a.category, a.nature, a.location, a.quantity.normalize(), a.area_m2, a.acquisition_mode,
                  a.acquired_on, a.cost, a.useful_life_months, a.residual_rate.normalize(), a.accumulated, a.net_value,
                  a.status, a.custodian, "是" if a.poverty_alleviation else "", a.unit, a.method,
                  a.total_workload, a.workload_unit, a.funding_source, a.title_no, a.notes) for a in rows)
    live = [a for a in rows if a.status != "已处置"]
    totals = ("合计", f"{len(live)}项（在用）", None, None, None, None, None, None, None,
              sum((a.cost for a in live), ZERO), None, None, sum((a.accumulated for a in live), ZERO),
              sum((a.net_value for a in live), ZERO), *([None] * 10))
    name, uscc = _owner(session, org_id, book_id)
    return Sheet("assets", "资产台账", name, uscc, label, cols, data, totals,
                 "合计不含已处置资产。原值含改良、重估等价值调整；累计折旧含期初累计折旧。")


def _day(on: date | str | None) -> date:
    """A sheet's 截至 date (rebuilds from a seal pass it as ISO text); today when none is given."""
    if on is None:
        return date.today()
    return on if isinstance(on, date) else date.fromisoformat(str(on))


def resource_register(session: Session, org_id: uuid.UUID, book_id: uuid.UUID | None = None, *,
                      on: date | str | None = None) -> Sheet:
    """资源台账 of the organisation (one book's parcels when given); 经营状态 as on ``on``: a parcel
    under a contract in force that day is 已发包/已出租 with the contract's number."""
    from desktop_app.core.services.resources import list_parcels

    day = _day(on)
    rows = list_parcels(session, org_id, book_id=book_id, on=day)
    cols = (C("地块编号", 20), C("地块名称", 30), C("地类", 26), C("面积（亩）", 22, "mu"), C("坐落", 28), C("东至", 20),
            C("南至", 20), C("西至", 20), C("北至", 20), C("权属", 16), C("经营状态", 20), C("合同编号", 22),
            C("备注", 25))
    data = tuple((p.code, p.name, p.land_class, p.area_mu, p.location, p.east, p.south, p.west, p.north,
                  p.ownership + (f"（{p.group_name}）" if p.group_name else ""), p.shown_status, p.contract_no, p.notes)
                 for p in rows)
    totals = ("合计", f"{len(rows)}块", None, sum((p.area_mu for p in rows), Decimal("0.0000")), *([None] * 9))
    name, uscc = _owner(session, org_id, book_id)
    return Sheet("resources", "资源台账（土地）", name, uscc, f"截至{day.year}年{day.month}月{day.day}日", cols, data,
                 totals, "地类按 GB/T 21010《土地利用现状分类》；面积单位：亩，精确到四位小数；经营状态按截至日有效的合同"
                 "（资源发包为已发包，其他为已出租）。", unit="亩")


def asset_changes(session: Session, book_id: uuid.UUID, first: str, last: str) -> Sheet:
    from desktop_app.core.services.assets_report import asset_change_table
    from desktop_app.core.services.funds_base import get_book_row

    rows = asset_change_table(session, book_id, first, last)
    cols = (C("资产编号", 20), C("资产名称", 34), C("类别", 22), C("期初原值", 24, "money"), C("本期增加", 22, "money"),
            C("本期减少", 22, "money"), C("期末原值", 24, "money"), C("期初累计折旧", 24, "money"),
            C("本期计提", 20, "money"), C("累计折旧减少", 22, "money"), C("期末累计折旧", 24, "money"),
            C("期末净值", 24, "money"), C("变动说明", 26))
    data = tuple((r.code, r.name, r.category, r.opening_cost, r.increase, r.decrease, r.closing_cost,
                  r.opening_accumulated, r.depreciation, r.accumulated_decrease, r.closing_accumulated, r.closing_net,
                  r.note) for r in rows)
    totals = ("合计", None, None, *(_total(data, i) for i in range(3, 12)),
              None)
    book = get_book_row(session, book_id)
    name, uscc = _owner(session, book.organisation_id, book_id)
    return Sheet("changes", "资产变动表", name, uscc, range_label(first, last), cols, data, totals,
                 "本期计提含期初累计折旧转入（本期新增的接管资产）；累计折旧减少含处置、部分处置转销。")


def depreciation_schedule(session: Session, asset_id: uuid.UUID, until: str) -> Sheet:
    from desktop_app.core.services.assets import get_asset
    from desktop_app.core.services.depreciation import asset_schedule

    a = get_asset(session, asset_id)
    rows = asset_schedule(session, asset_id, until=until)
    cols = (C("月份", 30), C("本月折旧", 36, "money"), C("累计折旧", 40, "money"), C("原值", 40, "money"),
            C("净值", 40, "money"), C("状态", 26))
    data = tuple((period_label(r.period), r.amount, r.accumulated, r.cost, r.net_value, "已计提" if r.posted else "未计提")
                 for r in rows)
    totals = ("合计", sum((r.amount for r in rows), ZERO), None, None, None, None)
    name, uscc = _owner(session, a.organisation_id, a.book_id)
    note = (f"{a.code} {a.name}：原值 {a.cost}，{a.method}，预计使用 {a.useful_life_months} 个月，残值率 {a.residual_rate.normalize()}%，"
            f"期初累计折旧 {a.opening_accumulated}；当月取得的资产次月起计提，处置当月照提，提足为止。")
    return Sheet("schedule", f"固定资产折旧计算表（{a.code} {a.name}）", name, uscc, f"截至{period_label(until)}", cols,
                 data, totals, note, landscape=False)


def project_list(session: Session, org_id: uuid.UUID, year: int, book_id: uuid.UUID | None = None) -> Sheet:
    """集体经济项目台账 of the organisation (one book's projects and returns when given). The xlsx
    also has every fact of a project in a column of its own (the dates of its stages, the tender's
    method, winner, amount and date, the final account's date, 备注), so it imports back (issue #15);
    the paper keeps its columns (中标单位及金额 in one). 形成资产编号 (xlsx only) lists the 资产编号 of
    the cards the project formed (the link is kept on the card), so an import links them again."""
    from sqlalchemy import select

    from db.models import Asset
    from desktop_app.core.services.projects import SOURCES, project_returns

    rows = project_returns(session, org_id, int(year), book_id=book_id)
    formed: dict[uuid.UUID, list[str]] = {}
    for pid, code in session.execute(select(Asset.project_id, Asset.code).where(
            Asset.organisation_id == org_id, Asset.project_id.is_not(None), Asset.deleted.is_(False))).all():
        formed.setdefault(uuid.UUID(str(pid)), []).append(code)
    x: Literal["xlsx"] = "xlsx"
    cols = (C("项目编号", 20), C("项目名称", 34), C("类型", 18), C("状态", 12), C("申报日期", 20, "date", x),
            C("开工日期", 20, "date", x), C("建成日期", 20, "date"), C("运营日期", 20, "date", x),
            C("终止日期", 20, "date", x), *(C(s.replace("扶持资金", "扶持"), 20, "money") for s in SOURCES),
            C("总投资", 24, "money"), C("形成资产", 14, "int"), C(f"{year}年收益", 22, "money"),
            C("收益率%", 16, "decimal"), C("预算金额", 22, "money"), C("中标单位及金额", 34, medium="pdf"),
            C("招标方式", 18, medium=x), C("中标单位", 28, medium=x), C("中标金额", 22, "money", x),
            C("招标日期", 20, "date", x), C("决算金额", 22, "money"), C("决算日期", 20, "date", x), C("备注", 25, medium=x),
            C("形成资产编号", 30, medium=x))
    data = tuple((p.code, p.name, p.kind, p.status, p.applied_on, p.started_on, p.completed_on, p.operating_on,
                  p.terminated_on, *(dict(p.funding).get(s) for s in SOURCES), p.investment, p.asset_count,
                  r.income, r.return_rate, p.budget, _tender(p), p.tender_method, p.tender_winner, p.tender_amount,
                  p.tender_on, p.final_amount, p.final_on, p.notes, "、".join(sorted(formed.get(p.id, []))) or None)
                 for r in rows for p in (r.project,))
    n = len(cols)
    first = 9  # the first source's column
    budget = first + len(SOURCES) + 4
    totals = ("合计", f"{len(rows)}个", *([None] * 7),
              *(_total(data, i) for i in range(first, first + len(SOURCES) + 1)),
              None, sum((r.income for r in rows), ZERO), None, _total(data, budget), None, None, None,
              _total(data, budget + 4), None, _total(data, budget + 6), None, None, None)
    assert len(totals) == n
    name, uscc = _owner(session, org_id, book_id)
    return Sheet("projects", "集体经济项目台账", name, uscc, f"{year}年度", cols, data, totals,
                 "收益取自账簿中注明该项目的收入分录（贷方减借方）；收益率为年度收益除以总投资；"
                 "预算、招标和决算为工程项目台账登记的数字。")


def _tender(p: ProjectRow) -> str | None:
    if p.tender_amount is None:
        return None
    return f"{p.tender_winner}（{p.tender_method}，{format_amount(p.tender_amount)}）"


def stocktake_result(session: Session, take_id: uuid.UUID) -> Sheet:
    from desktop_app.core.services.stocktake import stocktake_sheet

    st = stocktake_sheet(session, take_id)
    cols = (C("资产编号", 26), C("资产名称", 50), C("清查结果", 24), C("账面净值/评估价值", 40, "money"), C("说明", 46))
    data = tuple((x.code, x.name, x.result, x.book_value, x.notes) for x in st.lines)
    totals = (f"相符 {st.found} 项", f"盘亏 {st.missing} 项（{st.missing_value}）", f"盘盈 {st.surplus} 项",
              st.surplus_value, f"未盘点 {st.unchecked} 项")
    name, uscc = _owner(session, st.take.organisation_id, st.take.book_id)
    status = f"{st.take.status}" + (f"（{st.take.approved_by}，{st.take.approved_on}）" if st.take.approved_on else "")
    return Sheet("stocktake", f"资产清查结果表（{st.take.name}）", name, uscc, f"{st.take.started_on.year}年", cols, data,
                 totals, f"清查开始于 {st.take.started_on.isoformat()}；状态：{status}。盘亏、盘盈经批准后通过待处理财产损溢处理。",
                 landscape=False)
