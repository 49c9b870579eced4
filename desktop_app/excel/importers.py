"""One import pipeline for every kind (issue #15): read → check → preview → apply, all or nothing.

A kind is an ``Importer``: its ``TableSpec`` (columns and synonyms, ``excel.table_read``), how a
row becomes the service's values, the natural key (身份证号, 资产编号, 合同编号, 地块编号 …) and
the services that create and update. ``run_import`` reads the file with ``open_table``, checks
every row (all problems at once, each named by Excel row and column), compares each key with
what the organisation already holds and, by the chosen mode, sorts the rows into new, changed
(field by field) and unchanged:

- 仅新增 (``add``): a key already registered is a problem (nothing is written);
- 跳过已有 (``skip``): rows whose key is registered are left alone, the rest are added;
- 更新已有 (``update``): changed rows are updated through the same service a form edit calls
  (audited like one), unchanged rows are left alone, new rows are added.

With ``apply`` the rows are written in the caller's transaction only if there is no problem.
The GUI preview (``ui.import_dialog``) and the CLI (``import KIND FILE``) both call
``run_import``; templates come from ``write_template``. Kinds register with ``register``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter, countOf
from pathlib import Path
from sys import intern
from typing import Any, Literal, NamedTuple

from sqlalchemy.orm import Session

from db.changelog import paused_gc
from desktop_app.core.cellvalues import CellError, cell_text, cell_words, fold
from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.services.permissions import ENTER_RECORDS
from desktop_app.excel.table_read import Layout, SkippedRow, Table, TableSpec, open_table

__all__ = ["IMPORTERS", "MODES", "Change", "ImportCheck", "ImportDone", "Importer", "Mode", "Problem", "RecordImporter",
           "RowOutcome", "acting_user", "importer", "read_cells", "register", "require_clean", "run_import", "shown",
           "write_template"]

Mode = Literal["add", "skip", "update"]
MODES: dict[str, str] = {"add": "仅新增", "skip": "跳过已有", "update": "更新已有"}


@dataclass(frozen=True)
class Problem:
    row: int  # Excel row number (0: the file as a whole)
    column: str  # 'E列“身份证号码”', or "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        return f"{where}{self.column}：{self.message}" if self.column else f"{where}：{self.message}".lstrip("：")


@dataclass(frozen=True)
class Change:
    label: str  # the field's header
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}：{self.old or '（空）'} → {self.new or '（空）'}"


class RowOutcome(NamedTuple):
    """One row's fate. A named tuple (immutable like a frozen dataclass): a 100,000-row file makes
    100,000 of them, a tuple is built several times faster, and a tuple of plain values is one
    object the cyclic collector can leave alone."""

    row: int
    key: str  # the natural key's text
    name: str  # what a person recognises the row by (姓名, 资产名称 …)
    status: Literal["new", "changed", "unchanged", "skipped"]
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class ImportCheck:
    """What the file would do: shown in the preview, and the plan ``apply`` follows."""

    kind: str
    title: str
    mode: Mode
    layout: Layout
    skipped: tuple[SkippedRow, ...]
    problems: tuple[Problem, ...]
    outcomes: tuple[RowOutcome, ...]
    notes: tuple[str, ...] = ()  # e.g. "与户主关系按 GB/T 4761 归并：长子→子 3 行"
    plan: Any = None  # the kind's own checked rows, handed to its apply

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, status: str) -> int:
        return countOf(map(attrgetter("status"), self.outcomes), status)  # in C: 100,000 outcomes

    def summary(self) -> str:
        parts = [f"新增 {self.count('new')} 行"]
        if self.mode == "update":
            parts.append(f"更新 {self.count('changed')} 行")
            parts.append(f"无变化 {self.count('unchanged')} 行")
        elif self.mode == "skip":
            parts.append(f"跳过已有 {self.count('skipped') + self.count('changed') + self.count('unchanged')} 行")
        if self.skipped:
            parts.append(f"略过非数据行 {len(self.skipped)} 行")
        return "，".join(parts)


@dataclass(frozen=True)
class ImportDone:
    added: int
    updated: int
    left: int  # rows left as they were (unchanged or skipped)
    message: str  # one Chinese line for the user


class Importer:
    """A kind of import; see ``RecordImporter`` for the usual shape."""

    kind = ""
    label = ""  # 成员名册
    needs_book = False  # the rows go into a book (资产卡片, 凭证, 期初余额 …)
    needs_org = True  # False for kinds above the organisations (组织与账套): organisation_id is then None
    roles: tuple[str, ...] = ENTER_RECORDS  # who may import it (checked before the file is read)
    modes: tuple[Mode, ...] = ("add", "skip", "update")

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        raise NotImplementedError

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        raise NotImplementedError

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, **options: Any) -> ImportDone:
        raise NotImplementedError

    def template_rows(self) -> list[list[Any]]:
        """Example rows for the template (values, as the export would write them)."""
        return []


IMPORTERS: dict[str, Importer] = {}


def register(imp: Importer) -> Importer:
    IMPORTERS[imp.kind] = imp
    return imp


def importer(kind: str) -> Importer:
    _load()
    if kind not in IMPORTERS:
        known = "、".join(f"{k}（{v.label}）" for k, v in sorted(IMPORTERS.items()))
        raise UserError(f"不支持导入“{kind}”，可导入：{known}")
    return IMPORTERS[kind]


def _load() -> None:
    """Import the modules that register kinds (each ``excel/import_*.py``)."""
    import importlib
    import pkgutil

    import desktop_app.excel as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("import_"):
            importlib.import_module(f"desktop_app.excel.{info.name}")


def run_import(session: Session, kind: str, path: Path | str, *, organisation_id: uuid.UUID | None,
               book_id: uuid.UUID | None = None, mode: Mode = "add", mapping: Mapping[str, str] | None = None,
               remembered: Mapping[str, Mapping[str, str]] | None = None, sheet: str | int | None = None,
               header_row: int | None = None, apply: bool = False, progress: Progress | None = None,
               **options: Any) -> tuple[ImportCheck, ImportDone | None]:
    """Check the file (and with ``apply``, when it is clean, write it in the caller's transaction)."""
    imp = importer(kind)
    if mode not in imp.modes:
        raise UserError(f"{imp.label}不支持“{MODES.get(mode, mode)}”，可选：{'、'.join(MODES[m] for m in imp.modes)}")
    if imp.needs_org and organisation_id is None:
        raise UserError(f"导入{imp.label}须指定组织", field="组织")
    if imp.needs_book and book_id is None:
        raise UserError(f"导入{imp.label}须指定账套", field="账套")
    _may_import(session, imp, options.get("user"), organisation_id, book_id, apply)
    table = open_table(path, imp.spec(session, organisation_id), mapping=mapping, remembered=remembered, sheet=sheet,
                       header_row=header_row, formulas="collect")
    org = organisation_id if organisation_id is not None else uuid.UUID(int=0)  # unused by kinds without one
    foreign = _other_organisation(session, table, organisation_id) if imp.needs_org else None
    check = imp.check(session, table, organisation_id=org, book_id=book_id, mode=mode)
    if table.formula_cells:  # every problem at once: the formulas beside what the rows themselves got wrong
        formulas = _formula_problems(table)
        at = {(f.row, f.column.split("列")[0]) for f in formulas}  # a formula's blank says nothing more of its cell
        others = [p for p in check.problems if (p.row, p.column.split("列")[0]) not in at]
        check = replace(check, problems=tuple(sorted((*others, *formulas), key=lambda p: p.row)))
    if foreign is not None and mode == "update":  # it would rewrite this organisation's records with another's
        check = replace(check, problems=(foreign, *check.problems))
    elif foreign is not None:  # adding another's records (a village moving its books here): said first
        check = replace(check, notes=(f"注意：{foreign}", *check.notes))
    if not check.outcomes and not check.problems:  # a header and nothing under it (the template as it came)
        check = replace(check, problems=(Problem(table.layout.header_row, "", "表头下没有数据行：请在表头下逐行填写要导入的"
                                                 "数据（模板“示例”工作表中的示例不会导入）"),))
    if not apply or not check.ok:
        return check, None
    return check, imp.apply(session, check, organisation_id=org, book_id=book_id, progress=progress, **options)


def _may_import(session: Session, imp: Importer, user: Any, organisation_id: uuid.UUID | None,
                book_id: uuid.UUID | None, apply: bool) -> None:
    """Refused before the file is read: a user whose role or villages do not allow this kind is
    told so at once, not after a list of the file's problems (and never written for)."""
    from desktop_app.core.services.auth import require_role, session_user

    session.connection()  # the transaction begun: the command line's login is stamped on it then
    who = user if user is not None else session_user(session)
    if who is not None:
        require_role(session, who, *imp.roles, organisation_id=organisation_id, book_id=book_id)
    elif apply:
        raise UserError(f"导入{imp.label}需要操作人：请先登录（命令行加 --user）", field="操作人")


_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


def _other_organisation(session: Session, table: Table, organisation_id: uuid.UUID | None) -> Problem | None:
    """The file's title names another organisation than the one chosen (its 统一社会信用代码, or the
    name of another registered organisation and not this one's): an export of 东湖村 imported into
    杨柳村 in 更新已有 would rewrite 杨柳村's records with 东湖村's — refused, saying how to go on.
    Adding (仅新增/跳过已有) is how a village's registers move to a new organisation: said, not refused."""
    if organisation_id is None or not table.preamble:
        return None
    from desktop_app.core.services.orgs import get_organisation, list_books, list_organisations

    target = get_organisation(session, organisation_id)
    own = {target.uscc, *(b.credit_code for b in list_books(session, target.id) if b.credit_code)}  # 村委会's too
    others = [o for o in list_organisations(session) if o.id != target.id]  # read once for every title row
    for row, text in table.preamble:
        codes = set(_USCC.findall(fold(text).upper()))
        if (not codes and target.name in text) or codes & own:
            continue
        if codes:
            code = min(codes)
            other = next((o for o in others if o.uscc == code), None)
            named = f"{other.name}（{code}）" if other is not None else code
        else:
            other = next((o for o in others if len(o.name) >= 3 and o.name in text), None)
            if other is None:
                continue
            named = other.name
        return Problem(row, "", f"文件标题写的是“{named}”的数据，与所选组织“{target.name}”不同：请确认选对了组织和文件。"
                                "如确要以此更新本组织，请删去或改正文件中的这一行")
    return None


def _formula_problems(table: Table) -> list[Problem]:
    """A cell holding a formula whose result the file does not store (calamine reads it as blank)."""
    from openpyxl.utils import column_index_from_string

    out = []
    for ref in table.formula_cells:
        letters = ref.rstrip("0123456789")
        row = int(ref[len(letters):] or 0)
        i = column_index_from_string(letters) - 1 if letters else -1
        header = table.layout.headers[i] if 0 <= i < len(table.layout.headers) else ""
        column = f"{letters}列“{header}”" if header else f"单元格 {ref}"
        out.append(Problem(row, column, "是公式，但文件中没有保存公式的计算结果，无法读出数值（不会当作空白导入）。"
                                        "请在 Excel 中打开该文件并保存一次，或把公式改为直接填写的数值"))
    return out


def shown(value: Any) -> str:
    """A value as the preview and the change list show it."""
    if type(value) is str:  # most keys and names: asked twice a row of a 100k-row check
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 3.5000 亩 shows as 3.5
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value) if not isinstance(value, str) else value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(a or 0) == Decimal(b or 0)
        except Exception:  # one side is not a number: compare as shown
            return shown(a) == shown(b)
    return (a if a not in ("", None) else None) == (b if b not in ("", None) else None)


