"""A contract's audit detail in words: its 承包方 is the 合同相对方 its ``counterparty_id`` names (the
schema's foreign key decides the table, not the column's name), its 计费周期 is the form's word
(not the stored code), and 递增比例 says it is a percentage."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from db.models import AuditEntry
from desktop_app.core.services import audit_trail
from desktop_app.core.services.users import create_user
from tests.contracts.conftest import Env


def test_a_contract_names_its_counterparty_and_its_billing_in_words(env: Env) -> None:
    env.create(billing_align="contract", escalation_pct=Decimal("5"), escalation_years=3)
    with env.db.begin("test") as s:
        supervisor = create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"])
    with env.db.read() as s:
        n = s.scalar(select(func.min(AuditEntry.n)).where(AuditEntry.entity == "contract",
                                                         AuditEntry.action == "create"))
        fields = {f.label: f.after for f in audit_trail.audit_detail(s, n, user=supervisor).fields}
    assert fields["承包方"] == "张三"
    assert fields["计费周期"] == "按合同年度"
    assert fields["递增比例（%）"] == "5"
