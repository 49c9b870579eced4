"""A closed month's seal (封存哈希, DESIGN-NOTES): SHA-256 over the canonical JSON of what its
statements read: its vouchers (with maker, reviewer and poster) and entries, the book's opening
balances, and the account tree of every account used so far. ``periods.close_period`` stores it;
``verify_period_seals`` recomputes every seal, so a closed month edited behind the program's back
is reported by ``verify``. Split from ``periods`` (DESIGN §9)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Integer,
    String,
    TypeDecorator,
    bindparam,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from db.images import canonical_json
from db.models import Account, Book, Entry, OpeningBalance, Period, Voucher
from desktop_app.core.services.funds_base import period_label, reads

SEAL_FORMAT = 2  # 1: vouchers and entries only (the first release); 2: + people, opening balances, accounts


BOOKS: BindParameter[Any] = bindparam("books", expanding=True)


class _HexText(TypeDecorator[str]):
    """A UUID column's 32 hex digits on either engine: SQLite stores that text, PostgreSQL's
    driver hands back a ``uuid.UUID`` (the seal images must hash the same ids on both)."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return value.hex if isinstance(value, uuid.UUID) else value


def as_stored_text(column: Any) -> Any:
    """``column`` as its stored text (a UUID's 32 hex digits, what ``uuid.UUID.hex`` gives)."""
    return type_coerce(column, _HexText())


def as_stored_fen(column: Any) -> Any:
    """A money ``column`` as its stored integer 分 (what ``to_scaled_int(value, 2)`` gives)."""
    return type_coerce(column, Integer)


_SEAL_VOUCHERS = (
    select(Voucher.book_id, Voucher.period, Voucher.id, Voucher.number, Voucher.voucher_date, Voucher.summary,
           Voucher.status, Voucher.attachments, Voucher.reversal_of_id, Voucher.source_kind, Voucher.source_id,
           Voucher.flags, Voucher.deleted, Voucher.maker_id, Voucher.maker_name, Voucher.reviewer_id,
           Voucher.reviewer_name, Voucher.poster_name)
    .where(Voucher.book_id.in_(BOOKS), Voucher.period >= bindparam("lo"), Voucher.period <= bindparam("hi"))
    .order_by(Voucher.book_id, Voucher.period, Voucher.number))
_SEAL_ENTRIES = (
    select(Entry.voucher_id, Entry.line_no, Account.code, as_stored_fen(Entry.debit), as_stored_fen(Entry.credit), Entry.summary,
           Entry.counterparty, Entry.project_id, Entry.contract_id, Entry.asset_id, Entry.deleted)
    .join(Account, Account.id == Entry.account_id)
    .where(Entry.book_id.in_(BOOKS), Entry.period >= bindparam("lo"), Entry.period <= bindparam("hi"))
    .order_by(Entry.voucher_id, Entry.line_no))

Wanted = dict[uuid.UUID, list[str]]  # book id -> its months


def voucher_images(conn: Session | Connection, book_id: uuid.UUID,
                    periods: list[str]) -> tuple[dict[str, list[object]], dict[str, list[object]]]:
    """The canonical content of each month of a book (see :func:`_voucher_images_of`)."""
    out, people = _voucher_images_of(conn, {book_id: periods})
    return {p: out[(book_id, p)] for p in periods}, {p: people[(book_id, p)] for p in periods}


def _voucher_images_of(conn: Session | Connection, wanted: Wanted
                       ) -> tuple[dict[tuple[uuid.UUID, str], list[object]], dict[tuple[uuid.UUID, str], list[object]]]:
    """The canonical content of each (book, month): its vouchers (by number), each with its lines;
    and, aligned with them, who made, reviewed and posted each voucher."""
    every = sorted({p for ps in wanted.values() for p in ps})
    span = {"books": list(wanted), "lo": every[0], "hi": every[-1]}
    conn = reads(conn)
    vouchers = conn.execute(_SEAL_VOUCHERS, span).all()
    lines: dict[uuid.UUID, list[object]] = {}
    for e in conn.execute(_SEAL_ENTRIES, span):
        lines.setdefault(e[0], []).append(list(e[1:]))
    out: dict[tuple[uuid.UUID, str], list[object]] = {(b, p): [] for b, ps in wanted.items() for p in ps}
    people: dict[tuple[uuid.UUID, str], list[object]] = {key: [] for key in out}
    for v in vouchers:
        key = (v[0], v[1])
        if key in out:
            out[key].append([*v[2:13], lines.get(v[2], [])])
            people[key].append(list(v[13:]))
    return out, people


# Ids only link rows here (they are not part of the image), so they are read as the stored text
# (no uuid.UUID per row: most of the cost over a township's charts); amounts as stored 分.
_SEAL_ACCOUNTS = select(as_stored_text(Account.book_id), as_stored_text(Account.id), Account.code, as_stored_text(Account.parent_id),
                        Account.category, Account.normal_side, Account.level,
                        Account.deleted).where(Account.book_id.in_(BOOKS))
_SEAL_OPENING = (select(as_stored_text(OpeningBalance.book_id), Account.code, as_stored_text(OpeningBalance.account_id),
                        as_stored_fen(OpeningBalance.debit), as_stored_fen(OpeningBalance.credit))
                 .join(Account, Account.id == OpeningBalance.account_id)
                 .where(OpeningBalance.book_id.in_(BOOKS), OpeningBalance.deleted.is_(False))
                 .order_by(OpeningBalance.book_id, Account.code, OpeningBalance.account_id))
