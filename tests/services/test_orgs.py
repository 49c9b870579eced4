"""Organisations, books and charts through the services, on a real database file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Account, Book, ChangeLog, Organisation
from desktop_app.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from desktop_app.core.services.orgs import (
    add_sub_account,
    create_book,
    create_organisation,
    create_region,
    find_organisation,
    list_accounts,
    list_organisations,
)
from desktop_app.core.services.users import create_user
from tests.acting import keeper

GOOD = {"name": "石桥村股份经济合作社", "level": "村", "uscc": "N2320115MF00000121", "region_code": "320115106201"}


@pytest.fixture
def regions(db):
    with db.begin() as s:
        for code, name in (("320115000000", "江宁区"), ("320115106000", "阳光街道"), ("320115106201", "石桥村")):
            create_region(s, code=code, name=name, user=keeper(s))
    return db


def org_count(db) -> int:
    with db.begin() as s:
        return s.scalar(select(func.count()).select_from(Organisation))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"uscc": "N2320115MF00000122"}, "统一社会信用代码", "校验位错误"),
        ({"level": "组"}, "统一社会信用代码", "N1"),  # N2 code on a 组-level organisation
        ({"uscc": "91350100M000100Y43"}, "统一社会信用代码", "N2"),  # a company code for a village
        ({"region_code": "32011510620"}, "区划代码", "12位"),
        ({"region_code": "320115106299"}, "区划代码", "不存在"),
        ({"name": "  "}, "名称", "不能为空"),
        ({"level": "县"}, "层级", "组、村 或 乡镇"),
    ],
)
def test_bad_organisation_is_refused_naming_the_field_and_nothing_written(regions, changes, field, message) -> None:
    before = org_count(regions)
    with pytest.raises(ValidationError if field != "区划代码" or "不存在" not in message else NotFoundError) as info, \
            regions.begin() as s:
        create_organisation(s, **{**GOOD, **changes}, user=keeper(s))
    assert info.value.field == field
    assert message in info.value.message
    assert org_count(regions) == before


def test_duplicate_uscc_is_refused(regions) -> None:
    with regions.begin() as s:
        create_organisation(s, **GOOD, user=keeper(s))
    with pytest.raises(ConflictError, match="已被其他组织使用"), regions.begin() as s:
        create_organisation(s, **{**GOOD, "name": "另一个"}, user=keeper(s))
    assert org_count(regions) == 1


def test_find_by_uscc_or_region_code(regions) -> None:
    with regions.begin() as s:
        org = create_organisation(s, **GOOD, user=keeper(s))
        assert find_organisation(s, "n2320115mf00000121").id == org.id
        assert find_organisation(s, "320115106201").id == org.id
        assert list_organisations(s)[0].township_name == "阳光街道"
        with pytest.raises(NotFoundError):
            find_organisation(s, "320115106202")


def test_book_gets_its_chart_and_sub_accounts(regions) -> None:
    with regions.begin() as s:
        org = create_organisation(s, **GOOD, user=keeper(s))
        book = create_book(s, organisation_id=org.id, name="石桥村股份经济合作社", kind="股份经济合作社",
                           start_period="2024-01", user=keeper(s))
        accounts = {a.code: a for a in list_accounts(s, book.id)}
        assert sum(1 for a in accounts.values() if a.level == 1) == 42
        assert accounts["152"].normal_side == "贷" and accounts["101"].name == "库存现金"
        assert not accounts["322"].is_leaf and accounts["32201"].is_leaf
        clerk = create_user(s, username="k", display_name="王会计", password="123456", roles=["bookkeeper"])
        viewer = create_user(s, username="j", display_name="赵监督", password="123456", roles=["supervisor"])
        with pytest.raises(PermissionDenied):
            add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商银行基本户", user=viewer)
        sub = add_sub_account(s, book_id=book.id, parent_code="102", code="10201", name="农商银行基本户", user=clerk)
        assert sub.level == 2 and not sub.is_standard
        assert not next(a for a in list_accounts(s, book.id) if a.code == "102").is_leaf
        with pytest.raises(ValidationError, match="上级科目编码"):
            add_sub_account(s, book_id=book.id, parent_code="102", code="1021", name="x", user=clerk)
        n_changes = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "account"))
        assert n_changes == len(accounts) + 1  # bulk-seeded accounts are in the change log too


def test_2023_book_cannot_start_before_2024_and_2004_book_can(regions) -> None:
    with regions.begin() as s:
        org = create_organisation(s, **GOOD, user=keeper(s))
        with pytest.raises(ValidationError, match="2024") as info:
            create_book(s, organisation_id=org.id, name="x", kind="股份经济合作社", start_period="2023-01", user=keeper(s))
        assert info.value.field == "启用期间"
        old = create_book(s, organisation_id=org.id, name="旧账", kind="股份经济合作社", start_period="2020-01",
                          chart_version="2004", user=keeper(s))
        codes = {a.code: a.name for a in list_accounts(s, old.id)}
        assert codes["153"] == "固定资产清理" and codes["202"] == "应付款"
        assert s.scalar(select(func.count()).select_from(Book)) == 1
        assert s.scalar(select(func.count()).select_from(Account).where(Account.book_id == old.id)) == len(codes)


def test_demo_has_valid_distinct_organisations(demo_db) -> None:
    with demo_db.begin() as s:
        orgs = list_organisations(s)
    assert len(orgs) == 7  # township + 6 villages
    assert len({o.uscc for o in orgs}) == 7
    assert all(o.uscc.startswith("N2") for o in orgs if o.level == "村")


VILLAGE_COMMITTEE = "54320115MF00001236"  # a 村民委员会's own code (民政, 54…)


def test_each_book_has_its_own_credit_code(regions) -> None:
    from db.models import AuditEntry
    from desktop_app.core.services.orgs import book_credit_code, update_book

    with regions.begin() as s:
        org = create_organisation(s, **GOOD, user=keeper(s))
        coop = create_book(s, organisation_id=org.id, name="石桥村股份经济合作社", kind="股份经济合作社",
                           start_period="2024-01", user=keeper(s))
        vc = create_book(s, organisation_id=org.id, name="石桥村村民委员会", kind="村民委员会",
                         start_period="2024-01", credit_code=" 54320115mf00001236 ", user=keeper(s))
        assert book_credit_code(s, coop.id) == GOOD["uscc"]  # the organisation's own book: its code
        assert book_credit_code(s, vc.id) == VILLAGE_COMMITTEE  # never the cooperative's
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
        update_book(s, vc.id, credit_code="", user=keeper(s))
        assert book_credit_code(s, vc.id) is None  # nothing recorded: nothing borrowed either
        update_book(s, vc.id, credit_code=VILLAGE_COMMITTEE, user=keeper(s))
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits + 2
        assert s.get(Book, vc.id).credit_code == VILLAGE_COMMITTEE


@pytest.mark.parametrize(("kind", "code", "message"), [
    ("村民委员会", "N2320115MF0000099Y", "54 开头"),  # an N2 code is a cooperative's, not a committee's
    ("村民委员会", "54320115MF00001237", "校验位错误"),
    ("股份经济合作社", VILLAGE_COMMITTEE, "N2"),
    ("村民委员会", GOOD["uscc"], "54 开头"),
])
def test_bad_book_credit_code_is_refused_and_nothing_changes(regions, kind, code, message) -> None:
    from desktop_app.core.services.orgs import update_book

    with regions.begin() as s:
        org = create_organisation(s, **GOOD, user=keeper(s))
        book = create_book(s, organisation_id=org.id, name="账", kind=kind, start_period="2024-01", user=keeper(s))
    with pytest.raises(ValidationError, match=message) as info, regions.begin() as s:
        update_book(s, book.id, credit_code=code, user=keeper(s))
    assert info.value.field == "账套单位统一社会信用代码"
    with regions.begin() as s:
        assert s.get(Book, book.id).credit_code is None
        with pytest.raises(ValidationError, match=message):
            create_book(s, organisation_id=org.id, name="另一账", kind=kind, start_period="2024-01", credit_code=code, user=keeper(s))
