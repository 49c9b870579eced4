"""The district's reports as sealed documents (issue #13): the QR code and check code a district
PDF prints, as the township's printed sheets carry them (``reports/sealing.py``, DESIGN-NOTES 17).

The content is what the PDF prints: the title, period and 编制单位, every line of the basis, and
each table (title, headers, every row and the totals as printed strings) and chart (its counts,
printed as the bars' labels). ``verify-sheet`` rebuilds the report from the district database as
it is now (``district_sheets.build_doc`` with the same year, month and as-of date), so a report
printed before another township's package came in reads 不符 and names the rows that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.reports import sealing
from desktop_app.reports.district_pdf import cell_text
from desktop_app.reports.district_sheets import Chart, DistrictDoc, Table, build_doc
from desktop_app.reports.sealing import SealedContent, SealRow

DISTRICT_REPORT = "district_report"


def _table(t: Table) -> dict[str, Any]:
    rows = [[cell_text(c, v) for c, v in zip(t.columns, r, strict=True)] for r in t.rows]
    totals = None if t.totals is None else [cell_text(c, v) for c, v in zip(t.columns, t.totals, strict=True)]
    return sealing.table_item(t.title, [c.header for c in t.columns], rows, totals=totals, note=t.note, fmt=str)


def _chart(c: Chart) -> dict[str, Any]:
    return sealing.table_item(c.title, ["系列", *c.categories], [[name, *values] for name, values in c.series],
                              fmt=str)


def district_content(doc: DistrictDoc, params: Mapping[str, Any]) -> SealedContent:
    lines = (doc.period_label, f"编制单位：{doc.organisation}", f"单位：{doc.unit}", *doc.basis)
    head = sealing.section("表头", doc.title, [sealing.text_item(line) for line in lines])
    body = sealing.section("正文", doc.title, [_table(b) if isinstance(b, Table) else _chart(b) for b in doc.blocks])
    return SealedContent(DISTRICT_REPORT, dict(params), doc.title, doc.organisation, doc.period_label, (head, body))


def report_params(kind: str, year: int, month: int | None, as_of: date | None) -> dict[str, Any]:
    return {"report": kind, "year": year, "month": month, "as_of": as_of.isoformat() if as_of else None}


def build_sealable(session: Session, kind: str, year: int, month: int | None, *,
                   as_of: date | None = None) -> tuple[DistrictDoc, SealedContent]:
    """The report (as ``district report`` builds it, 编制单位 the district itself) and its content."""
    from desktop_app.sync.identity import site

    doc = build_doc(session, kind, year, month, organisation=site(session).name, as_of=as_of)
    return doc, district_content(doc, report_params(kind, year, month, as_of))


def _rebuild(session: Session, params: Mapping[str, Any]) -> SealedContent:
    as_of = params.get("as_of")
    return build_sealable(session, str(params["report"]), int(params["year"]),
                          None if params.get("month") is None else int(params["month"]),
                          as_of=date.fromisoformat(as_of) if as_of else None)[1]


sealing.register_kind(sealing.DocumentKind(DISTRICT_REPORT, _rebuild))


def seal_district_report(session: Session, content: SealedContent) -> SealRow:
    """Record what the PDF prints (a write: call it in the transaction that writes the file).
    ``sealed_document`` rows are any site's own (``__site__ = "any"``), so the district guard lets
    the district write them like a township."""
    return sealing.seal_document(session, DISTRICT_REPORT, content=content)


def write_sealed_district_pdf(session: Session, kind: str, year: int, month: int | None, path: Any, *,
                              as_of: date | None = None) -> tuple[DistrictDoc, SealRow]:
    """One entry for the CLI and the pages: build, seal and write the PDF in the caller's write
    transaction (a file that fails to write leaves no record behind)."""
    from desktop_app.reports.district_pdf import write_district_pdf

    doc, content = build_sealable(session, kind, year, month, as_of=as_of)
    seal = seal_district_report(session, content)
    write_district_pdf(doc, path, seal)
    return doc, seal
