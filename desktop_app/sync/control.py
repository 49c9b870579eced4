"""Control totals, village state digests and the row → village mapping (one function each,
the same on the sending and the receiving side).

* Control totals per (book, month): posted vouchers (``voucher``), entry lines and the sums of
  debit and credit read from the month summary ``account_period_total`` — so that the receiver,
  which rebuilds its summary after applying a package (``balances.rebuild_totals``), checks the
  rebuilt summary itself against the sender's.
* A village's state digest: the sum modulo 2**128 of ``int(sha256(f"{table}|{id hex}|{rev}")[:16])``
  over its syncable rows (an additive hash: order-free and updatable; a tombstone has its own
  rev), with the row count. It is MAINTAINED in ``village_digest`` (:func:`refresh_digests`):
  brought up to date lazily from the change-log records after the vector it covers, each
  changed row adding h(its current rev) and taking away h(its rev before the slice), so that a
  package's cost is proportional to the package, not to the villages it touches. The apply path
  takes the rows' revs before and after its upserts instead (:func:`note_rows_before`,
  :func:`apply_row_deltas`): a package's records do not chain when two PCs of one site edited the
  same row, its image does. :func:`full_digests` recomputes it whole (first use, ``verify``).
  A rev digest proves which versions are held, not their contents: a row edited behind the
  program's back with its rev unchanged is not seen here (the audit chain, seals and summaries
  are what prove contents).
* Which village a row belongs to: its ``organisation_id``, its book's, or its parent row's
  (followed through the foreign keys once per table, :func:`org_paths`). ``region`` rows belong
  to no village.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table

from db.base import Base, is_syncable
from db.pgcursor import Cursor

POSTED = "记账"


@dataclass(frozen=True)
class OrgPath:
    """How to reach a table's village: ``FROM "table" a0 {joins}`` gives ``{expr}``. ``column``:
    the row's own column naming it (``via_book``: naming its book), None when only a parent row does."""

    joins: str
    expr: str
    column: str | None = None
    via_book: bool = False


def syncable_tables() -> list[Table]:
    """Syncable tables, parents first (``Base.metadata.sorted_tables`` order)."""
    import db.models  # noqa: F401  (every table registered)

    classes = {str(m.persist_selectable.name): m.class_ for m in Base.registry.mappers}  # type: ignore[attr-defined]
    return [t for t in Base.metadata.sorted_tables if t.name in classes and is_syncable(classes[t.name])]


def _path(table: Table, alias: int, depth: int = 0) -> tuple[list[str], str] | None:
    a = f"a{alias}"
    cols = table.columns
    if table.name == "organisation":
        return [], f"{a}.id"
    if "organisation_id" in cols:
        return [], f"{a}.organisation_id"
    if "book_id" in cols:
        b = f"b{alias}"
        return [f"JOIN book {b} ON {b}.id = {a}.book_id"], f"{b}.organisation_id"
    if depth > 6:
        return None
    for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
        parent = fk.column.table
        if parent is table:
            continue
        found = _path(parent, alias + 1, depth + 1)
        if found is not None:
            nxt = f"a{alias + 1}"
            return [f'JOIN "{parent.name}" {nxt} ON {nxt}.id = {a}.{fk.parent.name}', *found[0]], found[1]
    return None


@cache
def org_paths() -> dict[str, OrgPath]:
    """Table name → how its rows reach their village; tables without a village (region) absent."""
    paths: dict[str, OrgPath] = {}
    for t in syncable_tables():
        found = _path(t, 0)
        if found is not None:
            joins, expr = " ".join(found[0]), found[1]
            own = expr.removeprefix("a0.") if not joins else "book_id" if joins.startswith("JOIN book b0 ") else None
            paths[t.name] = OrgPath(joins, expr, own, own == "book_id")
    return paths


def touched_orgs(cursor: Cursor, ids_table: str) -> set[str]:
    """Villages (organisation id hex) of the rows named in a temp table ``(t, id)``."""
    orgs: set[str] = set()
    tables = [r[0] for r in cursor.execute(f"SELECT DISTINCT t FROM {ids_table}")]
    paths = org_paths()
    for name in tables:
        p = paths.get(name)
        if p is None:
            continue
        sql = (f'SELECT DISTINCT {p.expr} FROM "{name}" a0 {p.joins} '
               f"WHERE a0.id IN (SELECT id FROM {ids_table} WHERE t = ?)")
        orgs.update(r[0] for r in cursor.execute(sql, (name,)) if r[0] is not None)
    return orgs


