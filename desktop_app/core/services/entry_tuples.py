"""Voucher lines as the bulk path stores them: tuples of stored forms, no dict, UUID or Decimal per line.

:func:`quick_entry_tuples` checks a generated voucher's lines in one pass (the common case of
``voucher_lines.check_lines``) and gives each line straight in the form the database holds it, in
:data:`ENTRY_COLUMNS` order, for ``bulk_insert(…, columns=ENTRY_COLUMNS, stored=ENTRY_STORED)``: ids
as hex text (a new line's id from ``db.types.uuid7_hex_stream``), amounts as integer 分. The stored
row, its row hash and its change-log record are what ``entry_rows(…, check_lines(…))`` stores.
:func:`entry_tuples` turns ``entry_rows``' dicts (the full check's lines) into the same tuples.
For ``voucher_bulk._Writer`` (DESIGN-NOTES 98), which the depreciation run, the demo and the
batches post through. :class:`FenLines` is a generated voucher's lines held in 分 (the batch
depreciation run's: a line a card), which :func:`quick_fen_tuples` checks and stores the same way
without a ``LineInput`` or a Decimal per line; anything it does not accept is read as the
``LineInput`` lines it stands for and takes the full check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from desktop_app.core.money import CENT, MAX_AMOUNT, from_fen
from desktop_app.core.services.funds_base import AccountInfo
from desktop_app.core.services.voucher_lines import LineInput

ZERO = Decimal("0.00")

ENTRY_COLUMNS = ("id", "voucher_id", "book_id", "period", "line_no", "account_id", "debit", "credit", "summary",
                 "counterparty", "project_id", "contract_id", "asset_id")
ENTRY_STORED = ("id", "voucher_id", "book_id", "account_id", "debit", "credit", "project_id", "contract_id",
                "asset_id")
LINE_NO, ACCOUNT, DEBIT, CREDIT, SUMMARY = 4, 5, 6, 7, 8  # where a tuple holds its number, account (hex),
# amounts (分) and 摘要


def quick_entry_tuples(accounts: Mapping[str, AccountInfo], lines: Sequence[LineInput], voucher_hex: str,
                       book_hex: str, period: str, ids: Iterator[str]) -> list[tuple[Any, ...]] | None:
    """``entry_rows(…, check_lines(…))`` as stored tuples for lines in the common case (an active leaf account
    named exactly, one side a positive Decimal in 分 within the limit, the other zero, texts
    within their limits, debits equal to credits), None for anything else (the caller runs
    ``check_lines``, which words the refusal). ``ids`` gives each line's new id (hex)."""
    if len(lines) < 2:
        return None
    rows: list[tuple[Any, ...]] = []
    total_d = total_c = 0  # in 分
    account_hex: dict[str, str] = {}  # each account named, checked once: its stored id
    for i, line in enumerate(lines, start=1):
        code = line.account_code
        acc_hex = account_hex.get(code) or _leaf_hex(accounts, code, account_hex)
        if acc_hex is None:
            return None
        debit, credit = line.debit, line.credit
        if type(debit) is not Decimal or type(credit) is not Decimal:
            return None
        is_debit = credit.is_zero()  # a NaN or an infinity is not zero: it lands in ``amount``
        if not is_debit and not debit.is_zero():
            return None
        amount = debit if is_debit else credit
        # finite, at most two places (quantize within MAX_AMOUNT's digits is exact), 0 < 分 ≤ the limit
        if not amount.is_finite() or amount.adjusted() > _MAX_ADJUSTED or amount.quantize(CENT) != amount:
            return None
        fen = int(amount.scaleb(2))  # exact: two places at most
        if not 0 < fen <= _MAX_FEN:
            return None
        if is_debit:
            total_d += fen
        else:
            total_c += fen
        summary, counterparty = line.summary, line.counterparty
        if summary is not None:
            summary = summary.strip() or None
            if summary is not None and len(summary) > 200:
                return None
        if counterparty is not None:
            counterparty = counterparty.strip() or None
            if counterparty is not None and len(counterparty) > 100:
                return None
        project, contract, asset = line.project_id, line.contract_id, line.asset_id
        rows.append((next(ids), voucher_hex, book_hex, period, i, acc_hex, fen if is_debit else 0,
                     0 if is_debit else fen, summary, counterparty, None if project is None else project.hex,
                     None if contract is None else contract.hex, None if asset is None else asset.hex))
    return rows if total_d == total_c else None


def _leaf_hex(accounts: Mapping[str, AccountInfo], code: str, seen: dict[str, str]) -> str | None:
    """The stored id of an active leaf account named exactly (kept in ``seen``), None for any other."""
    acc = accounts.get(code)
    if acc is None or not acc.is_leaf or not acc.active:
        return None
    seen[code] = hexed = acc.id.hex
    return hexed