ReadCell = Callable[[Any], Any]


@dataclass
class RecordImporter(Importer):
    """The usual kind: each row is one record keyed by ``spec.key``.

    - ``readers``: field key → function turning the raw cell into the value (``cellvalues``);
      a ``CellError`` is a problem at that cell;
    - ``validate(session, values, organisation_id, book_id)`` raises ``UserError`` (its ``field``
      a column label) for a bad row, with the same rules as the form;
    - ``existing(session, organisation_id, book_id)`` → {key text: (record id, {field: value})};
    - ``create(session, rows, organisation_id, book_id)`` writes the new rows (a list of values);
    - ``update(session, record_id, values, current, organisation_id, book_id)`` one changed row.
    """

    kind: str = ""
    label: str = ""
    table: TableSpec | None = None
    readers: Mapping[str, ReadCell] = field(default_factory=dict)
    validate: Callable[[Session, dict[str, Any], uuid.UUID, uuid.UUID | None], Any] | None = None
    existing: Callable[[Session, uuid.UUID, uuid.UUID | None], Mapping[str, tuple[Any, Mapping[str, Any]]]] | None = None
    create: Callable[[Session, list[dict[str, Any]], uuid.UUID, uuid.UUID | None], Any] | None = None
    update: Callable[[Session, Any, dict[str, Any], Mapping[str, Any], uuid.UUID, uuid.UUID | None], Any] | None = None
    name_field: str = "name"
    needs_book: bool = False
    modes: tuple[Mode, ...] = ("add", "skip", "update")
    examples: Sequence[Sequence[Any]] = ()

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        assert self.table is not None
        return self.table

    def template_rows(self) -> list[list[Any]]:
        return [list(r) for r in self.examples]

    def read_row(self, layout: Layout, row: int, record: Mapping[str, Any],
                 problems: list[Problem]) -> dict[str, Any] | None:
        return read_cells(self.readers, layout, row, record, problems)

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        # the rows' values, outcomes and plan hold no cycles: no collector rescanning them
        with paused_gc(), remembered_cells():
            return self._check_rows(session, table, organisation_id=organisation_id, book_id=book_id, mode=mode)

    def _check_rows(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
                    mode: Mode) -> ImportCheck:
        spec = table.layout.spec
        key_field = spec.key or ""
        labels = {f.key: f.label for f in spec.fields}
        problems: list[Problem] = []
        outcomes: list[RowOutcome] = []
        plan: list[tuple[str, int, dict[str, Any], Any, Mapping[str, Any] | None]] = []
        held = dict(self.existing(session, organisation_id, book_id)) if self.existing else {}
        seen: dict[str, int] = {}
        for row, record in table.records():
            values = self.read_row(table.layout, row, record, problems)
            if values is None:
                continue
            key = shown(values.get(key_field))
            name = shown(values.get(self.name_field))
            if key and key in seen:
                problems.append(Problem(row, table.layout.where(key_field), f"{key} 与第{seen[key]}行重复"))
                continue
            seen[key] = row
            current = held.get(key) if key else None
            if not name and current is not None:  # a blank 名称 in 更新已有 keeps (and shows) the registered one
                name = shown(current[1].get(self.name_field))
            if current is not None and mode == "add":
                problems.append(Problem(row, table.layout.where(key_field),
                                        f"{key} 已登记。要修改已有记录请选择“更新已有”，要略过请选择“跳过已有”"))
                continue
            if current is not None and mode == "skip":
                outcomes.append(RowOutcome(row, key, name, "skipped"))
                continue
            # a blank cell in 更新已有 keeps the registered value: an import never clears a field unasked
            given = {} if current is None else {k: v for k, v in values.items() if v is not None and v != ""}
            merged = values if current is None else {**current[1], **given}
            if self.validate is not None:
                try:
                    self.validate(session, merged, organisation_id, book_id)
                except UserError as e:
                    problems.append(Problem(row, _where(table.layout, labels, e.field), e.message))
                    continue
            if current is None:
                outcomes.append(RowOutcome(row, key, name, "new"))
                plan.append(("new", row, merged, None, None))
                continue
            changes = tuple(Change(labels.get(k, k), shown(current[1].get(k)), shown(v))
                            for k, v in given.items() if k in current[1] and not _same(current[1].get(k), v))
            outcomes.append(RowOutcome(row, key, name, "changed" if changes else "unchanged", changes))
            if changes:
                plan.append(("changed", row, merged, current[0], current[1]))
        return ImportCheck(self.kind, self.label, mode, table.layout, tuple(table.skipped),
                           tuple(sorted(problems, key=lambda p: p.row)), tuple(outcomes), plan=plan)

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, **options: Any) -> ImportDone:
        require_clean(check)
        new = [values for status, _, values, _, _ in check.plan if status == "new"]
        with paused_gc():  # the new rows, their images and audit records hold no cycles
            if new and self.create is not None:
                self.create(session, new, organisation_id, book_id)
        changed = [(rid, values, current) for status, _, values, rid, current in check.plan if status == "changed"]
        for rid, values, current in changed:
            assert self.update is not None
            self.update(session, rid, values, current, organisation_id, book_id)
        left = len(check.outcomes) - len(new) - len(changed)
        parts = [f"新增 {len(new)} 条"] + ([f"更新 {len(changed)} 条"] if check.mode == "update" else []) + (
            [f"已有未动 {left} 条"] if left else [])
        return ImportDone(len(new), len(changed), left, f"已导入{self.label}：{'，'.join(parts)}")