def books_of(cursor: Cursor, orgs: Iterable[str]) -> dict[str, str]:
    """Book id hex → its organisation id hex, for the given villages."""
    found: dict[str, str] = {}
    orgs = sorted(orgs)
    for i in range(0, len(orgs), 500):
        part = orgs[i:i + 500]
        found.update(cursor.execute(
            f"SELECT id, organisation_id FROM book WHERE organisation_id IN ({','.join('?' * len(part))})", part))
    return found


Totals = dict[tuple[str, str], tuple[int, int, int, int]]


def touched_months(cursor: Cursor, ids_table: str) -> list[tuple[str, str]]:
    """(book hex, period) of the vouchers and entry lines named in a temp table ``(t, id)``."""
    out: set[tuple[str, str]] = set()
    for table in ("voucher", "entry"):
        out.update(cursor.execute(f'SELECT DISTINCT book_id, period FROM "{table}" '
                                  f"WHERE id IN (SELECT id FROM {ids_table} WHERE t = ?)", (table,)))
    return sorted(out)


def control_totals(cursor: Cursor, books: Iterable[str],
                   months: Iterable[tuple[str, str]] | None = None) -> Totals:
    """(book hex, period) → (posted vouchers, entry lines, debit 分, credit 分); all-zero months left out.
    Every month of the books, or only the (book, period) pairs ``months`` (a package's: its cost
    then follows the months it touched, not the books' history)."""
    out: dict[tuple[str, str], list[int]] = {}
    if months is None:
        books = sorted(books)
        for i in range(0, len(books), 500):
            part = books[i:i + 500]
            _totals_into(cursor, out, f"book_id IN ({','.join('?' * len(part))})", part)
    else:
        per_book: dict[str, list[str]] = {}
        for book, period in sorted(set(months)):
            per_book.setdefault(book, []).append(period)
        for book, periods in per_book.items():
            for i in range(0, len(periods), 500):
                part = periods[i:i + 500]
                _totals_into(cursor, out, f"book_id = ? AND period IN ({','.join('?' * len(part))})", [book, *part])
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items() if any(v)}


def _totals_into(cursor: Cursor, out: dict[tuple[str, str], list[int]], where: str, params: list[str]) -> None:
    for book, period, n in cursor.execute(
            f"SELECT book_id, period, COUNT(*) FROM voucher WHERE status = ? AND deleted = 0 "
            f"AND {where} GROUP BY book_id, period", [POSTED, *params]):
        out.setdefault((book, period), [0, 0, 0, 0])[0] = n
    for book, period, lines, debit, credit in cursor.execute(
            f"SELECT book_id, period, SUM(lines), SUM(debit), SUM(credit) FROM account_period_total "
            f"WHERE {where} GROUP BY book_id, period", params):
        row = out.setdefault((book, period), [0, 0, 0, 0])
        row[1], row[2], row[3] = int(lines or 0), int(debit or 0), int(credit or 0)


MOD = 1 << 128
ADDITIVE_SINCE = "s0003"  # packages of a program before this sync revision carry SHA-256 digests
EMPTY = f"{0:032x}"
Digests = dict[str, tuple[str, int]]  # village hex → (digest hex, rows)


def row_hash(table: str, row_id: str, rev: int) -> int:
    """One row version's share of its village's digest."""
    return int.from_bytes(hashlib.sha256(f"{table}|{row_id}|{rev}".encode()).digest()[:16], "big")