_MAX_ADJUSTED = MAX_AMOUNT.adjusted()  # an amount of more digits before the point is over the limit
_MAX_FEN = int(MAX_AMOUNT.scaleb(2))  # the limit in 分 (exact: two places)


def entry_tuples(rows: Sequence[Mapping[str, Any]], ids: Iterator[str]) -> list[tuple[Any, ...]]:
    """``entry_rows``' dicts (checked lines: amounts Decimals in 分, possibly negative for 红字) as
    the tuples :func:`quick_entry_tuples` gives, each with a new id from ``ids``."""
    def hex_of(value: Any) -> str | None:
        return None if value is None else str(value.hex)

    return [(next(ids), hex_of(r["voucher_id"]), hex_of(r["book_id"]), r["period"], r["line_no"],
             hex_of(r["account_id"]), _fen(r["debit"]), _fen(r["credit"]), r["summary"], r["counterparty"],
             hex_of(r["project_id"]), hex_of(r["contract_id"]), hex_of(r["asset_id"])) for r in rows]


def _fen(value: Decimal) -> int:
    from db.types import to_scaled_int

    fen = to_scaled_int(value, 2)
    assert fen is not None
    return fen


class FenLines(Sequence[LineInput]):
    """A generated voucher's lines as columns of stored forms: account code, debit and credit in
    分 (one of them 0), 摘要, asset id as hex (or None). As a sequence it is the ``LineInput``
    lines it stands for (``from_fen`` amounts, the other side left at its 0.00 default), made
    when read: the full check (``check_lines``) and a caller wanting objects read them so."""

    __slots__ = ("assets", "codes", "credits", "debits", "summaries")

    def __init__(self, codes: Sequence[str], debits: Sequence[int], credits: Sequence[int],
                 summaries: Sequence[str | None], assets: Sequence[str | None]) -> None:
        if not len(codes) == len(debits) == len(credits) == len(summaries) == len(assets):
            raise ValueError("FenLines: columns of different lengths")
        self.codes, self.debits, self.credits, self.summaries, self.assets = codes, debits, credits, summaries, assets

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return _line_input(self.codes[i], self.debits[i], self.credits[i], self.summaries[i], self.assets[i])

    def __iter__(self) -> Iterator[LineInput]:
        for args in zip(self.codes, self.debits, self.credits, self.summaries, self.assets, strict=True):
            yield _line_input(*args)


def _line_input(code: str, debit: int, credit: int, summary: str | None, asset: str | None) -> LineInput:
    # a side at 0 keeps LineInput's own default (0.00), as a line built by hand does
    asset_id = None if asset is None else uuid.UUID(hex=asset)
    if debit and credit:
        return LineInput(code, from_fen(debit), from_fen(credit), summary, asset_id=asset_id)
    if debit:
        return LineInput(code, debit=from_fen(debit), summary=summary, asset_id=asset_id)
    if credit:
        return LineInput(code, credit=from_fen(credit), summary=summary, asset_id=asset_id)
    return LineInput(code, summary=summary, asset_id=asset_id)


def quick_fen_tuples(accounts: Mapping[str, AccountInfo], lines: FenLines, voucher_hex: str, book_hex: str,
                     period: str, ids: Iterator[str]) -> list[tuple[Any, ...]] | None:
    """:func:`quick_entry_tuples` of :class:`FenLines`: the same checks on the same lines (one side
    a positive 分 amount within the limit, the other 0; accounts, 摘要, balance) and the same
    tuples, None for anything it would refuse (the caller runs ``check_lines`` on ``lines``)."""
    if len(lines) < 2:
        return None
    rows: list[tuple[Any, ...]] = []
    total_d = total_c = 0
    account_hex: dict[str, str] = {}
    for i, (code, debit, credit, summary, asset) in enumerate(
            zip(lines.codes, lines.debits, lines.credits, lines.summaries, lines.assets, strict=True), start=1):
        acc_hex = account_hex.get(code) or _leaf_hex(accounts, code, account_hex)
        if acc_hex is None:
            return None
        if type(debit) is not int or type(credit) is not int:
            return None
        if credit == 0:
            if not 0 < debit <= _MAX_FEN:
                return None
            total_d += debit
        else:
            if debit != 0 or not 0 < credit <= _MAX_FEN:
                return None
            total_c += credit
        if summary is not None:
            summary = summary.strip() or None
            if summary is not None and len(summary) > 200:
                return None
        rows.append((next(ids), voucher_hex, book_hex, period, i, acc_hex, debit, credit, summary, None, None, None,
                     asset))
    return rows if total_d == total_c else None
