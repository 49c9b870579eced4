"""合同监管: every village's contracts under the compliance review (findings and their 整改
status), contracts expiring within 90 days or past their end, overdue installments with ageing;
per township and for the district, as of a date (the contract services' own rules).
提出更正建议 proposes on the contract of the selected line (the district's own record, sent down
to the township; the contract itself stays read-only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSplitter, QTabWidget

from desktop_app.core.errors import UserError
from desktop_app.core.services import proposals as proposal_svc
from desktop_app.core.services.district_oversight import contract_oversight
from desktop_app.ui.columns import Column
from desktop_app.ui.context import AppContext
from desktop_app.ui.errors import show_user_error
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.pages.district_base import DistrictPage, boxed, make_table
from desktop_app.ui.pages.proposal_dialogs import propose_dialog

TOWN_COLUMNS = [
    Column("township", "乡镇", "pinyin-text"),
    Column("findings", "审查发现问题", "int"),
    Column("contracts_irregular", "涉及合同", "int"),
    Column("expiring", "90天内到期", "int"),
    Column("expired", "已到期仍履行", "int"),
    Column("arrears_installments", "欠款期数", "int"),
    Column("arrears_amount", "欠款金额", "money"),  # the 全区 line is the total
]
_TOWN = Column("township", "乡镇", "pinyin-text", getter=lambda r: r.place.township)
_PLACE = Column("place", "组织", "pinyin-text", getter=lambda r: r.place.name)
FINDING_COLUMNS = [
    _TOWN, _PLACE,
    Column("number", "合同编号", getter=lambda r: r.finding.contract_number),
    Column("contract", "合同名称", "pinyin-text", getter=lambda r: r.finding.contract_name),
    Column("counterparty", "承包方", "pinyin-text", getter=lambda r: r.finding.counterparty_name),
    Column("rule", "问题", getter=lambda r: r.finding.rule_name),
    Column("message", "说明", getter=lambda r: r.finding.message),
    Column("status", "整改情况", getter=lambda r: r.finding.status),
]
EXPIRY_COLUMNS = [
    _TOWN, _PLACE,
    Column("number", "合同编号", getter=lambda r: r.contract.contract_number),
    Column("name", "合同名称", "pinyin-text", getter=lambda r: r.contract.name),
    Column("counterparty", "承包方", "pinyin-text", getter=lambda r: r.contract.counterparty_name),
    Column("end_date", "到期日", "date", getter=lambda r: r.contract.end_date),
    Column("days_left", "剩余天数", "int", getter=lambda r: r.contract.days_left),
    Column("bucket", "分类", getter=lambda r: r.contract.bucket),
]
ARREARS_COLUMNS = [
    _TOWN, _PLACE,
    Column("number", "合同编号", getter=lambda r: r.installment.contract_number),
    Column("counterparty", "承包方", "pinyin-text", getter=lambda r: r.installment.counterparty_name),
    Column("seq", "期次", "int", getter=lambda r: r.installment.seq),
    Column("due_date", "应收日期", "date", getter=lambda r: r.installment.due_date),
    Column("amount", "应收", "money", total=True, getter=lambda r: r.installment.amount),
    Column("received", "已收", "money", total=True, getter=lambda r: r.installment.received),
    Column("outstanding", "欠款", "money", total=True, getter=lambda r: r.installment.outstanding),
    Column("days_overdue", "逾期天数", "int", getter=lambda r: r.installment.days_overdue),
    Column("bucket", "账龄", getter=lambda r: r.installment.bucket),
]


def finding_kind(rule_name: str) -> str:
    """The proposal kind a compliance finding suggests (the officer can change it)."""
    for words, kind in ((("欠",), "合同欠款"), (("到期", "期限", "超过"), "合同超期"),
                        (("程序", "备案", "书面", "四议", "公开"), "手续不全")):
        if any(w in rule_name for w in words):
            return kind
    return "其他"


class DistrictContractsPage(DistrictPage):
    report = "contracts"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setWindowTitle("合同监管")
        self.town_model, self.town_view = make_table(ctx, TOWN_COLUMNS, "district_contract_towns", "contract_towns")
        self.finding_model, finding_view = make_table(ctx, FINDING_COLUMNS, "district_findings", "contract_findings")
        self.expiry_model, expiry_view = make_table(ctx, EXPIRY_COLUMNS, "district_expiring", "contract_expiring")
        self.arrears_model, arrears_view = make_table(ctx, ARREARS_COLUMNS, "district_arrears", "contract_arrears")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("contract_tabs")
        self.tabs.addTab(finding_view, "合规审查发现")
        self.tabs.addTab(expiry_view, "到期合同")
        self.tabs.addTab(arrears_view, "欠款")
        self.views = (finding_view, expiry_view, arrears_view)
        self.propose_button = QPushButton("提出更正建议…")
        self.propose_button.setObjectName("contract_propose")
        self.propose_button.setToolTip("对所选行的合同提出更正建议，随下次同步包送达该乡镇")
        self.propose_button.clicked.connect(self.propose)
        self.head.insertWidget(self.head.count() - 2, self.propose_button)
        split = QSplitter(Qt.Orientation.Vertical)
        self.town_box = boxed("各乡镇", self.town_view)
        split.addWidget(self.town_box)
        split.addWidget(self.tabs)
        split.setSizes([220, 520])
        self.body.addWidget(split, 1)
        self.reload()

    def as_of(self) -> date:
        """The year's end for a past year; today for the current one."""
        today = date.today()
        return today if self.year() >= today.year else date(self.year(), 12, 31)

    def reload(self) -> None:
        report: Any = self.read(contract_oversight, self.as_of())
        self.town_model.set_rows([*report.townships, report.district])
        self.finding_model.set_rows(report.findings)
        self.expiry_model.set_rows(report.expiring)
        self.arrears_model.set_rows(report.arrears)
        self.town_box.setTitle(f"各乡镇合同监管（截至 {report.as_of:%Y-%m-%d}）")
        for i, (text, n) in enumerate([("合规审查发现", len(report.findings)), ("到期合同", len(report.expiring)),
                                       ("欠款", len(report.arrears))]):
            self.tabs.setTabText(i, f"{text}（{n}）")


    def selected_contract(self) -> tuple[Any, str, str] | None:
        """(contract id, proposal kind, suggested text) of the selected line of the current tab."""
        line = self.views[self.tabs.currentIndex()].current_row()
        if line is None:
            return None
        if hasattr(line, "finding"):
            f = line.finding
            return f.contract_id, finding_kind(f.rule_name), f"{f.rule_name}：{f.message}"
        if hasattr(line, "contract"):
            c = line.contract
            return c.contract_id, "合同超期", f"合同{c.bucket}（到期日 {c.end_date:%Y-%m-%d}），请续签、终止或说明"
        i = line.installment
        return (i.contract_id, "合同欠款",
                f"第 {i.seq} 期租金（应收日 {i.due_date:%Y-%m-%d}）欠款 {i.outstanding:,.2f} 元，逾期 {i.days_overdue} 天，请催收")

    def propose(self) -> None:
        picked = self.selected_contract()
        if picked is None:
            show_user_error(self, "请先在下方选中一行（审查发现、到期合同或欠款）")
            return
        contract_id, kind, text = picked
        try:
            target = self.read(proposal_svc.target_of, "contract", contract_id)
        except UserError as exc:
            show_user_error(self, exc)
            return
        propose_dialog(self.ctx, self, target, kind=kind, text=text)


PAGE = PageSpec("district_contracts", "合同监管", 5, DistrictContractsPage, site="district")
