"""District correction proposals (更正建议) and the townships' answers (issue #13).

The district never edits a township's rows. Its officer proposes on one village's voucher,
contract or distribution plan (:func:`propose`, district database only); the proposal travels
down in the district's next package and waits in the township's review queue; the township
answers (:func:`answer`, township database only): 采纳 — it then makes the normal local edit
itself (a reversal, a corrected contract …) and may name it — or 驳回 with a reason. The answer
travels up and the district sees the status. A proposal not yet answered can be withdrawn by
the district (:func:`withdraw`, a tombstone). Every write is audited. Qt-free; never commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import session_actor
from db.images import row_image
from db.models import Book, Contract, DistributionPlan, Entry, Organisation, User, Voucher
from db.models.proposal import DECISIONS, PROPOSAL_KINDS, TARGET_KINDS, Proposal, ProposalAnswer, answer_id
from db.types import utcnow
from desktop_app.core.errors import ConflictError, NotFoundError, UserError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.district_common import places
from desktop_app.core.services.permissions import ANSWER_PROPOSAL, PROPOSE
from desktop_app.core.validate import clean_text
from desktop_app.sync.district_guard import site_level

__all__ = ["PROPOSAL_KINDS", "STATUSES", "TARGET_KINDS", "ProposalRow", "Target", "VoucherHit", "answer",
           "find_target", "list_proposals", "pending_count", "propose", "resolve_proposal", "search_vouchers",
           "target_of", "withdraw"]

STATUSES = ("待答复", "已采纳", "已驳回")
_STATUS_OF = {"采纳": "已采纳", "驳回": "已驳回"}
ONLY_DISTRICT = "更正建议由区经管站在区级数据库中提出和撤回；乡镇只能答复"
ONLY_TOWNSHIP = "更正建议由村所属乡镇在乡镇的数据库中答复（采纳或驳回）；区级数据库只能查看答复"


@dataclass(frozen=True)
class Target:
    """What a proposal is about, as the district sees it."""

    kind: str  # voucher / contract / plan
    id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    label: str
    rev: int

    @property
    def kind_text(self) -> str:
        return TARGET_KINDS[self.kind]


@dataclass(frozen=True)
class VoucherHit:
    """One voucher of a village (村账查阅)."""

    id: uuid.UUID
    book_name: str
    period: str
    number: int
    voucher_date: object
    summary: str
    status: str
    amount: Decimal  # the debit total

    @property
    def label(self) -> str:
        return voucher_label(self.period, self.number, self.summary)


@dataclass(frozen=True)
class ProposalRow:
    id: uuid.UUID
    village_id: uuid.UUID
    village_name: str
    township: str
    target_kind: str
    target_id: uuid.UUID
    target_label: str
    target_changed: bool | None  # the target was edited after the proposal (None: not held here)
    kind: str
    text: str
    proposed_by: str
    proposed_at: datetime
    status: str  # 待答复 / 已采纳 / 已驳回
    reason: str
    reference: str
    answered_by: str
    answered_at: datetime | None

    @property
    def short_id(self) -> str:
        return self.id.hex[-8:]  # a UUIDv7 begins with its time: the random end tells them apart

    @property
    def target_text(self) -> str:
        return f"{TARGET_KINDS.get(self.target_kind, self.target_kind)} {self.target_label}"

    @property
    def changed_text(self) -> str:
        return {None: "—", True: "建议提出后已修改", False: "未修改"}[self.target_changed]


def voucher_label(period: str, number: int, summary: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月 记-{number:04d} {summary}".strip()[:200]


# -- targets ---------------------------------------------------------------------------------

_VOUCHER_REF = re.compile(r"^\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*月?\s*[-/:：\s]?\s*(?:记\s*[-－]?\s*)?(\d{1,6})\s*号?\s*$")


def _org(session: Session, organisation_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None or org.deleted:
        raise NotFoundError("找不到该组织（村）", field="组织")
    return org


def search_vouchers(session: Session, organisation_id: uuid.UUID, period: str,
                    number: int | None = None) -> tuple[VoucherHit, ...]:
    """The village's vouchers of one month (every book of it), or the one numbered ``number``."""
    _org(session, organisation_id)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period or ""):
        raise ValidationError(f"期间“{period}”格式应为 YYYY-MM", field="期间")
    amount = (select(func.coalesce(func.sum(Entry.debit), 0)).where(Entry.voucher_id == Voucher.id,
                                                                    Entry.deleted.is_(False)).scalar_subquery())
    q = (select(Voucher.id, Book.name, Voucher.period, Voucher.number, Voucher.voucher_date, Voucher.summary,
                Voucher.status, amount)
         .join(Book, Book.id == Voucher.book_id)
         .where(Book.organisation_id == organisation_id, Voucher.period == period, Voucher.deleted.is_(False))
         .order_by(Book.code, Voucher.number))
    if number is not None:
        q = q.where(Voucher.number == number)
    return tuple(VoucherHit(i, b, p, n, d, s, st, Decimal(a)) for i, b, p, n, d, s, st, a in session.execute(q))


