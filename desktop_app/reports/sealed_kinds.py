"""The sealed document kinds other than the disclosure sheet: statements, dividend rosters,
contract sheets and asset sheets. Each has a content function over the object its PDF prints and a
rebuild from (kind, params) through the same service the PDF's caller uses; ``seal_*`` records
the document and returns its check code and QR text (see reports/sealing.py).

A PDF module prints ``row.payload`` as its QR code (and ``row.code`` as text under it) after::

    row = seal_statement(session, book_id, st)            # statements_pdf
    row = seal_roster(session, roster, public=public)     # distribution_pdf.roster_pdf
    row = seal_contract_sheet(session, kind, sheet, organisation_id=…, scope=…, as_of=…)
    row = seal_asset_sheet(session, sheet, name, **args)  # assets_pdf
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop_app.core.ids import mask_ric
from desktop_app.core.money import format_amount
from desktop_app.reports.sealing import (
    DocumentKind,
    SealedContent,
    SealRow,
    cell_str,
    register_kind,
    seal_document,
    section,
    table_item,
    text_item,
)

if TYPE_CHECKING:
    from desktop_app.core.rows_funds import Statement
    from desktop_app.core.rows_members import PlanRoster
    from desktop_app.reports.assets_sheets import Sheet
    from desktop_app.reports.contracts_pdf import ContractSheet

STATEMENT, ROSTER, CONTRACTS, ASSETS = "statement", "roster", "contracts", "assets"


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


# ---------------------------------------------------------------------------------------------
# 会计报表 (statements_pdf)

def _statement_amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return "—" if value == 0 else format_amount(value)


def statement_content(session: Session, book_id: uuid.UUID, st: Statement) -> SealedContent:
    from desktop_app.core.services.funds_base import get_book_row
    from desktop_app.core.services.statements import owner_line

    book = get_book_row(session, book_id)
    rows = [[ln.label, "" if ln.line_no is None else str(ln.line_no), ln.code or "",
             *(_statement_amount(v) for v in ln.values)] for ln in st.lines]
    items = [text_item(f"{owner_line(st)}　账套：{st.book_name}　{st.period_label}　单位：元"),
             table_item(st.title, [st.label_header, "行次", "科目编码", *st.columns], rows, fmt=str),
             *(text_item(n) for n in st.notes)]
    if st.seal_hash:
        items.append(text_item(f"结账封存码 {st.seal_hash[:16]}…"))
    params = {"book_id": str(book_id), "kind": st.kind, "from": st.period_from, "to": st.period_to}
    return SealedContent(STATEMENT, params, st.title, st.book_name, st.period_label,
                         (section("第1节", st.title, items),), book.code, book.organisation_id, book_id, st.seal_hash)


def _rebuild_statement(session: Session, params: Mapping[str, Any]) -> SealedContent:
    from desktop_app.core.services.statements import build_statement

    book_id = uuid.UUID(str(params["book_id"]))
    st = build_statement(session, book_id, str(params["kind"]), str(params["from"]), str(params["to"]))
    return statement_content(session, book_id, st)


def _statement_seal(session: Session, now: SealedContent, stored: str) -> list[str]:
    """The month-close seal printed (a reopened month changes it) and the vouchers behind each
    closed month of the range, recomputed now (a change behind the program's back)."""
    from desktop_app.core.services.disclosure import DisclosurePeriod, compute_disclosure_seal
    from desktop_app.core.services.funds_base import period_label

    out = []
    if (now.period_seal or "") != stored:
        out.append(f"结账封存：{now.period_label}的结账封存码在报表生成后已变化（反结账后重新结账或修改）")
    first, last = str(now.params["from"]), str(now.params["to"])
    seal = compute_disclosure_seal(session, uuid.UUID(str(now.params["book_id"])),
                                   DisclosurePeriod(f"{first}..{last}", first, last, now.period_label))
    if seal.tampered:
        months = "、".join(period_label(m) for m in seal.tampered)
        out.append(f"结账封存：{months}已结账月份的凭证与封存哈希不符，疑被程序以外的方式修改")
    return out


def seal_statement(session: Session, book_id: uuid.UUID, st: Statement, *, by: str | None = None) -> SealRow:
    return seal_document(session, STATEMENT, content=statement_content(session, book_id, st), by=by)


# ---------------------------------------------------------------------------------------------
# 分红花名册 (distribution_pdf.roster_pdf): the public copy lists households, the full copy members

def roster_content(roster: PlanRoster, *, public: bool) -> SealedContent:
    from desktop_app.reports.distribution_pdf import roster_table

    p = roster.plan
    per = format_amount(p.per_share)
    t = roster_table(roster, public=public)  # the table exactly as the PDF prints it
    rows: list[list[Any]] = [list(r) for r in t.rows]
    if "身份证号" in t.headers:  # masked in the record: it is kept (and synced) beyond the paper copy
        col = t.headers.index("身份证号")
        for r in rows:
            r[col] = mask_ric(str(r[col])) if r[col] else r[col]
    items = [text_item(f"{p.organisation_name}　{p.year}年度　状态：{p.status}"),
             text_item(f"每股分红 {per} 元；批准用于成员分配 {format_amount(p.members_amount)} 元；"
                       f"花名册合计 {format_amount(p.roster_total)} 元；尾差 {format_amount(p.remainder)} 元"),
             table_item("分红花名册", t.headers, rows, totals=t.totals)]
    kind = "公示稿" if public else "发放稿"
    return SealedContent(ROSTER, {"plan_id": str(p.id), "public": public}, f"分红花名册{kind}", p.organisation_name,
                         f"{p.year}年度", (section("第1节", "分红花名册", items),), None, p.organisation_id, p.book_id)


def _rebuild_roster(session: Session, params: Mapping[str, Any]) -> SealedContent:
    from desktop_app.core.services.distribution_query import plan_roster

    return roster_content(plan_roster(session, uuid.UUID(str(params["plan_id"]))), public=bool(params["public"]))


def seal_roster(session: Session, roster: PlanRoster, *, public: bool, by: str | None = None) -> SealRow:
    return seal_document(session, ROSTER, content=roster_content(roster, public=public), by=by)


# ---------------------------------------------------------------------------------------------
# 合同台账 / 应收租金明细 / 欠款明细 / 到期合同清单 (contracts_pdf)

def _contract_cell(value: Any) -> str:
    if isinstance(value, Decimal | date) or value is None:
        return cell_str(value)
    return str(value)


def contract_content(sheet: ContractSheet, report: str, *, organisation_id: uuid.UUID | None, scope: str,
                     as_of: date) -> SealedContent:
    rows = [[_contract_cell(col.get(r)) for col in sheet.columns] for r in sheet.rows]
    totals = None
    if any(col.total for col in sheet.columns):
        totals = [format_amount(sum((v for r in sheet.rows if isinstance(v := col.get(r), Decimal)), Decimal(0)))
                  if col.total else "" for col in sheet.columns]
    items = [text_item(f"{scope}　截至{as_of:%Y-%m-%d}　单位：元"),
             table_item(sheet.title, [c.header for c in sheet.columns], rows, totals=totals, note=sheet.note, fmt=str)]
    params = {"report": report, "organisation_id": str(organisation_id) if organisation_id else None, "scope": scope,
              "as_of": as_of.isoformat()}
    return SealedContent(CONTRACTS, params, sheet.title, scope, f"截至{as_of.year}年{as_of.month}月{as_of.day}日",
                         (section("第1节", sheet.title, items),), None, organisation_id)


def _rebuild_contracts(session: Session, params: Mapping[str, Any]) -> SealedContent:
    from desktop_app.reports.contracts_pdf import build_sheet

    org_id, as_of = _uuid(params.get("organisation_id")), date.fromisoformat(str(params["as_of"]))
    sheet = build_sheet(session, str(params["report"]), organisation_id=org_id, scope=str(params["scope"]), as_of=as_of)
    return contract_content(sheet, str(params["report"]), organisation_id=org_id, scope=str(params["scope"]),
                            as_of=as_of)


def seal_contract_sheet(session: Session, report: str, sheet: ContractSheet, *, organisation_id: uuid.UUID | None,
                        scope: str, as_of: date, by: str | None = None) -> SealRow:
    return seal_document(session, CONTRACTS, content=contract_content(
        sheet, report, organisation_id=organisation_id, scope=scope, as_of=as_of), by=by)


# ---------------------------------------------------------------------------------------------
# 资产台账, 资源台账, 资产变动表, 折旧计算表, 项目台账, 清查结果表 (assets_sheets → assets_pdf)

def _asset_builders() -> dict[str, Callable[..., Sheet]]:
    from desktop_app.reports import assets_sheets as a

    return {"assets": a.asset_register, "resources": a.resource_register, "changes": a.asset_changes,
            "schedule": a.depreciation_schedule, "projects": a.project_list, "stocktake": a.stocktake_result}


_UUID_ARGS = ("org_id", "book_id", "asset_id", "take_id")


def _asset_cell(kind: str, value: Any) -> str:
    if kind == "money" or not isinstance(value, Decimal):
        return cell_str(value)
    return f"{value:,f}"  # areas, quantities, rates: every decimal place kept


def asset_content(sheet: Sheet, name: str, args: Mapping[str, Any]) -> SealedContent:
    from desktop_app.reports.assets_sheets import on_medium

    sheet = on_medium(sheet, "pdf")  # what the paper prints
    kinds = [c.kind for c in sheet.columns]
    rows = [[_asset_cell(k, v) for k, v in zip(kinds, r, strict=False)] for r in sheet.rows]
    totals = None if sheet.totals is None else [_asset_cell(k, v) for k, v in zip(kinds, sheet.totals, strict=False)]
    items = [text_item(f"{sheet.organisation}（{sheet.uscc}）　{sheet.period_label}　单位：{sheet.unit}"),
             table_item(sheet.title, [c.header for c in sheet.columns], rows, totals=totals, note=sheet.note, fmt=str)]
    params = {"sheet": name, **{k: (str(v) if isinstance(v, uuid.UUID | date) else v) for k, v in args.items()}}
    org_id, book_id = args.get("org_id"), args.get("book_id")
    return SealedContent(ASSETS, params, sheet.title, sheet.organisation, sheet.period_label,
                         (section("第1节", sheet.title, items),), None,
                         org_id if isinstance(org_id, uuid.UUID) else None,
                         book_id if isinstance(book_id, uuid.UUID) else None)


def _rebuild_assets(session: Session, params: Mapping[str, Any]) -> SealedContent:
    name = str(params["sheet"])
    args: dict[str, Any] = {}
    for key, value in params.items():
        if key == "sheet":
            continue
        args[key] = _uuid(value) if key in _UUID_ARGS else value
    return asset_content(_asset_builders()[name](session, **args), name, args)


def seal_asset_sheet(session: Session, sheet: Sheet, name: str, *, by: str | None = None, **args: Any) -> SealRow:
    """``args``: the keyword arguments the sheet was built with (org_id=…, book_id=…, year=…)."""
    return seal_document(session, ASSETS, content=asset_content(sheet, name, args), by=by)


register_kind(DocumentKind(STATEMENT, _rebuild_statement, _statement_seal))
register_kind(DocumentKind(ROSTER, _rebuild_roster))
register_kind(DocumentKind(CONTRACTS, _rebuild_contracts))
register_kind(DocumentKind(ASSETS, _rebuild_assets))

__all__ = ["asset_content", "contract_content", "roster_content", "seal_asset_sheet", "seal_contract_sheet",
           "seal_roster", "seal_statement", "statement_content"]
