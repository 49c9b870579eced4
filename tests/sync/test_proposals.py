"""Correction proposals (issue #13) through the REAL export and import: the district proposes on a
township's voucher, contract and plan; the proposals travel down, wait in the township's queue,
the answers travel up; neither side can write the other's rows; a second township's import is
not disturbed by proposals about villages it does not hold."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.migrate import open_database
from db.models import (
    Book,
    ChangeLog,
    Contract,
    DistributionPlan,
    Organisation,
    Proposal,
    ProposalAnswer,
    Voucher,
)
from desktop_app.core.demo import build_demo
from desktop_app.core.errors import ConflictError, NotFoundError, UserError, ValidationError
from desktop_app.core.services import proposals as svc
from desktop_app.sync.district_guard import DISTRICT_REFUSAL, TOWNSHIP_REFUSAL
from tests.acting import keeper
from tests.sync.conftest import SyncPair, syncable_rows, trust_each_other

ANSWERER = "王会计（kuaiji）"  # the demo's 记账员 who answers: the acting user, named as the district reads it


def _carry(pair: SyncPair, src: Database, dst: Database) -> None:
    _out, report = pair.carry(src, dst)
    assert not report.problems, report.problems


@pytest.fixture
def synced(sync_pair: SyncPair) -> Iterator[SyncPair]:
    """The demo township's books already at the district."""
    _carry(sync_pair, sync_pair.town, sync_pair.district)
    yield sync_pair


def _first_village_targets(db: Database) -> tuple[str, str, str, int | None]:
    """(village id hex, a voucher "YYYY-MM-N", a contract number, a plan year or None) of the first
    village that has a voucher and a contract."""
    with db.read() as s:
        for org in s.scalars(select(Organisation).where(Organisation.level == "村").order_by(Organisation.uscc)):
            plan = s.scalar(select(DistributionPlan.year).where(DistributionPlan.organisation_id == org.id))
            contract = s.scalar(select(Contract.number).where(Contract.organisation_id == org.id).order_by(Contract.number))
            first = s.scalar(select(Voucher.period).join(Book, Book.id == Voucher.book_id)
                             .where(Book.organisation_id == org.id).order_by(Voucher.period))
            hits = svc.search_vouchers(s, org.id, first) if first else ()
            if contract and hits:
                return org.id.hex, f"{hits[0].period}-{hits[0].number}", contract, plan
    raise AssertionError("the demo has no village with a voucher and a contract")


def _propose(db: Database, org_hex: str, kind: str, ref: str, what: str, text: str) -> svc.ProposalRow:
    with db.begin("officer") as s:
        target = svc.find_target(s, uuid.UUID(hex=org_hex), kind, ref)
        return svc.propose(s, target, what, text, user=keeper(s, "district_admin", name="officer"))


