"""期初余额 (kind ``opening``): a book's opening 科目余额表 from a sheet, on the import pipeline.

Columns (header anywhere in the first rows): 科目编码 (科目代码/编码) and/or 科目名称 (科目; also
"1001 库存现金" in one cell or a name path 应收款/张三), then either 借方余额/贷方余额 (期初借方/
期初贷方/借方/贷方) or one 期初余额 column, on the side the 方向 column names or else on the
account's normal side. A negative figure is a balance on the other side. The program's own
期初余额表模板 (``opening_xlsx``) is such a sheet.

Modes, keyed on the account: 仅新增 refuses a figure for an account whose opening balance is
already a different one; 跳过已有 leaves such accounts as they are; 更新已有 replaces them (a 0
typed in the cell clears one). A blank cell says nothing: the account keeps its balance, and an
account the file does not list keeps its balance too. A file that gives no figure at all is a
problem, never a silent zero grid (the bug issue #15 found: the empty template read back zeroed
the page). The book's opening balances, after the file, must balance; they can change only while
the book's first month is open and nothing is posted: a file that would change one is refused
by the check; a file that changes nothing (the exported template read back) writes nothing and
succeeds, closed month or not. ``set_opening_balances`` writes and audits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import CellError, cell_number, cell_text
from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.services.permissions import SET_OPENING
from desktop_app.excel.importers import (
    Change,
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

__all__ = ["SPEC", "OpeningImporter", "OpeningRead", "read_rows"]

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

SPEC = TableSpec("opening", "期初余额", (
    Field("code", "科目编码", ("科目代码", "编码", "科目编号", "科目号", "会计科目编码", "代码"),
          note="末级科目的编码，如 10201；也可写“1001 库存现金”"),
    Field("name", "科目名称", ("科目", "会计科目", "科目全称", "科目全名"),
          note="可代替科目编码：名称唯一时写名称，否则写出上级，如 应收款/张三"),
    Field("side", "方向", ("余额方向", "借贷方向", "借或贷", "借/贷", "期初方向"),
          note="借 或 贷；只有“期初余额”一列时说明余额在哪方，不填按科目的余额方向"),
    Field("debit", "借方余额", ("期初借方", "借方", "期初借方余额", "年初借方余额", "借方金额", "期初余额借方"),
          note="元，最多两位小数"),
    Field("credit", "贷方余额", ("期初贷方", "贷方", "期初贷方余额", "年初贷方余额", "贷方金额", "期初余额贷方"),
          note="元，最多两位小数；借方合计须等于贷方合计"),
    Field("balance", "期初余额", ("余额", "期初数", "年初余额", "年初数", "期初金额"),
          note="可代替借方余额/贷方余额两列：按“方向”列或科目的余额方向"),
), key="code")


@dataclass(frozen=True)
class OpeningRead:
    """One row as read: the figures as written (None: blank)."""

    row: int
    code: str
    name: str
    side: str  # 借 / 贷 / 平 / "" (no 方向, or blank)
    debit: Decimal | None
    credit: Decimal | None
    balance: Decimal | None

    @property
    def blank(self) -> bool:
        """No figure (方向 平 with no amount is one: a zero balance)."""
        return self.debit is None and self.credit is None and self.balance is None and self.side != "平"

    def net(self, normal_side: str | None) -> Decimal | None:
        """Debit-positive figure; None when the row needs the account's side and has none."""
        if self.debit is not None or self.credit is not None:
            return (self.debit or ZERO) - (self.credit or ZERO)
        if self.balance is None or self.side == "平":
            return ZERO
        side = self.side or normal_side
        if side is None:
            return None
        return self.balance if side == "借" else -self.balance


def _side(value: object) -> str:
    text = cell_text(value).replace(" ", "").upper()
    if not text:
        return ""
    for side, words in (("借", ("借", "借方", "D", "DR", "DEBIT")), ("贷", ("贷", "贷方", "C", "CR", "CREDIT")),
                        ("平", ("平", "0", "-", "—"))):
        if text in words:
            return side
    raise CellError(f"方向“{text}”应为 借、贷 或 平")