_SEAL_FIRST_USED = (select(as_stored_text(Entry.book_id), as_stored_text(Entry.account_id), func.min(Entry.period))  # ix_entry_book_account_period
                    .where(Entry.book_id.in_(BOOKS)).group_by(Entry.book_id, Entry.account_id))


def _book_images(conn: Session | Connection, wanted: Wanted
                 ) -> tuple[dict[uuid.UUID, list[object]], dict[tuple[uuid.UUID, str], list[object]]]:
    """Each book's opening balances, and for each of its months the account tree of every account
    used up to the end of that month (entries or opening balance) with its ancestors.

    Accounts first used later are left out, so adding a sub-account never changes a closed
    month's seal; changing an account a closed month's figures depend on does.
    """
    conn = reads(conn)
    books = {"books": list(wanted)}
    book_of = {b.hex: b for b in wanted}  # stored text -> the caller's id
    accounts: dict[uuid.UUID, dict[str, Any]] = {b: {} for b in wanted}
    for r in conn.execute(_SEAL_ACCOUNTS, books):
        accounts[book_of[r[0]]][r[1]] = r[1:]
    opening: dict[uuid.UUID, list[Any]] = {b: [] for b in wanted}
    for o in conn.execute(_SEAL_OPENING, books):
        opening[book_of[o[0]]].append(o[1:])
    first_used: dict[uuid.UUID, dict[str, str]] = {b: {} for b in wanted}
    for b, a, p in conn.execute(_SEAL_FIRST_USED, books):
        first_used[book_of[b]][a] = p

    def image(book_id: uuid.UUID, period: str) -> list[object]:
        tree = accounts[book_id]
        used = {r[1] for r in opening[book_id]} | {a for a, p in first_used[book_id].items() if p <= period}
        closure: set[str] = set()
        for a in used:
            node: str | None = a
            while node is not None and node in tree and node not in closure:
                closure.add(node)
                node = tree[node][2]
        rows = sorted((tree[a] for a in closure), key=lambda r: (str(r[1]), str(r[0])))
        return [[r[1], tree[r[2]][1] if r[2] in tree else None, r[3], r[4], r[5], r[6]] for r in rows]

    images: dict[uuid.UUID, list[object]] = {b: [[r[0], r[2], r[3]] for r in opening[b]] for b in wanted}
    return images, {(b, p): image(b, p) for b, ps in wanted.items() for p in ps}


def _seal(payload: dict[str, object]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


_SEALS_STORED = select(Period.book_id, Period.period, Period.seal_hash).where(
    Period.book_id.in_(BOOKS), Period.period.in_(bindparam("periods", expanding=True)),
    Period.status == "closed")


def compute_period_seals(conn: Session | Connection, book_id: uuid.UUID, periods: list[str]) -> dict[str, str]:
    """SHA-256 over the canonical JSON of each month's content (a handful of queries in all).

    A month the first release sealed (format 1: vouchers and entries only) keeps being checked
    in that format as long as its content matches it; everything sealed now uses format 2.
    """
    return {p: h for (_, p), h in compute_period_seals_of(conn, {book_id: periods}).items()}


def compute_period_seals_of(conn: Session | Connection, wanted: Wanted) -> dict[tuple[uuid.UUID, str], str]:
    """:func:`compute_period_seals` of many books' months in the same handful of queries."""
    wanted = {b: ps for b, ps in wanted.items() if ps}
    if not wanted:
        return {}
    vouchers, people = _voucher_images_of(conn, wanted)
    opening, accounts = _book_images(conn, wanted)
    seals = {(b, p): _seal({"format": SEAL_FORMAT, "book": str(b), "period": p, "vouchers": vouchers[(b, p)],
                            "people": people[(b, p)], "opening": opening[b], "accounts": accounts[(b, p)]})
             for b, ps in wanted.items() for p in ps}
    every = sorted({p for ps in wanted.values() for p in ps})
    for b, p, h in reads(conn).execute(_SEALS_STORED, {"books": list(wanted), "periods": every}):
        if (b, p) in seals and h != seals[(b, p)]:
            legacy = _seal({"book": str(b), "period": p, "vouchers": vouchers[(b, p)]})
            if legacy == h:
                seals[(b, p)] = legacy
    return seals


def compute_period_seal(conn: Session | Connection, book_id: uuid.UUID, period: str) -> str:
    return compute_period_seals(conn, book_id, [period])[period]


def verify_period_seals(conn: Connection) -> list[str]:
    """Recompute the seal of every closed month; name each one that no longer matches."""
    problems: list[str] = []
    rows = conn.execute(select(Period.book_id, Period.period, Period.seal_hash)
                        .where(Period.status == "closed").order_by(Period.book_id, Period.period)).all()
    by_book: dict[uuid.UUID, list[str]] = {}
    for book_id, period, _ in rows:
        by_book.setdefault(book_id, []).append(period)
    actual = {(b, p): h for b, ps in by_book.items() for p, h in compute_period_seals(conn, b, ps).items()}
    names: dict[uuid.UUID, str] = {}
    for book_id, period, seal in rows:
        if actual[(book_id, period)] != seal:
            if book_id not in names:
                names[book_id] = conn.execute(select(Book.name).where(Book.id == book_id)).scalar() or str(book_id)
            problems.append(f"账套“{names[book_id]}”{period_label(period)}已结账，但其凭证与结账时的封存哈希不符："
                            "凭证或分录已被程序以外的方式修改")
    return problems[:100]
