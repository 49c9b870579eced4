"""Layouts of the 资产负债表 and 收益及收益分配表 for each chart version, as data.

A line is ``(key, label, kind, terms)``:
- kind ``D``: debit-positive sum of the terms (assets); ``C``: credit-positive (liabilities, equity,
  contra accounts shown after 减：); ``T``: a total of other lines (``-key`` subtracts); ``H``: heading.
- terms: ``r:role`` (accounts of a chart role, resolved by version), ``c:code`` (a code of this
  version's chart), ``internal+`` / ``internal-`` (debit / credit detail balances of 内部往来),
  ``pl`` (net of every 损益 account: the year's result not yet carried to 本年收益); a term
  written ``-term`` is subtracted (其他分配 = the whole 各项分配 subtree less the named lines, so a
  book's own 各项分配 sub-account is never left out).
Income-statement terms are the period's activity excluding the year-end closing vouchers;
``opening_undistributed`` is 未分配收益 at the start of the year; ``other_transfers`` is what was
credited to 本年收益 / 收益分配 other than 各项分配 directly (not by the closing). With these, the
年末未分配收益 line equals the balance sheet's 未分配收益 at the end of any month when the figures run
from the start of the year, before and after the year-end close: so the statement of a month or a
quarter prints the year to date (本年累计数) and calls the line 期末未分配收益.
Roles are used wherever a code differs between 2004 and 2023 ([M]: the 2023 layouts follow the
2004 structure with the 2023 accounts; the official 2023 formats were not retrieved).
"""

from __future__ import annotations

Line = tuple[str, str, str, tuple[str, ...]]


def H(label: str) -> Line:
    return ("", label, "H", ())


