"""成员名册 and 股份登记簿: bad data refused in Chinese naming the field, nothing written; search; history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, Member, ShareEvent
from desktop_app.core.errors import UserError
from desktop_app.core.ids import make_ric
from desktop_app.core.services.members import (
    add_member,
    find_duplicate_rics,
    list_households,
    list_members,
    member_history,
    record_membership_event,
)
from desktop_app.core.services.shares import (
    adjust_shares,
    household_certificate,
    list_holdings,
    list_share_types,
    share_history,
    transfer_shares,
)

from .conftest import Village

GOOD = make_ric("320115", date(1980, 5, 6), 123)


def _counts(v: Village) -> tuple[int, int]:
    with v.db.begin() as s:
        return (s.scalar(select(func.count()).select_from(Member)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize(("ric", "field", "words"), [
    (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "身份证号", "校验位错误"),
    (make_ric("320115", date(1990, 1, 1), 5)[:6] + "20301231" + "0051", "身份证号", None),
    ("32011519800506", "身份证号", "应为18位"),
])
def test_bad_id_numbers_are_refused_and_nothing_is_written(village: Village, ric: str, field: str,
                                                          words: str | None) -> None:
    before = _counts(village)
    with village.db.begin("test") as s, pytest.raises(UserError) as err:
        add_member(s, organisation_id=village.org.id, household_id=village.households["001"], name="张三",
                   ric=ric, relation="子", user=village.user)
    assert err.value.field == field
    if words:
        assert words in err.value.message
    assert _counts(village) == before


def test_birth_date_in_the_future_is_refused(village: Village) -> None:
    future = make_ric("320115", date(2030, 1, 1), 11)
    with village.db.begin("test") as s, pytest.raises(UserError, match="出生日期晚于今天") as err:
        add_member(s, organisation_id=village.org.id, household_id=village.households["001"], name="张未来",
                   ric=future, relation="子", today=date(2026, 11, 23), user=village.user)
    assert err.value.field == "身份证号"


def test_duplicate_id_within_the_organisation_is_refused(village: Village) -> None:
    with village.db.begin() as s:
        existing = list_members(s, village.org.id, text="张建国")[0].ric
    before = _counts(village)
    with village.db.begin("test") as s, pytest.raises(UserError, match="同一组织内不能重复") as err:
        add_member(s, organisation_id=village.org.id, household_id=village.households["002"], name="张冒名",
                   ric=existing.lower(), relation="子", user=village.user)
    assert err.value.field == "身份证号"
    assert _counts(village) == before


def test_negative_share_count_is_refused(village: Village) -> None:
    with village.db.begin() as s:
        rk = next(t.id for t in list_share_types(s, village.org.id) if t.name == "人口股")
        events = s.scalar(select(func.count()).select_from(ShareEvent))
    with village.db.begin("test") as s, pytest.raises(UserError, match="股数不能为负数") as err:
        adjust_shares(s, member_id=village.members["张小明"], share_type_id=rk, new_shares=D("-1"),
                      event_date=date(2026, 3, 1), basis="决议", user=village.user)
    assert err.value.field == "股数"
    with village.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(ShareEvent)) == events


def test_search_by_name_pinyin_initials_id_and_household(village: Village) -> None:
    with village.db.begin() as s:
        assert [m.name for m in list_members(s, village.org.id, text="zjg")] == ["张建国"]
        assert [m.name for m in list_members(s, village.org.id, text="wanghai")] == ["王海军"]
        ric = list_members(s, village.org.id, text="刘德明")[0].ric
        assert [m.name for m in list_members(s, village.org.id, text=ric[-6:])] == ["刘德明"]
        assert {m.name for m in list_members(s, village.org.id, text="002")} == {"王海军", "赵红梅"}
        households = list_households(s, village.org.id)
    assert [(h.number, h.head_name, h.members, h.shares) for h in households] == [
        ("001", "张建国", 3, D("4")), ("002", "王海军", 2, D("3")), ("003", "刘德明", 1, D("1.5"))]


def test_static_shares_inheritance_and_history(village: Village) -> None:
    with village.db.begin("test") as s:
        rk = next(t.id for t in list_share_types(s, village.org.id) if t.name == "人口股")
        with pytest.raises(UserError, match="未登记死亡"):
            transfer_shares(s, kind="继承", from_member_id=village.members["张建国"],
                            to_member_id=village.members["张小明"], share_type_id=rk, shares=D("1"),
                            event_date=date(2026, 5, 1), basis="继承公证", user=village.user)
    with village.db.begin("test") as s:
        record_membership_event(s, village.members["张建国"], kind="死亡", event_date=date(2026, 4, 1),
                                basis="死亡证明", user=village.user)
        transfer_shares(s, kind="继承", from_member_id=village.members["张建国"],
                        to_member_id=village.members["张小明"], share_type_id=rk, shares=D("1"),
                        event_date=date(2026, 5, 1), basis="继承公证", user=village.user)
        with pytest.raises(UserError, match="同一户"):
            transfer_shares(s, kind="户内赠与", from_member_id=village.members["张小明"],
                            to_member_id=village.members["王海军"], share_type_id=rk, shares=D("0.5"),
                            event_date=date(2026, 5, 2), basis="赠与协议", user=village.user)
    with village.db.begin() as s:
        holdings = {h.name: h for h in list_holdings(s, village.org.id, include_zero=True)}
        assert holdings["张小明"].by_type == (("人口股", D("2")), ("农龄股", D("0")))
        assert holdings["张建国"].total == D("0.5")
        assert [e.kind for e in member_history(s, village.members["张建国"])] == ["确认", "死亡"]
        kinds = [e.kind for e in share_history(s, village.org.id, village.members["张小明"])]
        assert kinds == ["初始登记", "继承"]
        cert = household_certificate(s, village.households["001"])
        assert cert.total == D("4") and cert.type_names == ("人口股", "农龄股")


def test_duplicate_ids_across_organisations(village: Village) -> None:
    with village.db.begin() as s:
        assert find_duplicate_rics(s) == []
        assert find_duplicate_rics(s, village.org.id) == []


def test_a_refused_share_change_leaves_the_holdings_untouched(village: Village) -> None:
    with village.db.begin("test") as s:
        rk = next(t.id for t in list_share_types(s, village.org.id) if t.name == "人口股")
        before = {h.name: h.total for h in list_holdings(s, village.org.id, include_zero=True)}
        with pytest.raises(UserError, match="不能晚于今天"):
            transfer_shares(s, kind="户内赠与", from_member_id=village.members["张建国"],
                            to_member_id=village.members["张小明"], share_type_id=rk, shares=D("1"),
                            event_date=date(2999, 1, 1), basis="赠与协议", user=village.user)
        assert not s.dirty  # nothing was changed before the date was checked
        assert {h.name: h.total for h in list_holdings(s, village.org.id, include_zero=True)} == before
