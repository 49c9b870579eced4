"""The contract register (合同台账): create, edit, renew, terminate; schedule generation;
democratic-procedure records, township filing and attachments.

Everything is validated before anything is written; a refusal is a UserError in Chinese that
names the field. The billing schedule follows ``rules.contract_schedule`` and is rebuilt when
the terms change, as long as no money has been applied to it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from typing import Any

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.base import Base
from db.images import row_image
from db.models import (
    Book,
    Contract,
    ContractAllocation,
    ContractCounterparty,
    ContractInstallment,
    ContractRecognition,
)
from db.models.contract import CONTRACT_KINDS, CONTRACT_STATUSES, LAND_CLASSES, PRICE_BASES
from db.types import uuid7
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.core.ids import validate_ric, validate_uscc
from desktop_app.core.money import parse_amount
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.core.rows_contracts import ContractRow
from desktop_app.core.rules.contract_schedule import (
    CONTRACT_STATES,
    PAYMENT_MODES,
    Terms,
    build_schedule,
    round_fen,
    schedule_parts,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.contract_queries import contract_query, contract_rows
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.textsearch import matches
from desktop_app.core.validate import clean_text

__all__ = [
    "CONTRACT_KINDS",
    "CONTRACT_STATES",
    "CONTRACT_STATUSES",
    "INSTALLMENT_COLUMNS",
    "INSTALLMENT_STORED",
    "LAND_CLASSES",
    "PAYMENT_MODES",
    "PRICE_BASES",
    "RECOGNITION_COLUMNS",
    "RECOGNITION_CONSTANTS",
    "RECOGNITION_STORED",
    "ContractInput",
    "amount_of",
    "area_value",
    "check_contract",
    "contract_input",
    "contract_inputs",
    "contract_terms",
    "contract_to_change",
    "create_contract",
    "get_contract",
    "list_contracts",
    "party_ric",
    "party_uscc",
    "pick_choice",
    "renew_contract",
    "schedule_rows",
    "schedule_tuples",
    "set_contract_status",
    "update_contract",
]


_TERM_KEYS = ("start_date", "end_date", "annual_rent", "payment_mode", "escalation_pct", "escalation_years",
              "due_days", "billing_align")


@dataclass(frozen=True)
class ContractInput:
    """A contract as typed in the form or read from an import row."""

    organisation_id: uuid.UUID
    book_id: uuid.UUID
    number: str
    name: str
    kind: str
    subject: str
    counterparty_name: str
    counterparty_kind: str  # 个人 / 单位
    start_date: date | None
    end_date: date | None
    payment_mode: str
    annual_rent: Decimal | str | None = None
    price_basis: str = "年租金"
    unit_price: Decimal | str | None = None
    area_mu: Decimal | str | None = None
    counterparty_id_number: str | None = None
    counterparty_phone: str | None = None
    signed_on: date | None = None
    location: str | None = None
    quantity: str | None = None
    land_class: str | None = None
    asset_id: uuid.UUID | None = None
    parcel_id: uuid.UUID | None = None
    escalation_pct: Decimal | str = Decimal(0)
    escalation_years: int = 0
    billing_align: str = "calendar"
    due_days: int = 30
    deposit_required: Decimal | str = Decimal(0)
    written: bool = True
    status: str | None = None  # None: 履行中 for a new contract, unchanged on an edit (a 终止 stays 终止)
    official_code: str | None = None
    notes: str | None = None


_INPUT_FIELDS = frozenset(f.name for f in dataclasses.fields(ContractInput))
_INPUT_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ContractInput) if f.default is not dataclasses.MISSING}
_INPUT_NEEDED = _INPUT_FIELDS.difference(_INPUT_DEFAULTS)


def contract_input(values: dict[str, Any]) -> ContractInput:
    """``ContractInput(**values)``, made without the frozen dataclass's setting of each field one by
    one (an import makes one a row): the same object, equal to it. Names that are not its fields, or
    a missing field without a default, go through ``ContractInput(**values)`` (its TypeError)."""
    if not (_INPUT_FIELDS.issuperset(values) and _INPUT_NEEDED.issubset(values)):
        return ContractInput(**values)
    made = object.__new__(ContractInput)
    state = made.__dict__
    state.update(_INPUT_DEFAULTS)
    state.update(values)
    return made


def contract_inputs(columns: Mapping[str, Sequence[Any]], n: int, **same: Any) -> list[ContractInput]:
    """``contract_input`` of ``n`` rows given as columns (``columns``) and values they share (``same``),
    each object's ``__dict__`` built in C when the two name every field once (else row by row)."""
    keys = (*columns, *same)
    if len(keys) != len(_INPUT_FIELDS) or not _INPUT_FIELDS.issuperset(keys):
        return [contract_input({**dict(zip(columns, row, strict=True)), **same})
                for row in zip(*columns.values(), strict=True)]
    states = map(dict, map(zip, repeat(keys), zip(*columns.values(), *(repeat(v, n) for v in same.values()),
                                                     strict=True)))
    made = list(map(object.__new__, repeat(ContractInput, n)))
    deque(map(object.__setattr__, made, repeat("__dict__"), states), maxlen=0)  # frozen: past its __setattr__
    return made


