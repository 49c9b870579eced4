"""组织与账套 from Excel (issue #15, kind "orgs"): a database starts from a county's list of villages.

One row per organisation, or one per book (an organisation with two books takes two rows, its own
columns repeated or left blank on the second). Natural key: 统一社会信用代码. The codes are checked
by the services the 组织与账套 page's forms call: ``check`` tries every organisation in a savepoint
(``services.org_setup.setup_organisation`` / ``orgs.update_organisation`` / ``add_book``) and rolls it
back, so the rules are exactly the forms' and every bad cell is named at once; ``apply`` does it again
for real in the caller's transaction. A 区划 the database does not have yet is added (named by 区划名称,
or by the organisation's name; its township by 所属乡镇); a blank 组织级别 is read from the USCC's
N1/N2/N3 prefix; a new organisation without a 账套名称 gets a book named after it (as ``org add``).

- 仅新增: a registered USCC is a problem;
- 跳过已有: its rows are left alone;
- 更新已有: the organisation's changed cells are saved through ``update_organisation`` (a blank cell
  keeps the registered value), books named in the file that it does not have are added; a book it
  has keeps its 会计制度 and 启用期间 (the vouchers depend on them: a different one is a problem).

``export_orgs_xlsx`` writes organisations and books in the same columns, so the file imports back.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import CellError, cell_text
from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.rows import UserRow
from desktop_app.excel.importers import (
    Change,
    ImportCheck,
    ImportDone,
    Importer,
    Mode,
    Problem,
    RowOutcome,
    acting_user,
    read_cells,
    register,
    require_clean,
)
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

__all__ = ["COLUMNS", "ORGS", "OrgsImporter", "export_orgs_xlsx"]

_CHART_NOTE = "2023 或 2004（2023版会计制度自2024年起施行）；空白为 2023"
FIELDS = (
    Field("name", "组织名称", ("单位名称", "名称", "集体经济组织名称", "经济组织名称", "组织"), required=True,
          note="如 新华村股份经济合作社"),
    Field("level", "组织级别", ("级别", "层级", "组织层级"), note="组、村 或 乡镇；空白时按统一社会信用代码 N1/N2/N3 判断"),
    Field("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码", "组织代码"), required=True,
          note="18位；组级以 N1、村级以 N2、乡镇级以 N3 开头"),
    Field("region_code", "行政区划代码", ("区划代码", "统计用区划代码", "行政区划", "区划码"), required=True,
          note="12位统计用区划代码；村、组级组织填村的代码，乡镇级填乡镇的代码"),
    Field("region_name", "区划名称", ("行政区划名称", "村名"), note="区划代码尚未登记时用它登记（空白则取组织名称，如 新华村）"),
    Field("township", "所属乡镇", ("乡镇", "乡镇（街道）", "乡镇名称", "所属乡镇（街道）"),
          note="村的区划和其乡镇都未登记时，用它登记乡镇"),
    Field("legal_rep", "法定代表人", ("负责人", "法人代表", "法定代表人姓名", "理事长")),
    Field("phone", "联系电话", ("电话", "手机", "联系方式", "手机号码")),
    Field("address", "地址", ("住所", "通讯地址", "办公地址", "单位地址")),
    Field("book_name", "账套名称", ("账套",),
          note="一个组织多个账套写多行；空白：只登记组织不建账套（文件没有这一列时，每个新组织建一个与组织同名的账套）"),
    Field("book_kind", "账套类型", ("账套性质",), note="股份经济合作社、经济合作社、经济联合社、村民委员会、村民小组、其他；空白按组织名称判断"),
    Field("chart_version", "会计制度", ("会计制度版本", "执行会计制度", "执行制度", "制度"), note=_CHART_NOTE),
    Field("start_period", "启用期间", ("账套启用期间", "启用年月", "建账期间", "启用月份"), note="YYYY-MM，如 2026-01；空白为今年1月"),
    Field("credit_code", "账套单位统一社会信用代码", ("账套信用代码",), note="村民委员会等其他单位的账套填其自己的代码（村民委员会为54开头）"),
)
ORGS = TableSpec("orgs", "组织与账套", FIELDS, key="uscc")
COLUMNS = tuple(f.label for f in FIELDS)
_ORG_KEYS = ("name", "level", "region_code", "legal_rep", "phone", "address")
_BOOK_KEYS = ("book_name", "book_kind", "chart_version", "start_period", "credit_code")
# a service's field name → our column
_SERVICE_FIELDS = {"名称": "name", "层级": "level", "统一社会信用代码": "uscc", "区划代码": "region_code",
                   "区划名称": "region_name", "法定代表人": "legal_rep", "联系电话": "phone", "地址": "address",
                   "账套名称": "book_name", "账套编号": "book_name", "账套类型": "book_kind", "会计制度": "chart_version",
                   "启用期间": "start_period", "账套单位统一社会信用代码": "credit_code"}


def _code(value: Any) -> str | None:
    """An identifier as typed: no spaces, upper-case (a number cell as its digits)."""
    text = cell_text(value).replace(" ", "").upper()
    return text or None


def _chart(value: Any) -> str | None:
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    m = re.fullmatch(r"(2023|2004)(?:年|版|年版)?(?:[《(（]?村集体经济组织会计制度[》)）]?)?", text)
    if m is None:
        raise CellError(f"会计制度“{text}”无法识别，应为 2023 或 2004")
    return m.group(1)


def _period(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:[-/.年]?(\d{1,2})月?)(?:[-/.](\d{1,2})日?)?", text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise CellError(f"启用期间“{text}”应写作 YYYY-MM，如 2026-01")
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def _level(value: Any) -> str | None:
    from desktop_app.core.services.org_setup import org_level

    text = cell_text(value)
    if not text:
        return None
    try:
        return org_level(text)
    except UserError as e:
        raise CellError(e.message) from None


_READERS = {"level": _level, "uscc": _code, "region_code": _code, "credit_code": _code, "chart_version": _chart,
            "start_period": _period}


@dataclass
class _Book:
    row: int
    values: dict[str, Any]


@dataclass
class _Group:
    """One organisation of the file: its first row, its values and its books' rows."""

    row: int
    uscc: str
    values: dict[str, Any]
    books: list[_Book] = field(default_factory=list)
    current: Any = None  # the registered OrgRow
    status: str = "new"
    default_book: bool = False  # a new organisation without a 账套名称: one named after it


