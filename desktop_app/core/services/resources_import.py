"""Resource parcels from an import file in one batch (the batch form of ``resources.create_parcel``).

Each row is checked by the form's rules (``resources.validated_parcel``, duplicates within the batch
too; the organisation's codes and main book read once, ``resources.ParcelBatch``), then all are written with ``bulk_insert`` and audited as ``create_parcel`` audits each
parcel (same action, summary and row image, made as text by ``column_checks.column_json``), in one
``record_audit`` call. ``create_parcel``
reads the whole register back to return each new parcel's row, so a file of n parcels cost
n² row reads; here the cost per row does not grow with the file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.models import ResourceParcel
from db.types import uuid7
from desktop_app.core.rows import UserRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.column_checks import REFUSED, Checked, Combined, column_json
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.resources import (
    LABELS,
    LAND_CLASSES,
    OWNERSHIPS,
    STATUSES,
    ParcelBatch,
    validated_parcel,
)

__all__ = ["ParcelFields", "create_parcels"]


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
    validated = ParcelFields(session, organisation_id, batch)  # validated_parcel, repeated values once
    n = 0
    for chunk in batched(rows, CHUNK):
        out: list[dict[str, Any]] = []
        for values in chunk:
            fields = validated(values)
            pid = uuid7()
            batch.taken(fields["code"], pid)  # a second row with this code: 已存在, as after the first was saved
            out.append({"id": pid, "organisation_id": organisation_id, **fields})
        bulk_insert(session, ResourceParcel, out)
        record_audit(session, [AuditRecord("create", "resource_parcel", str(r["id"]),
                                           f"登记地块 {r['code']} {r['name']}（{r['land_class']} {r['area_mu']} 亩）",
                                           None, image)
                               for r, image in zip(out, column_json(ResourceParcel.__table__, out), strict=True)])
        n += len(out)
    return n




class ParcelFields:
    """``validated_parcel(session, values, org_id, None, batch)`` for the rows of a batch: the same
    dict, field by field from the same checks with the same arguments, the few-valued columns once per
    combination (``Combined``), 面积 and 备注 once per value (``Checked``). A row any check refuses
    goes to ``validated_parcel`` itself, which raises with the form's message for its first bad field."""

    WORDS = ("land_class", "location", "east", "south", "west", "north", "ownership", "group_name", "status")

    def __init__(self, session: Session, org_id: uuid.UUID, batch: ParcelBatch) -> None:
        self.session, self.org_id, self.batch = session, org_id, batch
        self.area = Checked(partial(v.decimal, field=LABELS["area_mu"], positive=True, maximum=Decimal(10**9)))
        self.notes = Checked(partial(v.text, field=LABELS["notes"], required=False, max_len=500))
        self.words = Combined(self.WORDS, (None,) * len(self.WORDS), self._words)

    @staticmethod
    def _words(given: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The few-valued fields as ``validated_parcel`` stores them, or None when it refuses one."""
        L = LABELS
        land_class, location, east, south, west, north, ownership, group_name, status = given
        try:
            owner = v.choice(ownership, L["ownership"], OWNERSHIPS, "村")
            return (v.choice(land_class, L["land_class"], LAND_CLASSES),
                    v.text(location, L["location"], required=False, max_len=200),
                    v.text(east, L["east"], required=False), v.text(south, L["south"], required=False),
                    v.text(west, L["west"], required=False), v.text(north, L["north"], required=False), owner,
                    v.text(group_name, L["group_name"], required=owner == "组", max_len=50),
                    v.choice(status, L["status"], STATUSES))
        except Exception:  # refused: validated_parcel says how
            return None

    def __call__(self, values: Mapping[str, Any]) -> dict[str, Any]:
        get = values.get
        code = get("code")
        name = get("name")
        if type(code) is str and type(name) is str:
            code, name = code.strip(), name.strip()
            if 0 < len(code) <= 30 and 0 < len(name) <= 100 and code not in self.batch.codes:
                words = self.words(values)
                area, notes = self.area(get("area_mu")), self.notes(get("notes"))
                if words is not None and area is not REFUSED and notes is not REFUSED:
                    land_class, location, east, south, west, north, ownership, group_name, status = words
                    return {"code": code, "name": name, "land_class": land_class, "area_mu": area,
                            "location": location, "east": east, "south": south, "west": west, "north": north,
                            "ownership": ownership, "group_name": group_name, "status": status,
                            "contract_id": get("contract_id"), "notes": notes,
                            "book_id": self.batch.book(self.session, self.org_id, get("book_id"))}
        return validated_parcel(self.session, dict(values), self.org_id, None, self.batch)