def target_of(session: Session, kind: str, target_id: uuid.UUID) -> Target:
    """The voucher, contract or plan ``target_id`` (not deleted) with its village and label."""
    if kind not in TARGET_KINDS:
        raise ValidationError(f"更正建议只能针对{'、'.join(TARGET_KINDS.values())}", field="对象")
    what = TARGET_KINDS[kind]
    if kind == "voucher":
        v = session.get(Voucher, target_id)
        book = session.get(Book, v.book_id) if v is not None and not v.deleted else None
        if v is None or book is None:
            raise NotFoundError(f"找不到该{what}", field=what)
        org_id, label, rev = book.organisation_id, voucher_label(v.period, v.number, v.summary), v.rev
    elif kind == "contract":
        c = session.get(Contract, target_id)
        if c is None or c.deleted:
            raise NotFoundError(f"找不到该{what}", field=what)
        org_id, label, rev = c.organisation_id, f"{c.number} {c.name}"[:200], c.rev
    else:
        p = session.get(DistributionPlan, target_id)
        if p is None or p.deleted:
            raise NotFoundError(f"找不到该{what}", field=what)
        org_id, label, rev = p.organisation_id, f"{p.year}年度收益分配方案（{p.status}）", p.rev
    return Target(kind, target_id, org_id, _org(session, org_id).name, label, rev)


def find_target(session: Session, organisation_id: uuid.UUID, kind: str, ref: str) -> Target:
    """A village's voucher ("2025-03-12", "2025年3月记-12"), contract (its number) or plan (its year)."""
    org = _org(session, organisation_id)
    ref = (ref or "").strip()
    if kind == "voucher":
        m = _VOUCHER_REF.match(ref)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationError(f"凭证“{ref}”的写法应为 年-月-号，如 2025-03-12", field="凭证")
        period, number = f"{m.group(1)}-{int(m.group(2)):02d}", int(m.group(3))
        hits = search_vouchers(session, organisation_id, period, number)
        if not hits:
            raise NotFoundError(f"{org.name} {voucher_label(period, number, '')} 不存在", field="凭证")
        if len(hits) > 1:
            raise ConflictError(f"{org.name}有多个账套都有 {voucher_label(period, number, '')}（"
                                f"{'、'.join(h.book_name for h in hits)}），请在村账查阅中选定", field="凭证")
        return target_of(session, "voucher", hits[0].id)
    if kind == "contract":
        found = session.scalar(select(Contract.id).where(Contract.organisation_id == organisation_id,
                                                         Contract.number == ref, Contract.deleted.is_(False)))
        if found is None:
            raise NotFoundError(f"{org.name}没有编号为“{ref}”的合同", field="合同")
        return target_of(session, "contract", found)
    if kind == "plan":
        if not re.fullmatch(r"\d{4}", ref):
            raise ValidationError(f"收益分配方案以年度指定，如 2025（不是“{ref}”）", field="方案")
        found = session.scalar(select(DistributionPlan.id).where(
            DistributionPlan.organisation_id == organisation_id, DistributionPlan.year == int(ref),
            DistributionPlan.deleted.is_(False)).order_by(DistributionPlan.computed_at.desc()).limit(1))
        if found is None:
            raise NotFoundError(f"{org.name}没有{ref}年度的收益分配方案", field="方案")
        return target_of(session, "plan", found)
    raise ValidationError(f"更正建议只能针对{'、'.join(TARGET_KINDS.values())}", field="对象")


# -- writes ----------------------------------------------------------------------------------