def test_a_proposal_goes_down_and_its_answer_comes_up(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, voucher, contract, _year = _first_village_targets(district)
    p1 = _propose(district, org, "voucher", voucher, "科目用错", "村道维修应记入 公益支出，不是管理费用")
    p2 = _propose(district, org, "contract", contract, "合同超期", "合同已到期仍在收租，请续签或终止")
    p3 = _propose(district, org, "contract", contract, "手续不全", "缺少村民代表会议记录")
    assert (p1.status, p1.proposed_by, p1.village_name != "") == ("待答复", "officer", True)
    assert p1.target_label.startswith(f"{voucher[:4]}年")
    with district.read() as s:
        assert svc.pending_count(s) == 3
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "proposal")) == 3

    with town.read() as s:  # nothing yet at the township
        assert svc.list_proposals(s) == ()
    _carry(synced, district, town)
    with town.read() as s:
        queue = svc.list_proposals(s)
        assert {r.id for r in queue} == {p1.id, p2.id, p3.id}
        assert all(r.status == "待答复" and r.target_changed is False for r in queue)
        assert svc.pending_count(s) == 3
        assert {r.kind for r in queue} == {"科目用错", "合同超期", "手续不全"}

    with town.begin("会计李") as s:
        a1 = svc.answer(s, p1.short_id, accept=True, reference="2025年3月 记-0031 红字冲销并重新编制", user=keeper(s, "bookkeeper", "reviewer"))
        a2 = svc.answer(s, p2.id, accept=False, reason="已于上月续签，续签合同在备案中", user=keeper(s, "bookkeeper", "reviewer"))
    assert (a1.status, a1.reference, a1.answered_by) == ("已采纳", "2025年3月 记-0031 红字冲销并重新编制", ANSWERER)
    assert (a2.status, a2.reason) == ("已驳回", "已于上月续签，续签合同在备案中")
    with town.read() as s:
        assert svc.pending_count(s) == 1

    with district.read() as s:  # not yet carried
        assert {r.status for r in svc.list_proposals(s)} == {"待答复"}
    _carry(synced, town, district)
    with district.read() as s:
        rows = {r.id: r for r in svc.list_proposals(s)}
        assert rows[p1.id].status == "已采纳" and rows[p1.id].reference.startswith("2025年3月")
        assert rows[p2.id].status == "已驳回" and rows[p2.id].reason == "已于上月续签，续签合同在备案中"
        assert rows[p2.id].answered_by == ANSWERER and rows[p2.id].answered_at is not None
        assert rows[p3.id].status == "待答复"
        assert svc.pending_count(s) == 1
        assert [r.id for r in svc.list_proposals(s, status="已驳回")] == [p2.id]
        assert rows[p1.id].township  # the district lists the village's township

    # both sides hold the same proposal and answer rows; a second exchange changes nothing
    assert syncable_rows(town)["proposal"] == syncable_rows(district)["proposal"]
    assert syncable_rows(town)["proposal_answer"] == syncable_rows(district)["proposal_answer"]
    _carry(synced, district, town)
    assert syncable_rows(town)["proposal_answer"] == syncable_rows(district)["proposal_answer"]