def read_cells(readers: Mapping[str, ReadCell], layout: Layout, row: int, record: Mapping[str, Any],
               problems: list[Problem]) -> dict[str, Any] | None:
    """One row's cells as values (``readers`` by field; free text otherwise, as written); each
    refused cell is a problem at its row and column, and the row is then None."""
    values: dict[str, Any] = {}
    ok = True
    memo = _READ_MEMO.get()
    seen: dict[tuple[type, Any], Any] | None = None
    for key, raw in record.items():
        reader = readers.get(key)
        if memo is not None and type(raw) in _MEMO_TYPES:
            entry = memo.get(key)
            if entry is None or entry[0] is not reader:
                entry = memo[key] = (reader, {})
            seen, cell = entry[1], (type(raw), raw)
            value = seen.get(cell, _UNREAD)
            if value is not _UNREAD:  # this column's cell read before: the same value
                values[key] = value
                continue
        else:
            seen = None
        try:
            value = reader(raw) if reader is not None else (cell_words(raw) or None)
        except CellError as e:
            problems.append(Problem(row, layout.where(key), e.message))
            ok = False
            continue
        # a column's repeated words (地类, 状态, 村民小组 …) held once, not once a row: a 100k-row plan
        values[key] = value = intern(value) if type(value) is str else value
        if seen is not None and len(seen) < MEMO_SIZE:  # a column of distinct cells (codes, names) stops growing
            seen[cell] = value
    return values if ok else None


