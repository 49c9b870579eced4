"""资源地块 as an import kind (issue #15): keyed on 地块编号, checked by ``resources.validated_parcel``,
new parcels written in one batch (``resources_import.create_parcels``), changed ones through
``update_parcel`` (audited like a form edit).

The 资源台账 export re-imports: its 权属 column carries the 村民小组 (组（第一组）), its 经营状态 is the
use on the sheet's date (a parcel under a contract in force shows 已发包/已出租, one whose
contracts have ended 合同已到期), so a registered parcel is compared with what the register
shows today; a new parcel takes 已出租 as 出租. 面积 may be written in 亩 or ㎡ (converted to 亩).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import cell_number, cell_text
from desktop_app.core.services.column_checks import Combined
from desktop_app.excel.assets_import_common import (
    PRIVATE,
    Accepts,
    changed_fields,
    public,
    read_table,
    text_reader,
    with_problems,
    words_ok,
    words_reader,
)
from desktop_app.excel.importers import ImportCheck, Mode, Problem, RecordImporter, keyed, register
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

if TYPE_CHECKING:
    from desktop_app.core.services.resources import ParcelBatch

__all__ = ["IMPORTER", "SPEC"]

SPEC = TableSpec("resources", "资源地块", (
    Field("code", "地块编号", ("地块代码", "编号", "地块号", "宗地编号", "地块编码"), True, "本组织内唯一，按此编号判断新增或更新"),
    Field("name", "地块名称", ("名称", "地名", "地块名"), True),
    Field("land_class", "地类", ("土地类别", "地类名称", "土地用途", "土地类型", "类别"), True,
          "按 GB/T 21010：耕地、园地、林地、草地、水域、水面、滩涂、四荒地、集体建设用地、宅基地 等"),
    Field("area_mu", "面积（亩）", ("面积", "亩数", "面积亩", "地块面积"), True, "单位：亩，最多4位小数；写“1200㎡”按平方米折算"),
    Field("location", "坐落", ("坐落位置", "位置", "地址", "所在位置")),
    Field("east", "东至", ("四至东", "东")),
    Field("south", "南至", ("四至南", "南")),
    Field("west", "西至", ("四至西", "西")),
    Field("north", "北至", ("四至北", "北")),
    Field("ownership", "权属", ("所有权", "权属单位", "所有权人"), False, "村 或 组；可写“组（第一组）”"),
    Field("group_name", "村民小组", ("小组", "组别", "所属小组", "村组"), False, "权属为组时必填"),
    Field("status", "经营状态", ("利用现状", "使用状态", "状态", "利用状态"), True,
          "家庭承包、机动地、集体统一经营、已发包、出租、未利用"),
    Field("notes", "备注"),
), key="code")

_AREA_M2 = ("m2", "平方米", "平米")


def _area(raw: Any) -> Decimal | None:
    """亩 (also "3.5亩"); a figure in ㎡ is converted to 亩 (4 decimals)."""
    from desktop_app.core.services.resources import m2_to_mu

    text = cell_text(raw).replace(" ", "")
    if any(text.endswith(u) for u in _AREA_M2):
        m2 = cell_number(raw, units=_AREA_M2, label="面积")
        return None if m2 is None else m2_to_mu(m2)
    return cell_number(raw, units=("亩",), label="面积")


def _status(raw: Any) -> str | None:
    text = cell_text(raw).replace(" ", "")
    return {"已出租": "出租"}.get(text, text) or None


READERS = {"code": text_reader, "area_mu": _area, "status": _status}
_OWNED_BY_GROUP = re.compile(r"^(村|组)[（(](.+)[)）]$")

# names, places and notes as written (full-width punctuation kept)
READERS.update({k: words_reader for k in ("name", "location", "east", "south", "west", "north", "ownership",
                                            "group_name", "notes")})


CONTRACT_NOTE = ("“合同编号”列不导入：地块的合同编号是在其上履行中的合同，由合同台账的“地块编号”列关联；"
                 "请先导入资源台账（和资产台账），再导入合同台账")
EXPIRED = "合同已到期"  # the register's 经营状态 of let-out land whose contracts have all ended


@dataclass
class ParcelImporter(RecordImporter):
    preread: bool = False  # records come read (``assets_import_common.read_records``)

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        """As the generic check; a new parcel shown as 合同已到期 is registered as 出租 (said in the notes);
        a 经营状态 that is the registered one (a sheet of another day, before a contract) is no change."""
        from desktop_app.core.services.resources import ParcelBatch

        # the organisation's parcel codes and main book read once for the file, not per row
        batch = ParcelBatch.read(session, organisation_id)
        each_row = replace(self, validate=partial(_validate, batch=batch, quick=_Quick(batch)), preread=True)
        refused: list[Problem] = []  # the cells the column-by-column reading refused
        read = read_table(table, self.readers, refused)
        out = _registered_status_is_no_change(with_problems(
            RecordImporter.check(each_row, session, read, organisation_id=organisation_id, book_id=book_id, mode=mode),
            refused))
        if any(h == "合同编号" for _, h in out.layout.unused()):  # the register's: the contract in force
            out = replace(out, notes=(*out.notes, CONTRACT_NOTE))
        rows = [row for status, row, values, _, _ in out.plan if status == "new" and values.get("status") == EXPIRED]
        for status, _, values, _, _ in out.plan:
            if status == "new" and values.get("status") == EXPIRED:
                values["status"] = "出租"
        if not rows:
            return out
        note = (f"经营状态“合同已到期”的 {len(rows)} 块地按“出租”登记（第{'、'.join(map(str, rows[:10]))}"
                f"{'等' if len(rows) > 10 else ''}行）：合同不随地块导入，请在合同台账中登记或改为实际经营状态")
        return replace(out, notes=(*out.notes, note))

    def read_row(self, layout: Layout, row: int, record: Mapping[str, Any],
                 problems: list[Problem]) -> dict[str, Any] | None:
        values = record if self.preread and type(record) is dict else super().read_row(layout, row, record, problems)
        if values is not None and isinstance(values.get("ownership"), str):
            m = _owned_by_group(values["ownership"])
            if m is not None:  # 组（第一组） as the register prints it
                values["ownership"] = m.group(1)
                if not values.get("group_name"):
                    values["group_name"] = m.group(2)
        return values


@lru_cache(maxsize=1024)
def _owned_by_group(text: str) -> re.Match[str] | None:
    return _OWNED_BY_GROUP.match(text.replace(" ", ""))


def _registered_status_is_no_change(out: ImportCheck) -> ImportCheck:
    label = SPEC.field("status").label
    plan = {row: (values, current) for status, row, values, _, current in out.plan if status == "changed"}
    outcomes, dropped = [], set()
    for o in out.outcomes:
        if o.status == "changed" and o.row in plan:
            registered = (plan[o.row][1] or {}).get("_registered")
            kept = tuple(c for c in o.changes if not (c.label == label and c.new == registered))
            if not kept:
                o = o._replace(status="unchanged", changes=())
                dropped.add(o.row)
            elif len(kept) < len(o.changes):
                plan[o.row][0]["status"] = registered
                o = o._replace(changes=kept)
        outcomes.append(o)
    if len(outcomes) == len(out.outcomes) and not dropped and outcomes == list(out.outcomes):
        return out
    return replace(out, outcomes=tuple(outcomes), plan=[p for p in out.plan if p[1] not in dropped])


def _existing(session: Session, organisation_id: uuid.UUID, book_id: uuid.UUID | None
              ) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    from desktop_app.core.services.resources import list_parcels

    out = []
    for p in list_parcels(session, organisation_id):
        values = {f.key: getattr(p, f.key) for f in SPEC.fields}
        values["status"] = _status(p.shown_status)  # as the register shows it today
        out.append((p.code, p.id, {**values, "_id": p.id, "_was": dict(values), "_registered": p.status}))
    return keyed(out)


class _Quick:
    """Would ``resources.validated_parcel`` accept a new row? Asked with its own field checks and
    arguments, without building the parcel: the columns of a few words each (地类, 坐落, 四至, 权属, 组,
    状态) once per distinct combination (``Combined``), the others once per distinct value
    (``Accepts``). True only when it would; False sends the row to ``validated_parcel``, which words
    the refusal. (A check's row is not written: the batch service validates it again on apply.)"""

    def __init__(self, batch: ParcelBatch) -> None:
        from desktop_app.core.services import assets_common as v
        from desktop_app.core.services.resources import LABELS as L
        from desktop_app.core.services.resources import LAND_CLASSES, OWNERSHIPS, STATUSES

        self.batch = batch
        self.area = Accepts(partial(v.decimal, field=L["area_mu"], positive=True, maximum=Decimal(10**9)))
        self.notes = Accepts(partial(v.text, field=L["notes"], required=False, max_len=500))
        land = Accepts(partial(v.choice, field=L["land_class"], options=LAND_CLASSES))
        places = [Accepts(partial(v.text, field=L[k], required=False, max_len=200 if k == "location" else 100))
                  for k in ("location", "east", "south", "west", "north")]
        owner = Accepts(partial(v.choice, field=L["ownership"], options=OWNERSHIPS, default="村"))
        status = Accepts(partial(v.choice, field=L["status"], options=STATUSES))
        group = {by_group: Accepts(partial(v.text, field=L["group_name"], required=by_group, max_len=50))
                 for by_group in (False, True)}

        def words(values: tuple[Any, ...]) -> bool:
            land_class, *sides, ownership, group_name, state = values  # sides: 坐落 and 四至
            by_group = ((str(ownership) if ownership is not None else "").strip() or "村") == "组"
            return (land(land_class) and all(ok(x) for ok, x in zip(places, sides, strict=True))
                    and owner(ownership) and group[by_group](group_name)
                    and status("出租" if state == EXPIRED else state))  # as ``_validate`` passes it

        self.words = Combined(("land_class", "location", "east", "south", "west", "north", "ownership", "group_name",
                               "status"), (None,) * 9, words)

    def __call__(self, new: Mapping[str, Any], book: Any) -> bool:
        """``new``: the row's values, ``book`` the book it goes to."""
        get = new.get
        code = get("code")
        return (type(code) is str and words_ok(code, True, 30) and code.strip() not in self.batch.codes
                and words_ok(get("name"), True, 100) and get("contract_id") is None and self.words(new)
                and self.area(get("area_mu")) and self.notes(get("notes"))
                and (book is None or book == "" or str(book) in self.batch.books))


def _validate(session: Session, values: dict[str, Any], organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              batch: ParcelBatch | None = None, quick: _Quick | None = None) -> Any:
    """The row by the form's rules; ``batch``: the codes and main book ``ParcelImporter.check`` read once;
    ``quick``: its test of a new row that ``validated_parcel`` would accept (then not run)."""
    rid, was = values.get("_id"), values.get("_was")
    if quick is not None and (rid is None or was is None) and quick(values, book_id):
        return None  # a new row it accepts (what the check needs; the apply validates and writes it)
    from db.models import ResourceParcel
    from desktop_app.core.services.resources import LABELS, validated_parcel

    if rid is not None and was is not None:
        changed = changed_fields(values, was)
        if not changed:
            return None
        p = session.get(ResourceParcel, rid)
        registered = {k: getattr(p, k) for k in LABELS}
        return validated_parcel(session, {**registered, **changed}, organisation_id, rid, batch)
    new = {**public(values), "book_id": book_id}
    if new.get("status") == EXPIRED:  # the register said let out; its contracts are not in the file
        new["status"] = "出租"
    return validated_parcel(session, new, organisation_id, None, batch)


def _create(session: Session, rows: list[dict[str, Any]], organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.resources_import import create_parcels

    # a new row's values as they are when they name no book and hold no private key (the same arguments)
    create_parcels(session, organisation_id=organisation_id, user=writing_user(session),
                   rows=(values if book_id is None and values.keys().isdisjoint(PRIVATE) else
                         {**public(values), "book_id": book_id} for values in rows))


def _update(session: Session, record_id: Any, values: dict[str, Any], current: Mapping[str, Any],
            organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.resources import update_parcel

    changed = changed_fields(values, current)
    if changed:
        update_parcel(session, record_id, user=writing_user(session), **changed)


IMPORTER = register(ParcelImporter(
    kind="resources", label="资源地块", table=SPEC, readers=READERS, validate=_validate, existing=_existing,
    create=_create, update=_update, name_field="name",
    examples=(
        ("DK-001", "后湾耕地", "耕地", "12.5亩", "后湾", "河沟", "村道", "王家地", "山脚", "村", None, "机动地", None),
        ("DK-002", "东头鱼塘", "水面", 8.3, "东头", None, None, None, None, "组（第一组）", None, "已发包",
         "发包给养殖户"),
    ),
))