class OrgsImporter(Importer):
    kind = "orgs"
    label = "组织与账套"
    needs_org = False

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        return ORGS

    def template_rows(self) -> list[list[Any]]:
        from desktop_app.core.ids import make_uscc

        uscc = make_uscc("N2320115MF0000012")
        return [["新华村股份经济合作社", "村", uscc, "320115106201", "新华村", "阳光街道", "王建国", "13900000000",
                 "阳光街道新华村", "新华村股份经济合作社", "股份经济合作社", "2023", "2026-01", None]]

    # --- reading -------------------------------------------------------------------------------

    def _read(self, table: Table, problems: list[Problem]) -> list[_Group]:
        layout = table.layout
        groups: dict[str, _Group] = {}
        for row, record in table.records():
            values = read_cells(_READERS, layout, row, record, problems)
            if values is None:
                continue
            uscc = values.get("uscc")
            if not uscc:
                problems.append(Problem(row, layout.where("uscc"), "请填写统一社会信用代码"))
                continue
            book = {k: values[k] for k in _BOOK_KEYS if values.get(k)}
            group = groups.get(uscc)
            if group is None:  # a file without a 账套名称 column: each new organisation gets a book named after it
                groups[uscc] = _Group(row, uscc, values, [_Book(row, book)] if book else [],
                                      default_book=not book and "book_name" not in layout.columns)
                continue
            for key in (*_ORG_KEYS, "region_name", "township"):  # the organisation's cells, repeated or blank
                if values.get(key) and group.values.get(key) and values[key] != group.values[key]:
                    problems.append(Problem(row, layout.where(key), f"与第{group.row}行（同一统一社会信用代码 {uscc}）"
                                                                    f"不同：“{values[key]}”与“{group.values[key]}”"))
                elif values.get(key) and not group.values.get(key):
                    group.values[key] = values[key]
            if not book:
                problems.append(Problem(row, layout.where("book_name"),
                                        f"统一社会信用代码 {uscc} 已在第{group.row}行出现：同一组织的第二行应写它的另一个账套"))
                continue
            group.books.append(_Book(row, book))
        for group in groups.values():
            if group.books:
                group.default_book = False
            seen: dict[str, int] = {}
            for b in group.books:
                name = b.values.get("book_name") or group.values.get("name") or ""
                if name in seen:
                    problems.append(Problem(b.row, layout.where("book_name"), f"账套“{name}”与第{seen[name]}行重复"))
                seen.setdefault(name, b.row)
        return list(groups.values())

    # --- checking -------------------------------------------------------------------------------

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        from desktop_app.core.services.orgs import list_books, list_organisations

        layout = table.layout
        problems: list[Problem] = []
        groups = self._read(table, problems)
        held = {o.uscc: o for o in list_organisations(session)}
        books: dict[uuid.UUID, list[Any]] = {}
        for b in list_books(session):
            books.setdefault(b.organisation_id, []).append(b)
        outcomes: list[RowOutcome] = []
        plan: list[_Group] = []
        for g in groups:
            name = g.values.get("name") or ""
            g.current = held.get(g.uscc)
            if g.current is None:
                outcomes.append(RowOutcome(g.row, g.uscc, name, "new"))
                plan.append(g)
                continue
            if mode == "add":
                problems.append(Problem(g.row, layout.where("uscc"), f"{g.uscc}（{g.current.name}）已登记。要修改已有组织请选择"
                                                                     "“更新已有”，要略过请选择“跳过已有”"))
                continue
            if mode == "skip":
                outcomes.append(RowOutcome(g.row, g.uscc, g.current.name, "skipped"))
                continue
            changes = self._changes(g, books.get(g.current.id, []), layout, problems)
            g.status = "changed" if changes else "unchanged"
            outcomes.append(RowOutcome(g.row, g.uscc, g.current.name, "changed" if changes else "unchanged",
                                       tuple(changes)))
            if changes:
                plan.append(g)
        if plan:
            self._trial(session, plan, layout, problems)
        notes = self._notes(plan)
        return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped),
                           tuple(sorted(problems, key=lambda p: p.row)), tuple(outcomes), notes, plan=plan)

    @staticmethod
    def _notes(plan: list[_Group]) -> tuple[str, ...]:
        new_books = sum(len(g.books) + (1 if g.status == "new" and g.default_book else 0) for g in plan)
        bookless = [g.values.get("name") or g.uscc for g in plan if g.status == "new" and not g.books
                    and not g.default_book]
        notes = [f"将新建账套 {new_books} 个（复制所选会计制度的科目表）"] if new_books else []
        if bookless:
            shown = "、".join(bookless[:5]) + (f" 等 {len(bookless)} 个" if len(bookless) > 5 else "")
            notes.append(f"账套名称空白，只登记组织、不建账套：{shown}（需要账套请填写账套名称，或以后用“新增账套”）")
        return tuple(notes)

    @staticmethod
    def _changes(g: _Group, held_books: list[Any], layout: Layout, problems: list[Problem]) -> list[Change]:
        labels = {f.key: f.label for f in FIELDS}
        current = g.current
        changes = [Change(labels[k], str(getattr(current, k) or ""), str(g.values[k]))
                   for k in _ORG_KEYS if g.values.get(k) and g.values[k] != (getattr(current, k) or "")]
        by_name = {b.name: b for b in held_books}
        new_books = []
        for b in g.books:
            have = by_name.get(b.values.get("book_name") or current.name)
            if have is None:
                new_books.append(b)
                changes.append(Change("账套", "", _book_text(b.values)))
                continue
            for key, attr, what in (("chart_version", "chart_version", "会计制度"), ("start_period", "start_period", "启用期间"),
                                    ("book_kind", "kind", "账套类型")):
                if b.values.get(key) and b.values[key] != getattr(have, attr):
                    problems.append(Problem(b.row, layout.where(key),
                                            f"账套“{have.name}”已有，{what}为 {getattr(have, attr)}，不能改为 {b.values[key]}"
                                            "（已记的账依赖它）；要另建账套请换一个账套名称"))
        g.books = new_books
        return changes

    def _trial(self, session: Session, plan: list[_Group], layout: Layout, problems: list[Problem]) -> None:
        """Write every organisation in a savepoint with the forms' services as the transaction's
        user, then roll it all back: the problems are exactly what saving would refuse."""
        from desktop_app.core.services.auth import require_role, session_user
        from desktop_app.core.services.permissions import ENTER_RECORDS

        user = session_user(session)
        if user is None:
            problems.append(Problem(0, "", "检查组织与账套需要操作人：请先登录（--user）"))
            return
        require_role(session, user, *ENTER_RECORDS)  # one refusal for the file, not one per row
        outer = session.begin_nested()
        try:
            for g in plan:
                self._write(session, g, layout, problems, user)
        finally:
            outer.rollback()

    # --- writing --------------------------------------------------------------------------------

    def _write(self, session: Session, g: _Group, layout: Layout, problems: list[Problem] | None,
               user: UserRow) -> tuple[int, int]:
        """Save one organisation and its new books; returns (organisations added or updated, books
        added). With ``problems`` (the trial) an error is noted at its cell instead of raised."""
        from desktop_app.core.services.org_setup import (
            add_book,
            ensure_region,
            region_name_for,
            setup_organisation,
        )
        from desktop_app.core.services.orgs import update_organisation

        v = g.values
        step = session.begin_nested() if problems is not None else None
        try:
            if g.current is None:
                made = setup_organisation(
                    session, name=v.get("name") or "", uscc=g.uscc, region_code=v.get("region_code") or "",
                    level=v.get("level"), legal_rep=v.get("legal_rep"), phone=v.get("phone"), address=v.get("address"),
                    region_name=v.get("region_name"), township=v.get("township"), with_book=g.default_book, user=user)
                org_id = made.organisation.id
            else:
                given = {k: v[k] for k in _ORG_KEYS if v.get(k)}
                if given.get("region_code"):
                    ensure_region(session, given["region_code"],
                                  v.get("region_name") or region_name_for(v.get("name") or g.current.name),
                                  township=v.get("township"), user=user)
                update_organisation(session, g.current.id, user=user, **given)
                org_id = g.current.id
        except UserError as e:
            if problems is None or step is None:
                raise
            step.rollback()
            problems.append(Problem(g.row, _column(layout, e.field), e.message))
            return 0, 0
        if step is not None:
            step.commit()
        added = 1 if g.default_book and g.current is None else 0
        for b in g.books:
            bv = b.values
            inner = session.begin_nested() if problems is not None else None
            try:
                add_book(session, org_id, name=bv.get("book_name"), chart_version=bv.get("chart_version") or "2023",
                         start_period=bv.get("start_period"), kind=bv.get("book_kind"), credit_code=bv.get("credit_code"),
                         user=user)
            except UserError as e:
                if problems is None or inner is None:
                    raise
                inner.rollback()
                problems.append(Problem(b.row, _column(layout, e.field, "book_name"), e.message))
                continue
            if inner is not None:
                inner.commit()
            added += 1
        return 1, added

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, user: Any = None, **options: Any) -> ImportDone:
        """``user``: the one importing (the window's or the command line's login); each service
        checks it as the 组织与账套 page's buttons do."""
        require_clean(check)
        user = acting_user(session, user, "组织与账套")
        plan: list[_Group] = check.plan or []
        added = updated = books = 0
        for i, g in enumerate(plan):
            if progress is not None:
                progress.report(i, len(plan), "正在写入组织与账套")
            _, b = self._write(session, g, check.layout, None, user)
            books += b
            if g.current is None:
                added += 1
            else:
                updated += 1
        left = len(check.outcomes) - added - updated
        parts = [f"新增组织 {added} 个"] + ([f"更新组织 {updated} 个"] if check.mode == "update" else []) + \
            [f"新建账套 {books} 个"] + ([f"已有未动 {left} 个"] if left else [])
        return ImportDone(added, updated, left, f"已导入{self.label}：{'，'.join(parts)}")