def _audit(session: Session, action: str, obj: Proposal | ProposalAnswer, summary: str,
           before: dict[str, object] | None = None) -> None:
    entity = "proposal" if isinstance(obj, Proposal) else "proposal_answer"
    record_audit(session, AuditRecord(action, entity, obj.id.hex, summary[:300],
                                      before=before, after=row_image(obj)))


def _who(session: Session) -> str:
    """The acting user as the other side reads it: 王会计（kuaiji）, not a bare login name (the
    other database has no such user to look up)."""
    name = session_actor(session)
    user = session.scalar(select(User).where(User.username == name))
    return (f"{user.display_name}（{name}）" if user is not None and user.display_name != name else name)[:50]


def check_site(session: Session, side: str) -> None:
    """Refuse work of the other side's database ("district": propose/withdraw, "township": answer)."""
    if site_level(session) != side:
        raise UserError(ONLY_DISTRICT if side == "district" else ONLY_TOWNSHIP)


def propose(session: Session, target: Target, kind: str, text: str, *, user: UserRow) -> ProposalRow:
    """A proposal on ``target`` (from :func:`target_of` / :func:`find_target`), district only."""
    if site_level(session) != "district":
        raise UserError(ONLY_DISTRICT)
    require_role(session, user, *PROPOSE)
    if kind not in PROPOSAL_KINDS:
        raise ValidationError(f"建议类别应为：{'、'.join(PROPOSAL_KINDS)}（不是“{kind}”）", field="类别")
    body = clean_text(text, "建议内容", 500)
    assert body is not None
    now = target_of(session, target.kind, target.id)  # still there, and where it belongs
    if now.organisation_id != target.organisation_id:
        raise ValidationError(f"该{now.kind_text}不属于{target.organisation_name}", field="对象")
    p = Proposal(village_id=now.organisation_id, village_name=now.organisation_name[:100], target_kind=now.kind,
                 target_id=now.id, target_rev=now.rev, target_label=now.label, kind=kind, text=body,
                 proposed_by=_who(session), proposed_at=utcnow())
    session.add(p)
    session.flush()
    _audit(session, "create", p, f"向{now.organisation_name}提出更正建议（{kind}）：{now.kind_text} {now.label}")
    return _row(session, p.id)


def resolve_proposal(session: Session, ref: str | uuid.UUID) -> Proposal:
    """A proposal by id or by the last characters of it (at least 6; the lists show 8)."""
    if isinstance(ref, uuid.UUID):
        p = session.get(Proposal, ref)
    else:
        text = (ref or "").strip().lower().replace("-", "")
        if not re.fullmatch(r"[0-9a-f]{6,32}", text):
            raise ValidationError(f"建议编号“{ref}”无效：请写列表中的编号（至少后6位）", field="编号")
        found = [x for x in session.scalars(select(Proposal).where(Proposal.deleted.is_(False)))
                 if x.id.hex.endswith(text)]
        if len(found) > 1:
            raise ConflictError(f"编号“{ref}”对应多条建议，请写全列表中的编号", field="编号")
        p = found[0] if found else None
    if p is None or p.deleted or session.get(Organisation, p.village_id) is None:
        raise NotFoundError(f"找不到编号为“{ref}”的更正建议", field="编号")
    return p


def answer(session: Session, proposal: str | uuid.UUID, *, accept: bool, user: UserRow, reason: str = "",
           reference: str = "") -> ProposalRow:
    """The township's answer: 采纳 (``reference``: the voucher or reversal that did it) or 驳回
    (a reason is required). One answer per proposal."""
    if site_level(session) != "township":
        raise UserError(ONLY_TOWNSHIP)
    p = resolve_proposal(session, proposal)
    require_role(session, user, *ANSWER_PROPOSAL, organisation_id=p.village_id)
    done = session.get(ProposalAnswer, answer_id(p.id))
    if done is not None and not done.deleted:
        raise ConflictError(f"此建议已于 {done.answered_at.astimezone():%Y-%m-%d} 由 {done.answered_by} 答复"
                            f"（{_STATUS_OF[done.decision]}），不能再次答复", field="答复")
    why = clean_text(reason, "驳回理由" if not accept else "说明", 500, required=not accept) or ""
    ref = clean_text(reference, "更正凭证", 200, required=False) or ""
    decision = DECISIONS[0] if accept else DECISIONS[1]
    a = ProposalAnswer(id=answer_id(p.id), proposal_id=p.id, decision=decision, reason=why, reference=ref,
                       answered_by=_who(session), answered_at=utcnow())
    session.add(a)
    session.flush()
    _audit(session, "create", a, f"答复区经管站的更正建议（{p.kind}，{p.village_name} {p.target_label}）：{decision}"
                                 + (f"，{why}" if why else ""))
    return _row(session, p.id)


