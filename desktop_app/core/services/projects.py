"""Collective-economy projects (集体经济项目台账): funding by source, status dates, assets formed,
and the annual return read from the books: income entries (损益 credit side) carrying the
project's id, net of debits, over the year; return rate = return ÷ total investment."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Account, Asset, Entry, Project, ProjectFunding, Voucher
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.rows_assets import ProjectReturnRow, ProjectRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.funds_base import reads

KINDS = ("物业经济", "光伏", "厂房", "农业设施", "乡村旅游", "其他")
STATUSES = ("申报", "在建", "建成", "运营", "终止")
SOURCES = ("中央扶持资金", "省级扶持资金", "市级扶持资金", "区级扶持资金", "自筹", "社会资本")
DATE_FIELDS = {"applied_on": "申报日期", "started_on": "开工日期", "completed_on": "建成日期",
               "operating_on": "运营日期", "terminated_on": "终止日期"}
_NEEDS = {"在建": "started_on", "建成": "completed_on", "运营": "operating_on", "终止": "terminated_on"}
ZERO = Decimal("0.00")


def _validated(session: Session, values: dict[str, Any], org_id: uuid.UUID, project_id: uuid.UUID | None
               ) -> dict[str, Any]:
    code = v.text(values.get("code"), "项目编号", max_len=30) or ""
    clash = session.scalar(select(Project.id).where(Project.organisation_id == org_id, Project.code == code))
    if clash is not None and clash != project_id:
        raise ConflictError(f"项目编号 {code} 已存在", field="项目编号")
    out: dict[str, Any] = {"code": code, "name": v.text(values.get("name"), "项目名称"),
                           "kind": v.choice(values.get("kind"), "项目类型", KINDS),
                           "status": v.choice(values.get("status"), "项目状态", STATUSES, "申报"),
                           "notes": v.text(values.get("notes"), "备注", required=False, max_len=500)}
    for key, label in DATE_FIELDS.items():
        out[key] = v.day(values.get(key), label, required=False)
    need = _NEEDS.get(out["status"])
    if need and out[need] is None:
        raise ValidationError(f"项目状态为“{out['status']}”时须填写{DATE_FIELDS[need]}", field=DATE_FIELDS[need])
    return out


def _funding(values: Any) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for source, amount in dict(values or {}).items():
        src = v.choice(source, "资金来源", SOURCES)
        amt = v.money(amount, f"{src}金额")
        if amt:
            out[src] = amt
    return out


def _write_funding(session: Session, project_id: uuid.UUID, funding: dict[str, Decimal]) -> None:
    existing = {f.source: f for f in session.scalars(select(ProjectFunding).where(ProjectFunding.project_id == project_id))}
    for src in SOURCES:
        row, amount = existing.get(src), funding.get(src)
        if row is None and amount:
            session.add(ProjectFunding(project_id=project_id, source=src, amount=amount))
        elif row is not None:
            row.amount, row.deleted = amount or ZERO, not amount


def create_project(session: Session, *, organisation_id: uuid.UUID, funding: dict[str, Any] | None = None,
                   **values: Any) -> ProjectRow:
    v.check_org(session, organisation_id)
    fields = _validated(session, values, organisation_id, None)
    money = _funding(funding)
    p = Project(organisation_id=organisation_id, **fields)
    session.add(p)
    session.flush()
    _write_funding(session, p.id, money)
    session.flush()
    record_audit(session, AuditRecord("create", "project", str(p.id), f"登记项目 {p.code} {p.name}", None,
                                      {**row_image(p), "funding": {k: str(a) for k, a in money.items()}}))
    return get_project(session, p.id)


def update_project(session: Session, project_id: uuid.UUID, *, funding: dict[str, Any] | None = None,
                   **values: Any) -> ProjectRow:
    p = session.get(Project, project_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该项目", field="项目")
    before = row_image(p)
    merged = {**{k: getattr(p, k) for k in ("code", "name", "kind", "status", "notes", *DATE_FIELDS)}, **values}
    fields = _validated(session, merged, p.organisation_id, p.id)
    money = _funding(funding) if funding is not None else None
    for key, value in fields.items():
        setattr(p, key, value)
    if money is not None:
        _write_funding(session, p.id, money)
    session.flush()
    record_audit(session, AuditRecord("update", "project", str(p.id), f"修改项目 {p.code} {p.name}", before,
                                      row_image(p)))
    return get_project(session, p.id)


# Built once: building a statement costs SQLAlchemy more than running it (every disclosure sheet
# runs these).
_PROJECTS = (select(*Project.__table__.c)
             .where(Project.organisation_id == bindparam("org_id"), Project.deleted.is_(False)).order_by(Project.code))
_FUNDING = (select(ProjectFunding.project_id, ProjectFunding.source, ProjectFunding.amount)
            .where(ProjectFunding.project_id.in_(bindparam("ids", expanding=True)), ProjectFunding.deleted.is_(False)))
_PROJECT_ASSETS = (select(Asset.project_id, func.count(), func.sum(Asset.original_value))
                   .where(Asset.project_id.in_(bindparam("ids", expanding=True)), Asset.deleted.is_(False))
                   .group_by(Asset.project_id))
_PROJECT_INCOME = (
    select(Entry.project_id, func.sum(Entry.credit), func.sum(Entry.debit))
    .join(Voucher, Voucher.id == Entry.voucher_id).join(Account, Account.id == Entry.account_id)
    .where(Entry.book_id.in_(bindparam("book_ids", expanding=True)), Entry.project_id.is_not(None),
           Entry.period >= bindparam("first"), Entry.period <= bindparam("last"),
           Entry.deleted.is_(False), Voucher.status == "记账", Voucher.deleted.is_(False),
           Account.category == "损益", Account.normal_side == "贷")
    .group_by(Entry.project_id))


def list_projects(session: Session, organisation_id: uuid.UUID) -> list[ProjectRow]:
    conn = reads(session)
    rows = conn.execute(_PROJECTS, {"org_id": organisation_id}).all()
    ids = {"ids": [r.id for r in rows]}
    funds: dict[uuid.UUID, list[tuple[str, Decimal]]] = defaultdict(list)
    for pid, src, amount in conn.execute(_FUNDING, ids):
        funds[pid].append((src, amount))
    assets: dict[uuid.UUID, tuple[int, Decimal]] = {}
    for apid, n, total in conn.execute(_PROJECT_ASSETS, ids):
        if apid is not None:
            assets[apid] = (n, total or ZERO)
    out = []
    for r in rows:
        f = tuple(sorted(funds[r.id], key=lambda x: SOURCES.index(x[0])))
        n, value = assets.get(r.id, (0, ZERO))
        out.append(ProjectRow(r.id, r.organisation_id, r.code, r.name, r.kind, r.status, r.applied_on, r.started_on,
                              r.completed_on, r.operating_on, r.terminated_on, r.notes, f,
                              sum((a for _, a in f), ZERO), n, value))
    return out


def get_project(session: Session, project_id: uuid.UUID) -> ProjectRow:
    p = session.get(Project, project_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该项目", field="项目")
    return next(r for r in list_projects(session, p.organisation_id) if r.id == project_id)


def project_income(session: Session, book_ids: list[uuid.UUID], first: str, last: str) -> dict[uuid.UUID, Decimal]:
    """Posted income (损益 accounts with a credit normal side: credit − debit) per project id."""
    params = {"book_ids": book_ids, "first": first, "last": last}
    return {pid: (c or ZERO) - (d or ZERO) for pid, c, d in reads(session).execute(_PROJECT_INCOME, params)
            if pid is not None}


def project_returns(session: Session, organisation_id: uuid.UUID, year: int) -> list[ProjectReturnRow]:
    """Each project's return for ``year`` from the books and its rate on the total investment."""
    from desktop_app.core.services.orgs import list_books

    books = [b.id for b in list_books(session, organisation_id)]
    income = project_income(session, books, f"{year:04d}-01", f"{year:04d}-12")
    out = []
    for p in list_projects(session, organisation_id):
        got = income.get(p.id, ZERO)
        rate = (got * 100 / p.investment).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if p.investment else None
        out.append(ProjectReturnRow(p, year, got, rate))
    return out
