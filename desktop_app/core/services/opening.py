"""Opening balances (期初余额) of a book: enter, import from xlsx, and the 2004 → 2023 conversion.

Import is validate → preview → apply, all or nothing: ``read_opening_xlsx`` reads the sheet with
python-calamine and returns rows or Chinese errors naming row and column; ``preview_opening``
checks them against the book (leaf accounts, balanced); ``set_opening_balances`` writes them.
Opening balances can change only while the book's first month is open and nothing is posted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import OpeningBalance, Voucher
from desktop_app.core import charts
from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.money import format_amount
from desktop_app.core.rows import BookRow, UserRow
from desktop_app.core.services.balances import balances_before
from desktop_app.core.services.funds_base import AccountInfo, book_accounts, get_book_row
from desktop_app.core.services.periods import (
    describe_balances,
    ensure_period_open,
    period_status,
    year_end_leftovers,
)
from desktop_app.core.services.users import require_role

ZERO = Decimal("0.00")
COLUMNS = ("科目编码", "科目名称", "借方余额", "贷方余额")


@dataclass(frozen=True)
class OpeningInput:
    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    row: int | None = None  # the spreadsheet row it came from


@dataclass(frozen=True)
class OpeningPreview:
    lines: tuple[tuple[str, str, Decimal, Decimal], ...]  # code, name, debit, credit
    total_debit: Decimal
    total_credit: Decimal
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def read_opening_xlsx(path: Path | str) -> tuple[list[OpeningInput], list[str]]:
    """Read the sheet as the ``opening`` import kind reads it (``excel.import_opening``): the header
    anywhere in the first rows, 科目编码/科目代码/编码 (or "1001 库存现金"), 借方余额/贷方余额 or one
    期初余额 column with a 方向 column; amounts as people write them. Rows with no figure are left
    out; every cell error comes back at once ("第N行C列“借方余额”：…"). A sheet without a single
    figure is an error, never a grid of zeros."""
    import re

    from desktop_app.excel.import_opening import SPEC, read_rows
    from desktop_app.excel.table_read import open_table

    table = open_table(path, SPEC)
    rows, problems = read_rows(table)
    errors = [str(p) for p in problems]
    out: list[OpeningInput] = []
    for r in rows:
        if r.blank:
            continue
        code = r.code
        if not code:
            m = re.match(r"^(\d{3,})", r.name)
            code = m.group(1) if m else ""
        else:
            m = re.match(r"^(\d{3,})\s*\D", code)  # "1001 库存现金" in the code cell
            code = m.group(1) if m else code
        where = table.layout.where("code" if "code" in table.layout.columns else "name")
        if not code:
            errors.append(f"第{r.row}行{where}：没有填写科目编码")
            continue
        net = r.net(None)
        if net is None:
            errors.append(f"第{r.row}行{table.layout.where('balance')}：没有“方向”列，无法判断余额在借方还是贷方："
                          "请加一列“方向”（借/贷），或把金额分填在借方余额、贷方余额两列")
            continue
        out.append(OpeningInput(code, net if net > 0 else ZERO, -net if net < 0 else ZERO, r.row))
    if not out and not errors:
        errors.append("表中没有填写任何期初余额（借方余额、贷方余额都是空的），未读入；"
                      "请填写金额后再导入（要清空期初余额请在期初余额页删除金额后保存）")
    return out, errors


def _check(accounts: dict[str, AccountInfo], lines: Sequence[OpeningInput]) -> tuple[list[tuple[AccountInfo, Decimal, Decimal]], list[str]]:
    errors: list[str] = []
    good: dict[str, tuple[AccountInfo, Decimal, Decimal]] = {}
    for i, ln in enumerate(lines, start=1):
        where = f"第{ln.row or i}行"
        acc = accounts.get(ln.account_code.strip())
        if acc is None:
            errors.append(f"{where}“科目编码”列：科目 {ln.account_code} 不存在")
            continue
        if not acc.is_leaf:
            errors.append(f"{where}“科目编码”列：科目 {acc.code} {acc.name} 有明细科目，请填到末级科目")
            continue
        if acc.code in good:
            errors.append(f"{where}“科目编码”列：科目 {acc.code} 重复")
            continue
        net = ln.debit - ln.credit
        if net != 0:
            good[acc.code] = (acc, net if net > 0 else ZERO, -net if net < 0 else ZERO)
    d = sum((g[1] for g in good.values()), ZERO)
    c = sum((g[2] for g in good.values()), ZERO)
    if d != c:
        errors.append(f"期初余额不平衡：借方合计 {format_amount(d)}，贷方合计 {format_amount(c)}，相差 {format_amount(d - c)}")
    return list(good.values()), errors


def _editable(session: Session, book: BookRow) -> None:
    ensure_period_open(session, book.id, book.start_period)
    posted = session.scalar(select(func.count()).select_from(Voucher).where(
        Voucher.book_id == book.id, Voucher.status == "记账"))
    if posted:
        raise ConflictError("账套已有记账凭证，不能再修改期初余额（请用凭证调整）", field="期初余额")


def preview_opening(session: Session, book_id: uuid.UUID, lines: Sequence[OpeningInput]) -> OpeningPreview:
    good, errors = _check(book_accounts(session, book_id), lines)
    return OpeningPreview(tuple((a.code, a.name, d, c) for a, d, c in good), sum((g[1] for g in good), ZERO),
                          sum((g[2] for g in good), ZERO), tuple(errors))


def set_opening_balances(session: Session, book_id: uuid.UUID, lines: Sequence[OpeningInput], *,
                         user: UserRow) -> OpeningPreview:
    """Replace the book's opening 科目余额表 (all or nothing; refuses with every error listed)."""
    require_role(session, user, "bookkeeper", "reviewer", book_id=book_id)
    book = get_book_row(session, book_id)
    _editable(session, book)
    preview = preview_opening(session, book_id, lines)
    if not preview.ok:
        raise ValidationError("；".join(preview.errors[:20]), field="期初余额")
    accounts = book_accounts(session, book_id)
    existing = {r.account_id: r for r in session.scalars(select(OpeningBalance).where(OpeningBalance.book_id == book_id))}
    by_id = {a.id: a for a in accounts.values()}
    # the audit entry reads the same before and after: keyed by the account's code, with its name
    before = {by_id[r.account_id].code: {"name": by_id[r.account_id].name, "debit": r.debit, "credit": r.credit}
              for r in existing.values() if not r.deleted and r.account_id in by_id}
    for code, _name, d, c in preview.lines:
        row = existing.pop(accounts[code].id, None)
        if row is None:
            session.add(OpeningBalance(book_id=book_id, account_id=accounts[code].id, debit=d, credit=c))
        else:
            row.debit, row.credit, row.deleted = d, c, False
    for row in existing.values():
        row.deleted = True
    session.flush()
    record_audit(session, AuditRecord("update", "opening_balance", str(book_id),
                                      f"{book.name}：录入期初余额（{len(preview.lines)}个科目，借贷合计 {format_amount(preview.total_debit)} 元）",
                                      before or None, {code: {"name": name, "debit": d, "credit": c} for code, name, d, c in preview.lines}))
    return preview