def _book_text(values: dict[str, Any]) -> str:
    return f"{values.get('book_name') or '与组织同名'}（{values.get('chart_version') or '2023'}版，{values.get('start_period') or '今年1月'}启用）"


def _column(layout: Layout, service_field: str | None, default: str = "") -> str:
    key = _SERVICE_FIELDS.get(service_field or "", service_field or default)
    if not key:
        return ""
    if any(f.key == key for f in FIELDS):
        return layout.where(key)
    return f"“{service_field}”"


register(OrgsImporter())


# --- export -----------------------------------------------------------------------------------

def export_orgs_xlsx(session: Session, path: Path | str) -> tuple[int, int]:
    """Every organisation with its books, one row per book (an organisation without a book: one
    row, the book's columns blank), in the import's columns. Returns (organisations, books)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from desktop_app.core.services.orgs import list_books, list_organisations
    from desktop_app.excel.print_setup import finish_sheet

    orgs = list_organisations(session)
    books: dict[uuid.UUID, list[Any]] = {}
    for b in list_books(session):
        books.setdefault(b.organisation_id, []).append(b)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "组织与账套"
    ws.append(list(COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
    count = 0
    for o in orgs:
        head = [o.name, o.level, o.uscc, o.region_code, o.region_name, o.township_name if o.level != "乡镇" else None,
                o.legal_rep, o.phone, o.address]
        for b in books.get(o.id, []) or [None]:
            if b is None:
                ws.append([*head, None, None, None, None, None])
                continue
            ws.append([*head, b.name, b.kind, b.chart_version, b.start_period, b.credit_code])
            count += 1
    text_cols = {i for i, f in enumerate(FIELDS, start=1)
                 if f.key in ("uscc", "region_code", "chart_version", "start_period", "credit_code", "phone")}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.column in text_cols:
                c.number_format = "@"  # codes stay text when edited in Excel (leading zeros, 18 digits)
    for i, f in enumerate(FIELDS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = {"name": 28, "uscc": 22, "region_code": 15,
                                                                    "address": 24, "book_name": 28,
                                                                    "credit_code": 22}.get(f.key, 12)
    finish_sheet(ws, title="组织与账套", subtitle=f"共 {len(orgs)} 个组织，{count} 个账套", header_rows=1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(orgs), count
