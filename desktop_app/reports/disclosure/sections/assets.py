"""资产、资源和项目情况: fixed assets by class (原值, 净值, how they are used), land by GB/T 21010
class in 亩, and the collective-economy projects with their investment and the period's return.
The figures come from ``core.services.assets_report.disclosure_assets_section``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from desktop_app.core.services.assets_report import asset_movements, disclosure_assets_section
from desktop_app.core.services.funds_base import period_end, period_start
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

ASSET_COLUMNS = (Column("资产类别", 40), Column("数量（项）", 22, "right"), Column("原值", 36, "right"),
                 Column("净值", 36, "right"), Column("使用情况", 46, wrap=True))
LAND_COLUMNS = (Column("地类", 40), Column("地块数", 22, "right"), Column("面积（亩）", 36, "right"),
                Column("经营情况", 82, wrap=True))
MOVE_COLUMNS = (Column("日期", 22, "center"), Column("凭证号", 26, "center", wrap=True),
                Column("资产编号及名称", 52, wrap=True), Column("增减方式", 18), Column("增加原值", 26, "right"),
                Column("减少原值", 26, "right"), Column("处置收入", 22, "right"))
PROJECT_COLUMNS = (Column("项目名称", 46, wrap=True), Column("形成资产（项）", 24, "right"),
                   Column("总投资", 34, "right"), Column("本期收益", 30, "right"), Column("类型、状态、收益率", 46, wrap=True))


def _mu(value: Decimal | None) -> str:
    """亩 as registered (4 decimals): the classes then add up to the printed total exactly."""
    return f"{(value or Decimal(0)).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):,.4f}"


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    section = disclosure_assets_section(session, ctx.organisation.id, ctx.book.id, period_start(ctx.period_from),
                                        period_end(ctx.period_to))
    if not section.rows:
        return None
    blocks: list[Block] = []
    assets = [r for r in section.rows if r.kind == "资产"]
    if assets:
        rows: list[list[Cell]] = [[r.label, r.count, r.quantity, r.value, r.note] for r in assets]
        total: list[Cell] = ["合计", sum(r.count for r in assets), sum(r.quantity or 0 for r in assets),
                             sum(r.value or 0 for r in assets), ""]
        blocks.append(TableBlock("固定资产情况（期末）", ASSET_COLUMNS, rows, totals_row=total))
    moves = asset_movements(session, ctx.book.id, ctx.period_from, ctx.period_to)
    if moves:
        blocks.append(TableBlock(
            "本期固定资产增减明细", MOVE_COLUMNS,
            [[f"{m.day.month}月{m.day.day}日", m.voucher, f"{m.code} {m.name}", m.kind, m.increase or None,
              m.decrease or None, m.proceeds or None] for m in moves],
            totals_row=["合计", "", "", "", sum((m.increase for m in moves), Decimal(0)),
                        sum((m.decrease for m in moves), Decimal(0)), sum((m.proceeds for m in moves), Decimal(0))],
            note="每笔增减注明记账凭证；“未记账”表示资产台账已登记而账簿尚无凭证，请核对。"))
    land = [r for r in section.rows if r.kind == "资源"]
    if land:
        blocks.append(TableBlock("资源性资产（土地）情况", LAND_COLUMNS,
                                 [[r.label, r.count, _mu(r.quantity), r.note] for r in land],
                                 totals_row=["合计", sum(r.count for r in land),
                                             _mu(sum((r.quantity or Decimal(0) for r in land), Decimal(0))), ""],
                                 note="面积以亩为单位，按台账精确到四位小数，各地类之和等于合计；经营情况按期末有效的合同（资源发包为已发包，其他为已出租）。"))
    projects = [r for r in section.rows if r.kind == "项目"]
    if projects:
        blocks.append(TableBlock("集体经济项目及收益", PROJECT_COLUMNS,
                                 [[r.label, r.count, r.quantity, r.value, r.note] for r in projects],
                                 note="本期收益为账簿中注明该项目的收入；收益率为本期收益除以总投资。"))
    return blocks


SECTION = DisclosureSection(id="assets", title="资产、资源和项目情况", order=60, build=build)
