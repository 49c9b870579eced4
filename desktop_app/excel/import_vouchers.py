"""凭证导入 (kind ``vouchers``): an Excel journal → vouchers of the book, as entered (status 填制).

Columns (any order, header anywhere in the first rows, synonyms below): 日期, 凭证号, 摘要, 科目编码
and/or 科目名称 (also "1001 库存现金" in one cell, or a name path 应收款/张三), 借方, 贷方 (1,200元,
full-width digits and thousands commas read as the amount, exact to the 分), 往来单位. How rows
become vouchers and what is checked: ``core.services.voucher_import``. The flat export
(``ledgers_xlsx.voucher_journal_xlsx_bytes``) writes exactly these columns, so it re-imports.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import compress, filterfalse, repeat
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import CellError, cell_date, cell_number, cell_text, cell_words
from desktop_app.core.money import float_decimal
from desktop_app.core.progress import Progress
from desktop_app.core.services.permissions import MAKE_VOUCHER
from desktop_app.core.services.voucher_import import JournalChunk, number_new, plan_journal, voucher_labels
from desktop_app.core.services.voucher_import_apply import create_planned
from desktop_app.excel.column_cells import Cells
from desktop_app.excel.importers import (
    ImportCheck,
    ImportDone,
    Importer,
    Mode,
    Problem,
    RowOutcome,
    acting_user,
    register,
    require_clean,
)
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

GROUPING = ("同月同凭证号的各行为一张凭证；没有凭证号的行接上一行的凭证（日期须为空或与上一行相同）；"
            "新凭证在该月已有凭证之后连续编号")

SPEC = TableSpec("vouchers", "凭证", (
    Field("date", "日期", ("凭证日期", "记账日期", "制单日期", "业务日期"), required=True,
          note="2026-01-31 或 2026年1月31日；同一张凭证各行日期相同"),
    Field("number", "凭证号", ("凭证字号", "记账凭证号", "凭证编号", "凭证号码", "凭证字", "凭证"),
          note="记-12、记12 或 12；" + GROUPING),
    Field("summary", "摘要", ("摘要说明", "分录摘要", "业务摘要", "摘 要"), note="每张凭证至少第一行要有摘要"),
    Field("account_code", "科目编码", ("科目代码", "会计科目编码", "科目编号", "科目号", "编码"),
          note="末级科目的编码，如 10201；也可写“101 库存现金”"),
    Field("account_name", "科目名称", ("会计科目", "科目", "科目全名", "科目全称", "明细科目"),
          note="可代替科目编码：名称唯一时写名称，否则写出上级，如 应收款/张三"),
    Field("debit", "借方", ("借方金额", "借方发生额", "借方金额（元）", "借"), required=True,
          note="元，最多两位小数；每行只填借方或贷方"),
    Field("credit", "贷方", ("贷方金额", "贷方发生额", "贷方金额（元）", "贷"), required=True,
          note="元，最多两位小数；每张凭证借方合计等于贷方合计"),
    Field("counterparty", "往来单位", ("往来单位或个人", "往来单位/个人", "对方单位", "往来对象", "往来户", "单位名称"),
          note="可不填"),
))
_COLUMN = {"date": "date", "number": "number", "summary": "summary", "debit": "debit", "credit": "credit",
           "counterparty": "counterparty"}


_FINITE = -float(2**53)  # a float cell within ±2**53 (so whole ones are exact ints) takes the short way
CHUNK = 1024  # rows read at a time, a column at a time (the file's first chunk goes through Table.rows)


def _read_date(c: Any) -> Any:
    return cell_date(c, label="日期")


def _read_debit(c: Any) -> Any:
    if c.__class__ is float and _FINITE < c < -_FINITE:  # the usual amount cell: what cell_number gives
        return float_decimal(c)
    return cell_number(c, units=("元",), label="借方金额")


def _read_credit(c: Any) -> Any:
    if c.__class__ is float and _FINITE < c < -_FINITE:
        return float_decimal(c)
    return cell_number(c, units=("元",), label="贷方金额")




class _AmountCells(Cells):
    """An amount column's cells: its new float cells read the short way (``float_decimal``) at once, in
    C, when every one is finite and within ±2**53 (so a whole one is an exact int); others one by one."""

    def read_new(self, new: set[Any]) -> dict[Any, Any]:
        floats = [c for c in new if c.__class__ is float]
        if len(floats) <= 64 or not (all(map(_FINITE.__lt__, floats)) and all(map((-_FINITE).__gt__, floats))):
            return super().read_new(new)
        whole = list(compress(floats, map(float.is_integer, floats)))
        other = list(filterfalse(float.is_integer, floats))
        out = dict(zip(whole, map(Decimal, map(int, whole)), strict=True))  # as float_decimal: a whole one's int
        out.update(zip(other, map(Decimal, map(repr, other)), strict=True))  # … any other's shortest repr
        out.update(super().read_new(new.difference(floats)))
        return out


def _account_column(layout: Layout, code: str | None) -> str:
    """The column a row's account was read from: 科目编码 when that cell (``code``, as read) is filled,
    else 科目名称."""
    has_code = "account_code" in layout.columns
    if "account_name" in layout.columns and (not has_code or (code is not None and not code)):
        return "account_name"
    return "account_code"


class VoucherImporter(Importer):
    """Vouchers come in as entered (填制), never as a change to a voucher already in the book.

    Only 仅新增 and 跳过已有: a voucher once reviewed or posted is corrected by a 红字冲销 and a
    new voucher, never by overwriting its lines, so 更新已有 is not offered. A file voucher whose
    month and number the book already holds is a problem under 仅新增 and left alone under
    跳过已有."""

    roles = MAKE_VOUCHER
    kind = "vouchers"
    label = "凭证"
    needs_book = True
    modes: tuple[Mode, ...] = ("add", "skip")
    chunk = CHUNK  # rows read at a time

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        return SPEC

    def template_rows(self) -> list[list[Any]]:
        """Examples every book can take: 101 (库存现金, 2004 版“现金”: the name left blank so either
        chart's name fits), 112 应收款 and 501 经营收入/50104 服务收入, leaves in both charts; dated
        the 1st of this month, a month a book in use has open."""
        day = date.today().replace(day=1).isoformat()
        return [[day, "记-1", "收取农机服务费", "101", None, "1,200.00", None, "李四"],
                [day, "记-1", "收取农机服务费", "50104", "经营收入/服务收入", None, "1200", "李四"],
                [day, "记-2", "收回张三欠款", "101", None, "3,000元", None, "张三"],
                [None, None, "收回张三欠款", "112", "应收款", None, "3000", "张三"]]

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        from db.changelog import paused_gc

        with paused_gc():  # a journal's rows make objects without cycles: no collector passes over them
            return self._check(session, table, book_id=book_id, mode=mode)

    def _check(self, session: Session, table: Table, *, book_id: uuid.UUID | None, mode: Mode) -> ImportCheck:
        assert book_id is not None
        layout = table.layout
        problems: list[Problem] = []
        if "account_code" not in layout.columns and "account_name" not in layout.columns:
            have = "、".join(h for h in layout.headers if h)
            problems.append(Problem(0, "", f"找不到科目列：需要“科目编码”或“科目名称”列（第{layout.header_row}行的列名为：{have}）。"
                                           "请在导入预览中指定科目所在的列"))
            return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped), tuple(problems), ())
        if "number" not in layout.columns:
            have = "、".join(h for h in layout.headers if h)
            problems.append(Problem(0, "", f"找不到“凭证号”列（第{layout.header_row}行的列名为：{have}）：凭证按凭证号分开，"
                                           "请加一列凭证号（同一张凭证的各行填同一个号，如 记-1），或在导入预览中指定"))
            return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped), tuple(problems), ())
        chunks = self._journal_chunks(table, problems, self.chunk)
        vouchers, found = plan_journal(session, book_id, chunks, skip_existing=mode == "skip")
        codes: dict[int, str] = {}  # a row's 科目编码 cell, for the account problems (rare)
        for p in found:
            if p.field == "account" and not codes:
                codes = {r: c for chunk in chunks for r, c in zip(chunk.row, chunk.account_code, strict=True)}
            column = _account_column(layout, codes.get(p.row)) if p.field == "account" else _COLUMN.get(p.field)
            problems.append(Problem(p.row, layout.where(column) if column else "", p.message))
        outcomes: list[RowOutcome] = []
        all_new = not any(map(attrgetter("existing"), vouchers)) and not any(map(attrgetter("bad"), vouchers))
        if all_new:  # the usual journal: each voucher's outcome made in C
            outcomes = list(map(partial(tuple.__new__, RowOutcome), zip(
                map(itemgetter(0), map(attrgetter("rows"), vouchers)), voucher_labels(vouchers),
                map(attrgetter("summary"), vouchers), repeat("new"), repeat(()), strict=False)))
        for v in () if all_new else vouchers:
            if v.existing and mode == "add":
                problems.append(Problem(v.rows[0], layout.where("number") if "number" in layout.columns else "",
                                        f"本账套{v.label.replace(' ', '已有')}号凭证（{v.row_list}）。凭证不能被文件覆盖："
                                        "要略过已有的凭证请选择“跳过已有”，要更正已记账的凭证请用红字冲销"))
                continue
            if v.existing:
                outcomes.append(RowOutcome(v.rows[0], v.label, v.summary, "skipped"))
            elif not v.bad:
                outcomes.append(RowOutcome(v.rows[0], v.label, v.summary, "new"))
        if not chunks and not problems:
            problems.append(Problem(0, "", "文件中没有凭证行（表头以下是空的），没有可导入的内容"))
        notes: list[str] = []
        if not problems:
            number_new(session, book_id, vouchers)
            moved = [f"{v.label} → 记-{v.number:04d}" for v in vouchers
                     if not v.existing and v.number is not None and (v.word or v.number != v.file_number)]
            if moved:
                notes.append(f"凭证号按本账套顺序编排，{len(moved)} 张与文件不同：" + "；".join(moved[:10])
                             + ("……" if len(moved) > 10 else ""))
            new = vouchers if all_new else [v for v in vouchers if not v.existing]
            notes.append(f"新增凭证 {len(new)} 张（{sum(map(len, map(attrgetter('parts'), new)))} 行分录），状态为“填制”，"
                         "导入后请审核、记账")
        return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped),
                           tuple(sorted(problems, key=lambda p: p.row)), tuple(outcomes), tuple(notes), plan=vouchers)

    @staticmethod
    def _journal_chunks(table: Table, problems: list[Problem], size: int = CHUNK) -> list[Any]:
        """The data rows' cells read ``size`` rows at a time into ``JournalChunk``s (by column); a cell
        that cannot be read is a problem and its row ``bad``. A journal repeats its cells (dates, 凭证号,
        科目, 摘要, 往来单位, amounts): each distinct cell is read once per reader (``column_cells.Cells``), and
        a column's cells are looked up in C."""
        layout = table.layout
        cols = layout.columns
        where = {k: layout.where(k) for k in ("date", "debit", "credit")}
        dates, debits, credits = Cells(_read_date), _AmountCells(_read_debit), _AmountCells(_read_credit)
        texts, words = Cells(cell_text), Cells(cell_words)
        readers = ((dates, "date"), (texts, "number"), (words, "summary"), (texts, "account_code"),
                   (texts, "account_name"), (debits, "debit"), (credits, "credit"), (words, "counterparty"))
        at = [cols.get(k, -1) for _, k in readers]
        out: list[Any] = []
        for rows, by_column in table.chunks(size):  # cells by column, padded to the header's width
            n = len(rows)
            values = [r.column(by_column[i]) if i >= 0 else r.column((None,)) * n
                      for (r, _), i in zip(readers, at, strict=True)]
            day, debit, credit = values[0], values[5], values[6]
            bad: list[bool] | None = None
            if (dates.bad or debits.bad or credits.bad) and CellError in {
                    *map(type, day), *map(type, debit), *map(type, credit)}:
                bad = [False] * n
                for j in range(n):
                    if day[j].__class__ is CellError or debit[j].__class__ is CellError \
                            or credit[j].__class__ is CellError:
                        bad[j] = True
                        for key, col in (("date", day), ("debit", debit), ("credit", credit)):
                            if col[j].__class__ is CellError:
                                problems.append(Problem(rows[j], where[key], col[j].message))
                                col[j] = None
            number, summary, code, name, party = values[1], values[2], values[3], values[4], values[7]
            out.append(JournalChunk(rows, day, number, summary, code, name, debit, credit, party, bad))
        return out

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, user: Any = None, **options: Any) -> ImportDone:
        """Create the checked vouchers as ``user`` (the 制单人; the CLI's logged-in user by default)."""
        assert book_id is not None
        require_clean(check)
        user = acting_user(session, user, "凭证（制单人）")
        number_new(session, book_id, check.plan)
        made = create_planned(session, book_id, check.plan, user=user)
        left = sum(1 for v in check.plan if v.existing)
        message = f"已导入凭证 {made} 张（状态“填制”，请审核后记账）" + (f"，已有未动 {left} 张" if left else "")
        return ImportDone(made, 0, left, message)


register(VoucherImporter())
