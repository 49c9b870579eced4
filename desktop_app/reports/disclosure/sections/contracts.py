"""合同及租金收缴情况: contracts in force during the period, rent due / received in the period and
in arrears at its end, per contract. Counterparty names are shown; a person's 身份证号 is masked
(first 6 + last 4). The figures come from
``core.services.contract_warnings.disclosure_contracts_section``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop_app.core.services.contract_warnings import disclosure_contracts_section
from desktop_app.core.services.funds_base import period_end, period_start
from desktop_app.reports.disclosure.context import DisclosureContext
from desktop_app.reports.disclosure.registry import Block, Cell, Column, DisclosureSection, TableBlock

COLUMNS = (Column("合同编号", 22), Column("标的", 30, wrap=True), Column("承包（承租）方", 30, wrap=True),
           Column("证件号码", 30), Column("起止日期", 30), Column("本期应收", 20, "right"),
           Column("本期实收", 20, "right"), Column("期末欠缴", 20, "right"))


def build(session: Session, ctx: DisclosureContext) -> list[Block] | None:
    rows = disclosure_contracts_section(session, ctx.organisation.id, ctx.book.id, period_start(ctx.period_from),
                                        period_end(ctx.period_to))
    if not rows:
        return None
    table: list[list[Cell]] = [
        [r.contract_number, r.subject, r.counterparty_name, r.counterparty_id_masked,
         f"{r.start_date:%Y.%m.%d}-{r.end_date:%Y.%m.%d}", r.due_in_period, r.received_in_period, r.arrears_at_end]
        for r in rows]
    totals: list[Cell] = ["合计", "", "", "", "", sum(r.due_in_period for r in rows),
                          sum(r.received_in_period for r in rows), sum(r.arrears_at_end for r in rows)]
    return [TableBlock("合同及租金收缴情况", COLUMNS, table, totals_row=totals,
                       note="本期应收按应收期次的缴款日期统计；期末欠缴为截至期末已到期未收清的金额。个人身份证号已隐去中间八位。")]


SECTION = DisclosureSection(id="contracts", title="合同及租金收缴公开表", order=50, build=build)
