"""集体经济项目 as an import kind (issue #15): keyed on 项目编号; new projects written in one batch
(``projects_import.ProjectBatch``: ``create_project``'s checks, rows and audit entries without
reading the register back per project), changed ones by ``update_project`` (audited like a form
edit). A new row is checked by the form's own rules (``projects.validated_project``/``validated_funding``, through
the batch, nothing written); a changed row, or one that links cards, by the services themselves
inside a savepoint that is rolled back — so the rules (a status needs its date, a tender all four
facts, a final account its date, the 工程合同 …) are the form's.

The 集体经济项目台账 export re-imports: 类型/状态 and the 资金来源 columns (中央扶持 …) are synonyms;
总投资, 形成资产, 年收益 and 收益率% are figures the program works out and are not imported. The
link to the assets a project formed is kept on the asset card (``asset.project_id``): the export's
形成资产编号 column lists their 资产编号, and the import links those cards to the project through
``assets.update_asset`` (the card form's service) — so import the 资产台账 first, then the projects.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import cell_text
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.excel.assets_import_common import (
    changed_fields,
    date_reader,
    money_reader,
    public,
    text_reader,
    words_reader,
)
from desktop_app.excel.importers import ImportCheck, Mode, RecordImporter, keyed, register
from desktop_app.excel.table_read import Field, Table, TableSpec

if TYPE_CHECKING:
    from desktop_app.core.services.projects_import import ProjectBatch

__all__ = ["IMPORTER", "SPEC"]

# projects.SOURCES, kept here so that loading the kinds stays light (a test checks they agree)
SOURCES = ("中央扶持资金", "省级扶持资金", "市级扶持资金", "区级扶持资金", "自筹", "社会资本")
FUND = "funding:"


def _source_field(source: str) -> Field:
    short = source.replace("扶持资金", "")
    names = (source.replace("扶持资金", "扶持"), f"{short}资金", f"{short}财政资金", f"{short}扶持资金（元）") \
        if source.endswith("扶持资金") else (f"{source}资金",)
    return Field(f"{FUND}{source}", source, names, False, "投入金额，单位：元")


SPEC = TableSpec("projects", "集体经济项目", (
    Field("code", "项目编号", ("编号", "项目代码"), True, "本组织内唯一，按此编号判断新增或更新"),
    Field("name", "项目名称", ("名称",), True),
    Field("kind", "项目类型", ("类型", "项目类别", "类别"), True, "物业经济、光伏、厂房、农业设施、乡村旅游、其他"),
    Field("status", "项目状态", ("状态",), False, "申报、在建、建成、运营、终止；空白按申报。在建须填开工日期，建成须填建成日期，"
                                              "运营须填运营日期，终止须填终止日期"),
    Field("applied_on", "申报日期", ("立项日期",)),
    Field("started_on", "开工日期"),
    Field("completed_on", "建成日期", ("竣工日期", "完工日期")),
    Field("operating_on", "运营日期", ("投运日期", "投产日期")),
    Field("terminated_on", "终止日期"),
    *(_source_field(s) for s in SOURCES),
    Field("budget", "预算金额", ("预算", "工程预算")),
    Field("tender_method", "招标方式", (), False, "公开招标、邀请招标、竞争性谈判、竞争性磋商、询价、单一来源、村级议标、其他"),
    Field("tender_winner", "中标单位", ("中标人", "施工单位")),
    Field("tender_amount", "中标金额", ("中标价",)),
    Field("tender_on", "招标日期", ("开标日期",)),
    Field("final_amount", "决算金额", ("决算", "工程决算")),
    Field("final_on", "决算日期"),
    Field("notes", "备注"),
    Field("asset_codes", "形成资产编号", ("资产编号", "形成资产卡片", "形成资产卡片编号"), False,
          "项目形成的资产卡片的资产编号，多个用“、”隔开；须是本组织已登记的资产，请先导入资产台账再导入项目。"
          "填写后这些卡片关联到本项目，原关联本项目而未列出的卡片解除关联"),
), key="code")

READERS: dict[str, Any] = {
    "code": text_reader,
    **{k: date_reader(label) for k, label in (("applied_on", "申报日期"), ("started_on", "开工日期"),
                                              ("completed_on", "建成日期"), ("operating_on", "运营日期"),
                                              ("terminated_on", "终止日期"), ("tender_on", "招标日期"),
                                              ("final_on", "决算日期"))},
    **{f"{FUND}{s}": money_reader(s) for s in SOURCES},
    **{k: money_reader(label) for k, label in (("budget", "预算金额"), ("tender_amount", "中标金额"),
                                               ("final_amount", "决算金额"))},
}

def asset_codes_reader(raw: Any) -> str | None:
    """形成资产编号: the codes, folded like any code, sorted and joined with 、 (as the export writes them)."""
    codes = sorted({c for c in (cell_text(part) for part in re.split(r"[、,，;；\s]+", str(raw or ""))) if c})
    return "、".join(codes) or None


READERS["asset_codes"] = asset_codes_reader

# names, places and notes as written (full-width punctuation kept)
READERS.update({k: words_reader for k in ("name", "tender_winner", "notes")})


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the project's fields, its funding by source)."""
    fields = {k: v for k, v in public(values).items() if not k.startswith(FUND) and k != "asset_codes"}
    funding = {k[len(FUND):]: v for k, v in values.items() if k.startswith(FUND) and v is not None}
    return fields, funding


