"""What the district received (issue #13, 数据接收): the packages in ``sync_inbox`` with their
control totals and per-village reconciliation, and the district's own check of what it holds —
each township's audit chain as received (numbered from 1, every entry linked to the one before)
and every closed month's period seal recomputed from the rows it now holds.

Read-only; the sync tables are read directly (the apply path is their only writer).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import GENESIS
from db.models import Book, Period, ReceivedAudit, ReceivedControlTotal, SyncInbox, SyncPartner
from desktop_app.core.progress import Progress
from desktop_app.core.services.district_common import places
from desktop_app.core.services.period_seals import compute_period_seals_of

OK = "✓"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class VillageReceipt:
    organisation_id: str
    name: str
    rows: int  # rows the package carried for this village
    totals: int  # (book, month) control totals carried
    status: str  # ✓, or what did not match / was not compared


@dataclass(frozen=True)
class PackageReceipt:
    package_id: uuid.UUID
    township: str
    sender: uuid.UUID
    stream_seq: int
    file_name: str
    created_at: datetime  # the sender's clock
    imported_at: datetime
    imported_by: str
    changes: int  # change records newly applied
    audit_new: int
    books: int  # books with control totals in the package
    months: int  # (book, month) control totals
    vouchers: int
    lines: int
    debit: Decimal
    credit: Decimal
    villages: tuple[VillageReceipt, ...]
    status: str  # ✓, or what was not compared


@dataclass(frozen=True)
class VillageCheck:
    organisation_id: uuid.UUID
    name: str
    township: str
    closed_months: int
    status: str  # ✓ or the months whose seal no longer matches


@dataclass(frozen=True)
class TownshipCheck:
    township: str
    region_code: str | None
    packages: int
    last_imported: datetime | None
    audit_entries: int
    audit_status: str  # ✓ or what is broken in the received chain
    seal_status: str  # ✓ or how many villages' closed months no longer match
    villages: tuple[VillageCheck, ...]


def _village_status(v: dict[str, object]) -> str:
    if v.get("totals_matched") is False:
        return "控制数不符"
    if v.get("digest_matched") is False:
        return "状态摘要不符"
    if v.get("totals_matched") is None and v.get("digest_matched") is None:
        return "未比对（区级数据与乡镇不同步）"
    return OK


def _names(session: Session) -> dict[uuid.UUID, tuple[str, str | None]]:
    return {o: (n, r) for o, n, r in session.execute(
        select(SyncPartner.origin, SyncPartner.name, SyncPartner.region_code))}


def list_receipts(session: Session) -> list[PackageReceipt]:
    """Every package received, newest first, with its control totals summed."""
    names = _names(session)
    totals: dict[uuid.UUID, tuple[int, int, int, int, Decimal, Decimal]] = {}
    for pid, books, months, vouchers, lines, debit, credit in session.execute(
            select(ReceivedControlTotal.package_id, func.count(func.distinct(ReceivedControlTotal.book_id)),
                   func.count(), func.coalesce(func.sum(ReceivedControlTotal.vouchers), 0),
                   func.coalesce(func.sum(ReceivedControlTotal.lines), 0),
                   func.sum(ReceivedControlTotal.debit), func.sum(ReceivedControlTotal.credit))
            .group_by(ReceivedControlTotal.package_id)):
        totals[pid] = (int(books), int(months), int(vouchers), int(lines), Decimal(debit or 0), Decimal(credit or 0))
    out = []
    for p in session.scalars(select(SyncInbox).order_by(SyncInbox.imported_at.desc(), SyncInbox.stream_seq.desc())):
        report = json.loads(p.report_json or "{}")
        villages = tuple(VillageReceipt(str(v.get("organisation_id")), str(v.get("name")),
                                        sum(int(n) for n in (v.get("rows") or {}).values()), int(v.get("totals") or 0),
                                        _village_status(v))
                         for v in report.get("villages", []))
        books, months, vouchers, lines, debit, credit = totals.get(p.id, (0, 0, 0, 0, Decimal(0), Decimal(0)))
        compared = report.get("compared", True)
        bad = [v for v in villages if v.status != OK]
        status = OK if not bad and compared else (
            f"{len(bad)} 个村{bad[0].status}" if bad else "未比对（区级数据与乡镇不同步）")
        out.append(PackageReceipt(
            p.id, names.get(p.sender, (str(p.sender)[:8], None))[0], p.sender, p.stream_seq, p.file_name,
            p.created_at, p.imported_at, p.imported_by, p.changes, int(report.get("audit_new") or 0),
            books, months, vouchers, lines, debit.quantize(CENT), credit.quantize(CENT), villages, status))
    return out


def _chain_status(entries: list[tuple[int, str, str]]) -> str:
    """(n, prev_hash, hash) of one origin in n order: numbered from 1 and linked."""
    prev, expected = GENESIS, 1
    for n, prev_hash, digest in entries:
        if n != expected:
            return f"缺少第 {expected} 条审计记录"
        if prev_hash != prev:
            return f"第 {n} 条审计记录与上一条的链接不符"
        prev, expected = digest, n + 1
    return OK


SEAL_CHUNK = 20  # books whose closed months are recomputed between two progress checks


def _seals(session: Session, closed: dict[uuid.UUID, list[str]], progress: Progress | None) -> dict[
        tuple[uuid.UUID, str], str]:
    """Every closed month's seal recomputed, a few books at a time so that 取消 is heard."""
    books = sorted(closed)
    out: dict[tuple[uuid.UUID, str], str] = {}
    for i in range(0, len(books), SEAL_CHUNK):
        if progress is not None:
            progress.report(i, len(books), f"正在核验结账封存：第 {i + 1}–{min(i + SEAL_CHUNK, len(books))} 个账套，"
                                           f"共 {len(books)} 个")
        out.update(compute_period_seals_of(session, {b: closed[b] for b in books[i:i + SEAL_CHUNK]}))
    if progress is not None:
        progress.report(len(books), len(books), "正在汇总核验结果")
    return out


