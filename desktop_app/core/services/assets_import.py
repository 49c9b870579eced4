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
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert, session_actor
from db.images import values_image
from db.models import Asset, AssetHistory
from db.types import utcnow, uuid7
from desktop_app.core.errors import ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.rules.depreciation import add_months, month_of
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.assets import depreciated_or_closed_through, validated_asset
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.funds_base import get_book_row, reads
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.resources_import import CHUNK, batched

__all__ = ["asset_codes", "create_assets"]

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
    n = 0
    for chunk in batched(rows, CHUNK):
        out: list[dict[str, Any]] = []
        for values in chunk:
            # a code registered before or earlier in this batch: the form's 「资产编号 X 已被其他资产卡片使用」
            fields = validated_asset(session, dict(values), organisation_id, None, codes)
            code = fields["code"]
            first = add_months(month_of(fields["acquired_on"]), 1)
            fields["first_period"] = max(first, book.start_period, add_months(done, 1)) if done else \
                max(first, book.start_period)
            aid = uuid7()
            codes[code] = aid
            out.append({"id": aid, "organisation_id": organisation_id, "book_id": book_id, **fields, **_UNSET})
        _write(session, out)
        n += len(out)
    return n


def _write(session: Session, out: list[dict[str, Any]]) -> None:
    """The cards, their history lines (as ``assets_common.write_history``) and audit entries."""
    bulk_insert(session, Asset, out)
    at, actor = utcnow(), session_actor(session)
    bulk_insert(session, AssetHistory, [
        {"id": uuid7(), "asset_id": r["id"], "at": at, "actor": actor, "action": "create",
         "summary": f"登记资产卡片 {r['code']} {r['name']}"[:300], "changes_json": None} for r in out])
    record_audit(session, [AuditRecord("create", "asset", str(r["id"]),
                                       f"登记资产 {r['code']} {r['name']}（原值 {r['original_value']}）", None, values_image(Asset.__table__, r))
                           for r in out])
