"""Resource parcels imported in one batch (resources_import.create_parcels): the same rows, the
same audit entries and the same refusals as one create_parcel per parcel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from db.audit import verify_audit_chain
from db.models import AuditEntry, ResourceParcel
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.services.resources import create_parcel, list_parcels
from desktop_app.core.services.resources_import import create_parcels
from desktop_app.excel.assets_xlsx import PARCEL_COLUMNS, apply_import
from tests.assets.conftest import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "parcels.db")
    yield e
    e.db.close()


def _values(i: int) -> dict[str, Any]:
    return {"code": f"DK-{i:03d}", "name": f"东湖{i}号地", "land_class": "耕地" if i % 2 else "园地",
            "area_mu": Decimal("1.25") + i, "location": "东湖组", "east": "路", "ownership": "组" if i % 3 else "村",
            "group_name": "第一组" if i % 3 else None, "status": "机动地", "notes": None}


def _audits(env: Env) -> list[tuple[str, str, dict[str, Any]]]:
    with env.db.begin() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.summary, AuditEntry.after_json)
                         .where(AuditEntry.entity == "resource_parcel").order_by(AuditEntry.n)).all()
    out = []
    for action, summary, after in rows:
        image = json.loads(after)
        for key in ("id", "updated_at", "code", "name"):
            image.pop(key)
        out.append((action, summary.split(" ", 1)[0], image))
    return out


def test_a_batch_writes_and_audits_what_one_at_a_time_does(env: Env, tmp_path: Path) -> None:
    with env.db.begin("test") as s:
        for i in range(3):
            create_parcel(s, organisation_id=env.org.id, **_values(i), user=env.user)
    one_by_one = _audits(env)
    with env.db.begin("test") as s:
        assert create_parcels(s, organisation_id=env.org.id, rows=[{**_values(i), "code": f"PL-{i:03d}"}
                                                                   for i in range(3)], user=env.user) == 3
    batch = _audits(env)[3:]
    assert batch == one_by_one  # same fields, values, origin, rev and deleted flag in each image
    with env.db.begin() as s:
        rows = list_parcels(s, env.org.id)
        assert verify_audit_chain(s.connection()) == []
    by_code = {r.code: r for r in rows}
    for i in range(3):
        a, b = by_code[f"DK-{i:03d}"], by_code[f"PL-{i:03d}"]
        assert (a.name, a.land_class, a.area_mu, a.ownership, a.group_name, a.status, a.status_on) == \
               (b.name, b.land_class, b.area_mu, b.ownership, b.group_name, b.status, b.status_on)


def test_a_bad_or_repeated_parcel_writes_none(env: Env) -> None:
    with env.db.begin("test") as s:
        create_parcel(s, organisation_id=env.org.id, **_values(0), user=env.user)
    for rows, error in (([_values(1), _values(1)], ConflictError), ([_values(2), _values(0)], ConflictError),
                        ([_values(3), {**_values(4), "area_mu": Decimal(-1)}], ValidationError)):
        with pytest.raises(error), env.db.begin("test") as s:
            create_parcels(s, organisation_id=env.org.id, rows=rows, user=env.user)
    with env.db.begin() as s:
        assert s.scalar(select(func.count()).select_from(ResourceParcel)) == 1


def test_the_parcel_file_imports_through_the_batch(env: Env, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(PARCEL_COLUMNS))
    labels = {"code": "地块编号", "name": "地块名称", "land_class": "地类", "area_mu": "面积（亩）", "location": "坐落",
              "status": "经营状态"}
    for i in range(40):
        values = {labels[k]: (float(v) if k == "area_mu" else v) for k, v in _values(i).items() if k in labels}
        ws.append([values.get(h) for h in PARCEL_COLUMNS])
    path = tmp_path / "parcels.xlsx"
    wb.save(path)
    with env.db.begin(env.user.username) as s:  # the import writes as the transaction's user
        assert apply_import(s, "resources", path, organisation_id=env.org.id) == 40
    with env.db.begin() as s:
        rows = list_parcels(s, env.org.id)
    assert [r.code for r in rows] == [f"DK-{i:03d}" for i in range(40)]
    assert sum((r.area_mu for r in rows), Decimal(0)) == sum((Decimal("1.25") + i for i in range(40)), Decimal(0))
