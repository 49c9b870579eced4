"""Reading a table out of the spreadsheet a village really has (issue #15): one reader for every kind.

A kind describes its columns once (``TableSpec``: fields with the template's header and the
synonyms people write, e.g. 身份证号/身份证号码/公民身份号码). ``open_table`` then

- finds the header row anywhere in the first ``SCAN`` rows of the sheet (the row naming the most
  fields), also a two-row header (股数 over 人口股/农龄股), and reports the title and 填报单位
  rows above it as skipped;
- maps each column to a field by the synonym table, a mapping remembered for this layout (the
  header texts' signature) or the user's corrections (``mapping``: header text → field key);
- yields the data rows with their Excel row numbers, skipping (and reporting) 合计/小计 rows,
  notes and sign-off lines, repeated headers, and rows with content only in unused columns.

python-calamine reads the file (DESIGN §4); rows stream, so memory does not grow with the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any
from unicodedata import normalize

from openpyxl.utils import get_column_letter

from desktop_app.core.cellvalues import cell_text, cell_words, fold
from desktop_app.core.errors import UserError

__all__ = ["SCAN", "ChunkTest", "Field", "Layout", "SkippedRow", "Table", "TableSpec", "header_key", "open_table"]

SCAN = 30  # rows looked at for the header


@dataclass(frozen=True)
class Field:
    """One column of a kind: ``key`` as the service names it, ``label`` the template's header."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    note: str = ""  # the template's 说明 for this column (format, allowed values)


@dataclass(frozen=True)
class TableSpec:
    kind: str  # "members", "assets", …
    title: str  # 成员名册
    fields: tuple[Field, ...]
    key: str | None = None  # the natural key's field (身份证号, 资产编号 …) for 更新已有/跳过已有

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def with_fields(self, *extra: Field) -> TableSpec:
        """The spec with more columns (an organisation's share types, say)."""
        return replace(self, fields=(*self.fields, *extra))


_LEAD = re.compile(r"^[*※★☆]+")  # after NFKC a full-width star is "*"
_TAIL = re.compile(r"[（(](?:必填|选填|可选|必录|必须填写)[)）]$|[:：]$|[*]+$")
_BRACKETED = re.compile(r"[（(][^（）()]*[)）]$")


def header_key(text: object) -> str:
    """A header as compared: folded, no spaces, no required-mark star, (必填) or trailing colon,
    brackets as （）. "*身份证号码（必填）" and "身份证号码" give the same key."""
    s = fold(cell_text(text)).replace(" ", "").replace("\n", "")
    s = _TAIL.sub("", _LEAD.sub("", s))
    return s.replace("(", "（").replace(")", "）")


def _bare(key: str) -> str:
    """The header without its bracketed unit: 期限（年） → 期限, 面积（亩） → 面积."""
    return _BRACKETED.sub("", key)


@dataclass(frozen=True)
class SkippedRow:
    row: int  # Excel row number
    reason: str  # 标题行 / 说明行 / 表头 / 列号行 / 合计行 / 重复表头 / 无数据
    text: str  # what the row says (shortened)

    def __str__(self) -> str:
        return f"第{self.row}行（{self.reason}）：{self.text}" if self.text else f"第{self.row}行（{self.reason}）"


@dataclass
class Layout:
    """Where the table is in the sheet and which column is which field."""

    sheet: str
    header_row: int  # Excel row number of the (last) header row
    headers: tuple[str, ...]  # the header texts, one per column ("" for none)
    columns: dict[str, int]  # field key → column index (0-based)
    signature: str  # identifies the layout (its header texts): a remembered mapping is keyed by it
    spec: TableSpec
    remembered: bool = False  # the mapping came from an earlier run on this layout
    guessed: dict[str, int] = field(default_factory=dict)  # what the synonym table alone found

    def letter(self, key: str) -> str:
        return str(get_column_letter(self.columns[key] + 1))

    def where(self, key: str) -> str:
        """第N行 goes before it: 'E列“身份证号码”' (the file's own header), or the field's label."""
        if key not in self.columns:
            return f"“{self.spec.field(key).label}”" if any(f.key == key for f in self.spec.fields) else key
        i = self.columns[key]
        return f"{get_column_letter(i + 1)}列“{self.headers[i] or self.spec.field(key).label}”"

    def missing(self) -> list[Field]:
        """Required fields no column is mapped to."""
        return [f for f in self.spec.fields if f.required and f.key not in self.columns]

    def unused(self) -> list[tuple[int, str]]:
        """Columns with a header that no field takes (shown in the preview as 不导入)."""
        used = set(self.columns.values())
        return [(i, h) for i, h in enumerate(self.headers) if h and i not in used]

    def mapping(self) -> dict[str, str]:
        """header text → field key, as remembered and as ``open_table(mapping=…)`` takes it ("" for a
        column the synonyms would take that was left out, so the memory keeps it out)."""
        out = {self.headers[i]: k for k, i in self.columns.items() if self.headers[i]}
        used = set(self.columns.values())
        for i in self.guessed.values():
            if i not in used and self.headers[i]:
                out.setdefault(self.headers[i], "")
        return out


