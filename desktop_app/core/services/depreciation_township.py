"""计提 a month's depreciation for every book of a township in one go (the 资产 page's
全乡镇计提折旧): :func:`depreciation.run_depreciation_books` for the books that may run, and
for each book what it charged (cards, amount, voucher number), what it had charged before, that
it had nothing to charge, or why it was refused.

The checks, book by book, in this order (all reads, made before anything is written; a book found
refused is left out of the one run, the others still run):

1. the month already has the book's depreciation voucher: 此前已计提（记-00xx）, its stored figures
   shown, nothing charged twice — whether or not the month is closed since;
2. a card of it has an earlier month never charged (``compute_charges_books`` names the card): refused;
3. no card is due this month: 无需计提 (not a refusal, even in a closed month);
4. the month is closed (``ensure_period_open``): refused, saying it must be reopened first.

The user must be a 制单 role (the run's own check) and may run only the organisations the user is
limited to (``user_organisations``). Books come in the navigation tree's order (``list_organisations``:
region code, then USCC; each organisation's books in code order)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AssetDepreciation, Voucher
from desktop_app.core.errors import UserError
from desktop_app.core.periods import period_label
from desktop_app.core.rows import UserRow
from desktop_app.core.services import depreciation as dep
from desktop_app.core.services.auth import require_role, user_organisations
from desktop_app.core.services.orgs import list_books, list_organisations
from desktop_app.core.services.periods import ensure_period_open
from desktop_app.core.services.vouchers import MAKER_ROLES

NOTHING_DUE = "无需计提（没有应计提的资产）"


@dataclass(frozen=True)
class BookRunLine:
    organisation: str  # 东湖村股份经济合作社
    book: str  # 01 东湖村股份经济合作社
    cards: int  # cards charged this run, or by the run found already there (0: nothing due, or refused)
    amount: Decimal
    voucher_code: str | None  # the run's voucher (this run's or the one found already there)
    already: bool  # the month had a run before: found, nothing charged twice
    refused: str | None  # why this book did not run (Chinese), None if it ran

    @property
    def charged(self) -> bool:
        """This run charged the book (a new voucher)."""
        return self.refused is None and not self.already and self.cards > 0

    @property
    def result(self) -> str:
        if self.refused is not None:
            return f"未计提：{self.refused}"
        if self.already:
            return f"此前已计提（{self.voucher_code}），未重复生成" if self.voucher_code else "此前已计提，未重复生成"
        return "已计提" if self.cards else NOTHING_DUE


@dataclass(frozen=True)
class TownshipRun:
    period: str
    lines: tuple[BookRunLine, ...]

    @property
    def charged(self) -> tuple[BookRunLine, ...]:
        """Books this run charged."""
        return tuple(ln for ln in self.lines if ln.charged)

    @property
    def already(self) -> tuple[BookRunLine, ...]:
        """Books whose month was charged before (nothing charged twice)."""
        return tuple(ln for ln in self.lines if ln.refused is None and ln.already)

    @property
    def nothing_due(self) -> tuple[BookRunLine, ...]:
        return tuple(ln for ln in self.lines if ln.refused is None and not ln.already and not ln.cards)

    @property
    def refused(self) -> tuple[BookRunLine, ...]:
        return tuple(ln for ln in self.lines if ln.refused is not None)

    @property
    def cards(self) -> int:
        """Cards this run charged."""
        return sum(ln.cards for ln in self.charged)

    @property
    def amount(self) -> Decimal:
        """What this run charged."""
        return sum((ln.amount for ln in self.charged), Decimal("0"))

    @property
    def already_cards(self) -> int:
        return sum(ln.cards for ln in self.already)

    @property
    def already_amount(self) -> Decimal:
        return sum((ln.amount for ln in self.already), Decimal("0"))


def run_township_depreciation(session: Session, *, organisation_ids: Sequence[uuid.UUID], period: str,
                              user: UserRow) -> TownshipRun:
    require_role(session, user, *MAKER_ROLES)
    only = user_organisations(session, user.id)
    asked = set(organisation_ids)
    orgs = [o for o in list_organisations(session) if o.id in asked and (not only or o.id in only)]  # tree order
    names = {o.id: o.name for o in orgs}
    books = [b for o in orgs for b in list_books(session, o.id)]
    book_names = {b.id: (names[b.organisation_id], f"{b.code} {b.name}") for b in books}
    closed: dict[uuid.UUID, str] = {}
    for book in books:
        try:
            ensure_period_open(session, book.id, period)
        except UserError as err:
            closed[book.id] = _closed_reason(str(err), period)
    ids = [b.id for b in books]
    ran_before = _run_vouchers(session, ids, period)
    todo = [b for b in ids if b not in ran_before]
    refused: dict[uuid.UUID, str] = {}
    due: dict[uuid.UUID, int] = {}
    try:
        found = dep.compute_charges_books(session, todo, period)  # reads only: the whole township at once
    except UserError:  # some book cannot run: find which, one book at a time
        found = {}
        for b in todo:
            try:
                found.update(dep.compute_charges_books(session, [b], period))
            except UserError as err:
                refused[b] = str(err)
    for b, charges in found.items():
        due[b] = len(charges)
        if charges and b in closed:
            refused[b] = closed[b]
    # a book charged before runs again only while its month is open (the run finds its voucher, or
    # brings a reversed run's lines back); in a closed month its stored figures are shown
    ready = [b for b in ids if b not in refused and (b in ran_before or due.get(b)) and b not in closed]
    charges_of = dep.run_depreciation_books(session, book_ids=ready, period=period, user=user) if ready else {}
    stored = _stored(session, [b for b in ran_before if b not in charges_of], period)
    codes = _run_vouchers(session, ids, period)
    lines = []
    for b in ids:
        org_name, book_name = book_names[b]
        if b in charges_of:
            got = charges_of[b]
            cards, amount = len(got), sum((c.amount for c in got), Decimal("0"))
        else:
            cards, amount = stored.get(b, (0, Decimal("0")))
        lines.append(BookRunLine(org_name, book_name, cards, amount, codes.get(b), b in ran_before, refused.get(b)))
    return TownshipRun(period, tuple(lines))


def _closed_reason(message: str, period: str) -> str:
    """ensure_period_open's refusal in words about 计提 (a closed month; other refusals as they are)."""
    if "已结账，不能修改" in message:
        return f"{period_label(period)}已结账，不能再计提本月折旧；需先由审核员反结账，再计提"
    return message


def _stored(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, tuple[int, Decimal]]:
    """Book -> (cards, amount) of the month's depreciation as stored (a run found in a closed month)."""
    if not book_ids:
        return {}
    rows = session.execute(select(AssetDepreciation.book_id, func.count(), func.sum(AssetDepreciation.amount))
                           .where(AssetDepreciation.book_id.in_(list(book_ids)), AssetDepreciation.period == period,
                                  AssetDepreciation.deleted.is_(False))
                           .group_by(AssetDepreciation.book_id))
    return {b: (n, Decimal(total or 0)) for b, n, total in rows}


def _run_vouchers(session: Session, book_ids: Sequence[uuid.UUID], period: str) -> dict[uuid.UUID, str]:
    """Book -> the code of its standing depreciation voucher for ``period``."""
    if not book_ids:
        return {}
    sources = [dep.run_source_id(b, period) for b in book_ids]
    rows = session.execute(select(Voucher.book_id, Voucher.number).where(
        Voucher.source_kind == dep.SOURCE_KIND, Voucher.source_id.in_(sources), Voucher.status != "作废"))
    return {book_id: f"记-{number:04d}" for book_id, number in rows}  # as VoucherRow.code reads