def _existing(session: Session, organisation_id: uuid.UUID, book_id: uuid.UUID | None
              ) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    from desktop_app.core.services.projects import list_projects

    out = []
    formed = _formed(session, organisation_id)
    for p in list_projects(session, organisation_id):
        values: dict[str, Any] = {f.key: getattr(p, f.key) for f in SPEC.fields
                                  if not f.key.startswith(FUND) and f.key != "asset_codes"}
        values["asset_codes"] = "、".join(sorted(a.code for a in formed.get(p.id, ()))) or None
        funds = dict(p.funding)
        values.update({f"{FUND}{s}": funds.get(s) for s in SOURCES})
        out.append((p.code, p.id, {**values, "_id": p.id, "_was": dict(values)}))
    return keyed(out)


def _formed(session: Session, organisation_id: uuid.UUID) -> dict[uuid.UUID, list[Any]]:
    """The organisation's asset cards by the project they were formed by."""
    from desktop_app.core.services.assets import list_assets

    out: dict[uuid.UUID, list[Any]] = {}
    for a in list_assets(session, organisation_id):
        if a.project_id is not None:
            out.setdefault(a.project_id, []).append(a)
    return out


def _link_assets(session: Session, organisation_id: uuid.UUID, project_id: uuid.UUID, codes: str,
                 user: UserRow, cards: dict[str, Any] | None = None) -> None:
    """Link the cards listed in 形成资产编号 to the project (``assets.update_asset``, audited like the
    card form); cards linked to it and not listed are unlinked. ``cards``: {资产编号: [card id,
    project id]} read once for a whole file and kept up to date here (else read now)."""
    from desktop_app.core.services.assets import update_asset

    if cards is None:
        cards = _cards(session, organisation_id)
    wanted = codes.split("、")
    missing = [c for c in wanted if c not in cards]
    if missing:
        raise ValidationError(f"本组织没有资产编号为 {'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''} 的资产；"
                              "请先导入资产台账（或在资产页登记）再导入项目，或从该格删去", field="形成资产编号")
    links: list[tuple[str, uuid.UUID | None]] = [(c, project_id) for c in wanted if cards[c][1] != project_id]
    links += [(c, None) for c, (_, pid) in cards.items() if pid == project_id and c not in wanted]
    for code, target in links:
        try:
            update_asset(session, cards[code][0], project_id=target, user=user)
        except UserError as e:
            raise ValidationError(f"资产 {code}：{e.message}", field="形成资产编号") from None
        cards[code][1] = target


def _cards(session: Session, organisation_id: uuid.UUID) -> dict[str, Any]:
    from desktop_app.core.services.assets import list_assets

    return {a.code: [a.id, a.project_id] for a in list_assets(session, organisation_id)}


def _as_column(e: UserError) -> UserError:
    """"区级扶持资金金额" (the service's field) is the column 区级扶持资金."""
    source = next((s for s in SOURCES if e.field == f"{s}金额"), None)
    return e if source is None else ValidationError(e.message, field=source)