BALANCE_SHEET: dict[str, list[Line]] = {
    "2023": [
        H("资产"),
        ("a1", "货币资金", "D", ("r:monetary_funds",)),
        ("a2", "短期投资", "D", ("r:short_term_investment",)),
        ("a3", "应收款项", "D", ("r:receivables", "internal+")),
        ("a4", "存货", "D", ("r:inventories_total",)),
        ("a5", "消耗性生物资产", "D", ("c:131",)),
        ("a6", "流动资产合计", "T", ("a1", "a2", "a3", "a4", "a5")),
        ("a7", "长期投资", "D", ("r:long_term_investment",)),
        ("a8", "生产性生物资产原值", "D", ("c:132",)),
        ("a9", "减：生产性生物资产累计折旧", "C", ("r:accumulated_biological_depreciation",)),
        ("a10", "生产性生物资产净值", "T", ("a8", "-a9")),
        ("a11", "公益性生物资产", "D", ("c:134",)),
        ("a12", "固定资产原值", "D", ("r:fixed_assets",)),
        ("a13", "减：累计折旧", "C", ("r:accumulated_depreciation",)),
        ("a14", "固定资产净值", "T", ("a12", "-a13")),
        ("a15", "固定资产清理", "D", ("r:fixed_asset_clearing",)),
        ("a16", "在建工程", "D", ("r:construction_in_progress",)),
        ("a17", "无形资产原值", "D", ("r:intangible_assets",)),
        ("a18", "减：累计摊销", "C", ("r:accumulated_amortisation",)),
        ("a19", "无形资产净值", "T", ("a17", "-a18")),
        ("a20", "长期待摊费用", "D", ("r:long_term_prepaid_expenses",)),
        ("a21", "待处理财产损溢", "D", ("r:pending_property_loss",)),
        ("a22", "非流动资产合计", "T", ("a7", "a10", "a11", "a14", "a15", "a16", "a19", "a20", "a21")),
        ("a23", "资产总计", "T", ("a6", "a22")),
        H("负债和所有者权益"),
        ("l1", "短期借款", "C", ("r:short_term_loans",)),
        ("l2", "应付款项", "C", ("r:payables", "internal-")),
        ("l3", "应付工资", "C", ("r:wages_payable",)),
        ("l4", "应付劳务费", "C", ("r:labour_payable",)),
        ("l5", "应交税费", "C", ("r:taxes_payable",)),
        ("l6", "流动负债合计", "T", ("l1", "l2", "l3", "l4", "l5")),
        ("l7", "长期借款及应付款", "C", ("r:long_term_loans_payable",)),
        ("l8", "一事一议资金", "C", ("r:one_matter_one_discussion",)),
        ("l9", "专项应付款", "C", ("r:special_payables",)),
        ("l10", "非流动负债合计", "T", ("l7", "l8", "l9")),
        ("l11", "负债合计", "T", ("l6", "l10")),
        ("e1", "资本", "C", ("r:capital",)),
        ("e2", "公积公益金", "C", ("r:reserve_fund",)),
        ("e3", "未分配收益", "C", ("r:undistributed_income_total", "pl")),
        ("e4", "所有者权益合计", "T", ("e1", "e2", "e3")),
        ("e5", "负债和所有者权益总计", "T", ("l11", "e4")),
    ],
    "2004": [
        H("资产"),
        ("a1", "货币资金", "D", ("r:monetary_funds",)),
        ("a2", "短期投资", "D", ("r:short_term_investment",)),
        ("a3", "应收款项", "D", ("r:receivables", "internal+")),
        ("a4", "存货", "D", ("r:inventories_total",)),
        ("a5", "流动资产合计", "T", ("a1", "a2", "a3", "a4")),
        ("a6", "牲畜（禽）资产", "D", ("c:131",)),
        ("a7", "林木资产", "D", ("c:132",)),
        ("a8", "农业资产合计", "T", ("a6", "a7")),
        ("a9", "长期投资", "D", ("r:long_term_investment",)),
        ("a10", "固定资产原价", "D", ("r:fixed_assets",)),
        ("a11", "减：累计折旧", "C", ("r:accumulated_depreciation",)),
        ("a12", "固定资产净值", "T", ("a10", "-a11")),
        ("a13", "固定资产清理", "D", ("r:fixed_asset_clearing",)),
        ("a14", "在建工程", "D", ("r:construction_in_progress",)),
        ("a15", "固定资产合计", "T", ("a12", "a13", "a14")),
        ("a16", "无形资产", "D", ("r:intangible_assets",)),
        ("a17", "拨付所属单位资金", "D", ("c:171",)),
        ("a18", "其他资产合计", "T", ("a16", "a17")),
        ("a19", "资产总计", "T", ("a5", "a8", "a9", "a15", "a18")),
        H("负债和所有者权益"),
        ("l1", "短期借款", "C", ("r:short_term_loans",)),
        ("l2", "应付款项", "C", ("r:payables", "internal-")),
        ("l3", "应付工资", "C", ("r:wages_payable",)),
        ("l4", "应付福利费", "C", ("r:welfare_payable",)),
        ("l5", "流动负债合计", "T", ("l1", "l2", "l3", "l4")),
        ("l6", "长期借款及应付款", "C", ("r:long_term_loans_payable",)),
        ("l7", "一事一议资金", "C", ("r:one_matter_one_discussion",)),
        ("l8", "专项应付款", "C", ("r:special_payables",)),
        ("l9", "长期负债合计", "T", ("l6", "l7", "l8")),
        ("l10", "负债合计", "T", ("l5", "l9")),
        ("e1", "资本", "C", ("r:capital",)),
        ("e2", "公积公益金", "C", ("r:reserve_fund",)),
        ("e3", "未分配收益", "C", ("r:undistributed_income_total", "pl")),
        ("e4", "所有者权益合计", "T", ("e1", "e2", "e3")),
        ("e5", "负债和所有者权益总计", "T", ("l10", "e4")),
    ],
}

