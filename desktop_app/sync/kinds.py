"""The Chinese name of each kind of synced row, for what a package carries (CLI and GUI summaries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TABLE_LABELS: dict[str, str] = {
    "region": "区划", "organisation": "组织", "book": "账套", "book_setting": "账套设置", "account": "会计科目",
    "voucher": "记账凭证", "entry": "凭证分录", "period": "会计期间（结账）", "opening_balance": "期初余额",
    "summary_phrase": "常用摘要", "budget_line": "财务计划",
    "bank_statement_line": "银行对账单", "bank_match": "银行对账勾对", "bank_reconciliation": "银行存款余额调节（已对账）",
    "asset": "资产卡片", "asset_adjustment": "资产调整", "asset_attachment": "资产附件",
    "asset_depreciation": "资产折旧", "asset_disposal": "资产处置", "asset_history": "资产变动记录",
    "asset_workload": "资产工作量", "stocktake": "资产清查", "stocktake_line": "资产清查明细",
    "resource_parcel": "资源地块", "project": "集体经济项目", "project_funding": "项目资金",
    "contract": "合同", "contract_allocation": "合同收款分配", "contract_attachment": "合同附件",
    "contract_counterparty": "合同相对方", "contract_deposit": "合同保证金", "contract_filing": "合同备案",
    "contract_finding": "合同审查意见", "contract_installment": "应收租金", "contract_procedure": "合同程序",
    "contract_receipt": "合同收款", "receipt_slip": "收款收据", "contract_recognition": "合同收入确认",
    "contract_reference_price": "合同参考价", "contract_rule_setting": "合同规则设置",
    "disclosure_record": "财务公开记录", "disclosure_setting": "财务公开设置", "sealed_document": "留档文件",
    "household": "户", "member": "成员", "membership_event": "成员变动", "share_type": "股份类型",
    "share_holding": "股份持有", "share_event": "股份变动", "distribution_setting": "收益分配设置",
    "distribution_plan": "收益分配方案", "distribution_plan_line": "收益分配方案明细",
    "dividend_line": "分红明细", "dividend_deduction": "分红扣款", "dividend_payout": "分红发放",
    "proposal": "区级更正建议", "proposal_answer": "更正建议答复",
}


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def rows_text(rows: dict[str, int], limit: int | None = None) -> str:
    """"记账凭证 120 行、凭证分录 480 行 …", largest first; with ``limit``, the first few and how many
    other kinds."""
    parts = sorted(((n, table_label(t)) for t, n in rows.items() if n), key=lambda x: (-x[0], x[1]))
    text = "、".join(f"{label} {n} 行" for n, label in parts[:limit]) or "无"
    rest = parts[limit:] if limit is not None else []
    if rest:
        text += f" 等（另有 {len(rest)} 类共 {sum(n for n, _ in rest)} 行）"
    return text


def sender_time(created_at: str) -> str:
    """The sender's clock (display only), in this PC's local time."""
    try:
        return f"{datetime.fromisoformat(created_at).astimezone():%Y-%m-%d %H:%M}"
    except ValueError:
        return created_at[:16].replace("T", " ")


def clock_warning(created_at: str, now: datetime | None = None) -> str | None:
    """A word when the sender's clock (which stamped the package) is more than a day away from
    ours: wall clocks order nothing in sync, but a wrong date on a township PC is worth fixing."""
    try:
        sent = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    skew = (now or datetime.now(UTC)) - sent
    if abs(skew) <= timedelta(days=1):
        return None
    days = abs(skew).days
    side = "早" if skew > timedelta(0) else "晚"
    return (f"此包的生成时间（{sender_time(created_at)}）比本机时间{side}约 {days} 天：若不是久存的旧包，"
            "请核对发送方电脑的日期设置（不影响导入）")


def rows_heading(rows: dict[str, int]) -> str:
    """Why the rows can be fewer than the changes: a row changed several times travels once."""
    return f"数据 {sum(rows.values())} 行（一行多次变更只带其最新内容）"
