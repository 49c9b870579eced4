"""Collective-economy projects (集体经济项目台账): funding by source, status dates, assets formed,
and the annual return read from the books: income entries (损益 credit side) carrying the
project's id, net of debits, over the year; return rate = return ÷ total investment.

A 工程 also keeps what 专项公开 (工程招投标及预决算) prints: budget, tender result, contract and
final account; its payments are read from the books the same way as its return: lines of posted
vouchers carrying the project id, on asset (other than cash), cost and expense accounts.

Each project belongs to a book (``book_id``; none named: the organisation's main book)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Account, Asset, Contract, ContractCounterparty, Entry, Project, ProjectFunding, Voucher
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import ProjectPaymentRow, ProjectReturnRow, ProjectRow, WorksRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import period_end, reads
from desktop_app.core.services.permissions import ENTER_RECORDS

KINDS = ("物业经济", "光伏", "厂房", "农业设施", "乡村旅游", "其他")
STATUSES = ("申报", "在建", "建成", "运营", "终止")
SOURCES = ("中央扶持资金", "省级扶持资金", "市级扶持资金", "区级扶持资金", "自筹", "社会资本")
DATE_FIELDS = {"applied_on": "申报日期", "started_on": "开工日期", "completed_on": "建成日期",
               "operating_on": "运营日期", "terminated_on": "终止日期"}
_NEEDS = {"在建": "started_on", "建成": "completed_on", "运营": "operating_on", "终止": "terminated_on"}
TENDER_METHODS = ("公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "村级议标", "其他")
WORKS_LABELS = {"budget": "预算金额", "tender_method": "招标方式", "tender_winner": "中标单位",
                "tender_amount": "中标金额", "tender_on": "招标日期", "contract_id": "工程合同",
                "final_amount": "决算金额", "final_on": "决算日期"}
FIELDS = ("code", "name", "kind", "status", "notes", *DATE_FIELDS, "book_id", *WORKS_LABELS)
ZERO = Decimal("0.00")


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return v.money(value, field)


def _contract(session: Session, value: Any, org_id: uuid.UUID) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        cid = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError("工程合同无效", field="工程合同") from None
    if session.scalar(select(Contract.id).where(Contract.id == cid, Contract.organisation_id == org_id,
                                                Contract.deleted.is_(False))) is None:
        raise NotFoundError("找不到该工程合同（须为本组织的合同）", field="工程合同")
    return cid


def _works(session: Session, values: dict[str, Any], org_id: uuid.UUID) -> dict[str, Any]:
    """The 工程 facts: amounts in 元 (to the 分), a tender needs its method and winner, a final
    account its date."""
    L = WORKS_LABELS
    out: dict[str, Any] = {k: _amount(values.get(k), L[k]) for k in ("budget", "tender_amount", "final_amount")}
    method = v.text(values.get("tender_method"), L["tender_method"], required=False, max_len=10)
    out["tender_method"] = v.choice(method, L["tender_method"], TENDER_METHODS) if method else None
    out["tender_winner"] = v.text(values.get("tender_winner"), L["tender_winner"], required=False)
    out["tender_on"] = v.day(values.get("tender_on"), L["tender_on"], required=False)
    out["final_on"] = v.day(values.get("final_on"), L["final_on"], required=False)
    out["contract_id"] = _contract(session, values.get("contract_id"), org_id)
    tender = [k for k in ("tender_method", "tender_winner", "tender_amount", "tender_on") if out[k] is not None]
    if tender and len(tender) < 4:
        missing = next(L[k] for k in ("tender_method", "tender_winner", "tender_amount", "tender_on") if out[k] is None)
        raise ValidationError(f"已填写招标结果，请同时填写{missing}", field=missing)
    if (out["final_amount"] is None) != (out["final_on"] is None):
        missing = L["final_on"] if out["final_on"] is None else L["final_amount"]
        raise ValidationError(f"决算金额和决算日期须同时填写，缺少{missing}", field=missing)
    if out["final_on"] and out["tender_on"] and out["final_on"] < out["tender_on"]:
        raise ValidationError("决算日期不能早于招标日期", field=L["final_on"])
    return out


def validated_project(session: Session, values: dict[str, Any], org_id: uuid.UUID, project_id: uuid.UUID | None,
                      *, codes: Mapping[str, uuid.UUID] | None = None, main: uuid.UUID | None = None
                      ) -> dict[str, Any]:
    """A project's fields as stored, or the form's first refusal. An import passes the organisation's
    codes (deleted projects' too) and its main book, read once, instead of two queries a row."""
    code = v.text(values.get("code"), "项目编号", max_len=30) or ""
    clash = codes.get(code) if codes is not None else session.scalar(
        select(Project.id).where(Project.organisation_id == org_id, Project.code == code))
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
    book = values.get("book_id")
    out["book_id"] = main if main is not None and (book is None or book == "") else \
        v.register_book(session, org_id, book)
    return {**out, **_works(session, values, org_id)}


def validated_funding(values: Any) -> dict[str, Decimal]:
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


def create_project(session: Session, *, organisation_id: uuid.UUID, user: UserRow,
                   funding: dict[str, Any] | None = None, **values: Any) -> ProjectRow:
    v.check_org(session, organisation_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    fields = validated_project(session, values, organisation_id, None)
    money = validated_funding(funding)
    p = Project(organisation_id=organisation_id, **fields)
    session.add(p)
    session.flush()
    _write_funding(session, p.id, money)
    session.flush()
    record_audit(session, AuditRecord("create", "project", str(p.id), f"登记项目 {p.code} {p.name}", None,
                                      {**row_image(p), "funding": {k: str(a) for k, a in money.items()}}))
    return get_project(session, p.id)


def update_project(session: Session, project_id: uuid.UUID, *, user: UserRow, funding: dict[str, Any] | None = None,
                   **values: Any) -> ProjectRow:
    p = session.get(Project, project_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该项目", field="项目")
    require_role(session, user, *ENTER_RECORDS, organisation_id=p.organisation_id)
    before = row_image(p)
    merged = {**{k: getattr(p, k) for k in FIELDS}, **values}
    fields = validated_project(session, merged, p.organisation_id, p.id)
    money = validated_funding(funding) if funding is not None else None
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


def list_projects(session: Session, organisation_id: uuid.UUID, *, book_id: uuid.UUID | None = None
                  ) -> list[ProjectRow]:
    """The organisation's projects (only ``book_id``'s when given)."""
    conn = reads(session)
    rows = conn.execute(_PROJECTS, {"org_id": organisation_id}).all()
    main = v.main_book(session, organisation_id)
    if book_id is not None:
        rows = [r for r in rows if v.owner_book(r.book_id, main) == book_id]
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
                              sum((a for _, a in f), ZERO), n, value, v.owner_book(r.book_id, main), r.budget,
                              r.tender_method, r.tender_winner, r.tender_amount, r.tender_on, r.contract_id,
                              r.final_amount, r.final_on))
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


_PAYMENTS = (
    select(Entry.project_id, Voucher.id, Voucher.voucher_date, Voucher.period, Voucher.number, Voucher.summary,
           Entry.summary, Account.code, Account.name, Entry.debit, Entry.credit, Entry.counterparty)
    .join(Voucher, Voucher.id == Entry.voucher_id).join(Account, Account.id == Entry.account_id)
    .where(Entry.book_id == bindparam("book_id"), Entry.project_id.in_(bindparam("ids", expanding=True)),
           Entry.period <= bindparam("last"), Entry.deleted.is_(False), Voucher.status == "记账",
           Voucher.deleted.is_(False),
           Account.category.in_(("资产", "成本")) | ((Account.category == "损益") & (Account.normal_side == "借")))
    .order_by(Voucher.voucher_date, Voucher.period, Voucher.number, Entry.line_no))


def project_payments(session: Session, book_id: uuid.UUID, project_ids: list[uuid.UUID], last: str
                     ) -> dict[uuid.UUID, list[ProjectPaymentRow]]:
    """What the book paid for each project through month ``last``, line by line: posted lines
    carrying the project id on asset (not cash or bank), cost and expense accounts (debit − credit;
    a red reversal is negative). Income lines and the cash side of a payment are left out, and so is
    a voucher whose project lines cancel out (在建工程 carried to 固定资产 is no payment)."""
    from desktop_app.core.services.funds_base import get_book_row

    cash = charts.account_roles(get_book_row(session, book_id).chart_version, "monetary_funds")
    out: dict[uuid.UUID, list[ProjectPaymentRow]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    by_voucher: dict[tuple[uuid.UUID, uuid.UUID], list[ProjectPaymentRow]] = {}
    for pid, vid, day, period, number, v_summary, summary, code, name, debit, credit, party in reads(session).execute(
            _PAYMENTS, {"book_id": book_id, "ids": project_ids, "last": last}):
        if pid is None or code.startswith(cash) or debit == credit:
            continue
        by_voucher.setdefault((pid, vid), []).append(
            ProjectPaymentRow(day, period, number, summary or v_summary, f"{code} {name}", debit - credit, party))
    for (pid, _), lines in by_voucher.items():  # in query order: by date and voucher number
        if sum((ln.amount for ln in lines), ZERO) != 0:
            out[pid].extend(lines)
    return out


def project_returns(session: Session, organisation_id: uuid.UUID, year: int, *, book_id: uuid.UUID | None = None
                    ) -> list[ProjectReturnRow]:
    """Each project's return for ``year`` from the books and its rate on the total investment
    (only ``book_id``'s projects, from that book, when given)."""
    from desktop_app.core.services.orgs import list_books

    books = [book_id] if book_id is not None else [b.id for b in list_books(session, organisation_id)]
    income = project_income(session, books, f"{year:04d}-01", f"{year:04d}-12")
    out = []
    for p in list_projects(session, organisation_id, book_id=book_id):
        got = income.get(p.id, ZERO)
        rate = (got * 100 / p.investment).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if p.investment else None
        out.append(ProjectReturnRow(p, year, got, rate))
    return out


_CONTRACTS = (select(Contract.id, Contract.number, Contract.name, Contract.signed_on, ContractCounterparty.name)
              .join(ContractCounterparty, ContractCounterparty.id == Contract.counterparty_id)
              .where(Contract.id.in_(bindparam("ids", expanding=True))))


def _contract_labels(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    out = {}
    for cid, number, name, signed, party in reads(session).execute(_CONTRACTS, {"ids": ids}):
        when = f"，{signed.year}年{signed.month}月{signed.day}日签订" if signed else ""
        out[cid] = f"{number} {name}，对方：{party}{when}"
    return out


def works_in_year(session: Session, organisation_id: uuid.UUID, book_id: uuid.UUID, last: str) -> list[WorksRow]:
    """The 工程 (projects with a budget, tender or final account) of ``book_id`` with activity in
    the year of month ``last`` up to its end — a payment posted in this book, or a tender, start,
    completion or final account dated then — with their payments to date from the book."""
    year_first, end = f"{last[:4]}-01-01", period_end(last)
    projects = [p for p in list_projects(session, organisation_id) if p.is_works]
    paid = project_payments(session, book_id, [p.id for p in projects], last)
    labels = _contract_labels(session, [p.contract_id for p in projects if p.contract_id is not None])
    out = []
    for p in projects:
        lines = paid[p.id]
        if p.book_id != book_id and not lines:
            continue  # another book's 工程, never paid from this one
        dated = (p.tender_on, p.started_on, p.completed_on, p.final_on)
        if not (any(ln.period >= year_first[:7] for ln in lines)
                or any(d is not None and year_first <= d.isoformat() and d <= end for d in dated)):
            continue
        out.append(WorksRow(p, labels.get(p.contract_id) if p.contract_id else None, tuple(lines),
                            sum((ln.amount for ln in lines), ZERO)))
    return out


_CONTRACT_CHOICES = (select(Contract.id, Contract.number, Contract.name, Contract.kind)
                     .where(Contract.organisation_id == bindparam("org_id"), Contract.deleted.is_(False))
                     .order_by(Contract.kind != "工程", Contract.number))


def contract_choices(session: Session, organisation_id: uuid.UUID) -> list[tuple[str, uuid.UUID]]:
    """(label, id) of the organisation's contracts a project may name, 工程 contracts first."""
    return [(f"{number} {name}（{kind}）", cid)
            for cid, number, name, kind in reads(session).execute(_CONTRACT_CHOICES, {"org_id": organisation_id})]