# cells a reader turns into the same immutable value every time (a column's 耕地, 是, 2020-05-01, 120)
_MEMO_TYPES = frozenset((str, int, float, bool, date, datetime, type(None)))
MEMO_SIZE = 2048  # distinct cells remembered per column
_UNREAD = object()
# field key → (its reader, {(cell type, cell): value})
_READ_MEMO: ContextVar[dict[str, tuple[Any, dict[tuple[type, Any], Any]]] | None] = ContextVar("read_memo",
                                                                                              default=None)


@contextmanager
def remembered_cells() -> Iterator[None]:
    """Inside, ``read_cells`` reads a column's repeated cells once (a file's 地类, 经营状态, 是/否, 取得日期
    …): the readers are pure and their values immutable, so a cell read before gives the value it gave.
    A refused cell is not remembered (each row with it is a problem of its own)."""
    token = _READ_MEMO.set({})
    try:
        yield
    finally:
        _READ_MEMO.reset(token)


def require_clean(check: ImportCheck) -> None:
    """A kind's ``apply`` writes only a check without problems."""
    if not check.ok:
        raise UserError(f"导入文件有 {len(check.problems)} 处错误，未写入任何数据。第一处：{check.problems[0]}")


def acting_user(session: Session, user: Any, what: str) -> Any:
    """The user an apply writes as: the window's, else the command line's logged-in one."""
    user = user or session.info.get("cli_user")
    if user is None:
        raise UserError(f"导入{what}需要操作人：请先登录", field="操作人")
    return user


