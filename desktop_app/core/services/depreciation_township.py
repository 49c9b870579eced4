"""计提 a month's depreciation for every book of a township in one go (the 资产 page's
全乡镇计提折旧): :func:`depreciation.run_depreciation_books` for the books that may run, and
for each book what it charged (cards, amount, voucher number) or why it was refused.

A book is refused, and the others still run, when its month is closed (``ensure_period_open``)
or a card of it has an earlier month never charged (``compute_charges_books`` names the card).
Both checks are reads made before anything is written; a book found refused is left out of the
one run. The user must be a 制单 role (the run's own check) and may run only the organisations
the user is limited to (``user_organisations``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Voucher
from desktop_app.core.errors import UserError
from desktop_app.core.rows import UserRow
from desktop_app.core.services import depreciation as dep
from desktop_app.core.services.auth import require_role, user_organisations
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.vouchers import MAKER_ROLES


@dataclass(frozen=True)
class BookRunLine:
    organisation: str  # 东湖村股份经济合作社
    book: str  # 01 东湖村股份经济合作社
    cards: int  # cards charged (0: nothing due, or refused)
    amount: Decimal
    voucher_code: str | None  # the run's voucher (this run's or the one found already there)
    already: bool  # the month had a run before: found, nothing charged twice
    refused: str | None  # why this book did not run (Chinese), None if it ran

    @property
    def result(self) -> str:
        if self.refused is not None:
            return f"未计提：{self.refused}"
        if self.already:
            return "此前已计提，未重复生成"
        return "已计提" if self.cards else "没有需要计提的资产"


@dataclass(frozen=True)
class TownshipRun:
    period: str
    lines: tuple[BookRunLine, ...]

    @property
    def charged(self) -> tuple[BookRunLine, ...]:
        return tuple(ln for ln in self.lines if ln.refused is None and ln.cards and not ln.already)

    @property
    def refused(self) -> tuple[BookRunLine, ...]:
        return tuple(ln for ln in self.lines if ln.refused is not None)

    @property
    def cards(self) -> int:
        return sum(ln.cards for ln in self.charged)

    @property
    def amount(self) -> Decimal:
        return sum((ln.amount for ln in self.charged), Decimal("0"))


def run_township_depreciation(session: Session, *, organisation_ids: Sequence[uuid.UUID], period: str,
                              user: UserRow) -> TownshipRun:
    require_role(session, user, *MAKER_ROLES)
    only = user_organisations(session, user.id)
    orgs = {o.id: o for o in list_organisations(session)}
    wanted = [o for o in organisation_ids if o in orgs and (not only or o in only)]
    books = [b for o in wanted for b in list_books(session, o)]
    names = {b.id: (orgs[b.organisation_id].name, f"{b.code} {b.name}") for b in books}
    refused: dict[uuid.UUID, str] = {}
    for book in books:
        try:
            ensure_period_open(session, book.id, period)
        except UserError as err:
            refused[book.id] = str(err)
    ready = [book.id for book in books if book.id not in refused]
    ran_before = _run_vouchers(session, ready, period)
    todo = [b for b in ready if b not in ran_before]
    try:
        dep.compute_charges_books(session, todo, period)  # reads only: the whole township at once
    except UserError:  # some book cannot run: find which, one book at a time
        for b in todo:
            try:
                dep.compute_charges_books(session, [b], period)
            except UserError as err:
                refused[b] = str(err)
    ready = [b for b in ready if b not in refused]
    charges = dep.run_depreciation_books(session, book_ids=ready, period=period, user=user) if ready else {}
    codes = _run_vouchers(session, ready, period)
    lines = []
    for book in books:
        org_name, book_name = names[book.id]
        got = charges.get(book.id, ())
        lines.append(BookRunLine(org_name, book_name, len(got), sum((c.amount for c in got), Decimal("0")),
                                 codes.get(book.id), book.id in ran_before, refused.get(book.id)))
    return TownshipRun(period, tuple(lines))


def _run_vouchers(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, str]:
    """Book -> the code of its standing depreciation voucher for ``period``."""
    if not book_ids:
        return {}
    sources = [dep.run_source_id(b, period) for b in book_ids]
    rows = session.execute(select(Voucher.book_id, Voucher.number).where(
        Voucher.source_kind == dep.SOURCE_KIND, Voucher.source_id.in_(sources), Voucher.status != "作废"))
    return {book_id: f"记-{number:04d}" for book_id, number in rows}  # as VoucherRow.code reads