def full_digests(cursor: Cursor, orgs: Iterable[str] | None = None) -> Digests:
    """Village → (digest hex, rows) recomputed from every row (``None``: every village)."""
    sums: dict[str, list[int]] = {}
    wanted = None if orgs is None else sorted(set(orgs))
    for name, p in sorted(org_paths().items()):
        where, params = "", []
        if wanted is not None:
            if not wanted:
                break
            where = f"WHERE {p.expr} IN ({','.join('?' * len(wanted))})"
            params = wanted
        for org, row_id, rev in cursor.execute(f'SELECT {p.expr}, a0.id, a0.rev FROM "{name}" a0 {p.joins} {where}',
                                               params):
            if org is not None:
                acc = sums.setdefault(org, [0, 0])
                acc[0] += int.from_bytes(hashlib.sha256(f"{name}|{row_id}|{rev}".encode()).digest()[:16], "big")
                acc[1] += 1
    result = {o: (f"{v[0] % MOD:032x}", v[1]) for o, v in sums.items()}
    for org in wanted or ():
        result.setdefault(org, (EMPTY, 0))
    return result


digests = full_digests  # the name the state-machine test compares with


_SLICE = "(t TEXT NOT NULL, id TEXT NOT NULL, prev INTEGER NOT NULL, PRIMARY KEY (t, id)) WITHOUT ROWID"


class _State:
    """``village_digest`` in memory while it is brought up to date."""

    def __init__(self, cursor: Cursor) -> None:
        self.sums: dict[str, list[int]] = {}
        through = None
        for org, digest, rows, through_json in cursor.execute(
                "SELECT organisation_id, digest, rows, through_json FROM village_digest"):
            self.sums[org] = [int(digest, 16), int(rows)]
            through = through_json
        self.through: dict[str, int] | None = None if through is None else {
            o: int(n) for o, n in json.loads(through).items()}
        self.changed: set[str] = set()

    def add(self, cursor: Cursor, slice_table: str) -> bool:
        """Add each named row's change (prev → its current rev) to its village; False when a named
        row no longer exists (removed behind the program's back: only a full recompute is right)."""
        paths = org_paths()
        for (name,) in cursor.execute(f"SELECT DISTINCT t FROM {slice_table}").fetchall():
            p = paths.get(name)
            if p is None:
                continue
            if cursor.execute(f'SELECT 1 FROM {slice_table} s WHERE s.t = ? AND NOT EXISTS '
                              f'(SELECT 1 FROM "{name}" WHERE id = s.id) LIMIT 1', (name,)).fetchone():
                return False
            sql = (f'SELECT {p.expr}, a0.id, a0.rev, s.prev FROM {slice_table} s JOIN "{name}" a0 ON a0.id = s.id '
                   f"{p.joins} WHERE s.t = ? AND a0.rev != s.prev")
            sha, frm = hashlib.sha256, int.from_bytes
            for org, row_id, rev, prev in cursor.execute(sql, (name,)):
                if org is None:
                    continue
                acc = self.sums.setdefault(org, [0, 0])
                acc[0] += frm(sha(f"{name}|{row_id}|{rev}".encode()).digest()[:16], "big")
                if prev:
                    acc[0] -= frm(sha(f"{name}|{row_id}|{prev}".encode()).digest()[:16], "big")
                else:
                    acc[1] += 1
                self.changed.add(org)
        return True

    def digests(self) -> Digests:
        return {o: (f"{v[0] % MOD:032x}", v[1]) for o, v in self.sums.items()}

    def store(self, cursor: Cursor, through: dict[str, int], whole: bool) -> None:
        text = json.dumps(dict(sorted(through.items())), separators=(",", ":"))
        if whole:
            cursor.execute("DELETE FROM village_digest")
        rows = [(o, f"{v[0] % MOD:032x}", v[1], text) for o, v in sorted(self.sums.items())
                if whole or o in self.changed]
        cursor.executemany("INSERT INTO village_digest (organisation_id, digest, rows, through_json) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT(organisation_id) DO UPDATE SET "
                           "digest = excluded.digest, rows = excluded.rows, through_json = excluded.through_json",
                           rows)
        if not whole and through != self.through:
            cursor.execute("UPDATE village_digest SET through_json = ?", (text,))


def _counters(cursor: Cursor) -> dict[str, int]:
    return {o: int(n) for o, n in cursor.execute("SELECT origin, last_seq FROM sync_counter")}