def _exact(value: Decimal | None, label: str) -> Decimal | None:
    if value is not None and value != value.quantize(CENT):
        raise CellError("金额最多两位小数（到分）")
    return None if value is None else value.quantize(CENT)


def read_rows(table: Table) -> tuple[list[OpeningRead], list[Problem]]:
    """The table's rows as ``OpeningRead`` (cells read with ``cellvalues``), and the cells refused.
    A missing account or amount column is a problem of the file as a whole."""
    layout = table.layout
    problems: list[Problem] = []
    cols = layout.columns
    have = "、".join(h for h in layout.headers if h) or "（无）"
    if "code" not in cols and "name" not in cols:
        problems.append(Problem(0, "", f"找不到科目列：需要“科目编码”或“科目名称”列（第{layout.header_row}行的列名为：{have}）"))
    if not {"debit", "credit", "balance"} & cols.keys():
        problems.append(Problem(0, "", f"找不到金额列：需要“借方余额”“贷方余额”两列或一列“期初余额”"
                                       f"（第{layout.header_row}行的列名为：{have}）"))
    if problems:
        return [], problems
    out: list[OpeningRead] = []
    for n, rec in table.records():
        values: dict[str, Any] = {}
        ok = True
        for key in ("debit", "credit", "balance", "side"):
            if key not in rec:
                continue
            try:
                if key == "side":
                    values[key] = _side(rec[key])
                else:
                    label = layout.spec.field(key).label
                    values[key] = _exact(cell_number(rec[key], units=("元",), label=label), label)
            except CellError as e:
                problems.append(Problem(n, layout.where(key), e.message))
                ok = False
        code = cell_text(rec.get("code"))
        if not ok or code.startswith("说明"):
            continue
        out.append(OpeningRead(n, code, cell_text(rec.get("name")), values.get("side", ""), values.get("debit"),
                               values.get("credit"), values.get("balance")))
    return out, problems


def _account_column(layout: Layout, row: OpeningRead) -> str:
    """The column the row's account was read from: 科目编码 when that cell is filled, else 科目名称."""
    if "name" in layout.columns and (not row.code or "code" not in layout.columns):
        return layout.where("name")
    return layout.where("code")


def _shown(net: Decimal) -> str:
    return "0" if net == 0 else f"借 {net}" if net > 0 else f"贷 {-net}"