INCOME_DISTRIBUTION: dict[str, list[Line]] = {
    "2023": [
        ("i1", "经营收入", "C", ("r:business_income",)),
        ("i2", "加：投资收益", "C", ("r:investment_income",)),
        ("i3", "减：经营支出", "D", ("r:business_expense",)),
        ("i4", "税金及附加", "D", ("r:taxes_and_surcharges",)),
        ("i5", "管理费用", "D", ("r:management_expense",)),
        ("i6", "经营收益", "T", ("i1", "i2", "-i3", "-i4", "-i5")),
        ("i7", "加：补助收入", "C", ("r:subsidy_income",)),
        ("i8", "其他收入", "C", ("r:other_income",)),
        ("i9", "减：公益支出", "D", ("r:public_welfare_expense",)),
        ("i10", "其他支出", "D", ("r:other_expense",)),
        ("i11", "收益总额", "T", ("i6", "i7", "i8", "-i9", "-i10")),
        ("i12", "减：所得税费用", "D", ("r:income_tax_expense",)),
        ("i13", "本年收益", "T", ("i11", "-i12")),
        ("i14", "加：年初未分配收益", "C", ("opening_undistributed",)),
        ("i15", "其他转入", "C", ("other_transfers",)),
        ("i16", "可分配收益", "T", ("i13", "i14", "i15")),
        ("i17", "减：提取公积公益金", "D", ("r:distribution_to_reserve",)),
        ("i18", "向成员分配", "D", ("r:distribution_to_members",)),
        ("i19", "其他", "D", ("r:distributions", "-r:distribution_to_reserve", "-r:distribution_to_members")),
        ("i20", "年末未分配收益", "T", ("i16", "-i17", "-i18", "-i19")),
    ],
    "2004": [
        ("i1", "经营收入", "C", ("r:business_income",)),
        ("i2", "加：发包及上交收入", "C", ("r:contracting_and_remittance_income",)),
        ("i3", "投资收益", "C", ("r:investment_income",)),
        ("i4", "减：经营支出", "D", ("r:business_expense",)),
        ("i5", "管理费用", "D", ("r:management_expense",)),
        ("i6", "经营收益", "T", ("i1", "i2", "i3", "-i4", "-i5")),
        ("i7", "加：农业税附加返还收入", "C", ("r:agricultural_tax_refund_income",)),
        ("i8", "补助收入", "C", ("r:subsidy_income",)),
        ("i9", "其他收入", "C", ("r:other_income",)),
        ("i10", "减：其他支出", "D", ("r:other_expense",)),
        ("i11", "本年收益", "T", ("i6", "i7", "i8", "i9", "-i10")),
        ("i12", "加：年初未分配收益", "C", ("opening_undistributed",)),
        ("i13", "其他转入", "C", ("other_transfers",)),
        ("i14", "可分配收益", "T", ("i11", "i12", "i13")),
        ("i15", "减：提取公积公益金", "D", ("r:distribution_to_reserve",)),
        ("i16", "提取应付福利费", "D", ("r:distribution_to_welfare",)),
        ("i17", "外来投资分利", "D", ("r:distribution_to_outside_investors",)),
        ("i18", "农户分配", "D", ("r:distribution_to_members",)),
        ("i19", "其他", "D", ("r:distributions", "-r:distribution_to_reserve", "-r:distribution_to_welfare",
                              "-r:distribution_to_outside_investors", "-r:distribution_to_members")),
        ("i20", "年末未分配收益", "T", ("i14", "-i15", "-i16", "-i17", "-i18", "-i19")),
    ],
}

# The line that must equal the P&L accounts' net, and the balance sheet's two totals.
NET_INCOME_KEY = {"2023": "i13", "2004": "i11"}
YEAR_END_UNDISTRIBUTED_KEY = "i20"
ASSETS_TOTAL_KEY = {"2023": "a23", "2004": "a19"}
LIABILITIES_EQUITY_TOTAL_KEY = "e5"
UNDISTRIBUTED_KEY = "e3"
