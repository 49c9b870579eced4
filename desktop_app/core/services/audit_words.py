"""The Chinese words of the 审计日志: what each kind of change (``action``) and each object (``entity``,
the table name a service audits) is called, and the before/after fields a detail names. An action or
object not listed shows its code (a later area adds its words here)."""

from __future__ import annotations

__all__ = ["ACTIONS", "ACTION_ON", "ENTITIES", "FIELD_LABELS", "action_word", "entity_word"]

ACTIONS: dict[str, str] = {
    "create": "新增", "update": "修改", "delete": "删除", "login": "登录", "login_failed": "登录失败",
    "approve": "审批", "bulk_post": "批量记账", "cancel": "撤销", "close": "结账", "reopen": "反结账",
    "dispose": "处置", "generate": "生成", "import": "导入", "issue": "开具", "match": "勾对",
    "unmatch": "取消勾对", "payout": "发放", "post": "记账", "print": "打印", "publicise": "公示",
    "recognise": "确认收入", "reconcile": "标记已对账", "unreconcile": "取消已对账", "renew": "续签",
    "reveal": "查看身份证号", "reverse": "红字冲销", "review": "审核", "unreview": "取消审核",
    "seal": "存证", "status": "变更状态", "void": "作废", "sync_export": "导出同步包",
    "sync_import": "导入同步包", "sync_trust": "信任同步对象", "share_register": "股份初始登记",
    "share_inherit": "股份继承", "share_gift": "股份户内赠与", "share_adjust": "股份决议调整",
}
# the word an action takes on one kind of object, where the general one is wrong
ACTION_ON: dict[tuple[str, str], str] = {("post", "disclosure"): "公布"}

ENTITIES: dict[str, str] = {
    "account": "科目", "app_user": "用户", "asset": "资产", "asset_adjustment": "资产价值调整",
    "asset_attachment": "资产附件", "asset_disposal": "资产处置", "asset_workload": "资产工作量",
    "backup_setting": "备份设置", "bank_match": "银行勾对", "bank_reconciliation": "银行对账",
    "bank_statement_line": "银行对账单", "book": "账套", "book_setting": "账套设置", "budget_line": "财务计划",
    "contract": "合同", "contract_attachment": "合同附件", "contract_deposit": "合同保证金",
    "contract_filing": "合同备案", "contract_finding": "合同审查意见", "contract_procedure": "合同民主程序",
    "contract_receipt": "合同收款", "contract_recognition": "合同收入确认", "contract_reference_price": "合同参考价",
    "contract_rule_setting": "合同规则设置", "depreciation_run": "计提折旧", "disclosure": "财务公开",
    "disclosure_setting": "财务公开设置", "distribution_plan": "收益分配方案", "distribution_setting": "收益分配设置",
    "district_setting": "区级设置", "dividend_deduction": "分红扣款", "household": "户", "member": "成员",
    "opening_balance": "期初余额", "organisation": "组织", "period": "会计期间", "project": "项目",
    "proposal": "更正建议", "proposal_answer": "更正建议答复", "receipt_slip": "收款收据", "region": "区划",
    "resource_parcel": "资源地块", "sealed_document": "存证文件", "share_event": "股份变动",
    "share_type": "股份类型", "site": "本机站点", "stocktake": "资产清查", "stocktake_line": "资产清查明细",
    "sync_inbox": "同步接收", "sync_outbox": "同步发送", "sync_partner": "同步对象", "voucher": "凭证",
}

# the before/after fields a detail names in Chinese (others show their code)
FIELD_LABELS: dict[str, str] = {
    "name": "名称", "code": "编号", "number": "编号", "amount": "金额", "status": "状态", "kind": "类别",
    "book_id": "账套", "organisation_id": "组织", "region_id": "区划", "contract_id": "合同", "voucher_id": "凭证",
    "member_id": "成员", "household_id": "户", "asset_id": "资产", "project_id": "项目", "account_id": "科目",
    "ric": "身份证号", "id_number": "证件号码", "phone": "电话", "birth_date": "出生日期", "sex": "性别",
    "address": "地址", "note": "备注", "summary": "摘要", "date": "日期", "period": "期间", "deleted": "已删除",
    "rev": "版本", "origin": "来源", "updated_at": "修改时间", "id": "标识", "username": "用户名",
    "display_name": "姓名", "roles": "角色", "active": "启用", "uscc": "统一社会信用代码", "level": "层级",
    "legal_rep": "法定代表人", "chart_version": "会计制度", "credit_code": "信用代码", "category": "类别",
    "acquired_on": "取得日期", "acquisition_mode": "取得方式", "area_m2": "面积（平方米）", "area_mu": "面积（亩）",
    "custodian": "保管人", "disposed_on": "处置日期", "first_period": "开始期间", "funding_source": "资金来源",
    "location": "坐落", "original_value": "原值", "salvage_rate": "残值率", "useful_months": "使用月数",
    "payer": "交款人", "collector": "收款人", "purpose": "事由", "method": "收款方式", "issued_on": "开具日期",
    "received_on": "收款日期", "print_count": "打印次数", "seq": "序号", "budget": "预算", "applied_on": "申报日期",
    "completed_on": "完工日期", "head_name": "户主", "group_name": "组别", "relation": "与户主关系",
    "certificate_no": "股权证号", "bank_tail": "银行卡尾号", "shares": "股数", "total": "合计", "count": "数量",
    "reason": "原因", "file": "文件", "document": "文件", "where": "查看处", "members": "成员", "reviewer": "审核人",
    "seal_hash": "封存哈希", "account": "科目", "lines": "分录", "flags": "标记", "attachments": "附件数",
    "signed_on": "签订日期", "start_on": "开始日期", "end_on": "结束日期", "rent": "租金", "joined_on": "迁入日期",
    "left_on": "迁出日期", "confirmed_on": "确认日期", "debit": "借方", "credit": "贷方", "voucher": "凭证",
    "assets": "资产数", "periods": "期间",
}


def action_word(action: str, entity: str) -> str:
    return ACTION_ON.get((action, entity)) or ACTIONS.get(action, action)


def entity_word(entity: str) -> str:
    return ENTITIES.get(entity, entity)
