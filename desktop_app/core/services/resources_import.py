"""Resource parcels from an import file in one batch (the batch form of ``resources.create_parcel``).

Each row is checked by the form's rules (``resources.validated_parcel``, duplicates within the batch
too; the organisation's codes and main book read once, ``resources.ParcelBatch``), then all are written with ``bulk_insert`` and audited as ``create_parcel`` audits each
parcel (same action, summary and row image), in one ``record_audit`` call. ``create_parcel``
reads the whole register back to return each new parcel's row, so a file of n parcels cost
n² row reads; here the cost per row does not grow with the file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import values_image
from db.models import ResourceParcel
from db.types import uuid7
from desktop_app.core.rows import UserRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.resources import ParcelBatch, validated_parcel

__all__ = ["create_parcels"]


def batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``rows`` in lists of ``size`` (itertools.batched is Python 3.12)."""
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


CHUNK = 5000  # parcels checked and written per round: memory stays flat for any file


def create_parcels(session: Session, *, organisation_id: uuid.UUID, rows: Iterable[Mapping[str, Any]],
                   user: UserRow) -> int:
    """Register every parcel of ``rows`` (the keyword arguments of ``create_parcel``) or none: a
    refusal raises, and the caller's transaction then writes nothing (rows are written in rounds of
    ``CHUNK``, so a refusal late in a long file comes after earlier rounds' inserts, which that
    transaction's rollback undoes). Returns how many were written."""
    v.check_org(session, organisation_id)
    require_role(session, user, *ENTER_RECORDS, organisation_id=organisation_id)
    batch = ParcelBatch.read(session, organisation_id)  # the codes and the main book, once
    n = 0
    for chunk in batched(rows, CHUNK):
        out: list[dict[str, Any]] = []
        for values in chunk:
            fields = validated_parcel(session, dict(values), organisation_id, None, batch)
            pid = uuid7()
            batch.taken(fields["code"], pid)  # a second row with this code: 已存在, as after the first was saved
            out.append({"id": pid, "organisation_id": organisation_id, **fields})
        bulk_insert(session, ResourceParcel, out)
        record_audit(session, [AuditRecord("create", "resource_parcel", str(r["id"]),
                                           f"登记地块 {r['code']} {r['name']}（{r['land_class']} {r['area_mu']} 亩）",
                                           None, values_image(ResourceParcel.__table__, r)) for r in out])
        n += len(out)
    return n