def _brought_up(cursor: Cursor) -> tuple[_State, dict[str, int], bool]:
    """The maintained digests as of our counters (the state, the counters, whether recomputed whole)."""
    state, counters = _State(cursor), _counters(cursor)
    if state.through is not None and state.through == counters:
        return state, counters, False
    if state.through is not None:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS digest_log {_SLICE}")
        cursor.execute("DELETE FROM temp.digest_log")
        for origin, last in sorted(counters.items()):
            after = state.through.get(origin, 0)
            if last > after:
                cursor.execute("INSERT INTO temp.digest_log (t, id, prev) SELECT table_name, row_id, MIN(prev_rev) "
                               "FROM change_log WHERE origin = ? AND seq > ? GROUP BY table_name, row_id "
                               "ON CONFLICT(t, id) DO UPDATE SET prev = MIN(digest_log.prev, excluded.prev)", (origin, after))
        ok = state.add(cursor, "temp.digest_log")
        cursor.execute("DELETE FROM temp.digest_log")
        if ok:
            return state, counters, False
    state.sums = {o: [int(d, 16), n] for o, (d, n) in full_digests(cursor).items()}
    return state, counters, True


def refresh_digests(cursor: Cursor) -> Digests:
    """Bring ``village_digest`` up to our counters and return every village's digest.

    From the change-log records after the vector it covers: each row they name adds h(its current
    rev) and takes away h(the ``prev_rev`` of its first record in the slice) (0: a new row,
    counted). That is exact for our own records, whose revs chain; the apply path keeps the
    records it appends covered itself (:func:`apply_row_deltas`). On first use (no vector) or
    when a named row is gone, recomputed whole."""
    state, counters, whole = _brought_up(cursor)
    if whole or state.through != counters or state.changed:
        state.store(cursor, counters, whole)
    return state.digests()


def maintained_digests(cursor: Cursor, orgs: Iterable[str]) -> Digests:
    """The up-to-date digests of the given villages (kept in ``village_digest``)."""
    found = refresh_digests(cursor)
    return {o: found.get(o, (EMPTY, 0)) for o in sorted(set(orgs))}


def pending_digests(cursor: Cursor) -> Digests:
    """What :func:`refresh_digests` would give, without writing (``verify``); {} when nothing is kept."""
    if cursor.execute("SELECT 1 FROM village_digest LIMIT 1").fetchone() is None:
        return {}
    return _brought_up(cursor)[0].digests()


ROWS_BEFORE = "temp.sync_rows"  # (t, id, prev): the rows an apply wrote, with their rev before it


def start_row_deltas(cursor: Cursor) -> None:
    """Before an apply writes rows: the maintained digests up to date, the before-table empty
    (the caller empties it again when done: it also tells which rows the package wrote)."""
    refresh_digests(cursor)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS sync_rows {_SLICE}")
    cursor.execute(f"DELETE FROM {ROWS_BEFORE}")


def note_rows_before(cursor: Cursor, table: str, ids: str) -> bool:
    """Keep the revs of the rows about to be upserted that exist, ``ids`` a JSON array of their
    ids (one statement); a row named twice keeps its first (the state before the package). True
    when any existed."""
    cursor.execute(f'INSERT OR IGNORE INTO {ROWS_BEFORE} (t, id, prev) SELECT ?, a.id, a.rev FROM "{table}" a '
                   "WHERE a.id IN (SELECT value FROM json_each(?))", (table, ids))
    return cursor.rowcount > 0


def note_rows_new(cursor: Cursor, table: str, ids: str) -> None:
    """After the upsert: the rows of ``ids`` not noted before were new (rev before: 0)."""
    cursor.execute(f"INSERT OR IGNORE INTO {ROWS_BEFORE} (t, id, prev) SELECT ?, value, 0 FROM json_each(?)",
                   (table, ids))


def apply_row_deltas(cursor: Cursor, new: NewRows | None = None) -> None:
    """After an apply wrote its rows and records: each noted row's change (rev before → rev now)
    and the shares of the rows ``new`` counted added to their villages, and the vector covered
    moved to our counters. (The kept state was made exact by :func:`start_row_deltas`, even when
    it holds no village yet: an empty district's first package costs the package, not a
    recompute of the file.)"""
    state, counters = _State(cursor), _counters(cursor)
    if not state.add(cursor, ROWS_BEFORE):
        state.sums = {o: [int(d, 16), n] for o, (d, n) in full_digests(cursor).items()}
        state.store(cursor, counters, True)
    else:
        for org, (share, rows) in (new.sums if new is not None else {}).items():
            acc = state.sums.setdefault(org, [0, 0])
            acc[0] += share
            acc[1] += rows
            state.changed.add(org)
        state.store(cursor, counters, False)