def _new_values(values: Mapping[str, Any], book_id: uuid.UUID | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new row as ``create_project``'s keyword arguments: (fields, funding)."""
    fields, funding = _split(values)
    return {**{k: v for k, v in fields.items() if v is not None}, "book_id": book_id}, funding


def _write(session: Session, values: Mapping[str, Any], organisation_id: uuid.UUID, book_id: uuid.UUID | None,
           record_id: Any = None, current: Mapping[str, Any] | None = None) -> None:
    """Create the project, or update it with the row's changes (funding as a whole when any changed),
    then link the cards of 形成资产编号 to it."""
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.projects import create_project, update_project

    user = writing_user(session)  # the window's or the command line's login (a check tries as it too)
    try:
        if record_id is None or current is None:
            fields, funding = _split(values)
            made = create_project(session, organisation_id=organisation_id, funding=funding, book_id=book_id, user=user,
                                  **{k: v for k, v in fields.items() if v is not None})
            if values.get("asset_codes"):
                _link_assets(session, organisation_id, made.id, values["asset_codes"], user)
            return
        changed = changed_fields(values, current)
        fields, _ = _split(changed)
        sources = _split(values)[1] if any(k.startswith(FUND) for k in changed) else None
        if fields or sources is not None:
            update_project(session, record_id, funding=sources, user=user, **fields)
        if changed.get("asset_codes"):
            _link_assets(session, organisation_id, record_id, changed["asset_codes"], user)
    except UserError as e:  # "区级扶持资金金额" is the column 区级扶持资金
        mapped = _as_column(e)
        if mapped is e:
            raise
        raise mapped from None


def _validate(session: Session, values: dict[str, Any], organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              batch: dict[str, ProjectBatch] | None = None) -> Any:
    """A new row without 形成资产编号 is checked by the form's rules without writing (``ProjectBatch``,
    made once per file in ``batch``); any other row by the services themselves in a savepoint that
    is rolled back (the links' rules are ``update_asset``'s)."""
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.projects_import import ProjectBatch

    rid, was = values.get("_id"), values.get("_was")
    if rid is not None and was is not None and not changed_fields(values, was):
        return None
    if batch is not None and (rid is None or was is None) and not values.get("asset_codes"):
        if "new" not in batch:  # the user and the organisation checked once (a refusal: each row's problem)
            batch["new"] = ProjectBatch(session, organisation_id, writing_user(session))
        try:
            batch["new"].check(*_new_values(values, book_id))
        except UserError as e:
            raise _as_column(e) from None
        return None
    nested = session.begin_nested()
    try:
        _write(session, values, organisation_id, book_id, rid, was)
    finally:
        nested.rollback()
    return None


def _create(session: Session, rows: list[dict[str, Any]], organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    """Every new project in one batch (``ProjectBatch``), then the cards of 形成资产编号 linked."""
    from desktop_app.core.services.auth import writing_user
    from desktop_app.core.services.projects_import import ProjectBatch

    user = writing_user(session)
    batch = ProjectBatch(session, organisation_id, user)
    ids = []
    for values in rows:
        try:
            ids.append(batch.add(*_new_values(values, book_id)))
        except UserError as e:
            raise _as_column(e) from None
    batch.write()
    cards = None
    for pid, values in zip(ids, rows, strict=True):
        if values.get("asset_codes"):
            cards = cards if cards is not None else _cards(session, organisation_id)
            _link_assets(session, organisation_id, pid, values["asset_codes"], user, cards)


class ProjectImporter(RecordImporter):
    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        """As the generic check, with one ``ProjectBatch`` for the file's new rows."""
        each_row = replace(self, validate=partial(_validate, batch={}))
        return RecordImporter.check(each_row, session, table, organisation_id=organisation_id, book_id=book_id,
                                    mode=mode)


def _update(session: Session, record_id: Any, values: dict[str, Any], current: Mapping[str, Any],
            organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    _write(session, values, organisation_id, book_id, record_id, current.get("_was", current))


IMPORTER = register(ProjectImporter(
    kind="projects", label="集体经济项目", table=SPEC, readers=READERS, validate=_validate, existing=_existing,
    create=_create, update=_update, name_field="name",
    examples=(
        ("XM-001", "村集体光伏发电项目", "光伏", "运营", "2023-03-01", "2023-05-10", "2023-09-30", "2023-10-01", None,
         None, None, None, "300,000元", "50000", None, None, None, None, None, None, None, None, "屋顶分布式", None),
        ("XM-002", "村内主干道硬化工程", "其他", "在建", "2026-01-05", "2026年3月1日", None, None, None,
         None, None, None, 800000, None, None, "820,000", "公开招标", "江宁路桥工程有限公司", "798,500",
         "2026-02-10", None, None, None, None),
    ),
))