def _matcher(spec: TableSpec) -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    bare: dict[str, str] = {}
    for f in spec.fields:
        for name in (f.label, *f.synonyms):
            k = header_key(name)
            exact.setdefault(k, f.key)
            bare.setdefault(_bare(k), f.key)
    return exact, bare


def _match_row(cells: Sequence[object], exact: Mapping[str, str], bare: Mapping[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, c in enumerate(cells):
        k = header_key(c)
        if not k:
            continue
        key = exact.get(k) or bare.get(_bare(k)) or bare.get(k)
        if key is not None and key not in found:
            found[key] = i
    return found


# the word alone (or with 数/金额, a colon, a bracket, digits): 累计折旧 and 累计摊销 are accounts, not totals
_TOTAL = re.compile(r"^(?:本页|本月|本年|全年|总)?(?:合计|小计|总计|累计|共计)(?:数|金额|人数)?(?![\u3400-\u9fff])"
                    # a group's own: 一组小计, 第一组合计, 第3村民小组合计, 东队小计
                    r"|^第?[\u3400-\u9fff\d]{1,6}?(?:村民小组|组|队|社)(?:合计|小计|共计)(?:数|金额|人数)?(?![\u3400-\u9fff])")
_NOTE = ("注", "说明", "备注:", "备注：", "填表", "填报", "制表", "审核", "负责人", "单位负责人", "主管", "联系电话",
         "会计", "出纳", "记账", "复核", "经办", "村委会", "监督委员会", "(盖章)", "（盖章）", "盖章")


def _short(cells: Sequence[object]) -> str:
    text = " ".join(t for t in (cell_words(c) for c in cells) if t)
    return text if len(text) <= 40 else text[:39] + "…"


# what calamine (or openpyxl) gives for a cell that is not text: its ``cell_text`` is ASCII digits,
# a date or time, or 是/否 (a bool)
_PLAIN = frozenset((int, float, bool, date, datetime, time, timedelta))


def _heads(norm_headers: Sequence[str]) -> list[tuple[int, str, str, str, bool]]:
    """Each named column as a repeated header is tested: (column, header key, the first and last
    character other than a bracket or space, which a text cell must hold after NFKC to read as that
    header — ``header_key`` only deletes characters and turns ( ) into （）after NFKC — and whether a
    number, date or 是/否 cell can read as it: only a header of ASCII digits and signs, or 是/否)."""
    out = []
    for i, h in enumerate(norm_headers):
        if h:
            probe = [ch for ch in h if ch not in "（）" and not ch.isspace()]
            plain = h.replace("（", "(").replace("）", ")").isascii() or h in ("是", "否")
            out.append((i, h, probe[0] if probe else "", probe[-1] if probe else "", plain))
    return out


def _header_test(norm_headers: Sequence[str]) -> Callable[[Sequence[object]], bool]:
    """``test(cells)``: do two or more cells read as their column's header (``header_key``) — a
    header repeated down the sheet (a printout's page heads)? It says what the plain test says, cheaply:
    ``header_key`` only deletes characters (spaces, the required-mark star, (必填), a colon) and
    turns ( ) into （）after NFKC, so a text cell whose NFKC form lacks the header's first or last
    other character cannot read as it; and a number, date or 是/否 cell can read only as a header
    that is digits and signs or 是/否 (a Chinese header: never). Only a cell passing both is folded."""
    cols = [(i, h, first, last) for i, h, first, last, _ in _heads(norm_headers)]
    plain_may = any(plain for *_, plain in _heads(norm_headers))  # can a number/date/bool cell read as one?

    folded: dict[str, str] = {}  # NFKC of the text cells met (a column repeats its words), up to _MEMO

    def test(cells: Sequence[object]) -> bool:
        hits = 0
        for i, h, first, last in cols:
            if i >= len(cells):
                break
            c = cells[i]
            if c is None:
                continue
            if type(c) is str:
                n = folded.get(c)
                if n is None:
                    n = normalize("NFKC", c)
                    if len(folded) < _MEMO:
                        folded[c] = n
                if first not in n or last not in n:
                    continue
            elif type(c) in _PLAIN and not plain_may:
                continue
            if header_key(c) == h:
                hits += 1
                if hits >= 2:
                    return True
        return False

    return test


_MEMO = 4096  # distinct cells a table remembers the reading of (memory stays flat for any file)
_NUMBERING = ("序号", "序", "行号", "顺序号", "No.", "NO.")  # a column only numbering the rows
_BLANK = frozenset((None, ""))  # an empty cell as calamine gives it (a text of spaces is empty too)


@dataclass
class Table:
    """An opened table: ``layout``, ``rows()`` and, once read, what was skipped and why."""

    path: Path
    layout: Layout
    skipped: list[SkippedRow]
    _rows: Iterator[tuple[int, list[Any]]]
    _width: int
    # cells holding a formula whose result the file does not store ("E7"), when ``open_table`` was
    # asked to collect them rather than refuse the file: the import names them among its problems
    formula_cells: list[str] = field(default_factory=list)
    # (Excel row number, whole text) of the rows above the header: the title and 编制单位 lines say
    # whose data the file is (``importers`` compares them with the organisation chosen)
    preamble: list[tuple[int, str]] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(Excel row number, cells padded to the header's width) of every data row, once."""
        cols = self.layout.columns
        used = set(cols.values())
        key_col = cols.get(self.layout.spec.key or "", -1)
        norm_headers = [header_key(h) for h in self.layout.headers]
        numbering = {i for i, h in enumerate(norm_headers) if h in _NUMBERING}
        repeats_header = _header_test(norm_headers)
        width = self._width
        pad = [None] * width
        skipped = self.skipped
        under_header = True
        blank = _BLANK
        total_match = _TOTAL.match
        # the first cells' readings met (dates, codes and names repeat down a column): (text without
        # spaces, reads as a total). Text cells by their text; others keyed by type too: 1, 1.0 and
        # True are equal keys but read differently
        texts: dict[str, tuple[str, bool]] = {}
        others: dict[tuple[type, Any], tuple[str, bool]] = {}
        for number, raw in self._rows:
            if len(raw) < width:
                raw = [*raw, *pad[len(raw):]]
            filled = [i for i, c in enumerate(raw) if c not in blank and (type(c) is not str or not c.isspace())]
            if not filled:
                continue
            if under_header:  # official forms number their columns under the header: 1 2 3 … or (1) (2) (3) …
                under_header = False
                marks = [cell_text(raw[i]).strip("()（） ") for i in filled]
                if len(marks) >= 3 and marks == [str(n) for n in range(1, len(marks) + 1)]:
                    skipped.append(SkippedRow(number, "列号行", _short(raw)))
                    continue
            first_text = ""
            total = False
            for n, i in enumerate(filled[:3]):
                c = raw[i]
                seen = texts.get(c) if type(c) is str else others.get((type(c), c))
                if seen is None:
                    t = cell_text(c).replace(" ", "")
                    seen = (t, "计" in t and total_match(t) is not None)  # every total word has 计
                    if type(c) is str:
                        if len(texts) < _MEMO:
                            texts[c] = seen
                    elif len(others) < _MEMO:
                        others[(type(c), c)] = seen
                if n == 0:
                    first_text = seen[0]
                if seen[1]:
                    total = True
                    break
            if total:
                skipped.append(SkippedRow(number, "合计行", _short(raw)))
                continue
            if repeats_header(raw):
                skipped.append(SkippedRow(number, "重复表头", _short(raw)))
                continue
            if len(filled) <= 3 and first_text.startswith(_NOTE) and (
                    key_col < 0 or key_col not in filled or len(filled) == 1
                    or cell_text(raw[key_col]).replace(" ", "").startswith(_NOTE)):
                skipped.append(SkippedRow(number, "说明行", _short(raw)))
                continue
            if used.isdisjoint(filled) or (numbering and set(filled) <= numbering):
                skipped.append(SkippedRow(number, "无数据", f"只有未导入的列有内容：{_short(raw)}"
                                          if used.isdisjoint(filled) else f"只有序号：{_short(raw)}"))
                continue
            yield number, raw

    def chunks(self, size: int = 512) -> Iterator[tuple[Sequence[int], list[tuple[Any, ...]]]]:
        """(Excel row numbers, cells by column padded to the header's width) of the data rows, ``size``
        rows at a time: the rows ``rows()`` keeps, its skips into ``skipped``. A chunk ``ChunkTest``
        proves plain is taken as it is (transposed in C, no test a row); any other, and the file's
        first (its 列号行 test), goes through ``rows()``. For readers that read the file by columns."""
        probe = ChunkTest(self)
        width = self._width
        pad = [None] * width
        started = False  # a non-blank row met: ``rows()``' first-row test (列号行) is spent
        while chunk := list(islice(self._rows, size)):
            rows: Sequence[int]
            raws: Sequence[list[Any]]
            rows, raws = zip(*chunk, strict=True)
            del chunk
            if min(map(len, raws)) < width:
                raws = [r if len(r) >= width else [*r, *pad[len(r):]] for r in raws]
            by_column = list(zip(*raws, strict=False))
            if not started or not probe.plain(by_column):
                kept = _through_rows(self, rows, raws, started)
                started = started or any(map(_filled_row, raws))
                if not kept:
                    continue
                rows, raws = zip(*kept, strict=True)
                by_column = list(zip(*raws, strict=False))
            yield rows, by_column

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(Excel row number, {field key: raw cell}) of every data row."""
        cols = list(self.layout.columns.items())
        for number, raw in self.rows():
            yield number, {k: raw[i] for k, i in cols}


class ChunkTest:
    """Whether ``Table.rows`` would yield every row of a chunk as it is, decided column by column, for a
    reader that reads the file by columns (``Table.chunks``): such a chunk skips the per-row tests,
    any other goes through ``Table.rows``. The rules are ``Table.rows``' own, from ``_heads`` too."""

    def __init__(self, table: Table) -> None:
        layout = table.layout
        self.key_col = layout.columns.get(layout.spec.key or "", -1)
        norm = [header_key(h) for h in layout.headers]
        numbering = {i for i, h in enumerate(norm) if h in _NUMBERING}
        # without a key (凭证), a mapped column other than a numbering one, full in the chunk, proves
        # what the key does: no 无数据 row (a used column filled in every row)
        self.used = frozenset(layout.columns.values()) - numbering
        self.usable = self.key_col < 0 or norm[self.key_col] not in _NUMBERING
        self.heads = [(i, first, last, plain) for i, _, first, last, plain in _heads(norm)]

    def plain(self, by_column: Sequence[Sequence[Any]]) -> bool:
        """True when ``Table.rows`` would yield every row of the chunk (its cells by column) as it is:
        four columns are filled in every row, the key among them (or, with no key, a mapped column
        other than a numbering one): no blank, 说明 or 无数据 row; no text in the first three filled
        cells can read as 合计/小计/总计/累计/共计 (none holds 计 after NFKC: a number's, date's or
        是/否's text never does), and at most one column has a cell that can read as its header (a
        repeated header needs two). Otherwise False. Each test looks at a column's distinct cells."""
        if not self.usable:
            return False
        sets = [set(col) for col in by_column]
        full = [i for i, d in enumerate(sets) if _filled_set(d)]
        if len(full) < 4 or (self.key_col not in full if self.key_col >= 0 else self.used.isdisjoint(full)):
            return False
        first = sets[:3] if full[:3] == [0, 1, 2] else sets  # the first three filled cells
        if "计" in normalize("NFKC", "\x00".join(c for d in first for c in d if type(c) is str)):
            return False
        may = 0
        for i, a, b, plain in self.heads:
            d = sets[i]
            kinds = set(map(type, d)) - {_NONE}
            if kinds - _PLAIN - {str} or (plain and kinds & _PLAIN):
                may += 1
            elif str in kinds:
                joined = normalize("NFKC", "\x00".join(c for c in d if type(c) is str))
                may += a in joined and b in joined
            if may > 1:
                return False
        return True


_NONE = type(None)


def _filled_set(distinct: set[Any]) -> bool:
    """Is every cell of a column filled (``Table.rows``' test: not None, "" or blank text), given
    its distinct cells?"""
    return None not in distinct and all(map(str.strip, [c for c in distinct if type(c) is str]))


def _filled_row(raw: Sequence[Any]) -> bool:
    """Does ``Table.rows`` see the row as not blank?"""
    return any(c is not None and c != "" and not (type(c) is str and not c.strip()) for c in raw)


def _through_rows(table: Table, rows: Sequence[int], raws: Sequence[list[Any]], started: bool
                  ) -> list[tuple[int, list[Any]]]:
    """The chunk's rows that ``Table.rows`` keeps (its skips into ``table.skipped``). Past the file's
    first non-blank row the chunk is led by a copy of its first non-blank row numbered -1 (taken by the
    列号行 test, which looks at the first row only), then dropped with whatever it was skipped as."""
    feed: list[tuple[int, list[Any]]] = list(zip(rows, raws, strict=True))
    lead = next((r for r in raws if _filled_row(r)), None) if started else None
    if lead is not None:
        feed.insert(0, (-1, list(lead)))
    reader = Table(table.path, table.layout, table.skipped, iter(feed), table._width)
    before = len(table.skipped)
    kept = [(r, raw) for r, raw in reader.rows() if r != -1]
    if lead is not None:
        table.skipped[before:] = [s for s in table.skipped[before:] if s.row != -1]
    return kept


def _signature(kind: str, headers: Sequence[str]) -> str:
    joined = "\x1f".join(header_key(h) for h in headers).rstrip("\x1f")
    return hashlib.sha1(f"{kind}\x1e{joined}".encode()).hexdigest()[:16]


def _open_sheets(path: Path) -> tuple[Any, list[str]]:
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.stat().st_size == 0:
        raise UserError(f"文件 {path.name} 是空的（0 字节），请选择填好数据的 Excel 文件")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        return wb, list(wb.sheet_names)
    except Exception:  # calamine raises several kinds for a damaged or foreign file (its text is English)
        raise UserError(f"无法读取 {path.name}：它不是 Excel 文件（.xlsx、.xlsm、.xls 或 .ods），或文件已损坏。"
                        "请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入") from None


def open_table(path: Path | str, spec: TableSpec, *, mapping: Mapping[str, str] | None = None,
               remembered: Mapping[str, Mapping[str, str]] | None = None, sheet: str | int | None = None,
               header_row: int | None = None, formulas: str = "refuse") -> Table:
    """Find ``spec``'s table in the file (see the module's doc). ``mapping`` (header text → field
    key, "" to leave a column out) corrects what was recognised; ``remembered`` holds earlier
    mappings by layout signature; ``sheet`` (name or 0-based index) and ``header_row`` (Excel row
    number) pin what the search would otherwise choose. Raises ``UserError`` when no table is found
    or a required column is missing, naming what the file has."""
    path = Path(path)
    wb, names = _open_sheets(path)
    if not names:
        raise UserError(f"{path.name} 中没有工作表")
    if sheet is None:
        order = list(range(len(names)))
    else:
        index = sheet if isinstance(sheet, int) else names.index(sheet) if sheet in names else -1
        if not 0 <= index < len(names):
            raise UserError(f"{path.name} 中没有工作表“{sheet}”，有：{'、'.join(names)}")
        order = [index]
    exact, bare = _matcher(spec)
    search = exact  # the user's own column names find the header row too
    if mapping:
        named = {f.label: f.key for f in spec.fields}
        search = {**exact, **{header_key(h): named.get(k, k) for h, k in mapping.items()
                              if named.get(k, k) in named.values()}}
    required = {f.key for f in spec.fields if f.required}
    best: tuple[int, int, int, list[list[Any]], Iterator[list[Any]]] | None = None  # score, sheet, row, head, rest
    for index in order:
        ws = wb.get_sheet_by_index(index)
        lead = [""] * ((ws.start or (0, 0))[1])  # calamine's rows begin at row 1 but at the first used column
        rows_iter = iter(ws.iter_rows()) if not lead else ([*lead, *r] for r in ws.iter_rows())
        head = [list(r) for _, r in zip(range(SCAN), rows_iter, strict=False)]
        candidates = [header_row - 1] if header_row else range(len(head))
        for r in candidates:
            if not 0 <= r < len(head):
                continue
            found = _match_row(head[r], search, bare)
            score = len(found) + (2 if spec.key and spec.key in found else 0) + (100 if required <= found.keys() else 0)
            pinned = header_row is not None and any(cell_text(c) for c in head[r])  # a row the user names
            if (len(found) >= 2 or pinned) and (best is None or score > best[0]):
                best = (score, index, r, head, rows_iter)
        if best is not None and best[1] == index and best[0] >= 100:
            break  # the first sheet holding the whole table (every required column) is the one
    if best is None:
        labels = "“" + "”“".join(f.label for f in spec.fields if f.required)[:60] + "”"
        where = f"工作表“{names[order[0]]}”" if len(order) == 1 else "各工作表"
        raise UserError(f"找不到{spec.title}的表头：{where}的前{SCAN}行中没有一行包含 {labels} 等列名。"
                        f"请检查文件，或下载{spec.title}导入模板对照填写")
    _, index, r, head, rest = best
    headers = [cell_words(c) for c in head[r]]  # shown as the file has them: 期限（年）, not 期限(年)
    columns = _match_row(head[r], exact, bare)
    last = r
    # a two-row header: the row below names fields in columns the first row left blank or unmatched
    if r + 1 < len(head):
        below = _match_row(head[r + 1], exact, bare)
        taken = set(columns.values())
        upper, lower = head[r], head[r + 1]
        # a title spanning sub-columns (股数 merged over 人口股/农龄股): the columns below it are theirs
        spans = {i for i in range(len(upper)) if cell_text(upper[i]) and i in below.values()
                 and i + 1 < len(lower) and (i + 1 >= len(upper) or not cell_text(upper[i + 1]))
                 and (i + 1) in below.values()}
        extra = {k: i for k, i in below.items() if k not in columns and (i not in taken or i in spans)}
        if extra and len(extra) >= len(below) - 1:
            for k, i in extra.items():
                for over in [u for u, j in columns.items() if j == i]:
                    del columns[over]
                columns[k] = i
                while len(headers) <= i:
                    headers.append("")
                headers[i] = cell_words(head[r + 1][i])
            last = r + 1
    width = max(len(headers), max((i + 1 for i in columns.values()), default=0))
    headers += [""] * (width - len(headers))
    signature = _signature(spec.kind, headers)
    guessed = dict(columns)
    layout = Layout(names[index], last + 1, tuple(headers), columns, signature, spec, guessed=guessed)
    saved = (remembered or {}).get(signature)
    for overrides, is_memory in ((saved, True), (mapping, False)):
        if overrides:
            _apply_mapping(layout, overrides)
            layout.remembered = layout.remembered or is_memory
    missing = layout.missing()
    if missing:
        have = "、".join(h for h in headers if h) or "（无）"
        raise UserError(f"{spec.title}缺少必填列：{'、'.join(f.label for f in missing)}。第{layout.header_row}行的列名为：{have}。"
                        "请在导入预览中指定对应的列（命令行：--map \"列名=字段\"），或按导入模板修改列名")
    from desktop_app.excel.formulas import formula_cells_without_values, refuse_formulas_without_values

    formula_cells: list[str] = []
    if formulas == "collect":  # the caller names them among all the file's problems
        formula_cells = formula_cells_without_values(path, index)
    else:
        refuse_formulas_without_values(path, headers, index)  # the table's own sheet, first or not
    skipped = [SkippedRow(n + 1, "标题行" if n < 2 and len([c for c in row if cell_text(c)]) <= 2 else "说明行", _short(row))
               for n, row in enumerate(head[:r]) if any(cell_text(c) for c in row)]
    if last > r:
        skipped.append(SkippedRow(last + 1, "表头", _short(head[last])))
    # calamine's rows are fresh lists already: numbered in C, not copied (a 100k-row file: 0.17 s)
    data = chain(((n + 1, row) for n, row in enumerate(head) if n > last), enumerate(rest, start=len(head) + 1))
    preamble = [(n + 1, text) for n, row in enumerate(head[:r])
                if (text := " ".join(t for t in map(cell_words, row) if t))]
    return Table(path, layout, skipped, data, width, formula_cells, preamble)


def _apply_mapping(layout: Layout, overrides: Mapping[str, str]) -> None:
    """Apply header text → field key corrections ("" or a key not in the spec: leave it out)."""
    keys = {f.key for f in layout.spec.fields}
    by_label = {f.label: f.key for f in layout.spec.fields}
    by_key = {header_key(h): i for i, h in reversed(list(enumerate(layout.headers))) if h}
    for header, key in overrides.items():
        i = by_key.get(header_key(header), -1)  # 期限(年) typed for 期限（年）in the file is that column
        if i < 0:
            continue
        key = by_label.get(key, key)
        for k, j in list(layout.columns.items()):
            if j == i or k == key:
                del layout.columns[k]
        if key in keys:
            layout.columns[key] = i
