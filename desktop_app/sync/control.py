"""Control totals, village state digests and the row → village mapping (one function each,
the same on the sending and the receiving side).

* Control totals per (book, month): posted vouchers (``voucher``), entry lines and the sums of
  debit and credit read from the month summary ``account_period_total`` — so that the receiver,
  which rebuilds its summary after applying a package (``balances.rebuild_totals``), checks the
  rebuilt summary itself against the sender's.
* A village's state digest: SHA-256 over its syncable rows as (table, id, rev, deleted), each
  table's rows in id order, tables in name order. The concatenation is done by SQLite
  (``group_concat`` over an ordered sub-select), the hash by hashlib: no Python per row.
* Which village a row belongs to: its ``organisation_id``, its book's, or its parent row's
  (followed through the foreign keys once per table, :func:`org_paths`). ``region`` rows belong
  to no village.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Table

from db.base import Base, is_syncable

POSTED = "记账"


@dataclass(frozen=True)
class OrgPath:
    """How to reach a table's village: ``FROM "table" a0 {joins}`` gives ``{expr}``."""

    joins: str
    expr: str


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
            paths[t.name] = OrgPath(" ".join(found[0]), found[1])
    return paths


def touched_orgs(cursor: sqlite3.Cursor, ids_table: str) -> set[str]:
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


def books_of(cursor: sqlite3.Cursor, orgs: Iterable[str]) -> dict[str, str]:
    """Book id hex → its organisation id hex, for the given villages."""
    found: dict[str, str] = {}
    orgs = sorted(orgs)
    for i in range(0, len(orgs), 500):
        part = orgs[i:i + 500]
        found.update(cursor.execute(
            f"SELECT id, organisation_id FROM book WHERE organisation_id IN ({','.join('?' * len(part))})", part))
    return found


Totals = dict[tuple[str, str], tuple[int, int, int, int]]


def control_totals(cursor: sqlite3.Cursor, books: Iterable[str]) -> Totals:
    """(book hex, period) → (posted vouchers, entry lines, debit 分, credit 分); all-zero months left out."""
    books = sorted(books)
    out: dict[tuple[str, str], list[int]] = {}
    for i in range(0, len(books), 500):
        part = books[i:i + 500]
        marks = ",".join("?" * len(part))
        for book, period, n in cursor.execute(
                f"SELECT book_id, period, COUNT(*) FROM voucher WHERE status = ? AND deleted = 0 "
                f"AND book_id IN ({marks}) GROUP BY book_id, period", [POSTED, *part]):
            out.setdefault((book, period), [0, 0, 0, 0])[0] = n
        for book, period, lines, debit, credit in cursor.execute(
                f"SELECT book_id, period, SUM(lines), SUM(debit), SUM(credit) FROM account_period_total "
                f"WHERE book_id IN ({marks}) GROUP BY book_id, period", part):
            row = out.setdefault((book, period), [0, 0, 0, 0])
            row[1], row[2], row[3] = int(lines or 0), int(debit or 0), int(credit or 0)
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items() if any(v)}


def digests(cursor: sqlite3.Cursor, orgs: Iterable[str] | None) -> dict[str, tuple[str, int]]:
    """Village (organisation id hex) → (SHA-256 hex of its rows, row count). ``None``: every village."""
    wanted = None if orgs is None else sorted(orgs)
    parts: dict[str, list[tuple[str, str]]] = {}
    counts: dict[str, int] = {}
    for name, p in sorted(org_paths().items()):
        where, params = "", []
        if wanted is not None:
            if not wanted:
                break
            where = f"WHERE {p.expr} IN ({','.join('?' * len(wanted))})"
            params = wanted
        sql = (f"SELECT org, group_concat(line, ';'), COUNT(*) FROM ("
               f"SELECT {p.expr} AS org, a0.id || ',' || a0.rev || ',' || a0.deleted AS line "
               f'FROM "{name}" a0 {p.joins} {where} ORDER BY org, a0.id) GROUP BY org')
        for org, text, n in cursor.execute(sql, params):
            if org is None:
                continue
            parts.setdefault(org, []).append((name, text))
            counts[org] = counts.get(org, 0) + n
    result: dict[str, tuple[str, int]] = {}
    for org, tables in parts.items():
        h = hashlib.sha256()
        for name, text in tables:
            h.update(f"{name}\n{text}\n".encode())
        result[org] = (h.hexdigest(), counts[org])
    if wanted is not None:
        for org in wanted:
            result.setdefault(org, (hashlib.sha256().hexdigest(), 0))
    return result


@cache
def _columns() -> dict[str, frozenset[str]]:
    return {t.name: frozenset(c.name for c in t.columns) for t in syncable_tables()}


def table_columns(table: str) -> frozenset[str] | None:
    """The columns of a syncable table in this program's schema (None: not a syncable table)."""
    return _columns().get(table)


def rows_per_org(cursor: sqlite3.Cursor, ids_table: str) -> dict[str, dict[str, int]]:
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