def _where(layout: Layout, labels: Mapping[str, str], field_name: str | None) -> str:
    """A service's field (a label such as 资产编号, or a key) as the file's column."""
    if not field_name:
        return ""
    for key, label in labels.items():
        if field_name in (key, label, label.split("（")[0]):
            return layout.where(key) if key in layout.columns else f"“{label}”"
    return f"“{field_name}”"


def write_template(kind: str, path: Path | str, *, session: Session | None = None,
                   organisation_id: uuid.UUID | None = None, examples: bool = False) -> Path:
    """The import template: the header row (required columns marked *) on an empty first sheet, the
    example rows on a sheet of their own (“示例”: never imported, so a forgotten example is never
    registered as a real member), and a 填写说明 sheet listing every column, the other names it is
    recognised by and what to write. ``examples``: the example rows on the first sheet (a file that
    imports as it is: for trying the import)."""
    from openpyxl import Workbook

    from desktop_app.excel.print_setup import finish_sheet

    imp = importer(kind)
    spec = imp.spec(session, organisation_id)
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    rows = imp.template_rows()
    _template_sheet(ws, spec, rows if examples else [], title=f"{spec.title}导入模板",
                    subtitle="带*的列必须填写；表头上方可留标题行" + ("；示例行可删除" if examples else
                                                            "；填写示例见“示例”工作表（不会导入）"))
    if rows and not examples:
        _template_sheet(wb.create_sheet("示例"), spec, rows, title=f"{spec.title}填写示例（此表不会导入）",
                        subtitle="请在第一个工作表中填写；本表只作参考")
    info = wb.create_sheet("填写说明")
    info.append(["列名", "必填", "也可写作", "填写说明"])
    for f in spec.fields:
        info.append([f.label, "是" if f.required else "", "、".join(f.synonyms), f.note])
    for col, width in zip("ABCD", (18, 6, 40, 60), strict=True):
        info.column_dimensions[col].width = width
    finish_sheet(info, title=f"{spec.title}导入模板填写说明", header_rows=1, autofilter=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _template_sheet(ws: Any, spec: TableSpec, rows: Sequence[Sequence[Any]], *, title: str, subtitle: str) -> None:
    from openpyxl.styles import Font, PatternFill

    from desktop_app.excel.print_setup import finish_sheet

    ws.title = ws.title if ws.title == "示例" else spec.title[:31]
    ws.append([f"*{f.label}" if f.required else f.label for f in spec.fields])
    for r in rows:
        ws.append(list(r))
    for i, f in enumerate(spec.fields, start=1):
        cell = ws.cell(1, i)
        cell.font = Font(bold=True, color="C00000" if f.required else "000000")
        cell.fill = PatternFill("solid", fgColor="FFF2CC" if f.required else "F2F2F2")
        ws.column_dimensions[cell.column_letter].width = max(10, len(f.label) * 2 + 4)
        if f.key in _TEXT_KEYS:
            for line in range(2, 202):
                ws.cell(line, i).number_format = "@"
    finish_sheet(ws, title=title, subtitle=subtitle, header_rows=1)


# identifier columns: the template formats them as text so Excel keeps every digit and leading 0
_TEXT_KEYS = frozenset(("ric", "code", "number", "household_number", "account_code", "uscc", "region_code",
                        "id_number", "phone", "title_no", "certificate_no", "counterparty_id_number",
                        "counterparty_phone", "official_code", "parcel_code", "asset_code"))


def keyed(rows: Iterable[tuple[str, Any, Mapping[str, Any]]]) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    """``existing``'s result from (key, id, values) triples."""
    return {k: (rid, values) for k, rid, values in rows}
