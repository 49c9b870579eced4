"""``entry_tuples.FenLines`` (a generated voucher's lines in 分, the batch depreciation run's) is
the ``LineInput`` lines it stands for, and ``quick_fen_tuples`` accepts exactly what
``quick_entry_tuples`` accepts of those lines and gives the very same stored tuples (ids, 分,
trimmed 摘要, asset hex); anything else is None, for ``check_lines`` to word."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.money import MAX_AMOUNT
from desktop_app.core.services.entry_tuples import FenLines, quick_entry_tuples, quick_fen_tuples
from desktop_app.core.services.funds_base import AccountInfo
from desktop_app.core.services.voucher_lines import LineInput


def _acc(code: str, *, leaf: bool = True, active: bool = True) -> AccountInfo:
    return AccountInfo(uuid.uuid5(uuid.NAMESPACE_URL, code), code, f"科目{code}", "资产", "借", None, 1, leaf, active)


ACCOUNTS = {a.code: a for a in (_acc("1602"), _acc("511"), _acc("401"), _acc("51307"), _acc("513", leaf=False),
                                _acc("514", active=False))}
MAX_FEN = int(MAX_AMOUNT.scaleb(2))
FENS = [0, 1, 5, 1234, 99_999, -300, MAX_FEN, MAX_FEN + 1]
CODES = ["1602", "511", "401", "51307", "513", "514", "999", " 511"]
TEXTS = [None, "", "  ", "计提2026年12月折旧", " ZC001 设备 ", "长" * 200, "ZC9 " + "长" * 196, "长" * 201]
ASSETS = [None, uuid.UUID(int=9).hex, "0192f0c41e7b7c3a9d2e1f2a3b4c5d6e"]
VHEX, BHEX = uuid.UUID(int=1).hex, uuid.UUID(int=2).hex


def _ids() -> Iterator[str]:
    return (f"{k:032x}" for k in itertools.count(1))


LINE = st.tuples(st.sampled_from(CODES), st.sampled_from(FENS), st.sampled_from(FENS), st.sampled_from(TEXTS),
                 st.sampled_from(ASSETS))


def _fen_lines(rows: list[tuple[str, int, int, str | None, str | None]]) -> FenLines:
    return FenLines([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                    [r[4] for r in rows])


@given(st.lists(LINE, max_size=6))
def test_fen_lines_store_what_their_line_inputs_store(rows: list[tuple[str, int, int, str | None, str | None]]) -> None:
    lines = _fen_lines(rows)
    inputs = list(lines)
    assert len(lines) == len(inputs) == len(rows)
    for got, (code, debit, credit, summary, asset) in zip(inputs, rows, strict=True):
        assert got == LineInput(code, D(debit).scaleb(-2) if debit else D("0.00"),
                                D(credit).scaleb(-2) if credit else D("0.00"), summary,
                                asset_id=None if asset is None else uuid.UUID(hex=asset))
    assert lines[1:3] == inputs[1:3]
    assert quick_fen_tuples(ACCOUNTS, lines, VHEX, BHEX, "2026-12", _ids()) == \
        quick_entry_tuples(ACCOUNTS, inputs, VHEX, BHEX, "2026-12", _ids())


def test_a_depreciation_voucher_is_taken_whole() -> None:
    # 借 two expense accounts their totals, 贷 累计折旧 a line a card (with its asset), balanced
    cards = [(f"ZC{j:05d} 设备{j}", 100 + j, uuid.UUID(int=1000 + j).hex) for j in range(50)]
    debit_511, debit_401 = sum(f for _, f, _ in cards[:20]), sum(f for _, f, _ in cards[20:])
    lines = FenLines(["401", "511"] + ["1602"] * 50, [debit_401, debit_511] + [0] * 50,
                     [0, 0] + [f for _, f, _ in cards], ["计提2026年12月折旧"] * 2 + [s for s, _, _ in cards],
                     [None, None] + [h for _, _, h in cards])
    got = quick_fen_tuples(ACCOUNTS, lines, VHEX, BHEX, "2026-12", _ids())
    assert got is not None and len(got) == 52
    assert got == quick_entry_tuples(ACCOUNTS, list(lines), VHEX, BHEX, "2026-12", _ids())
    assert got[2][4:] == (3, ACCOUNTS["1602"].id.hex, 0, 100, "ZC00000 设备0", None, None, None, uuid.UUID(int=1000).hex)
    # one 分 off balance, a zero line, or a 摘要 past 200: the full check's turn
    for bad in (FenLines(["401", "1602"], [5, 0], [0, 4], [None, None], [None, None]),
                FenLines(["401", "1602", "1602"], [5, 0, 0], [0, 5, 0], [None] * 3, [None] * 3),
                FenLines(["401", "1602"], [5, 0], [0, 5], [None, "长" * 201], [None, None])):
        assert quick_fen_tuples(ACCOUNTS, bad, VHEX, BHEX, "2026-12", _ids()) is None


@given(st.lists(st.tuples(st.sampled_from(["511", "401", "51307"]), st.integers(1, 10**9),
                          st.sampled_from(TEXTS[:7]), st.sampled_from(ASSETS)), min_size=1, max_size=8))
def test_balanced_runs_are_taken_as_the_slow_way_takes_them(cards: list[tuple[str, int, str | None, str | None]]) -> None:
    total = sum(f for _, f, _, _ in cards)
    rows = [(code, fen, 0, summary, asset) for code, fen, summary, asset in cards]
    rows.append(("1602", 0, total, "计提折旧", None))
    lines = _fen_lines(rows)
    got = quick_fen_tuples(ACCOUNTS, lines, VHEX, BHEX, "2026-12", _ids())
    assert got is not None
    assert got == quick_entry_tuples(ACCOUNTS, list(lines), VHEX, BHEX, "2026-12", _ids())
