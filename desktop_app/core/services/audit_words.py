"""The Chinese words of the 审计日志: what each kind of change (``action``) and each object (``entity``,
the table name a service audits) is called, and the before/after fields a detail names. An action or
object not listed shows its code (a later area adds its words here)."""

from __future__ import annotations

__all__ = ["ACTIONS", "ACTION_ON", "ENTITIES", "ENTITY_FIELD_LABELS", "FIELD_LABELS", "HIDDEN_FIELDS", "VALUE_WORDS",
           "action_word", "entity_word", "field_label"]

ACTIONS: dict[str, str] = {  # in the order the 操作 filter lists them: the everyday ones first
    "create": "新增", "update": "修改", "delete": "删除", "import": "导入", "generate": "生成",
    "review": "审核", "unreview": "取消审核", "post": "记账", "bulk_post": "批量记账", "bulk_make": "批量填制", "reverse": "红字冲销",
    "void": "作废", "cancel": "撤销", "close": "结账", "reopen": "反结账",
    "match": "勾对", "unmatch": "取消勾对", "reconcile": "标记已对账", "unreconcile": "取消已对账",
    "issue": "开具", "print": "打印", "approve": "审批", "publicise": "公示", "payout": "发放",
    "recognise": "确认收入", "renew": "续签", "status": "变更状态", "dispose": "处置", "seal": "存证",
    "share_register": "股份初始登记", "share_inherit": "股份继承", "share_gift": "股份户内赠与",
    "share_adjust": "股份决议调整", "login": "登录", "login_failed": "登录失败", "reveal": "查看身份证号",
    "sync_export": "导出同步包", "sync_import": "导入同步包", "sync_trust": "信任同步对象",
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
    "seal_hash": "封存校验码", "account": "科目", "lines": "分录", "flags": "标记", "attachments": "附件数",
    "signed_on": "签订日期", "start_on": "开始日期", "end_on": "结束日期", "rent": "租金", "joined_on": "迁入日期",
    "left_on": "迁出日期", "confirmed_on": "确认日期", "debit": "借方", "credit": "贷方", "voucher": "凭证",
    "assets": "资产数", "periods": "期间",
    # the rest of the tables' columns and the summaries services write as images
    "account_code": "科目", "accumulated": "累计折旧", "acquisition_voucher_id": "购置凭证", "adjusted": "调节后余额",
    "adjusted_balance": "调节后余额", "all_sealed": "全部已存证", "allocated_on": "分摊日期", "allocations": "收款分摊",
    "annual_rent": "年租金", "answered_at": "答复时间", "answered_by": "答复人", "approved_by": "批准人",
    "approved_on": "批准日期", "appropriation_voucher_id": "提取凭证", "balance": "余额", "bank_balance": "银行余额",
    "basis": "依据", "billing_align": "计费周期", "book_balance": "账面余额", "cash_available": "可用资金",
    "checking_body": "审核机构", "closed_at": "结账时间", "closed_by": "结账人", "consent": "本人同意",
    "content": "内容", "cost": "原值", "counterparty": "对方单位", "counterparty_id": "承包方",
    "current_year_income": "本年收益", "deadline_day": "截止日", "deadline_month": "截止月份", "decision": "答复结论",
    "deduction": "扣款", "deferred": "递延收入", "delta_accumulated": "累计折旧调整额", "delta_cost": "原值调整额",
    "deposit_required": "应收保证金", "description": "说明", "direction": "收支方向", "distributable": "可分配收益",
    "distributed_in_year": "本年已分配", "due_date": "应收日期", "due_days": "收款期限（天）", "east": "东至",
    "effective_on": "生效日期", "enabled": "启用", "end_date": "结束日期", "entry_id": "分录", "escalation_pct": "递增比例（%）",
    "escalation_years": "递增间隔（年）", "event_date": "变动日期", "excluded_land": "扣除土地补偿",
    "excluded_other": "扣除其他", "excluded_rent": "扣除租金", "exclusion_note": "扣除说明", "expenses": "处置费用",
    "failed_logins": "连续输错密码次数", "file_name": "文件名", "filed_on": "备案日期", "filed_with": "备案机关",
    "filing_no": "备案号", "final_amount": "决算金额", "final_on": "决算日期", "forbid_borrowing": "禁止举债分配",
    "found_on": "发现日期", "frequency": "公开频次", "from_member_id": "转出成员", "funding": "资金来源",
    "gain_loss": "处置损益", "generated_at": "生成时间", "generated_by": "生成人", "holdings": "持股记录数",
    "households": "户数", "in": "收入合计", "out": "支出合计", "installment_id": "应收期次", "is_standard": "标准科目",
    "key": "设置项", "known": "已导入过的笔数", "new": "新增笔数", "label": "名称", "land_class": "地类",
    "last_reopen_reason": "最近反结账原因", "last_reopened_at": "最近反结账时间", "last_reopened_by": "最近反结账人",
    "line": "行号", "line_date": "交易日期", "line_no": "行号", "locked_until": "暂停登录至", "maker_id": "制单人",
    "maker_name": "制单人", "matched_by": "勾对人", "media_type": "文件类型", "meeting_date": "会议日期",
    "members_amount": "分配给成员", "members_cap": "成员分配上限（%）", "message": "内容",
    "must_change_password": "须修改密码", "nature": "性质", "net": "实发", "new_life_months": "新使用月数",
    "new_residual_rate": "新残值率（%）", "normal_side": "余额方向", "north": "北至", "notes": "备注",
    "official_code": "合同编码", "on_date": "日期", "opening_accumulated": "期初累计折旧",
    "opening_undistributed": "年初未分配", "opening_workload": "期初已完成工作量", "operating_on": "投入使用日期",
    "ownership": "所有权", "paid_on": "发放日期", "pairs": "勾对笔数", "parcel_id": "地块", "parent_id": "上级",
    "payment_mode": "付款方式", "per_share": "每股分红", "period_end": "期末", "period_start": "期初",
    "poster_name": "记账人", "posted_at": "记账时间", "posted_by": "公布人", "posted_on": "公布日期",
    "poverty_alleviation": "扶贫资产", "precision": "精度", "preparer": "编制人", "price_basis": "计价方式",
    "price_per_mu": "每亩单价", "proceeds": "处置收入", "proposal_id": "更正建议", "proposed_at": "提出时间",
    "proposed_by": "提出人", "publicised_on": "公示日期", "quantity": "数量", "receipt_id": "收款",
    "receipt_no": "收据号", "receivable_code": "应收科目", "receiver": "领款人", "recognised": "已确认收入",
    "reconciled_at": "对账时间", "reconciled_by": "对账人", "rectification_note": "整改说明", "reference": "依据",
    "remainder": "余额", "renewal_of_id": "续签自", "reopen_count": "反结账次数", "reserve_floor": "公积公益金下限（%）",
    "reserve_rate": "公积公益金比例（%）", "residual_rate": "残值率（%）", "resolution_no": "决议编号",
    "resolution_text": "决议内容", "result": "结果", "reversal_of_id": "冲销的凭证", "reviewed_at": "审核时间",
    "reviewer_id": "审核人", "reviewer_name": "审核人", "roster_total": "名册合计", "rule_code": "规则",
    "share_type_id": "股份类型", "shares_detail": "股数明细", "size": "大小", "sort_order": "排序",
    "source": "来源", "source_id": "来源单据", "source_kind": "来源类别", "source_name": "来源文件",
    "source_row": "来源行", "south": "南至", "start_date": "开始日期", "start_period": "启用期间",
    "started_on": "开工日期", "statement_line_id": "对账单行", "status_after": "变动后状态", "step": "程序",
    "stocktake_id": "资产清查", "subject": "标的", "target_kind": "对象类别", "target_label": "对象",
    "tender_amount": "中标金额", "tender_method": "招标方式", "tender_on": "招标日期", "tender_winner": "中标单位",
    "terminated_on": "终止日期", "text": "内容", "title_no": "权证号", "to_member_id": "转入成员",
    "total_shares": "总股数", "total_workload": "总工作量", "unit": "计量单位", "unit_price": "单价",
    "updated_by": "修改人", "use_kind": "使用方式", "useful_life_months": "使用月数", "user_id": "用户",
    "value": "值", "village_id": "村", "village_name": "村", "void_reason": "作废原因", "votes": "表决情况",
    "voucher_date": "凭证日期", "welfare_rate": "福利费比例（%）", "west": "西至", "workload_unit": "工作量单位",
    "written": "书面合同", "year": "年度", "audit_n": "审计记录号", "target_id": "对象", "plan_id": "分配方案",
    "package_id": "同步包", "recipient": "接收方", "sender": "发送方", "partner": "同步对象", "site_id": "站点",
    "region_code": "区划代码", "content_sha256": "文件校验码", "times_generated": "生成次数", "pages": "页数",
    "period_code": "期间", "period_from": "起始期间", "period_to": "截止期间", "posted_until": "公布至",
    "params": "参数", "period_seal": "期间存证", "books_fingerprint": "账簿指纹", "computed_at": "计算时间",
    "excluded": "扣除", "params_json": "参数", "successor": "接替站点", "trusted_at": "信任时间",
    "trusted_by": "信任人", "retired_at": "停用时间", "stored_name": "存储文件名", "posting_days": "公开天数",
    "group_id": "勾对组", "bank": "开户行",
}

