"""The district's reports as plain documents (typed tables and charts), shared by the PDF and the
xlsx writers (issue #13): 收入分档统计表 with the village list per tier and the year-on-year
change, 财务公开情况 by month, 收益分配进度, 合同监管清单.

Every total printed is the sum of the cells printed above it (amounts are exact to 分; shares
add to 100.0 by construction), and every document states what it was computed on: the tier
boundaries and the definition of 经营性收入 and 总收入, or the deadlines.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy.orm import Session

from desktop_app.core.errors import ValidationError
from desktop_app.core.periods import next_period, period_start
from desktop_app.core.services import district_stats as ds
from desktop_app.core.services.disclosure import DUE_DAY
from desktop_app.core.services.district_oversight import (
    DisclosureTownLine,
    DistributionTownLine,
    OversightTownLine,
)

Kind = Literal["text", "money", "int", "pct"]
Cell = str | Decimal | int | date | None
ZERO = Decimal("0.00")
REPORTS = {"tiers": "收入分档统计表", "disclosure": "财务公开情况统计表", "distribution": "收益分配进度表",
           "contracts": "合同监管清单"}


@dataclass(frozen=True)
class Col:
    header: str
    width: float  # mm on a landscape A4 page (scaled to the usable width)
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Col, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None
    note: str = ""
    sheet: str = ""  # the xlsx sheet name (≤ 31 characters)


@dataclass(frozen=True)
class Chart:
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (name, one value per category)
    value_label: str = "村数（个）"


@dataclass(frozen=True)
class DistrictDoc:
    kind: str  # tiers / disclosure / distribution / contracts
    title: str
    period_label: str
    organisation: str  # the district (Site name)
    basis: tuple[str, ...]  # what the figures were computed on (settings, deadlines)
    blocks: tuple[Table | Chart, ...]
    unit: str = "元"


def _period_end(year: int, month: int | None) -> date:
    m = month or 12
    return date(year, m, calendar.monthrange(year, m)[1])


def _tier_table(title: str, kind: str, rep: ds.TierReport, sheet: str) -> Table:
    labels = rep.settings.labels(kind)
    cols = [Col("乡镇（街道）", 26), Col("村数", 11, "int")]
    for lab in labels:
        cols += [Col(f"{lab}\n个数", 13, "int"), Col("占比%", 12, "pct")]
    cols.append(Col(f"{ds.KIND_TEXT[kind]}合计（元）", 30, "money"))

    def line(t: ds.TownshipTiers) -> tuple[Cell, ...]:
        cells: list[Cell] = [t.township, t.villages]
        for c in t.tiers(kind):
            cells += [c.count, c.share]
        cells.append(t.operating_sum if kind == "operating" else t.total_sum)
        return tuple(cells)

    total = line(rep.district)
    return Table(title, tuple(cols), tuple(line(t) for t in rep.townships), ("全区合计", *total[1:]),
                 note="占比为该乡镇（全区）村数中的百分比，按最大余数法保留一位小数，各档之和为100.0。", sheet=sheet)


def tiers_doc(session: Session, year: int, month: int | None, *, organisation: str) -> DistrictDoc:
    settings = ds.get_settings(session)
    incomes = ds.village_income(session, year, month, settings=settings)
    rep = ds.tier_counts(session, year, month, settings=settings, incomes=incomes)
    op_labels, tot_labels = settings.labels("operating"), settings.labels("total")
    chart_labels = tuple(("无收益" if i == 0 and settings.bounds[0] == 0 else lab) for i, lab in enumerate(op_labels))
    chart = Chart(f"全区村级集体经济组织收入分档（{rep.period_label}）", chart_labels,
                  (("经营性收入", tuple(c.count for c in rep.district.operating)),
                   ("总收入", tuple(c.count for c in rep.district.total))))
    rows = ds.villages_in_tier(session, year, month, "operating", None, settings=settings, incomes=incomes)
    rows.sort(key=lambda r: (-settings.tier_of(r.amount), -r.amount, r.village.region_code))
    body: list[tuple[Cell, ...]] = []
    sums = [ZERO, ZERO, ZERO, ZERO]
    for r in rows:
        body.append((r.village.township, r.village.name, r.amount, op_labels[settings.tier_of(r.amount)], r.other,
                     tot_labels[settings.tier_of(r.other)], r.prev_amount, r.change, r.change_pct))
        sums[0] += r.amount
        sums[1] += r.other
        if r.prev_amount is not None and r.change is not None:
            sums[2] += r.prev_amount
            sums[3] += r.change
    prev_label = "上年同期" if month else "上年"
    village_cols = (Col("乡镇（街道）", 24), Col("村级集体经济组织", 52), Col("经营性收入", 28, "money"),
                    Col("经营性收入分档", 20), Col("总收入", 28, "money"), Col("总收入分档", 20),
                    Col(f"{prev_label}经营性收入", 28, "money"), Col("增减额", 26, "money"), Col("增减%", 14, "pct"))
    not_kept = "、".join(v.name for v in rep.villages_not_kept)
    villages = Table(f"三、各村收入及分档（按经营性收入分档从高到低，含{prev_label}比较）", village_cols, tuple(body),
                     ("合计", f"{len(body)}个村", sums[0], "", sums[1], "", sums[2], sums[3], None),
                     note=(f"{prev_label}经营性收入为空的村当时尚未建账，不计入上年合计与增减额合计。"
                           + (f"本期未建账、不参加分档的村：{not_kept}。" if not_kept else "")),
                     sheet="各村收入及分档")
    blocks = (_tier_table("一、按经营性收入分档", "operating", rep, "经营性收入分档"),
              _tier_table("二、按总收入分档", "total", rep, "总收入分档"), chart, villages)
    return DistrictDoc("tiers", REPORTS["tiers"], rep.period_label, organisation, settings.describe(), blocks)


_SHORT = {"按时公开": "按时", "逾期公开": "逾期", "已生成未张贴": "未张贴", "未生成": "未公开", "本月无须公开": "无须"}


def _disclosure_status(line_status: str, overdue: bool, posted: bool) -> str:
    if not posted and not overdue and line_status in ("已生成未张贴", "未生成"):
        return "待公开"
    return _SHORT.get(line_status, line_status)


def _last_due(year: int, as_of: date | None) -> int:
    """A whole year asked for: its months up to the one falling due on ``as_of`` (all twelve for
    a past year), never months not yet due."""
    if as_of is None:
        return 12
    due_year, due = ds.due_month(as_of)
    return 12 if due_year > year else 1 if due_year < year else due


def disclosure_doc(session: Session, year: int, month: int | None, *, organisation: str,
                   as_of: date | None) -> DistrictDoc:
    last = month or _last_due(year, as_of)
    months = [ds.disclosure_compliance(session, year, m, as_of=as_of) for m in range(1, last + 1)]
    cur = months[-1]

    def town_row(t: DisclosureTownLine) -> tuple[Cell, ...]:
        return (t.township, t.books_due, t.on_time, t.late, t.not_posted, t.overdue, t.villages_not_posted)

    cols = (Col("乡镇（街道）", 40), Col("应公开账套数", 26, "int"), Col("按时公开", 24, "int"), Col("逾期公开", 24, "int"),
            Col("未公开", 24, "int"), Col("其中已过截止日", 26, "int"), Col("未公开的村数", 26, "int"))
    due = period_start(next_period(f"{year:04d}-{last:02d}")).replace(day=DUE_DAY)
    summary = Table(f"一、{year}年{last}月财务公开情况（截止日：{due.year}年{due.month}月{due.day}日）", cols,
                    tuple(town_row(t) for t in cur.townships), ("全区合计", *town_row(cur.district)[1:]),
                    note="按季公开的村只在季末月份计入应公开；“未公开的村数”按村计，一个村有多个账套未公开只计一次。",
                    sheet=f"{last}月公开情况")
    grid: dict[tuple[str, str, str], list[str]] = {}
    freq: dict[tuple[str, str, str], str] = {}
    for i, mc in enumerate(months):
        for x in mc.lines:
            key = (x.village.region_code + x.village.uscc, x.village.name, x.book_name)
            cells = grid.setdefault(key, [""] * last)
            cells[i] = _disclosure_status(x.status, x.overdue, x.posted)
            freq[key] = x.frequency
    towns = {(x.village.region_code + x.village.uscc, x.village.name, x.book_name): x.village.township
             for mc in months for x in mc.lines}
    grid_rows: list[tuple[Cell, ...]] = []
    on_time_total = 0
    for key in sorted(grid):
        cells = grid[key]
        on_time = sum(c == "按时" for c in cells)
        on_time_total += on_time
        grid_rows.append((towns[key], key[1], key[2], freq[key], *cells, on_time))
    gcols = (Col("乡镇（街道）", 22), Col("村", 34), Col("账套", 34), Col("方式", 10),
             *(Col(f"{m}月", 11) for m in range(1, last + 1)), Col("按时次数", 14, "int"))
    grid_t = Table(f"二、{year}年1–{last}月各账套逐月公开情况", gcols, tuple(grid_rows),
                   ("合计", f"{len(grid_rows)}个账套", "", "", *([""] * last), on_time_total),
                   note=f"按时：次月{DUE_DAY}日前张贴；逾期：过截止日后张贴；未张贴：已生成公开表但未登记张贴；"
                        "未公开：未生成；待公开：未到截止日；无须：按季公开的村非季末月份；空白：当月尚未建账。",
                   sheet="逐月公开情况")
    missing = [(x.village.township, x.village.name, x.book_name, x.period_code, x.status, x.due,
                "是" if x.overdue else "否") for x in cur.not_posted]
    miss_t = Table(f"三、{year}年{last}月未公开名单", (Col("乡镇（街道）", 30), Col("村", 50), Col("账套", 50),
                                                   Col("应公开期间", 22), Col("状态", 26), Col("截止日", 24),
                                                   Col("已过截止日", 18)),
                   tuple(missing), ("合计", f"{len(missing)}个账套", "", "", "", None, ""), sheet="未公开名单")
    basis = (f"公开期限：按月公开的，次月{DUE_DAY}日前在公开栏张贴；按季公开的，季后首月{DUE_DAY}日前（各村设置）。",
             "统计范围：村、组两级集体经济组织的全部账套（含村民委员会账套），以各村登记的张贴日期为准。",
             f"判断日期：{as_of.year}年{as_of.month}月{as_of.day}日" if as_of else "判断日期：视为各截止日均已过。")
    return DistrictDoc("disclosure", REPORTS["disclosure"], f"{year}年1–{last}月", organisation, basis,
                       (summary, grid_t, miss_t), unit="个")


def distribution_doc(session: Session, year: int, *, organisation: str, as_of: date | None) -> DistrictDoc:
    p = ds.distribution_progress(session, year, as_of=as_of)

    def town_row(t: DistributionTownLine) -> tuple[Cell, ...]:
        return (t.township, t.villages, t.on_time, t.late, t.overdue_open, t.in_progress, t.no_plan)

    cols = (Col("乡镇（街道）", 40), Col("村（组）数", 24, "int"), Col("按期完成", 24, "int"), Col("逾期完成", 24, "int"),
            Col("逾期未完成", 24, "int"), Col("进行中", 24, "int"), Col("未编制方案", 24, "int"))
    summary = Table(f"一、{year}年度收益分配进度（按乡镇）", cols, tuple(town_row(t) for t in p.townships),
                    ("全区合计", *town_row(p.district)[1:]), sheet="分配进度汇总",
                    note="完成指分配方案已发放（兑现到户）；“未编制方案”含在前几列中，单列其数。")
    rows = [(x.village.township, x.village.name, x.plan_status, x.deadline, x.approved_on, x.paid_on,
             x.members_amount, x.state) for x in p.lines]
    amount = sum((x.members_amount or ZERO for x in p.lines), ZERO)
    lines = Table(f"二、{year}年度各村收益分配情况", (Col("乡镇（街道）", 28), Col("村（组）集体经济组织", 60),
                                                   Col("方案状态", 18), Col("截止日期", 24), Col("批准日期", 24),
                                                   Col("发放日期", 24), Col("成员分配总额（元）", 32, "money"),
                                                   Col("进度", 22)),
                  tuple(rows), ("合计", f"{len(rows)}个", "", None, None, None, amount, ""), sheet="各村分配情况")
    basis = (f"截止日期：{year + 1}年4月30日（各村可在分配设置中另定），以最新一份未作废方案为准。",
             f"判断日期：{as_of.year}年{as_of.month}月{as_of.day}日" if as_of else "判断日期：视为截止日已过。")
    return DistrictDoc("distribution", REPORTS["distribution"], f"{year}年度", organisation, basis, (summary, lines))


def contracts_doc(session: Session, year: int, month: int | None, *, organisation: str,
                  as_of: date | None = None) -> DistrictDoc:
    # judged on the given day (today, from the CLI) unless the period reported ended before it
    end = _period_end(year, month)
    as_of = min(as_of, end) if as_of else end
    co = ds.contract_oversight(session, as_of)

    def town_row(t: OversightTownLine) -> tuple[Cell, ...]:
        return (t.township, t.findings, t.contracts_irregular, t.expiring, t.expired, t.arrears_installments,
                t.arrears_amount)

    cols = (Col("乡镇（街道）", 40), Col("不规范问题（条）", 26, "int"), Col("涉及合同（份）", 26, "int"),
            Col("90天内到期（份）", 26, "int"), Col("已到期未处理（份）", 28, "int"), Col("欠款期数", 22, "int"),
            Col("欠款金额（元）", 32, "money"))
    summary = Table("一、合同监管汇总（按乡镇）", cols, tuple(town_row(t) for t in co.townships),
                    ("全区合计", *town_row(co.district)[1:]), sheet="合同监管汇总",
                    note="不规范问题只计未整改、整改中的；已整改的列在清单中备查。")
    findings = [(f.place.township, f.place.name, f.finding.contract_number, f.finding.contract_name,
                 f.finding.counterparty_name, f.finding.rule_name, f.finding.message, f.finding.status)
                for f in co.findings]
    f_t = Table("二、合同审查发现的问题", (Col("乡镇", 20), Col("组织", 40), Col("合同编号", 26), Col("合同名称", 36),
                                        Col("承包方", 26), Col("问题", 30), Col("说明", 70), Col("整改状态", 16)),
                tuple(findings), ("合计", f"{len(findings)}条", "", "", "", "", "", ""), sheet="审查问题")
    exp = [(e.place.township, e.place.name, e.contract.contract_number, e.contract.name, e.contract.counterparty_name,
            e.contract.end_date, e.contract.days_left, e.contract.bucket) for e in co.expiring]
    e_t = Table("三、到期及即将到期的合同", (Col("乡镇", 20), Col("组织", 44), Col("合同编号", 28), Col("合同名称", 44),
                                          Col("承包方", 32), Col("到期日", 24), Col("剩余天数", 18, "int"),
                                          Col("类别", 18)),
                tuple(exp), ("合计", f"{len(exp)}份", "", "", "", None, None, ""), sheet="到期合同")
    arr = [(a.place.township, a.place.name, a.installment.contract_number, a.installment.counterparty_name,
            a.installment.seq, a.installment.due_date, a.installment.amount, a.installment.received,
            a.installment.outstanding, a.installment.days_overdue, a.installment.bucket) for a in co.arrears]
    sums = [sum((a.installment.amount for a in co.arrears), ZERO), sum((a.installment.received for a in co.arrears), ZERO),
            sum((a.installment.outstanding for a in co.arrears), ZERO)]
    a_t = Table("四、欠缴租金（承包费）明细及账龄", (Col("乡镇", 18), Col("组织", 40), Col("合同编号", 26), Col("承包方", 30),
                                                 Col("期次", 10, "int"), Col("应收日期", 22), Col("应收金额", 26, "money"),
                                                 Col("已收金额", 26, "money"), Col("欠款金额", 26, "money"),
                                                 Col("逾期天数", 16, "int"), Col("账龄", 14)),
                tuple(arr), ("合计", f"{len(arr)}期", "", "", None, None, *sums, None, ""), sheet="欠款明细")
    basis = (f"截至日期：{as_of.year}年{as_of.month}月{as_of.day}日；合同审查规则为区级（及各村）设置的规则，"
             "到期提示为90天、30天和已到期，欠款账龄分≤1年、1–3年、>3年。",)
    label = f"{year}年{month}月末" if month else f"{year}年末"
    return DistrictDoc("contracts", REPORTS["contracts"], label, organisation, basis, (summary, f_t, e_t, a_t))


def build_doc(session: Session, kind: str, year: int, month: int | None, *, organisation: str,
              as_of: date | None = None) -> DistrictDoc:
    """One entry point for the CLI and the GUI."""
    ds.period_range(year, month)
    if kind == "tiers":
        return tiers_doc(session, year, month, organisation=organisation)
    if kind == "disclosure":
        return disclosure_doc(session, year, month, organisation=organisation, as_of=as_of)
    if kind == "distribution":
        return distribution_doc(session, year, organisation=organisation, as_of=as_of)
    if kind == "contracts":
        return contracts_doc(session, year, month, organisation=organisation, as_of=as_of)
    raise ValidationError(f"未知的报表“{kind}”，可选：{'、'.join(f'{k}（{v}）' for k, v in REPORTS.items())}",
                          field="报表")