def test_the_township_sees_that_the_target_changed_after_the_proposal(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, voucher, _contract, _year = _first_village_targets(district)
    p = _propose(district, org, "voucher", voucher, "摘要不清", "摘要请写明用途")
    _carry(synced, district, town)
    with town.begin("会计李") as s:
        v = s.get(Voucher, p.target_id)
        assert v is not None
        v.attachments += 1  # any local edit of the voucher
    with town.read() as s:
        assert svc.list_proposals(s)[0].target_changed is True
        assert svc.list_proposals(s)[0].changed_text == "建议提出后已修改"


def test_neither_side_writes_the_other_sides_rows(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, voucher, _contract, _year = _first_village_targets(district)
    p = _propose(district, org, "voucher", voucher, "金额有误", "金额与发票不符")
    _carry(synced, district, town)
    before = syncable_rows(town)

    with pytest.raises(UserError) as refused, town.begin("会计李") as s:  # a township edits the proposal
        row = s.get(Proposal, p.id)
        assert row is not None
        row.text = "改成别的"
    assert str(refused.value) == TOWNSHIP_REFUSAL
    with pytest.raises(UserError, match="区经管站在区级数据库中提出"), town.begin("会计李") as s:
        svc.propose(s, svc.target_of(s, "voucher", p.target_id), "其他", "乡镇自己提", user=keeper(s, "district_admin"))
    assert syncable_rows(town) == before  # nothing half-applied

    with town.begin("会计李") as s:
        svc.answer(s, p.id, accept=False, reason="金额无误，附件已补", user=keeper(s, "bookkeeper", "reviewer"))
    _carry(synced, town, district)
    d_before = syncable_rows(district)
    with pytest.raises(UserError) as refused, district.begin("officer") as s:  # the district edits the answer
        ans = s.scalars(select(ProposalAnswer)).one()
        ans.reason = "区里改的理由"
    assert str(refused.value) == DISTRICT_REFUSAL
    with pytest.raises(UserError, match="乡镇的数据库中答复"), district.begin("officer") as s:
        svc.answer(s, p.id, accept=True, user=keeper(s, "bookkeeper", "reviewer"))
    with pytest.raises(UserError) as refused, district.begin("officer") as s:  # own rows and books in one flush
        target = svc.find_target(s, p.village_id, "voucher", voucher)
        svc.propose(s, target, "其他", "再提一条", user=keeper(s, "district_admin"))
        v = s.get(Voucher, p.target_id)
        assert v is not None
        v.summary = "区里改摘要"
        s.flush()
    assert str(refused.value) == DISTRICT_REFUSAL
    assert syncable_rows(district) == d_before


def test_bad_proposals_and_answers_are_refused_whole(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, voucher, contract, _year = _first_village_targets(district)
    with district.read() as s:
        other_id, other_name = s.execute(select(Organisation.id, Organisation.name).where(
            Organisation.level == "村", Organisation.id != uuid.UUID(hex=org))).first()  # type: ignore[misc]
    for kind, ref, what, text, message in [
        ("voucher", "2025-13-1", "科目用错", "x", "年-月-号"),
        ("voucher", "2099-01-1", "科目用错", "x", "不存在"),
        ("contract", "没有这个编号", "合同超期", "x", "没有编号为"),
        ("plan", "二〇二五", "分配不当", "x", "以年度指定"),
        ("plan", "1999", "分配不当", "x", "没有1999年度"),
        ("contract", contract, "乱写的类别", "x", "建议类别应为"),
        ("contract", contract, "合同超期", "   ", "建议内容不能为空"),
        ("contract", contract, "合同超期", "长" * 501, "不能超过500个字"),
    ]:
        with pytest.raises(UserError, match=message):
            _propose(district, org, kind, ref, what, text)
    with pytest.raises(ValidationError, match="不属于"), district.begin("officer") as s:  # another village's voucher
        t = svc.find_target(s, uuid.UUID(hex=org), "voucher", voucher)
        svc.propose(s, svc.Target(t.kind, t.id, other_id, other_name, t.label, t.rev), "科目用错", "x", user=keeper(s, "district_admin"))
    with district.read() as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0

    p = _propose(district, org, "contract", contract, "合同超期", "请续签")
    _carry(synced, district, town)
    with pytest.raises(ValidationError, match="驳回理由不能为空"), town.begin("会计李") as s:
        svc.answer(s, p.id, accept=False, reason=" ", user=keeper(s, "bookkeeper", "reviewer"))
    with pytest.raises(ValidationError, match="无效"), town.begin("会计李") as s:
        svc.answer(s, "zz", accept=True, user=keeper(s, "bookkeeper", "reviewer"))
    with town.begin("会计李") as s:
        svc.answer(s, p.id, accept=True, user=keeper(s, "bookkeeper", "reviewer"))
    with pytest.raises(ConflictError, match="不能再次答复"), town.begin("会计李") as s:
        svc.answer(s, p.id, accept=False, reason="改主意", user=keeper(s, "bookkeeper", "reviewer"))
    with town.read() as s:
        assert s.scalar(select(func.count()).select_from(ProposalAnswer)) == 1


def test_a_withdrawn_proposal_leaves_the_queue(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, _voucher, contract, _year = _first_village_targets(district)
    p = _propose(district, org, "contract", contract, "合同超期", "请续签")
    _carry(synced, district, town)
    with district.begin("officer") as s:
        svc.withdraw(s, p.short_id, user=keeper(s, "district_admin", name="officer"))
    with district.read() as s:
        assert svc.list_proposals(s) == ()
    _carry(synced, district, town)
    with town.read() as s:
        assert svc.list_proposals(s) == () and svc.pending_count(s) == 0


def test_an_answered_proposal_cannot_be_withdrawn(synced: SyncPair) -> None:
    town, district = synced.town, synced.district
    org, _voucher, contract, _year = _first_village_targets(district)
    p = _propose(district, org, "contract", contract, "合同超期", "请续签")
    _carry(synced, district, town)
    with town.begin("会计李") as s:
        svc.answer(s, p.id, accept=True, user=keeper(s, "bookkeeper", "reviewer"))
    _carry(synced, town, district)
    with pytest.raises(ConflictError, match="已答复"), district.begin("officer") as s:
        svc.withdraw(s, p.id, user=keeper(s, "district_admin", name="officer"))


@pytest.fixture
def second_town(synced: SyncPair, tmp_path: Path) -> Iterator[Database]:
    """Another township (青龙镇, 320115107) of the same district, its books at the district."""
    other = open_database(tmp_path / "town2" / "town2.db")
    with other.begin("demo") as s:
        build_demo(s, villages=2, years=1, seed=11, only=("用户", "组织与账套"), township="青龙镇", region="320115107")
    trust_each_other(other, synced.district)
    _carry(synced, other, synced.district)
    yield other
    other.close()


def test_another_township_is_not_disturbed_by_proposals_on_villages_it_does_not_hold(
        synced: SyncPair, second_town: Database) -> None:
    district = synced.district
    org, _voucher, contract, _year = _first_village_targets(district)
    p = _propose(district, org, "contract", contract, "合同超期", "请续签")
    _carry(synced, district, second_town)  # the district's one stream reaches it too: the import must pass
    with second_town.read() as s:
        assert svc.list_proposals(s) == () and svc.pending_count(s) == 0
    with pytest.raises(NotFoundError), second_town.begin("会计") as s:  # held, but not its village's
        svc.answer(s, p.id, accept=True, user=keeper(s, "bookkeeper", "reviewer"))
    # … and its own later packages still reconcile at the district
    _carry(synced, second_town, district)
    _carry(synced, district, synced.town)
    with synced.town.read() as s:
        assert [r.id for r in svc.list_proposals(s)] == [p.id]
    raw = sqlite3.connect(second_town.path)
    try:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        raw.close()


def test_a_proposal_on_a_distribution_plan(two_year_demo: Path, tmp_path: Path) -> None:
    from tests.conftest import copy_of
    from tests.sync.conftest import make_district

    town = open_database(copy_of(two_year_demo, tmp_path / "town"))
    district = make_district(tmp_path / "district" / "district.db")
    stick = tmp_path / "stick"
    stick.mkdir()
    try:
        trust_each_other(town, district)
        pair = SyncPair(town, district, stick)
        _carry(pair, town, district)
        with district.read() as s:
            org, year = s.execute(select(DistributionPlan.organisation_id, DistributionPlan.year)
                                  .where(DistributionPlan.deleted.is_(False))).first()  # type: ignore[misc]
        p = _propose(district, org.hex, "plan", str(year), "分配不当", "提取公积公益金比例低于章程")
        assert p.target_kind == "plan" and p.target_label.startswith(f"{year}年度收益分配方案")
        _carry(pair, district, town)
        with town.begin("会计李") as s:
            svc.answer(s, p.id, accept=False, reason="比例符合章程第二十条", user=keeper(s, "bookkeeper", "reviewer"))
        _carry(pair, town, district)
        with district.read() as s:
            (row,) = svc.list_proposals(s)
            assert (row.target_text[:6], row.status) == ("收益分配方案", "已驳回")
    finally:
        town.close()
        district.close()


def test_only_a_district_officer_withdraws_and_the_record_names_them(synced: SyncPair) -> None:
    """Issue #16: a 记账员 of the district's database, a disabled officer and a made-up row are refused
    (nothing written); the officer who withdraws is the audit actor, whatever the transaction says."""
    from db.models import AuditEntry
    from desktop_app.core.errors import PermissionDenied
    from desktop_app.core.rows import UserRow
    from desktop_app.core.services.users import create_user, update_user

    district = synced.district
    org, _voucher, contract, _year = _first_village_targets(district)
    p = _propose(district, org, "contract", contract, "合同超期", "请续签")
    with district.begin("setup") as s:
        admin = keeper(s, "sysadmin", name="admin")
        clerk = create_user(s, username="jzy", display_name="区记账员", password="secret1", roles=["bookkeeper"],
                            actor=admin)
        gone = create_user(s, username="lq", display_name="离任", password="secret1", roles=["district_admin"],
                           actor=admin)
        update_user(s, gone.id, active=False, actor=admin)
        officer = keeper(s, "district_admin", name="officer")
    ghost = UserRow(uuid.uuid4(), "officer", "冒名", ("district_admin",), True)
    with district.read() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    for user, said in ((clerk, "需要区级管理员"), (gone, "已停用"), (ghost, "不是本数据库的用户")):
        with pytest.raises(PermissionDenied, match=said), district.begin("officer") as s:
            svc.withdraw(s, p.id, user=user)
        with district.read() as s:
            assert [r.status for r in svc.list_proposals(s)] == ["待答复"]
            assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits
    with district.begin("setup") as s:
        svc.withdraw(s, p.id, user=officer)
    with district.read() as s:
        assert svc.list_proposals(s) == ()
        assert s.scalar(select(AuditEntry.actor).order_by(AuditEntry.n.desc())) == "officer"
