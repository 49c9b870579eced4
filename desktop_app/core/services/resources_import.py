"""Resource parcels from an import file in one batch (the batch form of ``resources.create_parcel``).

Each row is checked by the form's rules (``resources.validated_parcel``, duplicates within the batch
too; the organisation's codes and main book read once, ``resources.ParcelBatch``), then all are written with ``bulk_insert`` and audited as ``create_parcel`` audits each
parcel (same action, summary and row image), in one ``record_audit`` call. ``create_parcel``
reads the whole register back to return each new parcel's row, so a file of n parcels cost
n² row reads; here the cost per row does not grow with the file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from itertools import islice
from typing import Any

from sqlalchemy import FromClause
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import bulk_insert
from db.images import NOT_IMAGED, jsonable
from db.models import ResourceParcel
from db.types import uuid7
from desktop_app.core.rows import UserRow
from desktop_app.core.services import assets_common as v
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.core.services.resources import (
    LABELS,
    LAND_CLASSES,
    OWNERSHIPS,
    STATUSES,
    ParcelBatch,
    validated_parcel,
)

__all__ = ["REFUSED", "Checked", "Images", "ParcelFields", "create_parcels"]


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
    image = Images(ResourceParcel.__table__)
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
                                           None, image(r)) for r in out])
        n += len(out)
    return n


class Checked(dict[Any, Any]):
    """A field check of the form's (``assets_common.text``/``choice``/``decimal``/…: the value as
    stored, or a ``UserError``) asked once per distinct value: ``checked(value)`` is what
    ``check(value)`` returns, or ``REFUSED``. Text and None are keyed by themselves, a Decimal by its
    text (1.000 and 1 are equal keys), any other value with its type (1, 1.0 and True are equal keys)."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        super().__init__()
        self.check = check

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        key = value if kind is str or value is None else (Decimal, str(value)) if kind is Decimal else (kind, value)
        try:
            out = self.get(key, _UNSEEN)
        except TypeError:  # unhashable: asked each time
            return self._ask(value)
        if out is _UNSEEN:
            out = self._ask(value)
            if len(self) < _MEMO:
                self[key] = out
        return out

    def _ask(self, value: Any) -> Any:
        try:
            return self.check(value)
        except Exception:  # refused, or not even checkable: the form's own call then says how
            return REFUSED


REFUSED = object()  # what ``Checked`` gives for a value its check refuses
_UNSEEN = object()
_MEMO = 4096  # distinct values a check remembers (codes and names all differ: not all kept)


class ParcelFields:
    """``validated_parcel(session, values, org_id, None, batch)`` for the rows of a batch: the same
    dict, field by field from the same checks with the same arguments, each column's repeated values
    checked once (``Checked``). A row any check refuses goes to ``validated_parcel`` itself, which
    raises with the form's message for its first bad field."""

    def __init__(self, session: Session, org_id: uuid.UUID, batch: ParcelBatch) -> None:
        L = LABELS
        self.session, self.org_id, self.batch = session, org_id, batch
        self.land = Checked(partial(v.choice, field=L["land_class"], options=LAND_CLASSES))
        self.area = Checked(partial(v.decimal, field=L["area_mu"], positive=True, maximum=Decimal(10**9)))
        self.places = [(k, Checked(partial(v.text, field=L[k], required=False,
                                           max_len=200 if k == "location" else 100)))
                       for k in ("location", "east", "south", "west", "north")]
        self.owner = Checked(partial(v.choice, field=L["ownership"], options=OWNERSHIPS, default="村"))
        self.group = {need: Checked(partial(v.text, field=L["group_name"], required=need, max_len=50))
                      for need in (False, True)}
        self.status = Checked(partial(v.choice, field=L["status"], options=STATUSES))
        self.notes = Checked(partial(v.text, field=L["notes"], required=False, max_len=500))

    def __call__(self, values: Mapping[str, Any]) -> dict[str, Any]:
        get = values.get
        code = get("code")
        name = get("name")
        if type(code) is str and type(name) is str:
            code, name = code.strip(), name.strip()
            if 0 < len(code) <= 30 and 0 < len(name) <= 100 and code not in self.batch.codes:
                out: dict[str, Any] = {"code": code, "name": name, "land_class": self.land(get("land_class")),
                                       "area_mu": self.area(get("area_mu"))}
                for key, check in self.places:
                    out[key] = check(get(key))
                out["ownership"] = owner = self.owner(get("ownership"))
                out["group_name"] = self.group[owner == "组"](get("group_name"))
                out["status"] = self.status(get("status"))
                out["contract_id"] = get("contract_id")
                out["notes"] = self.notes(get("notes"))
                if REFUSED not in out.values():
                    out["book_id"] = self.batch.book(self.session, self.org_id, get("book_id"))
                    return out
        return validated_parcel(self.session, dict(values), self.org_id, None, self.batch)


class Images:
    """``db.images.values_image(table, row)`` for the rows of a batch: the same dict, with the ids a
    batch repeats in every row (organisation, book) turned into text once."""

    def __init__(self, table: FromClause) -> None:
        self.columns = tuple((c.name, c.key) for c in table.columns if c.key not in NOT_IMAGED)  # as values_image
        self.ids: dict[Any, str] = {}

    def __call__(self, values: Mapping[str, Any]) -> dict[str, Any]:
        get, ids = values.get, self.ids
        out: dict[str, Any] = {}
        for name, key in self.columns:
            x = get(key)
            kind = type(x)
            if kind in _PLAIN:
                out[name] = x
            elif kind is uuid.UUID:
                text = ids.get(x)
                if text is None:
                    text = str(x)
                    if len(ids) < 64:  # the batch's few shared ids, not each row's own
                        ids[x] = text
                out[name] = text
            else:
                out[name] = jsonable(x)
        return out


_PLAIN = frozenset((str, int, bool, type(None)))  # what jsonable gives back as it is