class OpeningImporter(Importer):
    """期初余额 on the pipeline (see the module's doc)."""

    roles = SET_OPENING
    kind = "opening"
    label = "期初余额"
    needs_book = True
    modes: tuple[Mode, ...] = ("add", "skip", "update")

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        return SPEC

    def template_rows(self) -> list[list[Any]]:
        return [["101", "库存现金", "借", "1,234.56", None, None], ["10201", "银行存款/农商行", "借", 98765.44, None, None],
                ["301", "资本", "贷", None, "100,000.00", None]]

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        from sqlalchemy import func, select

        from db.models import Voucher
        from desktop_app.core.services.balances import opening_totals
        from desktop_app.core.services.funds_base import book_accounts, get_book_row
        from desktop_app.core.services.periods import ensure_period_open
        from desktop_app.core.services.voucher_import import AccountFinder

        assert book_id is not None
        layout = table.layout
        rows, problems = read_rows(table)
        accounts = book_accounts(session, book_id)
        finder = AccountFinder(accounts)
        by_id = finder.by_id
        held = {by_id[a].code: d - c for a, (d, c) in opening_totals(session, book_id).items()
                if a in by_id and d - c != 0}
        book = get_book_row(session, book_id)
        locked = ""  # why the opening balances cannot change now: a problem only if the file changes one
        try:
            ensure_period_open(session, book_id, book.start_period)
            posted = session.scalar(select(func.count()).select_from(Voucher).where(
                Voucher.book_id == book_id, Voucher.status == "记账", Voucher.deleted.is_(False)))
            if posted:
                locked = "账套已有记账凭证，不能再修改期初余额（请用凭证调整）"
        except UserError as e:
            locked = f"{e.message}：期初余额只能在账套启用月份未结账时修改"
        outcomes: list[RowOutcome] = []
        merged = dict(held)
        seen: dict[str, int] = {}
        given = 0
        for r in rows:
            if r.blank and not r.code and not r.name:
                continue
            try:
                acc = finder.find(r.code, r.name)
            except UserError as e:
                if r.blank:  # a row with no figure says nothing: an account the book lacks is no error
                    continue
                problems.append(Problem(r.row, _account_column(layout, r), e.message))
                continue
            if acc.code in seen:
                problems.append(Problem(r.row, _account_column(layout, r), f"科目 {acc.code} {acc.name} 与第{seen[acc.code]}行重复"))
                continue
            seen[acc.code] = r.row
            if r.blank:
                continue
            given += 1
            net = r.net(acc.normal_side)
            assert net is not None
            old = held.get(acc.code)
            if old is None and net == 0:
                continue
            if old is None:
                outcomes.append(RowOutcome(r.row, acc.code, acc.name, "new"))
            elif old == net:
                outcomes.append(RowOutcome(r.row, acc.code, acc.name, "unchanged"))
                continue
            elif mode == "add":
                problems.append(Problem(r.row, _account_column(layout, r),
                                        f"科目 {acc.code} {acc.name} 已有期初余额 {_shown(old)}，文件为 {_shown(net)}。"
                                        "要改为文件的金额请选择“更新已有”，要保留原金额请选择“跳过已有”"))
                continue
            elif mode == "skip":
                outcomes.append(RowOutcome(r.row, acc.code, acc.name, "skipped"))
                continue
            else:
                outcomes.append(RowOutcome(r.row, acc.code, acc.name, "changed",
                                           (Change("期初余额", _shown(old), _shown(net)),)))
            if net == 0:
                merged.pop(acc.code, None)
            else:
                merged[acc.code] = net
        changing = [o for o in outcomes if o.status in ("new", "changed")]
        if locked and changing:
            rows_named = "、".join(str(o.row) for o in changing[:8]) + ("…" if len(changing) > 8 else "")
            problems.append(Problem(0, "", f"文件要修改 {len(changing)} 个科目的期初余额（第{rows_named}行），但{locked}"))
        if not given and not any(p.row for p in problems):
            problems.append(Problem(0, "", "文件中没有填写任何期初余额（金额列都是空的），未导入。"
                                           "请在借方余额/贷方余额（或期初余额）列填写金额后再导入"))
        debit = sum((v for v in merged.values() if v > 0), ZERO)
        credit = -sum((v for v in merged.values() if v < 0), ZERO)
        if debit != credit and given:
            problems.append(Problem(0, "", f"导入后期初余额不平衡：借方合计 {debit}，贷方合计 {credit}，相差 {debit - credit}"))
        notes: list[str] = []
        kept = [c for c in held if c not in seen]
        if kept:
            notes.append(f"文件中没有列出的 {len(kept)} 个科目保留原期初余额")
        notes.append(f"导入后：借方合计 {debit}，贷方合计 {credit}" + ("，试算平衡" if debit == credit else ""))
        return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped),
                           tuple(sorted(problems, key=lambda p: p.row)), tuple(outcomes), tuple(notes), plan=merged)

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, user: Any = None, **options: Any) -> ImportDone:
        """Write the book's opening balances as the check left them, as ``user`` (a 会计 or 审核员)."""
        from desktop_app.core.services.opening import OpeningInput, set_opening_balances

        assert book_id is not None
        require_clean(check)
        user = acting_user(session, user, "期初余额")
        added, changed = check.count("new"), check.count("changed")
        left = len(check.outcomes) - added - changed
        if not added and not changed:  # nothing to change: nothing written (a closed first month is no error)
            return ImportDone(0, 0, left, f"期初余额无变化：文件中 {left} 个科目的金额与账套相同，未写入任何数据")
        lines = [OpeningInput(code, net if net > 0 else ZERO, -net if net < 0 else ZERO)
                 for code, net in sorted(check.plan.items())]
        done = set_opening_balances(session, book_id, lines, user=user)
        return ImportDone(added, changed, left, f"已导入期初余额：{len(done.lines)} 个科目，借贷合计 {done.total_debit}"
                          + (f"（新增 {added} 个，更新 {changed} 个）" if changed else ""))


register(OpeningImporter())
