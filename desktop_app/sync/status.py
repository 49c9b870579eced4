"""Where each partner stands (``sync status``, the GUI's partner list): what was sent, what the
partner acknowledged against what we hold, what came from it, and a warning when the last
exchange is more than a month old. Read-only; Qt-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.changelog import driver_cursor, session_origin
from db.models import SyncCounter, SyncInbox, SyncOutbox, SyncPartnerHas
from db.types import utcnow
from desktop_app.sync.identity import PartnerRow, partners, site

STALE_AFTER = timedelta(days=31)


@dataclass(frozen=True)
class SentInfo:
    stream_seq: int
    at: datetime
    changes: int
    file_name: str


@dataclass(frozen=True)
class ReceivedInfo:
    stream_seq: int
    at: datetime  # when imported here
    created_at: datetime  # the sender's clock: display only
    changes: int
    file_name: str


@dataclass(frozen=True)
class OriginPosition:
    origin: uuid.UUID
    held: int  # the last seq of this origin we hold
    acknowledged: int  # what the partner acknowledged holding

    @property
    def unacknowledged(self) -> int:
        return max(0, self.held - self.acknowledged)


@dataclass(frozen=True)
class PartnerStatus:
    partner: PartnerRow
    successor_name: str | None
    last_sent: SentInfo | None
    positions: tuple[OriginPosition, ...]
    last_received: ReceivedInfo | None
    received_total: int  # the partner's own changes we hold
    last_exchange: datetime | None
    warning: str | None

    @property
    def unacknowledged(self) -> int:
        return sum(p.unacknowledged for p in self.positions)


def _last_sent(session: Session, origin: uuid.UUID) -> SentInfo | None:
    o = session.scalars(select(SyncOutbox).where(SyncOutbox.recipient == origin)
                        .order_by(SyncOutbox.stream_seq.desc()).limit(1)).first()
    return SentInfo(o.stream_seq, o.created_at, o.changes, o.file_name) if o else None


def _last_received(session: Session, origin: uuid.UUID) -> ReceivedInfo | None:
    i = session.scalars(select(SyncInbox).where(SyncInbox.sender == origin)
                        .order_by(SyncInbox.stream_seq.desc()).limit(1)).first()  # the newest package, not the last carried in
    return ReceivedInfo(i.stream_seq, i.imported_at, i.created_at, i.changes, i.file_name) if i else None


def _positions(session: Session, p: PartnerRow, level: str) -> tuple[OriginPosition, ...]:
    """Per origin a package to ``p`` would carry (the engine's rule): held against acknowledged."""
    from desktop_app.sync.export import forwarded_origins

    held = {o: n for o, n in session.execute(select(SyncCounter.origin, SyncCounter.last_seq))}
    acked = {o: n for o, n in session.execute(select(SyncPartnerHas.origin, SyncPartnerHas.seq)
                                              .where(SyncPartnerHas.partner == p.origin))}
    cur = driver_cursor(session)
    try:
        origins = [uuid.UUID(hex=o) for o in forwarded_origins(cur, level, session_origin(session), p.site_id)]
    finally:
        cur.close()
    # the partner's own changes need no acknowledgement from it: they are what we received
    return tuple(OriginPosition(o, held.get(o, 0), acked.get(o, 0)) for o in origins if o != p.origin)


def _received_total(session: Session, origin: uuid.UUID) -> int:
    """How many of the partner's own changes we hold (all of them arrived in its packages)."""
    return session.scalar(select(SyncCounter.last_seq).where(SyncCounter.origin == origin)) or 0


def partner_status(session: Session, *, now: datetime | None = None) -> list[PartnerStatus]:
    """Every registered partner, current ones first; a retired PC shows its successor instead of
    a warning (its late sticks can still be imported)."""
    now = now or utcnow()
    rows, level = partners(session), site(session).level
    names = {p.origin: p.name for p in rows}
    out: list[PartnerStatus] = []
    for p in sorted(rows, key=lambda r: (not r.active, r.level != "district", r.name, r.trusted_at)):
        sent, received = _last_sent(session, p.origin), _last_received(session, p.origin)
        times = [t for t in (sent.at if sent else None, received.at if received else None) if t is not None]
        last = max(times) if times else None
        warning = None
        if p.active and (last or p.trusted_at) < now - STALE_AFTER:
            since = (f"（上次交换 {last.astimezone():%Y-%m-%d}）" if last
                     else f"（{p.trusted_at.astimezone():%Y-%m-%d} 登记后从未交换）")
            warning = f"已超过一个月未与{p.level_text}“{p.name}”交换数据{since}，请尽快导出并送交U盘数据包"
        out.append(PartnerStatus(partner=p, successor_name=names.get(p.successor) if p.successor else None,
                                 last_sent=sent, positions=_positions(session, p, level) if p.active else (),
                                 last_received=received, received_total=_received_total(session, p.origin),
                                 last_exchange=last, warning=warning))
    return out