def withdraw(session: Session, proposal: str | uuid.UUID, *, user: UserRow) -> ProposalRow:
    """The district takes back a proposal not yet answered (a tombstone: it leaves the township's
    queue); ``user`` must be one of the district's officers (``PROPOSE``)."""
    if site_level(session) != "district":
        raise UserError(ONLY_DISTRICT)
    require_role(session, user, *PROPOSE)
    p = resolve_proposal(session, proposal)
    row = _row(session, p.id)
    if row.status != "待答复":
        raise ConflictError(f"此建议乡镇已答复（{row.status}），不能撤回", field="编号")
    before = row_image(p)
    p.deleted = True
    session.flush()
    _audit(session, "delete", p, f"撤回对{p.village_name}的更正建议（{p.kind}）：{p.target_label}", before)
    return row


# -- reads -----------------------------------------------------------------------------------

_CURRENT_REV: dict[str, Any] = {"voucher": Voucher, "contract": Contract, "plan": DistributionPlan}


def list_proposals(session: Session, *, status: str | None = None,
                   organisation_id: uuid.UUID | None = None) -> tuple[ProposalRow, ...]:
    """The proposals on villages this database holds (a township: its own villages), newest first."""
    if status is not None and status not in STATUSES:
        raise ValidationError(f"状态应为：{'、'.join(STATUSES)}", field="状态")
    q = (select(Proposal, ProposalAnswer).join(Organisation, Organisation.id == Proposal.village_id)
         .outerjoin(ProposalAnswer, (ProposalAnswer.proposal_id == Proposal.id) & ProposalAnswer.deleted.is_(False))
         .where(Proposal.deleted.is_(False)).order_by(Proposal.proposed_at.desc(), Proposal.id))
    if organisation_id is not None:
        q = q.where(Proposal.village_id == organisation_id)
    pairs = session.execute(q).all()
    towns = {v.organisation_id: v.township for v in places(session)} if pairs else {}
    revs: dict[uuid.UUID, int] = {}
    for kind, model in _CURRENT_REV.items():
        ids = [p.target_id for p, _ in pairs if p.target_kind == kind]
        for i in range(0, len(ids), 500):
            revs.update({r[0]: r[1] for r in session.execute(select(model.id, model.rev).where(model.id.in_(ids[i:i + 500])))})
    rows = [_make(p, a, towns.get(p.village_id, ""), revs.get(p.target_id)) for p, a in pairs]
    return tuple(r for r in rows if status is None or r.status == status)


def pending_count(session: Session) -> int:
    """Proposals waiting for an answer (on villages this database holds): the tab's count."""
    return int(session.scalar(
        select(func.count()).select_from(Proposal).join(Organisation, Organisation.id == Proposal.village_id)
        .outerjoin(ProposalAnswer, (ProposalAnswer.proposal_id == Proposal.id) & ProposalAnswer.deleted.is_(False))
        .where(Proposal.deleted.is_(False), ProposalAnswer.id.is_(None))) or 0)


def _make(p: Proposal, a: ProposalAnswer | None, township: str, current_rev: int | None) -> ProposalRow:
    return ProposalRow(
        p.id, p.village_id, p.village_name, township, p.target_kind, p.target_id, p.target_label,
        None if current_rev is None else current_rev != p.target_rev, p.kind, p.text, p.proposed_by, p.proposed_at,
        _STATUS_OF[a.decision] if a is not None else "待答复", a.reason if a else "", a.reference if a else "",
        a.answered_by if a else "", a.answered_at if a else None)


def _row(session: Session, proposal_id: uuid.UUID) -> ProposalRow:
    p = session.get(Proposal, proposal_id)
    assert p is not None
    for row in list_proposals(session, organisation_id=p.village_id):
        if row.id == proposal_id:
            return row
    raise NotFoundError("找不到该更正建议", field="编号")