class NewRows:
    """Rows an apply inserted where no row was held before (a seed, a village new here): their
    digest shares and per-village counts taken from the decoded values as they are written,
    instead of noted in :data:`ROWS_BEFORE` and read back. Only for tables whose rows name
    their village or book themselves (:meth:`add` says False otherwise: note them)."""

    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self.sums: dict[str, list[int]] = {}  # village → [sum of shares, rows]
        self.rows: dict[str, dict[str, int]] = {}  # village → table → rows
        self._books: dict[str, str] = {}

    def _book_orgs(self, books: Iterable[Any]) -> dict[str, str] | None:
        if not set(books) <= self._books.keys():  # books of this package are written before their rows
            self._books = dict(self.cursor.execute("SELECT id, organisation_id FROM book"))
            if not set(books) <= self._books.keys():
                return None
        return self._books

    def add(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
        """Count rows just inserted (none held before, each once); False (nothing counted) when
        their village is not in the row itself or a value is not of its stored type."""
        path = org_paths().get(table)
        if path is None:
            return True  # a row of no village (region)
        if path.column is None or not rows:
            return not rows
        ids = list(map(itemgetter(columns.index("id")), rows))
        revs = list(map(itemgetter(columns.index("rev")), rows))
        keys = list(map(itemgetter(columns.index(path.column)), rows))
        if set(map(type, revs)) != {int} or set(map(type, ids)) != {str}:
            return False  # the text hashed must be the stored one (verify recomputes it from the file)
        if path.via_book:
            books = self._book_orgs(keys)
            if books is None:
                return False
            keys = [books[k] for k in keys]
        sha, frm = hashlib.sha256, int.from_bytes
        shares = [frm(sha(f"{table}|{i}|{r}".encode()).digest()[:16], "big") for i, r in zip(ids, revs, strict=True)]
        villages = Counter(keys)
        if len(villages) == 1:  # a batch is mostly one book's rows
            by_org = {keys[0]: sum(shares)}
        else:
            by_org = dict.fromkeys(villages, 0)
            for org, share in zip(keys, shares, strict=True):
                by_org[org] += share
        for org, n in villages.items():
            if org is not None:
                acc = self.sums.setdefault(org, [0, 0])
                acc[0] += by_org[org]
                acc[1] += n
                per = self.rows.setdefault(org, {})
                per[table] = per.get(table, 0) + n
        return True


def stored_digests(cursor: Cursor, orgs: Iterable[str]) -> Digests:
    """The kept digests of the given villages as they stand (after :func:`apply_row_deltas`)."""
    found = {o: (d, int(n)) for o, d, n in cursor.execute("SELECT organisation_id, digest, rows FROM village_digest")}
    return {o: found.get(o, (EMPTY, 0)) for o in sorted(set(orgs))}


@cache
def _columns() -> dict[str, frozenset[str]]:
    return {t.name: frozenset(c.name for c in t.columns) for t in syncable_tables()}


def table_columns(table: str) -> frozenset[str] | None:
    """The columns of a syncable table in this program's schema (None: not a syncable table)."""
    return _columns().get(table)


def rows_per_org(cursor: Cursor, ids_table: str) -> dict[str, dict[str, int]]:
    """Village → table → rows, of the rows named in a temp table ``(t, id)``."""
    out: dict[str, dict[str, int]] = {}
    paths = org_paths()
    for name in [r[0] for r in cursor.execute(f"SELECT DISTINCT t FROM {ids_table}")]:
        p = paths.get(name)
        if p is None:
            continue
        sql = (f'SELECT {p.expr}, COUNT(*) FROM "{name}" a0 {p.joins} '
               f"WHERE a0.id IN (SELECT id FROM {ids_table} WHERE t = ?) GROUP BY 1")
        for org, n in cursor.execute(sql, (name,)):
            if org is not None:
                out.setdefault(org, {})[name] = n
    return out