def pick_choice(value: str | None, allowed: tuple[str, ...], field: str, *, required: bool = True) -> str | None:
    if not value:
        if required:
            raise ValidationError(f"请选择：{'、'.join(allowed)}", field=field)
        return None
    if value not in allowed:
        raise ValidationError(f"“{value}”无效，应为：{'、'.join(allowed)}", field=field)
    return value


def area_value(value: Decimal | str | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _area_of(value)


@lru_cache(maxsize=4096, typed=True)
def _area_of(value: Decimal | str) -> Decimal:
    """``_area`` of a filled value, each value once (a register repeats its areas and rates; equal
    Decimals read alike: the checks and the result go by the value; a refusal is raised each time)."""
    try:
        area = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError(f"“{value}”不是有效的面积", field="面积（亩）") from None
    if not area.is_finite() or area < 0:
        raise ValidationError("面积不能为负数", field="面积（亩）")
    if area != area.quantize(Decimal("0.0001")):
        raise ValidationError("面积最多四位小数", field="面积（亩）")
    return area.quantize(Decimal("0.0001"))


def _has_table(session: Session, table_name: str) -> bool:
    """Whether the database has the table, asked once per session (an import links row after row)."""
    known: dict[str, bool] = session.info.setdefault("_tables_present", {})
    found = known.get(table_name)
    if found is None:
        found = known[table_name] = inspect(session.connection()).has_table(table_name)
    return found


def _check_link(session: Session, table_name: str, ident: uuid.UUID | None, org_id: uuid.UUID, label: str) -> None:
    """The asset/parcel tables belong to another area: check the id only when the table exists."""
    table = Base.metadata.tables.get(table_name)
    if ident is None or table is None or not _has_table(session, table_name):
        return
    cols = table.c
    row = session.execute(select(*[c for c in (cols.id, cols.get("organisation_id")) if c is not None])
                          .where(cols.id == ident, cols.deleted.is_(False))).first()
    if row is None:
        raise NotFoundError(f"找不到该{label}（{ident}），请先在{label}台账中登记", field=label)
    if len(row) > 1 and row[1] != org_id:
        raise ValidationError(f"该{label}不属于本组织", field=label)


@lru_cache(maxsize=4096)
def party_ric(number: str) -> str:
    """``validate_ric`` of a counterparty's number, each number checked once (an import's lessee
    holds several plots; a refusal is raised again each time, not remembered)."""
    return validate_ric(number, field="承包方身份证号")


@lru_cache(maxsize=4096)
def party_uscc(number: str) -> str:
    return validate_uscc(number, field="承包方统一社会信用代码")


@lru_cache(maxsize=4096, typed=True)
def amount_of(value: Decimal | str | int, field: str) -> Decimal:
    """``parse_amount`` of a rent or deposit, each value once (the result and the checks go by the
    value; a refusal is raised each time)."""
    return parse_amount(value, field=field)


# Built once: building the statement cost SQLAlchemy more than running it (an import checks each row).
_NUMBER_HELD = select(Contract.id).where(Contract.organisation_id == bindparam("org"),
                                         Contract.number == bindparam("number"), Contract.deleted.is_(False))


def _validate(session: Session, data: ContractInput, contract_id: uuid.UUID | None,
              numbers: Mapping[str, uuid.UUID] | None = None,
              book: Book | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    if book is None or book.id != data.book_id:
        book = session.get(Book, data.book_id)
    if book is None or book.deleted or book.organisation_id != data.organisation_id:
        raise NotFoundError("找不到本组织的该账套", field="账套")
    number = clean_text(data.number, "合同编号", 40)
    if numbers is not None:
        clash = numbers.get(number) if number is not None else None
    else:
        clash = session.scalar(_NUMBER_HELD, {"org": data.organisation_id, "number": number})
    if clash is not None and clash != contract_id:
        raise ConflictError(f"合同编号 {number} 在本组织已存在", field="合同编号")
    kind = pick_choice(data.kind, CONTRACT_KINDS, "合同类型")
    if data.start_date is None:
        raise ValidationError("请填写起始日期", field="起始日期")
    if data.end_date is None:
        raise ValidationError("请填写终止日期", field="终止日期")
    if data.end_date < data.start_date:
        raise ValidationError(f"终止日期 {data.end_date:%Y-%m-%d} 早于起始日期 {data.start_date:%Y-%m-%d}", field="终止日期")
    if data.signed_on is not None and data.signed_on > data.end_date:
        raise ValidationError("签订日期不能晚于终止日期", field="签订日期")
    mode = pick_choice(data.payment_mode, PAYMENT_MODES, "付款方式")
    basis = pick_choice(data.price_basis, PRICE_BASES, "计价方式")
    area = area_value(data.area_mu)
    unit_price = None
    if basis == "单价":
        unit_price = amount_of(data.unit_price if data.unit_price is not None else "", "单价（元/亩·年）")
        if not area:
            raise ValidationError("按单价计租时必须填写面积", field="面积（亩）")
        rent = round_fen(unit_price * area)
    else:
        rent = amount_of(data.annual_rent if data.annual_rent is not None else "", "年租金")
    pct = area_value(data.escalation_pct) if data.escalation_pct not in (None, "") else Decimal(0)
    if pct is None or pct > 100:
        raise ValidationError("递增比例应在 0 到 100 之间", field="递增比例（%）")
    if not isinstance(data.escalation_years, int) or not 0 <= data.escalation_years <= 50:
        raise ValidationError("递增间隔应为 0 到 50 年", field="递增间隔（年）")
    if not isinstance(data.due_days, int) or not 0 <= data.due_days <= 366:
        raise ValidationError("缴款期限应为 0 到 366 天", field="缴款期限（天）")
    if data.billing_align not in ("calendar", "contract"):
        raise ValidationError("计费周期应为按自然年度或按合同年度", field="计费周期")
    _check_link(session, "resource_parcel", data.parcel_id, data.organisation_id, "资源地块")
    _check_link(session, "asset", data.asset_id, data.organisation_id, "资产")
    cp_kind = pick_choice(data.counterparty_kind, ("个人", "单位"), "承包方类型")
    id_number = (data.counterparty_id_number or "").strip() or None
    if id_number:
        id_number = party_ric(id_number) if cp_kind == "个人" else party_uscc(id_number)
    counterparty = {
        "organisation_id": data.organisation_id, "kind": cp_kind,
        "name": clean_text(data.counterparty_name, "承包方名称", 100), "id_number": id_number,
        "phone": clean_text(data.counterparty_phone, "联系电话", 30, required=False),
    }
    fields = {
        "organisation_id": data.organisation_id, "book_id": data.book_id, "number": number,
        "official_code": clean_text(data.official_code, "合同统一编码", 18, required=False),
        "name": clean_text(data.name, "合同名称", 200), "kind": kind, "subject": clean_text(data.subject, "标的", 200),
        "location": clean_text(data.location, "位置", 200, required=False), "area_mu": area,
        "quantity": clean_text(data.quantity, "数量", 50, required=False),
        "land_class": pick_choice(data.land_class, LAND_CLASSES, "地类", required=False),
        "asset_id": data.asset_id, "parcel_id": data.parcel_id, "signed_on": data.signed_on,
        "start_date": data.start_date, "end_date": data.end_date, "written": bool(data.written),
        "price_basis": basis, "annual_rent": rent, "unit_price": unit_price, "escalation_pct": pct,
        "escalation_years": data.escalation_years, "payment_mode": mode, "billing_align": data.billing_align,
        "due_days": data.due_days,
        "deposit_required": amount_of(data.deposit_required or Decimal(0), "保证金"),
        "status": pick_choice(data.status or "履行中", CONTRACT_STATUSES, "状态"),
        "notes": clean_text(data.notes, "备注", 2000, required=False),
    }
    return fields, counterparty


def contract_terms(c: Contract | ContractRow | dict[str, Any]) -> Terms:
    v: dict[str, Any] = c if isinstance(c, dict) else {k: getattr(c, k) for k in _TERM_KEYS}
    return Terms(v["start_date"], v["end_date"], v["annual_rent"], v["payment_mode"], v["escalation_pct"],
                 v["escalation_years"], v["due_days"], v["billing_align"])


def schedule_rows(contract_id: uuid.UUID, terms: Terms) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Installment and recognition rows (dicts, ids made here) for a bulk insert."""
    insts: list[dict[str, Any]] = []
    recs: list[dict[str, Any]] = []
    zero = _ZERO
    for item in build_schedule(terms):
        iid = uuid7()
        insts.append({"id": iid, "contract_id": contract_id, "seq": item.seq, "period_start": item.period_start,
                      "period_end": item.period_end, "due_date": item.due_date, "amount": item.amount,
                      "note": _PARTIAL if item.partial else None})
        for y, a in item.recognition:
            recs.append({"id": uuid7(), "contract_id": contract_id, "installment_id": iid, "year": y, "amount": a,
                         "deferred": zero, "recognised": zero})
    return insts, recs


_ZERO = Decimal("0.00")  # immutable: one object for every recognition's 0.00
_PARTIAL = "不足一期，按天折算"  # an installment's note when it covers part of its period
# ``schedule_tuples``' rows, for ``bulk_insert(columns=…COLUMNS, stored=…STORED)`` (recognitions with
# ``constants=RECOGNITION_CONSTANTS``): the ids are given as their stored hex text
INSTALLMENT_COLUMNS = ("id", "contract_id", "seq", "period_start", "period_end", "due_date", "amount", "note")
INSTALLMENT_STORED = ("id", "contract_id")
RECOGNITION_COLUMNS = ("id", "contract_id", "installment_id", "year", "amount")
RECOGNITION_STORED = ("id", "contract_id", "installment_id")
RECOGNITION_CONSTANTS = {"deferred": _ZERO, "recognised": _ZERO}


def schedule_tuples(contract_hex: str, terms: Terms, ids: Iterator[str], insts: list[tuple[Any, ...]],
                    recs: list[tuple[Any, ...]]) -> int:
    """``schedule_rows``' rows as tuples (a bulk writer of 100,000s of rows builds no dict and no
    ``UUID`` a row): installments in ``INSTALLMENT_COLUMNS`` order appended to ``insts``,
    recognitions in ``RECOGNITION_COLUMNS`` order to ``recs``, ids their stored hex text taken from
    ``ids`` (``db.types.uuid7_hex_stream``). Returns the number of installments."""
    parts = schedule_parts(terms)
    for seq, first, last, due, amount, partial, recognition in parts:
        iid = next(ids)
        insts.append((iid, contract_hex, seq, first, last, due, amount, _PARTIAL if partial else None))
        recs.extend([(next(ids), contract_hex, iid, y, a) for y, a in recognition])
    return len(parts)


def _counterparty(session: Session, values: dict[str, Any]) -> ContractCounterparty:
    q = select(ContractCounterparty).where(ContractCounterparty.organisation_id == values["organisation_id"],
                                           ContractCounterparty.deleted.is_(False))
    if values["id_number"]:
        q = q.where(ContractCounterparty.id_number == values["id_number"])
    else:
        q = q.where(ContractCounterparty.name == values["name"], ContractCounterparty.id_number.is_(None))
    cp = session.execute(q.limit(1)).scalar()
    if cp is None:
        cp = ContractCounterparty(**values)
        session.add(cp)
    else:
        for k, v in values.items():
            if v is not None and getattr(cp, k) != v:
                setattr(cp, k, v)
    session.flush()
    return cp


def _write_schedule(session: Session, c: Contract) -> int:
    """(Re)build the schedule in place: rows reused by seq, extras tombstoned."""
    insts, recs = schedule_rows(c.id, contract_terms(c))
    existing = {i.seq: i for i in session.scalars(select(ContractInstallment).where(ContractInstallment.contract_id == c.id))}
    for r in session.scalars(select(ContractRecognition).where(ContractRecognition.contract_id == c.id,
                                                               ContractRecognition.deleted.is_(False))):
        r.deleted = True
    session.flush()
    ids = {}
    for values in insts:
        inst = existing.pop(values["seq"], None)
        if inst is None:
            inst = ContractInstallment(**values)
            session.add(inst)
        else:
            for k in ("period_start", "period_end", "due_date", "amount", "note"):
                setattr(inst, k, values[k])
            inst.deleted = False
        ids[values["id"]] = inst
    for inst in existing.values():
        inst.deleted = True
    session.flush()
    old_recs = {(r.installment_id, r.year): r for r in session.scalars(
        select(ContractRecognition).where(ContractRecognition.contract_id == c.id))}
    for values in recs:
        inst_id = ids[values["installment_id"]].id
        rec = old_recs.get((inst_id, values["year"]))
        if rec is None:
            session.add(ContractRecognition(**{**values, "installment_id": inst_id}))
        else:
            rec.amount, rec.deferred, rec.recognised, rec.deleted = values["amount"], Decimal(0), Decimal(0), False
    session.flush()
    return len(insts)


def _has_money(session: Session, contract_id: uuid.UUID) -> bool:
    return bool(session.scalar(
        select(func.count()).select_from(ContractAllocation).join(
            ContractInstallment, ContractAllocation.installment_id == ContractInstallment.id)
        .where(ContractInstallment.contract_id == contract_id, ContractAllocation.deleted.is_(False))))


def get_contract(session: Session, contract_id: uuid.UUID, *, as_of: date | None = None) -> ContractRow:
    """One contract; ``state`` is its status on ``as_of`` (today if not given)."""
    rows = contract_rows(session, contract_query().where(Contract.id == contract_id), as_of or date.today())
    if not rows:
        raise NotFoundError("找不到该合同", field="合同")
    return rows[0]


def check_contract(session: Session, data: ContractInput, current: Contract | None = None, *,
                   numbers: Mapping[str, uuid.UUID] | None = None,
                   book: Book | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Refuse what creating (or, given ``current``, updating) the contract would refuse, writing
    nothing: the contract's and its counterparty's fields (an import checks its rows with this).
    ``numbers``: the organisation's contract numbers in use → contract id, read once by an import
    (what the per-contract number lookup would find); ``book``: the book the caller holds (the
    one ``data`` names is then not looked up again for every row)."""
    fields, cp_values = _validate(session, data, None if current is None else current.id, numbers, book)
    if current is not None:
        if data.status is None:  # the form does not edit the status: 终止/纠纷/续签 have their own actions
            fields["status"] = current.status
        if any(getattr(current, k) != fields[k] for k in _TERM_KEYS) and _has_money(session, current.id):
            raise ConflictError("该合同已有收款记录，不能修改租金条款；请签订补充协议（续签）或终止后重新登记",
                                field="年租金")
    return fields, cp_values


def create_contract(session: Session, data: ContractInput, *, user: UserRow,
                    progress: Progress | None = None) -> ContractRow:
    """Register a contract and generate its billing schedule."""
    require_role(session, user, *ENTER_RECORDS, organisation_id=data.organisation_id)
    fields, cp_values = check_contract(session, data)
    cp = _counterparty(session, cp_values)
    c = Contract(**fields, counterparty_id=cp.id)
    session.add(c)
    session.flush()
    n = _write_schedule(session, c)
    record_audit(session, AuditRecord("create", "contract", str(c.id),
                                      f"登记合同 {c.number} {c.name}（{cp.name}），生成应收期次 {n} 期", None, row_image(c)))
    return get_contract(session, c.id)


def load_contract(session: Session, contract_id: uuid.UUID) -> Contract:
    c = session.get(Contract, contract_id)
    if c is None or c.deleted:
        raise NotFoundError("找不到该合同", field="合同")
    return c


def contract_to_change(session: Session, contract_id: uuid.UUID, user: UserRow) -> Contract:
    """The contract, once ``user`` may change its organisation's records."""
    c = load_contract(session, contract_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=c.organisation_id)
    return c


def update_contract(session: Session, contract_id: uuid.UUID, data: ContractInput, *, user: UserRow) -> ContractRow:
    """Edit a contract; the schedule is rebuilt if the terms changed and nothing was received yet."""
    c = contract_to_change(session, contract_id, user)
    fields, cp_values = check_contract(session, data, c)
    terms_changed = any(getattr(c, k) != fields[k] for k in _TERM_KEYS)
    before = row_image(c)
    cp = _counterparty(session, cp_values)
    for k, v in {**fields, "counterparty_id": cp.id}.items():
        setattr(c, k, v)
    session.flush()
    if terms_changed:
        _write_schedule(session, c)
    after = row_image(c)
    if after != before:
        record_audit(session, AuditRecord("update", "contract", str(c.id), f"修改合同 {c.number}"
                                          + ("，重新生成应收期次" if terms_changed else ""), before, after))
    return get_contract(session, c.id)


def set_contract_status(session: Session, contract_id: uuid.UUID, status: str, *, user: UserRow,
                        on: date | None = None, reason: str = "") -> ContractRow:
    """Move a contract to 履行中 / 到期 / 终止 / 纠纷 (终止 records the date)."""
    c = contract_to_change(session, contract_id, user)
    pick_choice(status, CONTRACT_STATUSES, "状态")
    if status == "终止" and on is None:
        raise ValidationError("终止合同须填写终止日期", field="终止日期")
    before = {"status": c.status, "terminated_on": c.terminated_on}
    c.status = status
    c.terminated_on = on if status == "终止" else c.terminated_on
    session.flush()
    record_audit(session, AuditRecord("status", "contract", str(c.id), f"合同 {c.number} 状态改为“{status}”"
                                      + (f"：{reason.strip()}" if reason.strip() else ""), before,
                                      {"status": c.status, "terminated_on": c.terminated_on}))
    return get_contract(session, c.id)


def renew_contract(session: Session, contract_id: uuid.UUID, data: ContractInput, *, user: UserRow) -> ContractRow:
    """续签: a new contract linked to the old one (renewal chain); the old one becomes 到期."""
    old = contract_to_change(session, contract_id, user)
    if data.start_date is not None and data.start_date <= old.end_date:
        raise ValidationError(f"续签合同的起始日期应晚于原合同终止日期 {old.end_date:%Y-%m-%d}", field="起始日期")
    new = create_contract(session, replace(data, organisation_id=old.organisation_id), user=user)
    c = load_contract(session, new.id)
    c.renewal_of_id = old.id
    if old.status == "履行中":
        old.status = "到期"
    session.flush()
    record_audit(session, AuditRecord("renew", "contract", str(c.id), f"合同 {old.number} 续签为 {c.number}",
                                      {"renewal_of": str(old.id)}, {"contract": str(c.id)}))
    return get_contract(session, c.id)


def list_contracts(session: Session, organisation_id: uuid.UUID | None, *, text: str | None = None,
                   status: str | None = None, kind: str | None = None, as_of: date | None = None) -> list[ContractRow]:
    """Contracts of one organisation (or all), each with its status on ``as_of`` (today if not
    given; ``rules.contract_state``); ``status`` filters on that status (CONTRACT_STATES);
    ``text`` matches number, name, subject and the counterparty, pinyin initials included."""
    q = contract_query()
    if organisation_id is not None:
        q = q.where(Contract.organisation_id == organisation_id)
    if kind:
        q = q.where(Contract.kind == kind)
    rows = contract_rows(session, q.order_by(Contract.organisation_id, Contract.number), as_of or date.today())
    if status:
        rows = [r for r in rows if r.state == status]
    if text and text.strip():
        rows = [r for r in rows if matches(text, r.number, r.name, r.subject, r.counterparty_name)]
    return rows