# a field an entity names differently from the general word
ENTITY_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("member", "name"): "姓名", ("member", "status"): "成员状态", ("household", "number"): "户号",
    ("household", "phone"): "联系电话", ("voucher", "number"): "凭证号", ("voucher", "date"): "凭证日期",
    ("voucher", "count"): "凭证张数", ("voucher", "status"): "凭证状态", ("period", "status"): "结账状态",
    ("app_user", "active"): "启用", ("contract", "counterparty_id"): "承包方", ("bank_match", "account"): "银行科目",
    ("bank_statement_line", "account"): "银行科目", ("depreciation_run", "total"): "折旧额合计",
    ("depreciation_run", "voucher"): "折旧凭证", ("member", "members"): "人数", ("member", "shares"): "总股数",
    ("asset", "method"): "折旧方法", ("asset", "status"): "资产状态", ("contract", "status"): "合同状态",
    ("organisation", "phone"): "办公电话", ("period", "period"): "会计期间",
}

# what is bookkeeping of the program, not of the change: left out of a detail
HIDDEN_FIELDS = frozenset({
    "id", "rev", "origin", "updated_at", "created_at", "row_hash", "sha256", "source_hash", "fingerprint",
    "password_hash", "enc_private", "enc_public", "sign_private", "sign_public", "prev_rev", "audit_hash",
    "stream_seq", "ranges_json", "report_json", "through_json", "changes_json", "row_id",
})

# stored codes shown as words, per field
VALUE_WORDS: dict[str, dict[str, str]] = {
    "status@period": {"open": "未结账", "closed": "已结账"},
    "normal_side": {"debit": "借", "credit": "贷", "D": "借", "C": "贷"},
    "direction": {"in": "收入", "out": "支出"},
    "billing_align": {"calendar": "按自然年度", "contract": "按合同年度"},  # the contract form's words
}


def field_label(entity: str, key: str) -> str:
    """The 字段 word of ``key`` in an image of ``entity`` (its code when no word is known)."""
    return ENTITY_FIELD_LABELS.get((entity, key)) or FIELD_LABELS.get(key, key)


def action_word(action: str, entity: str) -> str:
    return ACTION_ON.get((action, entity)) or ACTIONS.get(action, action)


def entity_word(entity: str) -> str:
    return ENTITIES.get(entity, entity)
