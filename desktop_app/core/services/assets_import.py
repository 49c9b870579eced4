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
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
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
    add_months,
    month_of,
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
    default_use,
    depreciated_or_closed_through,
    validated_asset,
)
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import get_book_row, reads
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.resources_import import CHUNK, REFUSED, Checked, Images, batched

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
    image = Images(Asset.__table__)
    n = 0
    for chunk in batched(rows, CHUNK):
        out: list[dict[str, Any]] = []
        for values, aid in zip(chunk, uuid7_many(len(chunk)), strict=True):  # the cards' ids in one go
            # a code registered before or earlier in this batch: the form's 「资产编号 X 已被其他资产卡片使用」
            fields = validated(values)
            code = fields["code"]
            first = add_months(month_of(fields["acquired_on"]), 1)
            fields["first_period"] = max(first, book.start_period, add_months(done, 1)) if done else \
                max(first, book.start_period)
            codes[code] = aid
            out.append({"id": aid, "organisation_id": organisation_id, "book_id": book_id, **fields, **_UNSET})
        _write(session, out, image)
        n += len(out)
    return n


def _write(session: Session, out: list[dict[str, Any]], image: Images) -> None:
    """The cards, their history lines (as ``assets_common.write_history``) and audit entries."""
    bulk_insert(session, Asset, out)
    # the history lines as (id, card id, summary) in their stored form: what every line shares given once
    bulk_insert(session, AssetHistory, list(zip(
        uuid7_hex_many(len(out)), [r["id"].hex for r in out],
        [f"登记资产卡片 {r['code']} {r['name']}"[:300] for r in out], strict=True)),
        columns=("id", "asset_id", "summary"), stored=("id", "asset_id"),
        constants={"at": utcnow(), "actor": session_actor(session), "action": "create", "changes_json": None})
    record_audit(session, [AuditRecord("create", "asset", str(r["id"]),
                                       f"登记资产 {r['code']} {r['name']}（原值 {r['original_value']}）", None, image(r))
                           for r in out])


class AssetFields:
    """``validated_asset(session, values, org_id, None, codes)`` for the cards of a batch: the same
    dict, field by field from the same checks with the same arguments, each column's repeated values
    checked once (``resources_import.Checked``), and the columns of a few values each (类别, 性质,
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


def _rate(value: Any, field: str) -> Decimal:
    """``validated_asset``'s 残值率: blank is 0, above 100% refused."""
    rate = v.decimal(value, field, required=False) or Decimal("0.0000")
    if rate > 100:
        raise ValidationError("残值率不能超过100%", field=field)
    return rate
