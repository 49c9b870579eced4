"""Asset cards from an import file in one batch (the batch form of ``assets.create_asset``).

``create_asset`` per card checked the organisation, the book and the user's role, looked up the
book's last depreciated or closed month, flushed the card, added its history line, audited it and
read its totals back: a dozen statements per card. Here those checks and look-ups are made once,
each card is checked by the form's rules (``assets.validated_asset``; a code registered before or
earlier in the file is refused with the form's message), then the cards and their history lines
are written with ``bulk_insert`` and audited as ``create_asset`` audits each card (same action,
summary and row image) in one ``record_audit`` call. No acquisition voucher is posted (the
import never names a payment account).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert, session_actor
from db.models import Asset, AssetHistory
from db.types import utcnow, uuid7_hex_many, uuid7_many
from desktop_app.core.errors import ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rules.depreciation import (
    METHODS,
    STRAIGHT_LINE,
    UNITS,
    residual_value,
)
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import (
    CATEGORIES,
    LABELS,
    MODES,
    NATURES,
    STATUSES,
    USE_KINDS,
    card_first_period,
    default_use,
    depreciated_or_closed_through,
    validated_asset,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.column_checks import (
    REFUSED,
    Checked,
    column_json,
    column_keys,
    in_cents,
    mapped,
    quantized,
)
from desktop_app.core.services.funds_base import get_book_row, reads
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.resources_import import CHUNK, batched

__all__ = ["AssetFields", "asset_codes", "create_assets"]

# every code of the organisation, deleted cards too: what validated_asset's clash lookup sees
_CODES = select(Asset.code, Asset.id).where(Asset.organisation_id == bindparam("org_id"))
_UNSET = {"opening_workload": None, "acquisition_voucher_id": None, "disposed_on": None}


def asset_codes(session: Session, organisation_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Every card code of the organisation (deleted cards' too) → card id, in one query: what
    ``validated_asset``'s per-card clash lookup sees, for its ``codes``."""
    return {c: i for c, i in reads(session).execute(_CODES, {"org_id": organisation_id})}


def create_assets(session: Session, *, organisation_id: uuid.UUID, book_id: uuid.UUID,
                  rows: Iterable[Mapping[str, Any]], user: UserRow) -> int:
    """Register every card of ``rows`` (the keyword arguments of ``create_asset``) in ``book_id``,
    or none: a refusal raises, and the caller's transaction then writes nothing (cards are written
    in rounds of ``CHUNK``: memory stays flat). Returns how many were written."""
    v.check_org(session, organisation_id)
    book = get_book_row(session, book_id)
    if book.organisation_id != organisation_id:
        raise ValidationError("账套不属于该组织", field="账套")
    require_role(session, user, *MAKE_VOUCHER, organisation_id=organisation_id)  # as create_asset
    done = depreciated_or_closed_through(session, book_id)
    codes = asset_codes(session, organisation_id)
    validated = AssetFields(session, organisation_id, codes)  # validated_asset, repeated values once
    n = 0
    first_periods: dict[Any, str] = {}  # 取得日期 → the card's first period (a register's dates repeat)

    def first_period(acquired: Any) -> str:
        found = first_periods.get(acquired)
        if found is None:
            found = card_first_period(acquired, book.start_period, done)
            first_periods[acquired] = found
        return found

    for chunk in batched(rows, CHUNK):
        ids = uuid7_many(len(chunk))  # the cards' ids in one go
        checked = validated.chunk(chunk)
        if checked is not None:  # every card accepted, their codes all new and all different
            codes.update(zip(map(itemgetter("code"), checked), ids, strict=True))
        else:
            checked = []
            for values, aid in zip(chunk, ids, strict=True):
                # a code registered before or earlier in this batch: the form's 「资产编号 X 已被其他资产卡片使用」
                fields = validated(values)
                codes[fields["code"]] = aid
                checked.append(fields)
        out: list[dict[str, Any]] = []
        for fields, aid in zip(checked, ids, strict=True):
            fields["first_period"] = first_period(fields["acquired_on"])
            fields["id"] = aid
            out.append(fields)
        _write(session, out, {"organisation_id": organisation_id, "book_id": book_id, **_UNSET})
        n += len(out)
    return n


