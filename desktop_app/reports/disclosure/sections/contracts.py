"""合同及租金收缴情况: every contract of the book in force during the period or with anything due,
received or owed in or at the end of it (an expired contract still owing rent is listed), with
its status at the period's end.

本期实收 is what the books have: the receipt vouchers posted in the period (so the table traces
to 收支明细); a receipt without a posted voucher (legacy data, or a voucher not yet posted) is
not counted, and the note names how many there are and their amount. 期末欠缴 is the arrears
report's figure as of the period's last day, contract by contract. Counterparty names are shown;
a person's 身份证号 is masked (first 6 + last 4). The figures come from
``core.services.contract_warnings.disclosure_contracts_section``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop_app.core.money import format_amount
from desktop_app.core.services.contract_warnings import disclosure_contracts_section
from desktop_app.core.services.funds_base import period_end, period_start
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

# Widths let an 18-character USCC or a masked ID number stand on one line on A4; every text
# column also wraps, so a longer value is printed whole on more lines, never cut.
# amounts get room for 1,234,567.89 at full size on A4; the 18-character code still fits one line
COLUMNS = (Column("合同编号", 18, wrap=True), Column("标的", 20, wrap=True), Column("承包（承租）方", 22, wrap=True),
           Column("证件号码", 34, wrap=True), Column("起止日期", 19, wrap=True), Column("状态", 11, wrap=True),
           Column("本期应收", 20, "right"), Column("本期实收", 20, "right"), Column("期末欠缴", 20, "right"))


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    end = period_end(ctx.period_to)
    section = disclosure_contracts_section(session, ctx.organisation.id, ctx.book.id, period_start(ctx.period_from),
                                           end)
    rows = section.rows
    if not rows and not section.unbooked_count:
        return None
    table: list[list[Cell]] = [
        [r.contract_number, r.subject, r.counterparty_name, r.counterparty_id_masked,
         f"{r.start_date:%Y.%m.%d}-{r.end_date:%Y.%m.%d}", r.state, r.due_in_period, r.received_in_period,
         r.arrears_at_end]
        for r in rows]
    totals: list[Cell] = ["合计", "", "", "", "", "", sum(r.due_in_period for r in rows),
                          sum(r.received_in_period for r in rows), sum(r.arrears_at_end for r in rows)]
    note = ("本期应收按应收期次的缴款日期统计；本期实收为本期已记账的合同收款凭证金额（撤销收款的红字冲销为负数），"
            f"与收支明细一致；期末欠缴为截至{end.year}年{end.month}月{end.day}日已到缴款日期仍未收清的金额，"
            "与同日的欠款明细（账龄分析）一致；状态为期末状态。个人身份证号已隐去中间八位。")
    if section.unbooked_count:
        note += (f"另有本期收款 {section.unbooked_count} 笔共 {format_amount(section.unbooked_amount)} 元尚无记账凭证，"
                 "未计入本期实收（期末欠缴已按其冲减），应补记凭证。")
    return [TableBlock("合同及租金收缴情况", COLUMNS, table, totals_row=totals, note=note)]


SECTION = DisclosureSection(id="contracts", title="合同及租金收缴公开表", order=50, build=build)
