"""Resource register (资源台账): land parcels by GB/T 21010 class, area in 亩 (exact, 4 decimals).

Each parcel belongs to a book (``book_id``; none named: the organisation's main book), so a
村民委员会 book never lists the cooperative's land. Its use on a date follows the contracts: a
parcel that a contract in force on that date names (``contract.parcel_id``, or the parcel's own
``contract_id``) is 已发包 (资源发包) or 已出租 (any other kind), whatever the register says.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.images import row_image
from db.models import Contract, ResourceParcel
from desktop_app.core.errors import ConflictError, NotFoundError
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_assets import ParcelRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import reads
from desktop_app.core.services.permissions import ENTER_RECORDS

# GB/T 21010 土地利用现状分类 first-level classes plus the names village registers use (REFERENCE §5.3)
LAND_CLASSES = ("耕地", "园地", "林地", "草地", "水域", "水面", "滩涂", "四荒地", "集体建设用地", "宅基地",
                "工矿仓储用地", "商服用地", "公共管理与公共服务用地", "交通运输和水利设施用地", "其他农用地",
                "未利用地", "其他建设用地")
OWNERSHIPS = ("村", "组")
STATUSES = ("家庭承包", "机动地", "集体统一经营", "已发包", "出租", "未利用")
MU_PER_M2 = Decimal(15) / Decimal(10000)  # 1 亩 = 10000/15 ㎡
LABELS = {
    "code": "地块编号", "name": "地块名称", "land_class": "地类", "area_mu": "面积（亩）", "location": "坐落",
    "east": "东至", "south": "南至", "west": "西至", "north": "北至", "ownership": "权属",
    "group_name": "村民小组", "status": "经营状态", "contract_id": "关联合同", "notes": "备注", "book_id": "账套",
}
LET_OUT = {"资源发包": "已发包"}  # contract kind -> the parcel's use while it is in force; others: 已出租
SHOWN = {"出租": "已出租"}  # registered statuses as printed


@dataclass
class ParcelBatch:
    """What checking many parcels of one organisation reads once instead of per parcel: every
    parcel code it has registered (deleted ones too, as the form's clash lookup sees them) and the
    book a parcel naming none goes to. A batch adds each code it accepts (``taken``), so a second
    row with that code is refused as the form would refuse it after the first was saved."""

    codes: dict[str, uuid.UUID]
    main: uuid.UUID | None
    books: dict[Any, uuid.UUID | None] = field(default_factory=dict)  # a named book, once checked

    @classmethod
    def read(cls, session: Session, org_id: uuid.UUID) -> ParcelBatch:
        codes: dict[str, uuid.UUID] = {c: i for c, i in reads(session).execute(_CODES, {"org_id": org_id})}
        return cls(codes, v.main_book(session, org_id))

    def book(self, session: Session, org_id: uuid.UUID, book_id: Any) -> uuid.UUID | None:
        if book_id is None or book_id == "":
            return self.main
        key = str(book_id)
        if key not in self.books:
            self.books[key] = v.register_book(session, org_id, book_id)  # refuses as the form does
        return self.books[key]

    def taken(self, code: str, parcel_id: uuid.UUID) -> None:
        self.codes[code] = parcel_id


_CODES = select(ResourceParcel.code, ResourceParcel.id).where(ResourceParcel.organisation_id == bindparam("org_id"))


def validated_parcel(session: Session, values: dict[str, Any], org_id: uuid.UUID, parcel_id: uuid.UUID | None,
                     batch: ParcelBatch | None = None) -> dict[str, Any]:
    """The parcel's fields as the form saves them, or the first refusal (a ``UserError`` naming the
    field). ``batch``: the organisation's codes and main book read once for many parcels (an
    import); without it each call looks them up (the form)."""
    L = LABELS
    code = v.text(values.get("code"), L["code"], max_len=30) or ""
    if batch is None:
        clash = session.scalar(select(ResourceParcel.id).where(ResourceParcel.organisation_id == org_id,
                                                               ResourceParcel.code == code))
    else:
        clash = batch.codes.get(code)
    if clash is not None and clash != parcel_id:
        raise ConflictError(f"地块编号 {code} 已存在", field=L["code"])
    out: dict[str, Any] = {"code": code, "name": v.text(values.get("name"), L["name"])}
    out["land_class"] = v.choice(values.get("land_class"), L["land_class"], LAND_CLASSES)
    out["area_mu"] = v.decimal(values.get("area_mu"), L["area_mu"], positive=True, maximum=Decimal(10**9))
    for key in ("location", "east", "south", "west", "north"):
        out[key] = v.text(values.get(key), L[key], required=False, max_len=200 if key == "location" else 100)
    out["ownership"] = v.choice(values.get("ownership"), L["ownership"], OWNERSHIPS, "村")
    out["group_name"] = v.text(values.get("group_name"), L["group_name"], required=out["ownership"] == "组",
                               max_len=50)
    out["status"] = v.choice(values.get("status"), L["status"], STATUSES)
    out["contract_id"] = values.get("contract_id")
    out["notes"] = v.text(values.get("notes"), L["notes"], required=False, max_len=500)
    out["book_id"] = (v.register_book(session, org_id, values.get("book_id")) if batch is None
                      else batch.book(session, org_id, values.get("book_id")))
    return out


def _row(p: Any, main: uuid.UUID | None = None, live: tuple[str, str] | None = None) -> ParcelRow:
    status_on = live[0] if live else SHOWN.get(p.status, p.status)
    return ParcelRow(p.id, p.organisation_id, p.code, p.name, p.land_class, p.area_mu, p.location, p.east, p.south,
                     p.west, p.north, p.ownership, p.group_name, p.status, p.contract_id, p.notes,
                     v.owner_book(p.book_id, main), status_on, live[1] if live else None)


def create_parcel(session: Session, *, organisation_id: uuid.UUID, user: UserRow, **values: Any) -> ParcelRow:
    v.check_org(session, organisation_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    p = ResourceParcel(organisation_id=organisation_id, **validated_parcel(session, values, organisation_id, None))
    session.add(p)
    session.flush()
    record_audit(session, AuditRecord("create", "resource_parcel", str(p.id),
                                      f"登记地块 {p.code} {p.name}（{p.land_class} {p.area_mu:,.4f} 亩）", None, row_image(p)))
    return get_parcel(session, p.id)


def update_parcel(session: Session, parcel_id: uuid.UUID, *, user: UserRow, **values: Any) -> ParcelRow:
    p = session.get(ResourceParcel, parcel_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该地块", field="地块")
    require_role(session, user, *ENTER_RECORDS, organisation_id=p.organisation_id)
    before = row_image(p)
    merged = {**{k: getattr(p, k) for k in LABELS}, **values}
    for key, value in validated_parcel(session, merged, p.organisation_id, p.id).items():
        setattr(p, key, value)
    session.flush()
    if row_image(p) != before:
        record_audit(session, AuditRecord("update", "resource_parcel", str(p.id), f"修改地块 {p.code} {p.name}",
                                          before, row_image(p)))
    return get_parcel(session, p.id)


_PARCELS = (select(*ResourceParcel.__table__.c)  # built once: building costs more than running
            .where(ResourceParcel.organisation_id == bindparam("org_id"), ResourceParcel.deleted.is_(False))
            .order_by(ResourceParcel.code))
_LIVE_CONTRACTS = (select(Contract.id, Contract.parcel_id, Contract.asset_id, Contract.number, Contract.kind)
                   .where(Contract.organisation_id == bindparam("org_id"), Contract.deleted.is_(False),
                          Contract.status != "草拟", Contract.start_date <= bindparam("on"),
                          Contract.end_date >= bindparam("on"),
                          (Contract.terminated_on.is_(None) & (Contract.status != "终止"))
                          | (Contract.terminated_on > bindparam("on")))
                   .order_by(Contract.start_date, Contract.number))


def contracts_in_force(session: Session, organisation_id: uuid.UUID, on: date
                       ) -> dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None, str, str]]:
    """Contracts in force on ``on`` (signed, started, not ended, not terminated by then) by id:
    (parcel id, asset id, number, kind)."""
    rows = reads(session).execute(_LIVE_CONTRACTS, {"org_id": organisation_id, "on": on})
    return {r.id: (r.parcel_id, r.asset_id, r.number, r.kind) for r in rows}


_PAST_CONTRACTS = (select(Contract.id, Contract.parcel_id, Contract.number)
                   .where(Contract.organisation_id == bindparam("org_id"), Contract.deleted.is_(False),
                          Contract.status != "草拟", Contract.start_date <= bindparam("on"))
                   .order_by(Contract.end_date, Contract.number))


def _live_by_parcel(session: Session, organisation_id: uuid.UUID, on: date, parcels: list[Any]
                    ) -> dict[uuid.UUID, tuple[str, str]]:
    """(use, contract number) of the parcels a contract names: 已发包/已出租 while one is in force;
    合同已到期 for land registered as let out whose contracts have all ended by ``on``."""
    live = contracts_in_force(session, organisation_id, on)
    out: dict[uuid.UUID, tuple[str, str]] = {}
    let_out = {p.id for p in parcels if p.status in ("已发包", "出租")}
    if let_out:
        own = {p.contract_id: p.id for p in parcels if p.contract_id is not None}
        for cid, parcel_id, number in reads(session).execute(_PAST_CONTRACTS, {"org_id": organisation_id, "on": on}):
            for pid in {parcel_id, own.get(cid)} & let_out:
                assert pid is not None
                out[pid] = ("合同已到期", number)
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for p in parcels:  # the parcel's own link first, then the earliest contract in force naming it
        if p.contract_id in live:
            _, _, number, kind = live[p.contract_id]
            found[p.id] = (LET_OUT.get(kind, "已出租"), number)
    for parcel_id, _, number, kind in live.values():
        if parcel_id is not None:
            found.setdefault(parcel_id, (LET_OUT.get(kind, "已出租"), number))
    return {**out, **found}


def list_parcels(session: Session, organisation_id: uuid.UUID, *, book_id: uuid.UUID | None = None,
                 on: date | None = None) -> list[ParcelRow]:
    """The organisation's parcels (only ``book_id``'s when given), their use on ``on`` (default
    today) following the contracts in force that day."""
    rows = list(reads(session).execute(_PARCELS, {"org_id": organisation_id}))
    main = v.main_book(session, organisation_id)
    if book_id is not None:
        rows = [r for r in rows if v.owner_book(r.book_id, main) == book_id]
    live = _live_by_parcel(session, organisation_id, on or date.today(), rows)
    return [_row(r, main, live.get(r.id)) for r in rows]


def get_parcel(session: Session, parcel_id: uuid.UUID, *, on: date | None = None) -> ParcelRow:
    p = session.get(ResourceParcel, parcel_id)
    if p is None or p.deleted:
        raise NotFoundError("找不到该地块", field="地块")
    return next(r for r in list_parcels(session, p.organisation_id, on=on) if r.id == parcel_id)


def area_by_class(rows: list[ParcelRow]) -> list[tuple[str, int, Decimal]]:
    """(地类, parcels, 亩) in the order of LAND_CLASSES."""
    acc: dict[str, tuple[int, Decimal]] = {}
    for r in rows:
        n, mu = acc.get(r.land_class, (0, Decimal("0.0000")))
        acc[r.land_class] = (n + 1, mu + r.area_mu)
    return [(c, *acc[c]) for c in LAND_CLASSES if c in acc]


def m2_to_mu(m2: Decimal) -> Decimal:
    """㎡ → 亩, exact to 4 decimals (half-up); for display and import of ㎡ figures."""
    from decimal import ROUND_HALF_UP

    return (m2 * MU_PER_M2).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
