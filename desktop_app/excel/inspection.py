"""One check of an import file as the 从Excel导入 dialog shows it (issue #15): the file's columns with
samples and what each is imported as, the skipped rows, the problems and the outcomes, every
身份证号 masked. No Qt: ``ui.import_dialog`` runs ``inspect`` on the database thread and shows the
``Inspection``; the work is ``importers.run_import``'s, as the CLI's ``import KIND FILE``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError
from desktop_app.core.ids import mask_ric
from desktop_app.core.progress import Progress

STATUS = {"new": "新增", "changed": "更新", "unchanged": "无变化", "skipped": "跳过"}
_RIC = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def masked(text: str) -> str:
    """Any 18-character 身份证号 in ``text`` masked (first 6 + ******** + last 4)."""
    return _RIC.sub(lambda m: mask_ric(m.group()), text) if text else text


@dataclass(frozen=True)
class FieldChoice:
    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class FileColumn:
    index: int  # 0-based
    letter: str  # "E"
    header: str  # the file's own header text
    samples: tuple[str, ...]  # the first data values (masked)
    field: str  # the field key it is imported as, "" for 不导入


@dataclass(frozen=True)
class ProblemLine:
    row: str  # "" for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class OutcomeLine:
    row: int
    key: str
    name: str
    status: str  # 新增 / 更新 / 无变化 / 跳过
    changes: str


@dataclass
class Inspection:
    """What the dialog shows for one check of the file (built on the database thread)."""

    kind: str
    label: str  # 成员名册
    modes: tuple[str, ...]
    mode: str
    fields: tuple[FieldChoice, ...]
    sheet: str
    header_row: int
    signature: str
    remembered: bool
    columns: tuple[FileColumn, ...]
    mapping: dict[str, str]  # header text → field key ("" 不导入), as recognised (what 确认导入 remembers)
    key_label: str  # the natural key's column label (身份证号, 资产编号 …)
    check: Any = None  # the ImportCheck, None when the file could not be checked with this mapping
    failure: str = ""  # why not (a required column not mapped …)
    done: Any = None  # the ImportDone after 确认导入
    skipped: tuple[str, ...] = ()
    problems: tuple[ProblemLine, ...] = ()
    outcomes: tuple[OutcomeLine, ...] = ()
    notes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.check is not None and self.check.ok and not self.failure

    @property
    def writes(self) -> int:
        """How many records 确认导入 would write (新增 + 更新)."""
        return self.counts.get("new", 0) + self.counts.get("changed", 0)


def inspect(session: Any, kind: str, path: Path | str, *, organisation_id: uuid.UUID | None,
            book_id: uuid.UUID | None = None, mode: str | None = None, mapping: Mapping[str, str] | None = None,
            remembered: Mapping[str, Mapping[str, str]] | None = None, apply: bool = False,
            progress: Progress | None = None, **options: Any) -> Inspection:
    """Check (and with ``apply``, import) ``path`` as ``kind``; what the dialog needs to show it.

    A file whose header is found but a required column is not mapped still gives its columns
    (so the user can say which column it is); a file with no recognisable header raises."""
    from desktop_app.core.cellvalues import cell_text
    from desktop_app.excel.importers import importer, run_import
    from desktop_app.excel.table_read import open_table

    imp = importer(kind)
    chosen = mode if mode in imp.modes else imp.modes[0]
    spec = imp.spec(session, organisation_id)
    # the same search with no column required: the layout and samples even when one is missing
    relaxed = replace(spec, fields=tuple(replace(f, required=False) for f in spec.fields))
    table = open_table(path, relaxed, mapping=mapping, remembered=remembered)
    samples: dict[int, list[str]] = {}
    for seen, (_, raw) in enumerate(table.rows()):
        for i, value in enumerate(raw):
            text = cell_text(value)
            if text and len(samples.setdefault(i, [])) < 2:
                samples[i].append(text)
        if seen >= 20 or all(len(samples.get(i, ())) >= 2 for i in range(len(raw))):
            break
    layout = table.layout
    check, done, failure = None, None, ""
    try:
        check, done = run_import(session, kind, path, organisation_id=organisation_id, book_id=book_id,
                                 mode=chosen, mapping=mapping, remembered=remembered, apply=apply,
                                 progress=progress, **options)
        layout = check.layout
    except UserError as e:
        failure = str(e)
    by_index = {i: k for k, i in layout.columns.items()}
    columns = tuple(FileColumn(i, column_letter(i), h, tuple(masked(s) for s in samples.get(i, [])[:2]), by_index.get(i, ""))
                    for i, h in enumerate(layout.headers) if h or i in by_index or samples.get(i))
    key_label = spec.field(spec.key).label if spec.key else "编号"
    result = Inspection(kind, imp.label, tuple(imp.modes), chosen,
                        tuple(FieldChoice(f.key, f.label, f.required) for f in spec.fields),
                        layout.sheet, layout.header_row, layout.signature, layout.remembered, columns,
                        {**{h: "" for h in layout.headers if h}, **layout.mapping()},  # a column left out stays out
                        key_label, check, failure, done)
    if check is None:
        result.problems = (ProblemLine("", "", masked(failure)),)
        result.skipped = tuple(masked(str(s)) for s in table.skipped)
        return result
    result.skipped = tuple(masked(str(s)) for s in check.skipped)
    result.problems = tuple(ProblemLine(str(p.row) if p.row else "", p.column, masked(p.message))
                            for p in check.problems)
    result.outcomes = tuple(OutcomeLine(o.row, masked(o.key), masked(o.name), STATUS.get(o.status, o.status),
                                        masked("；".join(str(c) for c in o.changes)))
                            for o in check.outcomes)
    result.notes = tuple(masked(n) for n in check.notes)
    result.counts = {s: check.count(s) for s in STATUS}
    return result


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
