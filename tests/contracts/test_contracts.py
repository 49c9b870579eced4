"""The register: bad input refused in Chinese naming the field with nothing written; edits,
renewal chain, search, procedure/filing/attachments, audit."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, ChangeLog, Contract, ContractCounterparty, ContractInstallment
from desktop_app.core.errors import ConflictError, NotFoundError, UserError, ValidationError
from desktop_app.core.services.contract_queries import installment_rows
from desktop_app.core.services.contract_records import add_attachment, add_filing, add_procedure
from desktop_app.core.services.contracts import (
    create_contract,
    get_contract,
    list_contracts,
    renew_contract,
    update_contract,
)
from desktop_app.core.services.receipts import record_receipt
from tests.contracts.conftest import Env


def _counts(env: Env) -> tuple[int, ...]:
    with env.db.begin() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (Contract, ContractCounterparty, ContractInstallment, AuditEntry, ChangeLog))


@pytest.mark.parametrize(("overrides", "error", "field", "text"), [
    ({"end_date": date(2025, 12, 31)}, ValidationError, "终止日期", "早于起始日期"),
    ({"annual_rent": D("-100.00")}, ValidationError, "年租金", "负数"),
    ({"annual_rent": "12000.005"}, ValidationError, "年租金", "两位小数"),
    ({"counterparty_id_number": "110105194912310021"}, ValidationError, "承包方身份证号", "校验位"),
    ({"counterparty_kind": "单位", "counterparty_id_number": "91350100M000100Y44"}, ValidationError,
     "承包方统一社会信用代码", "校验位"),
    ({"parcel_id": uuid.UUID(int=12345)}, NotFoundError, "资源地块", "找不到"),
    ({"asset_id": uuid.UUID(int=12345)}, NotFoundError, "资产", "找不到"),
    ({"kind": "买卖"}, ValidationError, "合同类型", "无效"),
    ({"payment_mode": "月付"}, ValidationError, "付款方式", "无效"),
    ({"price_basis": "单价", "unit_price": "500"}, ValidationError, "面积（亩）", "必须填写面积"),
    ({"number": " "}, ValidationError, "合同编号", "不能为空"),
])
def test_bad_input_is_refused_and_nothing_written(env: Env, overrides: dict[str, Any], error: type[UserError],
                                                  field: str, text: str) -> None:
    before = _counts(env)
    with pytest.raises(error) as e, env.db.begin() as s:
        create_contract(s, env.contract(**overrides), user=env.user)
    assert e.value.field == field and text in str(e.value)
    assert field in str(e.value)  # the message names the field
    assert _counts(env) == before


def test_duplicate_number_within_the_organisation(env: Env) -> None:
    env.create(number="HT-9")
    before = _counts(env)
    with pytest.raises(ConflictError, match="合同编号 HT-9 在本组织已存在") as e, env.db.begin() as s:
        create_contract(s, env.contract(number="HT-9", counterparty_name="李四", counterparty_id_number=None), user=env.user)
    assert e.value.field == "合同编号" and _counts(env) == before


def test_create_writes_schedule_audit_and_change_log(env: Env) -> None:
    before = _counts(env)
    cid = env.create(price_basis="单价", unit_price="800", area_mu="12.5", land_class="耕地", annual_rent=None,
                     start_date=date(2026, 3, 1), end_date=date(2028, 2, 29))
    after = _counts(env)
    assert after[0] - before[0] == 1 and after[1] - before[1] == 1
    assert after[2] - before[2] == 3  # 2026 (partial), 2027, 2028 (partial)
    assert after[3] - before[3] == 1 and after[4] > before[4]
    with env.db.begin() as s:
        row = get_contract(s, cid)
    assert row.annual_rent == D("10000.00") and row.area_mu == D("12.5000") and row.term_years == D("2.00")


def test_update_rebuilds_schedule_until_money_is_received(env: Env) -> None:
    cid = env.create()
    with env.db.begin() as s:
        update_contract(s, cid, env.contract(payment_mode="季付", end_date=date(2026, 12, 31)), user=env.user)
        assert len(installment_rows(s, [cid], date(2026, 1, 1))) == 4
        record_receipt(s, cid, received_on=date(2026, 1, 5), amount="100", method="现金", user=env.user)
    with pytest.raises(ConflictError, match="已有收款") as e, env.db.begin() as s:
        update_contract(s, cid, env.contract(annual_rent=D("20000.00"), payment_mode="季付", end_date=date(2026, 12, 31)), user=env.user)
    assert e.value.field == "年租金"
    with env.db.begin() as s:  # non-term fields can still change
        assert update_contract(s, cid, env.contract(name="鱼塘承包合同（补充）", payment_mode="季付",
                                                    end_date=date(2026, 12, 31)), user=env.user).name == "鱼塘承包合同（补充）"


def test_renewal_chain_search_and_records(env: Env) -> None:
    old = env.create(number="HT-1", end_date=date(2026, 12, 31))
    with env.db.begin() as s:
        with pytest.raises(ValidationError, match="应晚于原合同终止日期"):
            renew_contract(s, old, env.contract(number="HT-2", start_date=date(2026, 6, 1)), user=env.user)
    with env.db.begin() as s:
        new = renew_contract(s, old, env.contract(number="HT-2", start_date=date(2027, 1, 1), end_date=date(2031, 12, 31)), user=env.user)
        add_procedure(s, new.id, step="村民代表会议决议", meeting_date=date(2026, 11, 20), resolution_no="东湖村决〔2026〕7号", user=env.user)
        filed = add_filing(s, new.id, filed_on=date(2026, 12, 1), filing_no="备2026-031", user=env.user)
        att = add_attachment(s, new.id, file_name="合同扫描件.pdf", content=b"%PDF-1.4 scan", user=env.user)
        assert get_contract(s, old).status == "到期"
        found = list_contracts(s, env.org.id, text="zs")  # 张三 by pinyin initials
    assert new.renewal_of_id == old and filed.procedure_count == 1 and filed.filed_on == date(2026, 12, 1)
    assert att.sha256 == hashlib.sha256(b"%PDF-1.4 scan").hexdigest() and att.size == 13
    assert {r.number for r in found} == {"HT-1", "HT-2"}