def convert_2004_to_2023(session: Session, source_book_id: uuid.UUID, target_book_id: uuid.UUID, *,
                         user: UserRow, overrides: Mapping[str, str] | None = None) -> OpeningPreview:
    """Open a 2023-chart book at 2024-01-01 from a 2004-chart book's balances at 2023-12-31.

    The source book's 2023-12 must be closed, after the year-end close (every 损益, 本年收益 and
    各项分配 account at zero). Each 2004 leaf balance is mapped by (version, code) through
    ``mapping_2004_to_2023.csv``; a book's own sub-account follows its standard ancestor.
    ``overrides`` (2004 code → 2023 leaf code) names the target where the mapping's account has
    sub-accounts in the target book; without one the conversion is refused, listing them all.
    """
    src, dst = get_book_row(session, source_book_id), get_book_row(session, target_book_id)
    if src.chart_version != "2004" or dst.chart_version != "2023":
        raise ValidationError("只能把 2004 版账套转换为 2023 版账套", field="账套")
    if dst.start_period != "2024-01":
        raise ValidationError("新制度账套应自 2024-01 启用", field="账套")
    if not period_status(session, src.id, "2023-12").is_closed:
        raise ConflictError(f"原账套“{src.name}”2023年12月尚未结账：请先完成2023年度年终结转并结账12月，再转换",
                            field="账套")
    left = year_end_leftovers(session, src.id, "2023-12")
    if left:
        raise ConflictError(f"原账套“{src.name}”2023年末仍有损益、本年收益或各项分配余额，请先反结账12月、"
                            f"完成年终结转：{describe_balances(left)}", field="账套")
    mapping = charts.load_mapping("2004", "2023")
    src_acc, dst_acc = book_accounts(session, src.id), book_accounts(session, dst.id)
    chosen = {k.strip(): v.strip() for k, v in (overrides or {}).items()}
    for from_code, to_code in chosen.items():
        target_acc = dst_acc.get(to_code)
        if target_acc is None or not target_acc.is_leaf:
            raise ValidationError(f"指定的对应科目 {to_code} 在新账套中不存在或不是末级科目（原科目 {from_code}）",
                                  field="科目对照")
    bal = balances_before(session, src.id, "2024-01")
    totals: dict[str, Decimal] = {}
    unresolved: list[str] = []
    for acc in src_acc.values():
        amount = bal.get(acc.id, ZERO)
        if not acc.is_leaf or amount == 0:
            continue
        code = acc.code
        while code not in chosen and code not in mapping and len(code) > 3:
            code = code[:-2]
        target = chosen.get(acc.code) or chosen.get(code) or mapping.get(code)
        if target is None or target not in dst_acc:
            unresolved.append(f"{acc.code} {acc.name}（对照表中无对应科目）")
            continue
        if not dst_acc[target].is_leaf:
            unresolved.append(f"{acc.code} {acc.name} → {target} {dst_acc[target].name}（有明细科目，请指定末级科目）")
            continue
        totals[target] = totals.get(target, ZERO) + amount
    if unresolved:
        raise ValidationError("以下科目无法确定新账套中的末级科目，请逐一指定对应科目后再转换："
                              + "；".join(unresolved), field="科目对照")
    lines = [OpeningInput(code, v if v > 0 else ZERO, -v if v < 0 else ZERO) for code, v in totals.items()]
    return set_opening_balances(session, dst.id, lines, user=user)
