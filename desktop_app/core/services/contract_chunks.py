"""New contracts checked a chunk at a time (issue #18): what ``check_contract`` gives each new
contract (its fields and its counterparty's, the same dicts with the same keys in the same order),
asked column by column — each distinct value of a field (``column_checks.mapped``), or each distinct
(承包方类型, 证件号码) pair, asked of the form's own check once; a column of texts trimmed and measured
in one pass. A row that any check refuses, or that links a 地块 or 资产 (looked up in the database),
is not vouched for: the caller asks ``check_contract`` for it, which words the refusal as the form."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, is_, is_not, le
from typing import Any

from db.models import Book
from db.models.contract import CONTRACT_KINDS, CONTRACT_STATUSES, LAND_CLASSES, PRICE_BASES
from desktop_app.core.errors import UserError
from desktop_app.core.rules.contract_schedule import PAYMENT_MODES, round_fen
from desktop_app.core.services.column_checks import in_cents, mapped, quantized
from desktop_app.core.services.contracts import (
    ContractInput,
    amount_of,
    area_value,
    party_ric,
    party_uscc,
    pick_choice,
)
from desktop_app.core.validate import clean_text

__all__ = ["FIELD_KEYS", "INPUT_KEYS", "PARTY_KEYS", "vouched", "vouched_columns"]

# ``check_contract``'s dicts' keys, in its order
FIELD_KEYS = ("organisation_id", "book_id", "number", "official_code", "name", "kind", "subject", "location", "area_mu",
              "quantity", "land_class", "asset_id", "parcel_id", "signed_on", "start_date", "end_date", "written",
              "price_basis", "annual_rent", "unit_price", "escalation_pct", "escalation_years", "payment_mode",
              "billing_align", "due_days", "deposit_required", "status", "notes")
PARTY_KEYS = ("organisation_id", "kind", "name", "id_number", "phone")

_NO: Any = object()  # a value a check refused (or could not take): its row is asked row by row
_FAILED = (UserError, ArithmeticError, TypeError, ValueError, AttributeError)

Checked = tuple[dict[str, Any], dict[str, Any]]


def _asked(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``check`` giving ``_NO`` where it raises."""
    def ask(value: Any) -> Any:
        try:
            return check(value)
        except _FAILED:
            return _NO
    return ask


def _texts(col: Sequence[Any], field: str, max_len: int, required: bool) -> list[Any]:
    """``clean_text`` of every cell (``_NO`` where it refuses): a column of texts in one pass when no
    text is too long (nor, if required, blank), else each distinct value once."""
    if set(map(type, col)) == {str}:
        trimmed = list(map(str.strip, col))
        if max(map(len, trimmed)) <= max_len:
            if required and all(trimmed):
                return trimmed
            if not required:
                return [t or None for t in trimmed]
    return mapped(_asked(lambda v: clean_text(v, field, max_len, required=required)), col)


def _amounts(col: Sequence[Any], check: Callable[[Any], Any]) -> list[Any]:
    """``amount_of`` of every cell (``check``: the form's call of it): a column of Decimals in 分, none
    below zero (nor -0), within the limit, in one pass — what ``parse_amount`` gives each, with two
    places — else each distinct value once."""
    if in_cents(col, above_zero=False) and not any(map(Decimal.is_signed, col)):
        return quantized(col)
    return mapped(_asked(check), col)


def _one(values: Iterable[Any]) -> Any:
    """The one value of a column that holds the same object throughout (else ``_NO``)."""
    same = {id(v): v for v in values}
    return next(iter(same.values())) if len(same) == 1 else _NO


def _dated(start: Sequence[Any], end: Sequence[Any], signed: Sequence[Any]) -> bool:
    """Is every row's 起始 ≤ 终止 a ``date`` (not a datetime) and its 签订 blank or a date ≤ 终止?
    (False: asked row by row.)"""
    signs = set(map(type, signed))
    return set(map(type, start)) == {date} == set(map(type, end)) and all(map(le, start, end)) and (
        signs == {type(None)} or (signs == {date} and all(map(le, signed, end))))


def _id_text(value: Any) -> Any:
    """The 证件号码 as ``_validate`` takes it: trimmed, a blank None (``_NO``: not a text)."""
    try:
        return (value or "").strip() or None
    except AttributeError:
        return _NO


def _pct(value: Any) -> Any:
    pct = area_value(value) if value not in (None, "") else Decimal(0)
    return _NO if pct is None or pct > 100 else pct


def _within(top: int) -> Callable[[Any], Any]:
    return lambda v: v if isinstance(v, int) and 0 <= v <= top else _NO


def vouched(datas: Sequence[ContractInput], *, numbers: Mapping[str, uuid.UUID], book: Book | None
            ) -> list[Checked | None]:
    """``check_contract(session, data, numbers=numbers, book=book)`` of each new contract where every
    check takes it and it links no 地块 or 资产; None for the others (ask ``check_contract``)."""
    n = len(datas)
    if not n or book is None or book.deleted or any(_one(map(attrgetter(k), datas)) != v for k, v in (
            ("book_id", book.id), ("organisation_id", book.organisation_id))):
        return [None] * n
    return vouched_columns({k: list(map(attrgetter(k), datas)) for k in INPUT_KEYS}, n, numbers=numbers, book=book)


