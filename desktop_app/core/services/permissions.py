"""Who may do what, named once: the role sets the services check (``require_role``) and the
GUI gates its buttons with (``ui/permissions.gate``), so the two cannot drift apart.

A test (tests/ui/test_permissions_roles.py) calls each service as each role and fails when a
set here and the service's check disagree.
"""

from __future__ import annotations

from desktop_app.core.services.auth import role_labels

Roles = tuple[str, ...]

# 填制/修改/作废/红字冲销 a voucher, and everything that makes one (receipts, depreciation …)
MAKE_VOUCHER: Roles = ("bookkeeper", "reviewer", "sysadmin")
REVIEW_VOUCHER: Roles = ("reviewer",)  # 审核 / 取消审核
POST_VOUCHER: Roles = ("bookkeeper", "reviewer")  # 记账
CLOSE_PERIOD: Roles = ("bookkeeper", "reviewer")  # 结账
REOPEN_PERIOD: Roles = ("reviewer",)  # 反结账
SET_PLAN: Roles = ("bookkeeper", "reviewer")  # 年度财务计划
SET_OPENING: Roles = ("bookkeeper", "reviewer")  # 期初余额
ADD_SUB_ACCOUNT: Roles = ("bookkeeper", "sysadmin")  # 增设明细科目
APPROVE_STOCKTAKE: Roles = ("reviewer", "bookkeeper")  # 资产清查审批
# the township's records without a voucher of their own: organisations and books, members and
# shares, contracts, asset cards, disclosure settings. 监督 and 区级 only read them.
ENTER_RECORDS: Roles = ("bookkeeper", "reviewer", "sysadmin")
ANSWER_PROPOSAL: Roles = ("bookkeeper", "reviewer")  # 采纳/驳回 the district's 更正建议 (the books' keepers)
PROPOSE: Roles = ("district_admin",)  # 提出/撤回 an 更正建议 (the district's officers)
RECONCILE_BANK: Roles = ("bookkeeper", "reviewer")  # 银行对账: import statements, 勾对, mark 已对账
# 显示身份证: a member's full 身份证号 on screen (lists show first 6 + last 4), audited; the keepers of
# the member register only (监督 and 区级 see the masked number)
REVEAL_ID_NUMBER: Roles = ("bookkeeper", "reviewer", "sysadmin")
# 审计日志 (page, audit-log): those who check what is posted (监督) and the keepers of the books; the
# district's officers keep no village's trail (it never leaves the township's file)
VIEW_AUDIT: Roles = ("supervisor", "bookkeeper", "reviewer", "sysadmin")


def may(user_roles: Roles, roles: Roles) -> bool:
    """Whether a user holding ``user_roles`` may do what needs one of ``roles`` (none: anyone)."""
    return not roles or any(r in user_roles for r in roles)


def who_may(roles: Roles) -> str:
    """The tooltip of a button the user may not use: “仅限审核员使用”."""
    return f"仅限{role_labels(roles)}使用"
