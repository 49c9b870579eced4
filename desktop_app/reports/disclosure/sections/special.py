"""专项公开: a sheet (new page) per kind of special item the period has — 一事一议, 工程招投标,
征地补偿, 扶贫资金, 重大事项 — found by the voucher's flag, or for 一事一议 also by its account
(231 一事一议资金). Each lists the items' lines other than cash and bank, with the year to date.

工程招投标及预决算 comes first from the project ledger: for each 工程 of the book with activity in
the year (``projects.works_in_year``), its budget, tender result, contract, payments to date item
by item (posted lines carrying the project), final account and the final account against the
budget."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop_app.core.rows_assets import WorksRow
from desktop_app.core.services.funds_base import YEAR_END_KIND, period_label
from desktop_app.core.services.projects import works_in_year
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.data import PostedLine, sheet_lines
from desktop_app.reports.disclosure.registry import (
    Block,
    Cell,
    Column,
    DisclosureSection,
    PageBreak,
    TableBlock,
    TextBlock,
    money,
)

ZERO = Decimal("0.00")
KINDS = {  # flag -> (sheet title, chart role that also identifies it)
    "一事一议": ("一事一议筹资筹劳及使用情况", "one_matter_one_discussion"),
    "工程招投标": ("集体工程招投标及预决算情况", None),
    "征地补偿": ("集体土地征占补偿及分配情况", None),
    "扶贫资金": ("扶贫资金使用情况", None),
    "重大事项": ("重大事项收支情况", None),
}
COLUMNS = (Column("日期", 16, "center"), Column("凭证号", 15, "center"), Column("摘要", 52, wrap=True),
           Column("科目", 27, wrap=True), Column("收入或筹集", 23, "right"), Column("支出或使用", 23, "right"),
           Column("往来单位或个人", 24, wrap=True))


FACT_COLUMNS = (Column("项目", 30), Column("金额", 32, "right"), Column("说明", 118, wrap=True))
PAY_COLUMNS = (Column("日期", 24, "center"), Column("凭证号", 24, "center"), Column("摘要", 50, wrap=True),
               Column("科目", 30, wrap=True), Column("金额", 24, "right"), Column("收款单位或个人", 28, wrap=True))


def _day(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _works_blocks(w: WorksRow, ctx: DisclosureContext) -> list[Block]:
    p, until = w.project, period_label(ctx.period_to)
    tender = (f"{p.tender_method}，{_day(p.tender_on)}开标，中标单位：{p.tender_winner}" if p.tender_method
              else "未登记招标结果")
    diff = w.final_vs_budget
    facts: list[list[Cell]] = [
        ["预算金额", p.budget, "" if p.budget is not None else "未登记预算"],
        ["中标金额", p.tender_amount, tender],
        ["工程合同", None, w.contract or "未关联合同"],
        ["累计支付", w.paid, f"截至{until}，共 {len(w.payments)} 笔，明细见下表"],
        ["决算金额", p.final_amount, f"{_day(p.final_on)}决算" if p.final_on else f"截至{until}尚未决算"],
        ["决算与预算差额", diff, "" if diff is None else ("决算超出预算" if diff > 0 else
                                                       "决算低于预算（节余）" if diff < 0 else "决算与预算相等")],
    ]
    pays: list[list[Cell]] = [[_day(x.voucher_date), f"{x.period[:4]}年{int(x.period[5:])}月{x.number}号", x.summary,
                               x.account, x.amount, x.counterparty] for x in w.payments]
    return [TableBlock(f"工程：{p.code} {p.name}（{p.kind}，{p.status}）", FACT_COLUMNS, facts),
            TableBlock(f"{p.name}：工程款支付明细（取自账簿中注明该项目的凭证）", PAY_COLUMNS, pays,
                       totals_row=["", "", "累计支付", "", w.paid, ""])]


def _kinds_of(lines: list[PostedLine], role_ids: dict[str, set[uuid.UUID]]) -> dict[uuid.UUID, set[str]]:
    out: dict[uuid.UUID, set[str]] = {}
    for ln in lines:
        if ln.source_kind == YEAR_END_KIND:
            continue
        kinds = out.setdefault(ln.voucher_id, set())
        kinds.update(f for f in ln.flags.split(",") if f in KINDS)
        kinds.update(k for k, ids in role_ids.items() if ln.account_id in ids)
    return out


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    role_ids = {k: ctx.account_ids(role) for k, (_, role) in KINDS.items() if role}
    ytd = sheet_lines(session, ctx, ctx.year_start)
    kinds = _kinds_of(ytd, role_ids)
    in_period = {ln.voucher_id for ln in ytd if ln.period >= ctx.period_from}
    present = [k for k in KINDS if any(k in kinds.get(v, ()) for v in in_period)]
    works = works_in_year(session, ctx.organisation.id, ctx.book.id, ctx.period_to)
    if not present and not works:
        return None
    by_id = {a.id: a for a in ctx.accounts.values()}
    cash = ctx.account_ids("monetary_funds")
    blocks: list[Block] = []
    if works:
        blocks.append(TextBlock(f"专项公开：{KINDS['工程招投标'][0]}", "heading"))
        for w in works:
            blocks.extend(_works_blocks(w, ctx))
        blocks.append(TextBlock("预算、招标、合同和决算取自集体经济项目台账；支付为截至本期末账簿中注明该项目的"
                                "资产、成本和费用分录（借方减贷方）。", "note"))
    for kind in present:
        title = KINDS[kind][0]
        rows: list[list[Cell]] = []
        t_in = t_out = y_in = y_out = ZERO
        for ln in ytd:
            if kind not in kinds.get(ln.voucher_id, ()) or ln.account_id in cash:
                continue
            acc = by_id.get(ln.account_id)
            raised, used = ln.credit, ln.debit
            y_in, y_out = y_in + raised, y_out + used
            if ln.period < ctx.period_from:
                continue
            t_in, t_out = t_in + raised, t_out + used
            d = ln.voucher_date
            rows.append([f"{d.month}月{d.day}日", ln.code if ctx.period_from == ctx.period_to else f"{d.month}月{ln.number}号",
                         ln.summary or ln.voucher_summary, acc.name if acc else "", raised or None, used or None,
                         ln.counterparty])
        if blocks:
            blocks.append(PageBreak())
        blocks.append(TextBlock(f"专项公开：{title}", "heading"))
        blocks.append(TableBlock(f"{title}（{ctx.period.label}）", COLUMNS, rows,
                                 totals_row=["", "", "本期合计", "", t_in, t_out, ""]))
        blocks.append(TextBlock(f"本年累计（{ctx.year_start[:4]}年1月至{ctx.period.label}）：收入或筹集 {money(y_in)} 元，"
                                f"支出或使用 {money(y_out)} 元。", "body"))
    return blocks


SECTION = DisclosureSection(id="special", title="专项公开", order=40, build=build, new_page=True)
