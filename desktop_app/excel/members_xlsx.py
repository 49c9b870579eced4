"""Members, households, shares and the dividend roster as xlsx; member import from xlsx.

Export (openpyxl) writes real numbers and dates with number formats, never numbers as text,
with print setup, title and organisation on the sheet (``excel.print_setup.finish_sheet``);
ID numbers are text (they are identifiers, and 18 digits do not fit a double). The members
sheet uses the import's column names, so an export can be edited and imported elsewhere.
Import is a kind of the import pipeline (``excel.import_members``); ``import_members_xlsx`` is its
仅新增 run as the members page calls it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop_app.core.rows import UserRow
from desktop_app.core.rows_members import HoldingRow, HouseholdRow, MemberRow, PlanRoster, PlanRow
from desktop_app.core.services.members import member_export_rows
from desktop_app.core.services.members_import import ImportPreview, ImportResult, RowProblem
from desktop_app.core.services.personal_data import IdRule, masked_note
from desktop_app.core.services.shares import list_share_types
from desktop_app.excel.print_setup import StreamSheet, finish_sheet

__all__ = ["export_members_xlsx", "households_workbook", "import_members_xlsx", "members_workbook", "roster_workbook",
           "shares_workbook"]

MONEY = "#,##0.00"
SHARES = "#,##0.0###"
DATE = "yyyy-mm-dd"
TEXT = "@"


def _sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int], *, first: bool) -> Worksheet:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title
    ws.append(list(headers))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
        ws.cell(1, i).font = Font(bold=True)
        ws.cell(1, i).alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    return ws


def _formats(ws: Worksheet, formats: Sequence[str | None], start_row: int = 2) -> None:
    for row in ws.iter_rows(min_row=start_row):
        for cell, fmt in zip(row, formats, strict=False):
            if fmt is not None:
                cell.number_format = fmt


MASKED = IdRule(False)  # a caller that did not ask ``personal_data.id_rule`` gets masked numbers


def _stream(wb: Workbook, name: str, title: str, organisation: str, headers: Sequence[str],
            widths: Sequence[int], formats: Sequence[str | None], note: str = "") -> StreamSheet:
    """A streamed table with its print setup (excel.print_setup.StreamSheet): the title and
    organisation on the sheet, A4 fit to width, title and header rows repeated, page x/y in the
    footer, autofilter over the data rows; ``note`` (a masked file's 身份证号 line) joins the subtitle."""
    parts = [f"编制单位：{organisation}" if organisation else "", note]
    return StreamSheet(wb, name, title=f"{organisation}{title}" if organisation else title,
                       subtitle="　".join(p for p in parts if p) or None, headers=headers,
                       widths=widths, formats=formats)


def _members_sheet(wb: Workbook, type_names: Sequence[str], organisation: str, ids: IdRule) -> StreamSheet:
    headers = ["户号", "组别", "户主", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "状态", "确认日期",
               "迁入日期", "迁出/死亡日期", *type_names, "合计股数", "备注"]
    return _stream(wb, "成员名册", "成员名册", organisation, headers,
                   [10, 14, 10, 10, 21, 6, 12, 10, 8, 12, 12, 12, *[9] * len(type_names), 10, 20],
                   [TEXT, None, None, None, TEXT, None, DATE, None, None, DATE, DATE, DATE,
                    *[SHARES] * len(type_names), SHARES, None], ids.note)


def members_workbook(members: Sequence[MemberRow], holdings: Sequence[HoldingRow], type_names: Sequence[str], *,
                     organisation: str = "", ids: IdRule = MASKED) -> Workbook:
    """成员名册 (the import's column names, plus derived and status columns; the importer finds the
    header row below the title). A write-only workbook: save it once."""
    wb = Workbook(write_only=True)
    sheet = _members_sheet(wb, type_names, organisation, ids)
    by_member = {h.member_id: h for h in holdings}
    for m in members:
        h = by_member.get(m.id)
        per = [v for _, v in h.by_type] if h else [Decimal(0)] * len(type_names)
        sheet.append([m.household_number, m.group_name, m.head_name, m.name, ids.show(m.ric), m.sex, m.birth_date, m.relation,
                      m.status, m.confirmed_on, m.joined_on, m.left_on, *per, m.shares, m.note or ""])
    sheet.close()
    return wb


def export_members_xlsx(session: Session, organisation_id: uuid.UUID, path: Path | str, *,
                        organisation: str = "", ids: IdRule = MASKED) -> int:
    """Write the 成员名册 of an organisation straight from the database to ``path`` (rows are
    streamed from one query into a write-only sheet: memory stays flat); returns the rows written.
    ``ids``: full or masked 身份证号 (``personal_data.id_rule``; a full file also masks nothing else)."""
    types = list_share_types(session, organisation_id)
    wb = Workbook(write_only=True)
    sheet = _members_sheet(wb, [t.name for t in types], organisation, ids)
    rows = member_export_rows(session, organisation_id, [t.id for t in types])
    sheet.extend(rows if ids.full else ((*r[:4], ids.show(r[4]), *r[5:]) for r in rows))
    sheet.close()
    wb.save(path)
    return sheet.rows - sheet.head - 1


def households_workbook(households: Sequence[HouseholdRow], *, organisation: str = "") -> Workbook:
    wb = Workbook(write_only=True)
    sheet = _stream(wb, "户", "户名册", organisation,
                    ["组别", "户号", "户主", "在册人数", "持股合计", "地址", "电话", "股权证号", "银行卡尾号"],
                    [14, 10, 10, 9, 10, 28, 14, 14, 10], [None, TEXT, None, "0", SHARES, None, TEXT, TEXT, TEXT])
    sheet.extend([h.group_name, h.number, h.head_name, h.members, h.shares, h.address or "", h.phone or "",
                  h.certificate_no or "", h.bank_tail or ""] for h in households)
    sheet.close()
    return wb


def shares_workbook(holdings: Sequence[HoldingRow], type_names: Sequence[str], *, organisation: str = "",
                    ids: IdRule = MASKED) -> Workbook:
    """股份登记簿: one row per member holding shares, by share type; the totals row is the sum of the
    rows above it (values, so every reader sees them)."""
    wb = Workbook(write_only=True)
    sheet = _stream(wb, "股份登记簿", "股份登记簿", organisation,
                    ["组别", "户号", "户主", "姓名", "身份证号", "与户主关系", "状态", *type_names, "合计"],
                    [14, 10, 10, 10, 21, 10, 8, *[9] * len(type_names), 10],
                    [None, TEXT, None, None, TEXT, None, None, *[SHARES] * (len(type_names) + 1)], ids.note)
    sheet.extend([h.group_name, h.household_number, h.head_name, h.name, ids.show(h.ric), h.relation, h.status,
                  *[v for _, v in h.by_type], h.total] for h in holdings)
    last = sheet.rows
    sheet.append(["合计", "", "", f"{len(holdings)}人", "", "", "",
                  *[sum((h.by_type[i][1] for h in holdings), Decimal(0)) for i in range(len(type_names))],
                  sum((h.total for h in holdings), Decimal(0))])
    sheet.close(last_row=last)
    return wb


def _status(p: PlanRow) -> str:
    parts = [f"方案状态：{p.status}"]
    for label, day in (("公示日期", p.publicised_on), ("批准日期", p.approved_on), ("发放日期", p.paid_on)):
        if day is not None:
            parts.append(f"{label}：{day.year}年{day.month}月{day.day}日")
    if p.resolution_no:
        parts.append(f"决议：{p.resolution_no}")
    return "　".join(parts)


def roster_workbook(roster: PlanRoster, *, public: bool = False) -> Workbook:
    """分红花名册 with the same columns as the PDF: the public copy (公示稿) by household — 组别, 户号,
    户主, 人数, 股数, 每股, 应分, 扣减, 实发, no ID numbers, no 签领; the internal copy (发放稿) one row
    per member with the ID number as the roster carries it (masked unless ``IdRule.roster`` kept it
    full for a keeper; then the subtitle says so) and 签领. The totals row holds the sums of the rows
    above it."""
    p = roster.plan
    wb = Workbook()
    money0 = Decimal("0.00")
    if public:
        hs = roster.households
        ws = _sheet(wb, "分红花名册（公示稿）", ["组别", "户号", "户主", "人数", "股数", "每股", "应分", "扣减", "实发"],
                    [16, 12, 12, 7, 10, 10, 14, 12, 14], first=True)
        for h in hs:
            ws.append([h.group_name, h.household_number, h.head_name, h.members, h.shares, p.per_share, h.amount,
                       h.deduction, h.net])
        last = ws.max_row
        ws.append(["合计", f"{len(hs)}户", "", sum(h.members for h in hs), sum((h.shares for h in hs), Decimal(0)),
                   None, sum((h.amount for h in hs), money0), sum((h.deduction for h in hs), money0),
                   sum((h.net for h in hs), money0)])
        _formats(ws, [None, TEXT, None, "0", SHARES, MONEY, MONEY, MONEY, MONEY])
    else:
        types = list(roster.type_names)
        lines = roster.lines
        headers = ["序号", "组别", "户号", "户主", "成员", "身份证号", "与户主关系", *types, "合计股数", "每股金额",
                   "应分", "扣减", "实发", "签领"]
        ws = _sheet(wb, "分红花名册（发放稿）", headers,
                    [6, 14, 10, 10, 10, 21, 10, *[9] * len(types), 10, 10, 12, 10, 12, 14], first=True)
        for ln in lines:
            ws.append([ln.seq, ln.group_name, ln.household_number, ln.head_name, ln.name, ln.ric, ln.relation,
                       *ln.by_type, ln.shares, p.per_share, ln.amount, ln.deduction, ln.net, ""])
        last = ws.max_row
        ws.append(["", "合计", f"{len({ln.household_id for ln in lines})}户", "", f"{len(lines)}人", "", "",
                   *[sum((ln.by_type[i] for ln in lines), Decimal(0)) for i in range(len(types))],
                   sum((ln.shares for ln in lines), Decimal(0)), None, sum((ln.amount for ln in lines), money0),
                   sum((ln.deduction for ln in lines), money0), sum((ln.net for ln in lines), money0), ""])
        _formats(ws, [None, None, TEXT, None, None, TEXT, None, *[SHARES] * (len(types) + 1), MONEY, MONEY, MONEY,
                      MONEY, None])
    kind = "公示稿" if public else "发放稿"
    masked = "" if public else "".join(f"　{n}" for n in [masked_note(ln.ric for ln in roster.lines)] if n)
    finish_sheet(ws, title=f"{p.organisation_name}{p.year}年度成员分红花名册（{kind}）", subtitle=_status(p) + masked,
                 header_rows=1, last_row=last)
    info = wb.create_sheet("说明")
    for line in (("组织", p.organisation_name), ("年度", p.year), ("方案状态", p.status),
                 ("批准用于成员分配", p.members_amount), ("总股数", p.total_shares), ("每股分红", p.per_share),
                 ("按股分配合计", p.roster_total), ("尾差（不发放，留存未分配收益）", p.remainder),
                 ("说明", "每股分红 = 批准用于成员分配 ÷ 总股数（向下取整）；应分 = 合计股数 \u00d7 每股分红"
                          "（小数股四舍五入到分）；实发 = 应分 − 扣减"
                          + ("；公示稿按户公开，不列身份证号" if public else ""))):
        info.append(list(line))
    for r in range(4, 9):
        info.cell(r, 2).number_format = SHARES if r == 5 else MONEY
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 60
    info.cell(9, 2).alignment = Alignment(wrap_text=True)
    finish_sheet(info, title=f"{p.organisation_name}{p.year}年度成员分红花名册说明", header_rows=1, autofilter=False)
    return wb


# --- import ----------------------------------------------------------------------------------


def import_members_xlsx(session: Session, organisation_id: uuid.UUID, path: Path, *, apply: bool,
                        event_date: date | None = None, basis: str = "Excel导入成员名册",
                        today: date | None = None, user: UserRow | None = None) -> tuple[ImportPreview, ImportResult | None]:
    """仅新增 through the import pipeline (``excel.import_members``): validate the file (and with
    ``apply`` write it, all or nothing); returns the preview with every problem by row and column
    (the column as its field's name), and the result when written."""
    from desktop_app.excel.import_members import MEMBERS as imp  # the kind alone, not every kind's module
    from desktop_app.excel.table_read import open_table

    table = open_table(Path(path), imp.spec(session, organisation_id))
    check = imp.check(session, table, organisation_id=organisation_id, book_id=None, mode="add",
                      today=today)
    plan = check.plan
    p = plan.preview
    errors = tuple(RowProblem(row, plan.labels.get(key, key), message) for row, key, message in plan.problems)
    preview = ImportPreview(p.organisation_id, p.rows, errors, p.new_households, p.members, p.shares_total)
    if not apply or errors:
        return preview, None
    imp.apply(session, check, organisation_id=organisation_id, book_id=None, event_date=event_date, basis=basis,
              today=today, user=user)
    return preview, plan.result or ImportResult(0, 0, 0, Decimal(0))