def check_integrity(session: Session, progress: Progress | None = None) -> list[TownshipCheck]:
    """Per township: its received audit chains and every closed month's period seal recomputed
    (what ``verify`` does for a township, on the district's copy of its rows). Long on a large
    district: ``progress`` hears how far it is and stops it when the user cancels."""
    names = _names(session)
    partners = {o: n for o, (n, _) in names.items()}
    chains: dict[uuid.UUID, list[tuple[int, str, str]]] = defaultdict(list)
    for origin, n, prev_hash, digest in session.execute(
            select(ReceivedAudit.origin, ReceivedAudit.n, ReceivedAudit.prev_hash, ReceivedAudit.hash)
            .order_by(ReceivedAudit.origin, ReceivedAudit.n)):
        chains[origin].append((n, prev_hash, digest))
    packages: dict[str, list[datetime]] = defaultdict(list)
    for sender, at in session.execute(select(SyncInbox.sender, SyncInbox.imported_at)):
        packages[partners.get(sender, str(sender)[:8])].append(at)
    closed: dict[uuid.UUID, list[str]] = defaultdict(list)
    stored: dict[tuple[uuid.UUID, str], str | None] = {}
    book_org: dict[uuid.UUID, uuid.UUID] = {b: o for b, o in session.execute(
        select(Book.id, Book.organisation_id).where(Book.deleted.is_(False)))}
    for book_id, period, seal in session.execute(select(Period.book_id, Period.period, Period.seal_hash)
                                                 .where(Period.status == "closed")):
        closed[book_id].append(period)
        stored[(book_id, period)] = seal
    actual = _seals(session, closed, progress)
    bad_months: dict[uuid.UUID, list[str]] = defaultdict(list)
    months: dict[uuid.UUID, int] = defaultdict(int)
    for (book_id, period), seal in stored.items():
        owner = book_org.get(book_id)
        if owner is None:
            continue
        months[owner] += 1
        if actual.get((book_id, period)) != seal:
            bad_months[owner].append(period)
    by_town: dict[str, list[VillageCheck]] = defaultdict(list)
    town_region: dict[str, str | None] = {}
    for place in places(session):
        town = place.township
        town_region.setdefault(town, place.township_code)
        bad = sorted(bad_months.get(place.organisation_id, []))
        status = OK if not bad else f"{len(bad)} 个已结账月份封存不符（{bad[0][:4]}年{bad[0][5:]}月起）"
        by_town[town].append(VillageCheck(place.organisation_id, place.name, town,
                                          months.get(place.organisation_id, 0), status))
    site_chains: dict[str, list[str]] = defaultdict(list)
    site_entries: dict[str, int] = defaultdict(int)
    for origin, entries in chains.items():
        town = partners.get(origin, str(origin)[:8])
        site_entries[town] += len(entries)
        status = _chain_status(entries)
        if status != OK:
            site_chains[town].append(status)
    out = []
    for town in sorted(set(by_town) | set(site_entries) | set(packages)):
        villages = tuple(by_town.get(town, []))
        bad_villages = [v for v in villages if v.status != OK]
        audit = "；".join(site_chains[town]) if site_chains.get(town) else (OK if site_entries.get(town) else "未收到审计记录")
        seal = OK if not bad_villages else f"{len(bad_villages)} 个村已结账月份封存不符"
        received = packages.get(town, [])
        out.append(TownshipCheck(town, town_region.get(town), len(received), max(received, default=None),
                                 site_entries.get(town, 0), audit, seal, villages))
    return out