# the ContractInput fields ``vouched_columns`` reads (all but the organisation and the book)
INPUT_KEYS = ("number", "name", "kind", "subject", "counterparty_name", "counterparty_kind", "start_date", "end_date",
              "payment_mode", "annual_rent", "price_basis", "unit_price", "area_mu", "counterparty_id_number",
              "counterparty_phone", "signed_on", "location", "quantity", "land_class", "asset_id", "parcel_id",
              "escalation_pct", "escalation_years", "billing_align", "due_days", "deposit_required", "written",
              "status", "official_code", "notes")


def vouched_columns(columns: Mapping[str, Sequence[Any]], n: int, *, numbers: Mapping[str, uuid.UUID], book: Book
                    ) -> list[Checked | None]:
    """``vouched`` of ``n`` new contracts of ``book`` (its organisation and book) given as their fields'
    columns (``INPUT_KEYS``)."""
    if book.deleted:
        return [None] * n
    col = columns.__getitem__
    refused: set[int] = set()
    number = _texts(col("number"), "合同编号", 40, True)
    if any(map(is_, number, repeat(_NO))) or not numbers.keys().isdisjoint(number):
        refused.update(i for i, v in enumerate(number) if v is _NO or numbers.get(v) is not None)
    start, end, signed = col("start_date"), col("end_date"), col("signed_on")
    if not _dated(start, end, signed):
        refused.update(i for i, (s, e, g) in enumerate(zip(start, end, signed, strict=True))
                       if not (type(s) is date and type(e) is date and s <= e  # a datetime is asked row by row
                               and (g is None or (type(g) is date and g <= e))))
    if any(map(is_not, col("parcel_id"), repeat(None))) or any(map(is_not, col("asset_id"), repeat(None))):
        refused.update(i for i, (p, a) in enumerate(zip(col("parcel_id"), col("asset_id"), strict=True))
                       if p is not None or a is not None)
    kind = mapped(_asked(lambda v: pick_choice(v, CONTRACT_KINDS, "合同类型")), col("kind"))
    mode = mapped(_asked(lambda v: pick_choice(v, PAYMENT_MODES, "付款方式")), col("payment_mode"))
    basis = mapped(_asked(lambda v: pick_choice(v, PRICE_BASES, "计价方式")), col("price_basis"))
    area = mapped(_asked(area_value), col("area_mu"))
    rent = _amounts(col("annual_rent"), lambda v: amount_of(v if v is not None else "", "年租金"))
    unit: list[Any] = [None] * n
    if "单价" in basis:
        by_unit = _asked(lambda v: amount_of(v if v is not None else "", "单价（元/亩·年）"))
        for i, (b, price, a) in enumerate(zip(basis, col("unit_price"), area, strict=True)):
            if b == "单价":
                unit[i] = by_unit(price)
                rent[i] = _NO if unit[i] is _NO or a is _NO or not a else _asked(round_fen)(unit[i] * a)
    pct = mapped(_asked(_pct), col("escalation_pct"))
    years = mapped(_within(50), col("escalation_years"))
    due = mapped(_within(366), col("due_days"))
    align = mapped(lambda v: v if v in ("calendar", "contract") else _NO, col("billing_align"))
    party_kind = mapped(_asked(lambda v: pick_choice(v, ("个人", "单位"), "承包方类型")), col("counterparty_kind"))
    pairs = list(zip(party_kind, map(_id_text, col("counterparty_id_number")), strict=True))
    known = {(k, text): text if text is None or text is _NO or k is _NO
             else _asked(party_ric if k == "个人" else party_uscc)(text)
             for k, text in dict.fromkeys(pairs)}  # each distinct (承包方类型, 证件号码) checked once
    ids = list(map(known.__getitem__, pairs))
    party_name = _texts(col("counterparty_name"), "承包方名称", 100, True)
    phone = _texts(col("counterparty_phone"), "联系电话", 30, False)
    official = _texts(col("official_code"), "合同统一编码", 18, False)
    name = _texts(col("name"), "合同名称", 200, True)
    subject = _texts(col("subject"), "标的", 200, True)
    location = _texts(col("location"), "位置", 200, False)
    quantity = _texts(col("quantity"), "数量", 50, False)
    land = mapped(_asked(lambda v: pick_choice(v, LAND_CLASSES, "地类", required=False)), col("land_class"))
    deposit = _amounts(col("deposit_required"), lambda v: amount_of(v or Decimal(0), "保证金"))
    status = mapped(_asked(lambda v: pick_choice(v or "履行中", CONTRACT_STATUSES, "状态")), col("status"))
    notes = _texts(col("notes"), "备注", 2000, False)
    for checked in (kind, mode, basis, area, rent, unit, pct, years, due, align, party_kind, ids, party_name, phone,
                    official, name, subject, location, quantity, land, deposit, status, notes):
        if any(map(is_, checked, repeat(_NO))):  # not ``_NO in``: a Decimal compared with it asks an ABC
            refused.update(i for i, v in enumerate(checked) if v is _NO)
    fields = map(dict, map(zip, repeat(FIELD_KEYS), zip(
        repeat(book.organisation_id, n), repeat(book.id, n), number, official, name, kind, subject, location, area,
        quantity, land, repeat(None, n), repeat(None, n),
        signed, start, end, map(bool, col("written")), basis, rent, unit, pct, years, mode, align, due, deposit,
        status, notes, strict=True)))
    party = map(dict, map(zip, repeat(PARTY_KEYS), zip(repeat(book.organisation_id, n), party_kind, party_name, ids,
                                                       phone, strict=True)))
    out: list[Checked | None] = list(zip(fields, party, strict=True))
    for i in refused:
        out[i] = None
    return out
