"""A small import kind over the real resource-register services, for the pipeline's own tests
(the framework's RecordImporter and the generic CLI): 地块 keyed by 地块编号."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import cell_number
from desktop_app.excel.importers import RecordImporter, keyed
from desktop_app.excel.table_read import Field, TableSpec

KIND = "test_parcels"
FIELDS = ("code", "name", "land_class", "area_mu", "status", "notes")

SPEC = TableSpec(KIND, "测试地块", (
    Field("code", "地块编号", ("编号", "地块代码"), required=True),
    Field("name", "地块名称", ("名称", "地名"), required=True),
    Field("land_class", "地类", ("土地类别", "地类名称")),
    Field("area_mu", "面积（亩）", ("面积", "亩数"), note="亩，可带单位，如 3.5亩"),
    Field("status", "经营状态", ("状态",)),
    Field("notes", "备注"),
), key="code")


def _existing(session: Session, organisation_id: uuid.UUID, _book: uuid.UUID | None
              ) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    from desktop_app.core.services.resources import list_parcels

    return keyed((p.code, p.id, {**{k: getattr(p, k) for k in FIELDS}, "_id": p.id})
                 for p in list_parcels(session, organisation_id))


def _validate(session: Session, values: dict[str, Any], organisation_id: uuid.UUID, _book: uuid.UUID | None) -> None:
    from desktop_app.core.services.resources import validated_parcel

    validated_parcel(session, {k: values.get(k) for k in FIELDS}, organisation_id, values.get("_id"))


def _create(session: Session, rows: list[dict[str, Any]], organisation_id: uuid.UUID, _book: uuid.UUID | None) -> None:
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.resources import create_parcel

    for values in rows:
        create_parcel(session, organisation_id=organisation_id, user=writing_user(session),
                      **{k: values.get(k) for k in FIELDS})


def _update(session: Session, parcel_id: Any, values: dict[str, Any], _current: Mapping[str, Any],
            _org: uuid.UUID, _book: uuid.UUID | None) -> None:
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.resources import update_parcel

    update_parcel(session, parcel_id, user=writing_user(session), **{k: values[k] for k in FIELDS if k in values})


def make() -> RecordImporter:
    return RecordImporter(
        kind=KIND, label="测试地块", table=SPEC,
        readers={"area_mu": lambda raw: cell_number(raw, units=("亩",), label="面积")},
        validate=_validate, existing=_existing, create=_create, update=_update,
        examples=(("D-001", "东湾", "耕地", "3.5", "机动地", ""),),
    )