def _write(session: Session, out: list[dict[str, Any]], same: dict[str, Any]) -> None:
    """The cards (``same``: what every card of the batch has), their history lines (as
    ``assets_common.write_history``) and audit entries."""
    bulk_insert(session, Asset, out, constants=same)
    # the history lines as (id, card id, summary) in their stored form: what every line shares given once
    bulk_insert(session, AssetHistory, list(zip(
        uuid7_hex_many(len(out)), [r["id"].hex for r in out],
        [f"登记资产卡片 {r['code']} {r['name']}"[:300] for r in out], strict=True)),
        columns=("id", "asset_id", "summary"), stored=("id", "asset_id"),
        constants={"at": utcnow(), "actor": session_actor(session), "action": "create", "changes_json": None})
    record_audit(session, [AuditRecord("create", "asset", str(r["id"]),
                                       f"登记资产 {r['code']} {r['name']}（原值 {r['original_value']}）", None, image)
                           for r, image in zip(out, column_json(Asset.__table__, out, same), strict=True)])


class AssetFields:
    """``validated_asset(session, values, org_id, None, codes)`` for the cards of a batch: the same
    dict, field by field from the same checks with the same arguments, each column's repeated values
    checked once (``column_checks.Checked``), and the columns of a few values each (类别, 性质,
    状态, 数量, 单位, 年限, 残值率, 方法 …) once per distinct combination of them (keyed by the values'
    types and, when a Decimal is among them, their texts: 1.0 and 1 are equal keys, but 单位 1.0 is
    stored as "1.0"). A card any check refuses (or naming
    a 所属项目, which takes a query) goes to ``validated_asset`` itself, which raises with the form's
    message."""

    FEW = ("category", "nature", "status", "use_kind", "quantity", "unit", "acquisition_mode", "funding_source",
           "useful_life_months", "residual_rate", "method", "total_workload", "workload_unit")

    def __init__(self, session: Session, org_id: uuid.UUID, codes: dict[str, uuid.UUID]) -> None:
        L = LABELS
        self.session, self.org_id, self.codes = session, org_id, codes
        self.defaults = tuple(0 if k == "residual_rate" else None for k in self.FEW)
        self.few: dict[Any, Any] = {}
        self.location = Checked(partial(v.text, field=L["location"], required=False, max_len=200))
        self.area = Checked(partial(v.decimal, field=L["area_m2"], required=False))
        self.day = Checked(partial(v.day, field=L["acquired_on"]))
        self.cost = Checked(partial(v.money, field=L["original_value"], allow_zero=False))
        self.opening = Checked(partial(v.money, field=L["opening_accumulated"], required=False))
        self.custodian = Checked(partial(v.text, field=L["custodian"], required=False, max_len=50))
        self.title = Checked(partial(v.text, field=L["title_no"], required=False, max_len=60))
        self.notes = Checked(partial(v.text, field=L["notes"], required=False, max_len=500))

    @staticmethod
    def _few(given: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The few-valued fields as ``validated_asset`` stores them, or None when it refuses one."""
        L = LABELS
        category, nature, status, use_kind, quantity, unit, mode, funding, life, rate, method, workload, w_unit = given
        try:
            nature = v.choice(nature, L["nature"], NATURES)
            status = v.choice(status, L["status"], STATUSES, "自用")
            method = v.choice(method, L["method"], METHODS, STRAIGHT_LINE)
            return (v.choice(category, L["category"], CATEGORIES), nature, status,
                    v.choice(use_kind, L["use_kind"], USE_KINDS, default_use(nature, status)),
                    v.decimal(1 if quantity is None or quantity == "" else quantity, L["quantity"], positive=True),
                    v.text(unit or "项", L["unit"], max_len=10),
                    v.choice(mode, L["acquisition_mode"], MODES, "购建"),
                    v.text(funding, L["funding_source"], required=False, max_len=50),
                    v.integer(life, L["useful_life_months"]), _rate(rate, L["residual_rate"]), method,
                    v.decimal(workload, L["total_workload"], required=method == UNITS, positive=True),
                    v.text(w_unit, L["workload_unit"], required=False, max_len=10))
        except Exception:  # refused: validated_asset says how
            return None

    def __call__(self, values: Mapping[str, Any]) -> dict[str, Any]:
        get = values.get
        code, name = get("code"), get("name")
        if type(code) is str and type(name) is str and get("project_id") is None:
            code, name = code.strip(), name.strip()
            if 0 < len(code) <= 30 and 0 < len(name) <= 100 and code not in self.codes:
                given = tuple(map(get, self.FEW, self.defaults))
                kinds = tuple(map(type, given))
                key = ((tuple(map(str, given)) if Decimal in kinds else given), kinds)
                try:
                    few = self.few.get(key, REFUSED)
                    if few is REFUSED:
                        few = self._few(given)
                        if len(self.few) < 4096:
                            self.few[key] = few
                except TypeError:  # an unhashable value
                    few = self._few(given)
                if few is not None:
                    category, nature, status, use_kind, quantity, unit, mode, funding, life, rate, method, workload, \
                        w_unit = few
                    cost, opening = self.cost(get("original_value")), self.opening(get("opening_accumulated"))
                    out = {"code": code, "name": name, "category": category, "nature": nature, "status": status,
                           "use_kind": use_kind, "location": self.location(get("location")), "quantity": quantity,
                           "unit": unit, "area_m2": self.area(get("area_m2")), "acquisition_mode": mode,
                           "funding_source": funding, "acquired_on": self.day(get("acquired_on")),
                           "original_value": cost, "useful_life_months": life, "residual_rate": rate,
                           "method": method, "total_workload": workload, "workload_unit": w_unit,
                           "opening_accumulated": opening, "custodian": self.custodian(get("custodian")),
                           "title_no": self.title(get("title_no")),
                           "poverty_alleviation": bool(get("poverty_alleviation", False)), "project_id": None,
                           "contract_id": get("contract_id"), "notes": self.notes(get("notes"))}
                    if REFUSED not in out.values() and not opening > cost - residual_value(cost, rate):
                        return out
        return validated_asset(self.session, dict(values), self.org_id, None, self.codes)


    SINGLE = ("location", "area_m2", "acquired_on", "custodian", "title_no", "notes")
    KEYS = ("code", "name", "category", "nature", "status", "use_kind", "location", "quantity", "unit", "area_m2",
            "acquisition_mode", "funding_source", "acquired_on", "original_value", "useful_life_months",
            "residual_rate", "method", "total_workload", "workload_unit", "opening_accumulated", "custodian",
            "title_no", "poverty_alleviation", "project_id", "contract_id", "notes")  # validated_asset's order

    def chunk(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
        """``self(row)`` of every row of a chunk, column by column: each column's (or the few-valued
        columns') distinct values checked once, the codes and names as columns of texts, 原值 in one pass
        when every figure is in 分. None when any row is refused, any code is registered or repeats
        within the chunk, or a card names a 所属项目: the rows then go one by one (``self``), which
        words the refusal."""
        def col(key: str, default: Any = None) -> list[Any]:
            return list(map(dict.get, rows, repeat(key), repeat(default)))  # type: ignore[arg-type]

        if set(map(type, rows)) != {dict}:
            return None
        codes, names = col("code"), col("name")
        if not (set(map(type, codes)) == set(map(type, names)) == {str}):
            return None
        codes, names = list(map(str.strip, codes)), list(map(str.strip, names))
        if not (0 < min(map(len, codes)) and max(map(len, codes)) <= 30 and 0 < min(map(len, names))
                and max(map(len, names)) <= 100 and len(set(codes)) == len(codes)
                and self.codes.keys().isdisjoint(codes) and col("project_id").count(None) == len(rows)):
            return None
        given = [col(k, d) for k, d in zip(self.FEW, self.defaults, strict=True)]
        keyed = list(map(column_keys, given))
        if any(k is None for k in keyed):
            return None
        combos = list(zip(*keyed, strict=True))
        firsts = dict(zip(combos, zip(*given, strict=True), strict=True))
        answers = {k: self._few(v) for k, v in firsts.items()}
        if None in answers.values():
            return None
        few = list(zip(*map(answers.__getitem__, combos), strict=True))  # the few-valued fields, by column
        single = {k: mapped(check, col(k)) for k, check in zip(self.SINGLE, (
            self.location, self.area, self.day, self.custodian, self.title, self.notes), strict=True)}
        costs = col("original_value")
        cost = quantized(costs) if in_cents(costs, above_zero=True) else mapped(self.cost, costs)
        opening = mapped(self.opening, col("opening_accumulated"))
        if any(REFUSED in c for c in (cost, opening, *single.values())):
            return None
        rates = few[9]
        for c, o, r in zip(cost, opening, rates, strict=True):
            if o and o > c - residual_value(c, r):  # no opening figure is 0.00: never above 原值 less its residual
                return None
        category, nature, status, use_kind, quantity, unit, mode, funding, life, rate, method, workload, w_unit = few
        columns = (codes, names, category, nature, status, use_kind, single["location"], quantity, unit,
                   single["area_m2"], mode, funding, single["acquired_on"], cost, life, rate, method, workload, w_unit,
                   opening, single["custodian"], single["title_no"], list(map(bool, col("poverty_alleviation", False))),
                   [None] * len(rows), col("contract_id"), single["notes"])
        return list(map(dict, map(zip, repeat(self.KEYS), zip(*columns, strict=True))))


def _rate(value: Any, field: str) -> Decimal:
    """``validated_asset``'s 残值率: blank is 0, above 100% refused."""
    rate = v.decimal(value, field, required=False) or Decimal("0.0000")
    if rate > 100:
        raise ValidationError("残值率不能超过100%", field=field)
    return rate
