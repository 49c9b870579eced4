"""Page sources for ``PagedTableModel`` (Qt-free: services may implement these shapes).

``PageSource`` is the whole contract: ``count()`` and ``fetch_range(start, limit)``.
A source may also offer ``set_order(key, descending)``, ``set_filter(text)`` and
``totals() -> dict[str, Decimal]``; the model uses them when present.

``KeysetPageSource`` turns a keyset query (``fetch_after(key, limit)``: rows after the row
whose key is ``key``, in ledger order) into ``fetch_range``: a page that follows a page
already read continues from its last key (an index seek), and only a jump to an unread page
falls back to ``fetch_offset`` (``LIMIT .. OFFSET ..``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from desktop_app.core.textsearch import matches, pinyin_key

__all__ = ["InMemoryPageSource", "JournalPageSource", "KeysetPageSource", "PageSource"]


@runtime_checkable
class PageSource(Protocol):
    def count(self) -> int:
        """Number of rows (after the source's own filter)."""
        ...

    def fetch_range(self, start: int, limit: int) -> Sequence[Any]:
        """Rows ``start .. start+limit-1`` in display order (fewer at the end)."""
        ...


class InMemoryPageSource:
    """A list pretending to be a database: for tests, the bench and small previews.

    ``search_keys`` names the row fields ``set_filter`` searches; ``total_keys`` the fields
    ``totals()`` sums. Rows are dicts or objects with attributes.
    """

    def __init__(
        self,
        rows: Iterable[Any],
        *,
        search_keys: Sequence[str] = (),
        total_keys: Sequence[str] = (),
    ) -> None:
        self._all = list(rows)
        self._rows = self._all
        self._search_keys = tuple(search_keys)
        self._total_keys = tuple(total_keys)
        self._order: tuple[str | None, bool] = (None, False)
        self._filter = ""
        self.fetches: list[tuple[int, int]] = []

    @staticmethod
    def _get(row: Any, key: str) -> Any:
        return row.get(key) if isinstance(row, dict) else getattr(row, key, None)

    def count(self) -> int:
        return len(self._rows)

    def fetch_range(self, start: int, limit: int) -> Sequence[Any]:
        self.fetches.append((start, limit))
        return self._rows[start : start + limit]

    def set_filter(self, text: str) -> None:
        self._filter = text
        self._refresh()

    def set_order(self, key: str | None, descending: bool = False) -> None:
        self._order = (key, descending)
        self._refresh()

    def totals(self) -> dict[str, Decimal]:
        sums = {k: Decimal(0) for k in self._total_keys}
        for row in self._rows:
            for k in self._total_keys:
                value = self._get(row, k)
                if value is not None:
                    sums[k] += value
        return sums

    def _refresh(self) -> None:
        rows = self._all
        if self._filter and self._search_keys:
            keys = self._search_keys
            rows = [r for r in rows if matches(self._filter, *(self._get(r, k) for k in keys))]
        key, descending = self._order
        if key is not None:

            def sort_key(row: Any) -> tuple[bool, Any]:
                value = self._get(row, key)
                if value is None:
                    return (True, 0)
                return (False, (pinyin_key(value), value) if isinstance(value, str) else value)

            rows = sorted(rows, key=sort_key, reverse=descending)
        self._rows = rows


class KeysetPageSource:
    """``fetch_range`` on top of a keyset query, with an offset fallback for jumps.

    ``fetch_after(after_key, limit)`` returns the rows following ``after_key`` (``None``: from
    the start); ``key_of(row)`` gives a row's keyset key (e.g. ``(date, voucher_no, id)``);
    ``fetch_offset(start, limit)`` reads a page by position. Boundary keys learned from pages
    read are remembered (bounded) so scrolling on reads by seek, not by offset.
    """

    def __init__(
        self,
        count: Callable[[], int],
        fetch_after: Callable[[Any, int], Sequence[Any]],
        key_of: Callable[[Any], Any],
        fetch_offset: Callable[[int, int], Sequence[Any]],
        *,
        max_boundaries: int = 10_000,
    ) -> None:
        self._count = count
        self._fetch_after = fetch_after
        self._key_of = key_of
        self._fetch_offset = fetch_offset
        self._max_boundaries = max_boundaries
        self._after: dict[int, Any] = {}  # start position -> key of the row before it
        self.seeks = 0
        self.offsets = 0

    def count(self) -> int:
        self._after.clear()  # a re-count means the data may have changed
        return self._count()

    def fetch_range(self, start: int, limit: int) -> Sequence[Any]:
        if start == 0:
            rows = self._fetch_after(None, limit)
            self.seeks += 1
        elif start in self._after:
            rows = self._fetch_after(self._after[start], limit)
            self.seeks += 1
        else:
            rows = self._fetch_offset(start, limit)
            self.offsets += 1
        if rows:
            if len(self._after) >= self._max_boundaries:
                self._after.clear()
            self._after[start + len(rows)] = self._key_of(rows[-1])
        return rows


class JournalPageSource:
    """The lines of a journal (日记账 / 明细账) read a page at a time.

    ``outline`` has ``opening`` (the 期初余额 line) and ``months``, each with ``period``,
    ``count`` (entry lines), ``start_balance``, ``month_total`` and ``year_total`` (a service's
    ``JournalOutline``). Display rows are the opening line, then per month its entry lines and
    its two total lines. ``read(period, start_balance, after, offset, limit)`` returns a page
    with ``lines`` and ``last_key``: by keyset after ``after`` when the previous page of that
    month was read (the running balance carried on), else from line ``offset`` of the month.
    """

    def __init__(self, outline: Any, read: Callable[[str, Decimal, Any, int, int], Any], *,
                 max_boundaries: int = 10_000) -> None:
        self._outline = outline
        self._read = read
        self._max_boundaries = max_boundaries
        self._starts: list[int] = []  # display row of each month's first line
        row = 1
        for month in outline.months:
            self._starts.append(row)
            row += month.count + 2
        self._count = row
        self._after: dict[tuple[str, int], tuple[Any, Decimal]] = {}  # (period, line) -> (key, balance)
        self.seeks = 0
        self.offsets = 0

    @property
    def outline(self) -> Any:
        return self._outline

    def count(self) -> int:
        return self._count

    def fetch_range(self, start: int, limit: int) -> Sequence[Any]:
        out: list[Any] = []
        pos = max(start, 0)
        while len(out) < limit and pos < self._count:
            if pos == 0:
                out.append(self._outline.opening)
                pos += 1
                continue
            m = bisect_right(self._starts, pos) - 1
            month = self._outline.months[m]
            k = pos - self._starts[m]
            if k >= month.count:
                out.append(month.month_total if k == month.count else month.year_total)
                pos += 1
                continue
            lines = self._entries(month, k, min(limit - len(out), month.count - k))
            if not lines:  # the books changed under us: show what there is
                break
            out.extend(lines)
            pos += len(lines)
        return out

    def _entries(self, month: Any, k: int, n: int) -> Sequence[Any]:
        known = self._after.get((month.period, k)) if k else None
        if k == 0:
            page = self._read(month.period, month.start_balance, None, 0, n)
            self.seeks += 1
        elif known is not None:
            page = self._read(month.period, known[1], known[0], 0, n)
            self.seeks += 1
        else:
            page = self._read(month.period, month.start_balance, None, k, n)
            self.offsets += 1
        lines: Sequence[Any] = page.lines
        if lines:
            if len(self._after) >= self._max_boundaries:
                self._after.clear()
            self._after[(month.period, k + len(lines))] = (page.last_key, lines[-1].balance)
        return lines
