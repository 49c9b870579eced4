"""Which months of each card the month's run finds charged, read without sorting a year of lines.

The run's closed form (``depreciation_month.straight_month_fen``) holds for a card whose charged
months from its book's start before the run's month are exactly its span: how many, the first and
the last. :func:`charged_column` asks that of each card in the cards' own query, as text
``"n first last"`` (NULL: none), by a look-up per card on the ``(asset_id, period)`` unique index,
which holds every column it needs — no table row is read and no ``GROUP BY`` sorts the year's
lines (a December run of 50,000 cards: 500,000 lines, most of the old aggregate's time). The
index holds tombstones (``deleted``) too, so :func:`charged_exceptions` finds the few cards with a
tombstoned line in those months (one pass over the books' lines by ``(book_id, period)``) and
gives their text again from their live lines alone, and the cards whose run month is already
charged (live). A line's book is its card's (cards never move between books).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ScalarSelect, String, cast, func, select, type_coerce
from sqlalchemy.orm import aliased

from db.models import Asset, AssetDepreciation, Book

_ROUND = 500  # ids a query is given at once


def stored_hex(raw: Any) -> str:
    """A driver's id (SQLite's CHAR(32) hex, or a UUID / its text elsewhere) as its stored hex."""
    return raw if type(raw) is str and len(raw) == 32 else uuid.UUID(str(raw)).hex


def charged_text(periods: Sequence[str]) -> str | None:
    """The summary :func:`charged_column` gives of these (distinct) months: ``"n first last"``."""
    return f"{len(periods)} {min(periods)} {max(periods)}" if periods else None


def charged_column(period: str) -> ScalarSelect[Any]:
    """A column of the cards' query (joined to their ``Book``): the card's lines from its book's
    start before ``period`` as ``"n first last"``, tombstones included (see the module's note)."""
    d = aliased(AssetDepreciation)
    return (select(cast(func.count(), String) + " " + func.min(d.period) + " " + func.max(d.period))
            .where(d.asset_id == Asset.id, d.period >= Book.start_period, d.period < period)
            .scalar_subquery())


def charged_exceptions(conn: Any, book_ids: Sequence[uuid.UUID], period: str) -> tuple[dict[str, str | None], set[str]]:
    """(cards with a tombstoned line from their book's start before ``period`` → the summary of
    their live lines alone, the cards with a live line in ``period`` itself), keyed by stored hex."""
    d = AssetDepreciation
    tombed = {stored_hex(raw) for raw, in conn.execute(
        select(type_coerce(d.asset_id, String)).join(Book, Book.id == d.book_id)
        .where(d.book_id.in_(list(book_ids)), d.deleted.is_(True), d.period >= Book.start_period,
               d.period < period))}  # by ix_asset_depreciation_book_period
    this_month = {stored_hex(raw) for raw, in conn.execute(
        select(type_coerce(d.asset_id, String))
        .where(d.book_id.in_(list(book_ids)), d.period == period, d.deleted.is_(False)))}
    live: dict[str, list[str]] = defaultdict(list)
    ids = [uuid.UUID(hex=h) for h in sorted(tombed)]
    for i in range(0, len(ids), _ROUND):
        for raw, p in conn.execute(select(type_coerce(d.asset_id, String), d.period).join(Book, Book.id == d.book_id)
                                   .where(d.asset_id.in_(ids[i:i + _ROUND]), d.deleted.is_(False),
                                          d.period >= Book.start_period, d.period < period)):
            live[stored_hex(raw)].append(p)
    return {h: charged_text(live.get(h, [])) for h in tombed}, this_month
