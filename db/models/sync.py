"""The change log that USB sync packages are sliced from (SYNC.md, "Recommended design").

Slim by design (issue #18, SYNC.md's revision of 2026-12-01): a record says which row changed,
in what order and from which version to which; it carries no row image and no hash. A package
reads each changed row as it is when the package is built; tamper evidence is the audit chain,
the seals and summaries ``verify`` recomputes, and the signed package.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RowHashMixin
from db.types import utcnow


class ChangeLog(Base):
    """One record per insert/update/soft-delete of a syncable row.

    (origin, seq) is gap-free per origin and is the clustered key (no rowid): the table is
    ordered the way packages read it. ``rev``/``prev_rev`` make applying idempotent; a
    tombstone is ``op = 'delete'``. Nothing looks a record up by row id except ``verify``,
    which builds its own temporary index, so the file carries none.
    """

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_with_rowid": False}

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[uuid.UUID]  # no index: packages read by (origin, seq), rows by their own key
    op: Mapped[str] = mapped_column(String(8))  # insert / update / delete (tombstone)
    rev: Mapped[int]
    prev_rev: Mapped[int]


class SyncCounter(Base):
    """Last sequence number handed out per origin (the gap-free counter)."""

    __tablename__ = "sync_counter"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


# -- identity, partners and the package bookkeeping of USB sync (issue #12) ------------------------


class InstallationKey(Base):
    """The signing (Ed25519) and encryption (X25519) keys of one origin, raw 32-byte keys.

    Made with the origin (install, every restore); the private halves never leave the file
    except inside a backup."""

    __tablename__ = "installation_key"

    origin: Mapped[uuid.UUID] = mapped_column(ForeignKey("installation.id"), primary_key=True)
    sign_private: Mapped[bytes] = mapped_column(LargeBinary(32))
    sign_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    enc_private: Mapped[bytes] = mapped_column(LargeBinary(32))
    enc_public: Mapped[bytes] = mapped_column(LargeBinary(32))


class Site(RowHashMixin, Base):
    """What this database is (one row): a township's books or the district's collection.

    ``site_id`` is random, made once and kept through restores (unlike the origin): it is how
    the district knows that a new PC succeeds an old one of the same township."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    site_id: Mapped[uuid.UUID]
    level: Mapped[str] = mapped_column(String(10))  # township / district
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncPartner(RowHashMixin, Base):
    """A trusted other installation (one PC identity): its public card as registered.

    A township PC replaced by a restore gets a new row; the old one is retired with
    ``successor`` set, so its late sticks can still be verified and its acks never move the
    new PC's positions (SYNC.md §4.5, trap 3). The row carries its hash (migration h0003): a
    public key swapped behind the program's back is found by ``verify``."""

    __tablename__ = "sync_partner"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str | None] = mapped_column(String(12))
    sign_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    enc_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    fingerprint: Mapped[str] = mapped_column(String(40))
    trusted_at: Mapped[datetime] = mapped_column(default=utcnow)
    trusted_by: Mapped[str] = mapped_column(String(50))
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    successor: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SyncPartnerHas(RowHashMixin, Base):
    """What a partner has acknowledged holding: of ``origin``'s change log up to ``seq`` and of
    its audit chain up to ``audit_n``. Moved only by a package the partner signed (an ack),
    never by our own export: nothing counts as delivered until acknowledged. The row carries its
    hash (h0003), keyed by (partner, origin): sync apply rehashes the rows it merges."""

    __tablename__ = "sync_partner_has"

    partner: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    audit_n: Mapped[int] = mapped_column(default=0)


class SyncOutbox(RowHashMixin, Base):
    """A package written for a partner; ``stream_seq`` counts per receiving PC identity.

    ``audit_n``/``audit_hash``: the end of this PC's audit chain as the package carried it (NULL
    before migration s0004). ``verify`` requires the chain still to hold that entry with that
    hash: a tail trimmed or a chain recomputed after the package left no longer extends what the
    partner holds, and this PC says so itself (DESIGN-NOTES 29, 34). The row carries its hash."""

    __tablename__ = "sync_outbox"
    __table_args__ = (UniqueConstraint("recipient", "stream_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the package id
    recipient: Mapped[uuid.UUID]
    stream_seq: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    changes: Mapped[int]  # change records carried
    ranges_json: Mapped[str] = mapped_column(Text)  # {origin hex: [first seq, last seq]}
    kept_copy: Mapped[str] = mapped_column(String(500))  # the local copy of the file
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(50))
    audit_n: Mapped[int | None] = mapped_column(default=None)
    audit_hash: Mapped[str | None] = mapped_column(String(64), default=None)


class SyncInbox(RowHashMixin, Base):
    """A package applied here (a dry run leaves no row); the same package id is never applied twice."""

    __tablename__ = "sync_inbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the package id
    sender: Mapped[uuid.UUID] = mapped_column(index=True)
    stream_seq: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    changes: Mapped[int]  # change records newly applied
    ranges_json: Mapped[str] = mapped_column(Text)
    report_json: Mapped[str] = mapped_column(Text)  # the import report shown to the user
    created_at: Mapped[datetime]  # the sender's clock: display only
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(50))


class ReceivedAudit(Base):
    """A partner's audit-chain entries as its packages carried them, per origin.

    An entry already held must come again with the same hash, and a new one must link to the
    one before: a history rewritten on the sending PC after it was sent is seen here."""

    __tablename__ = "received_audit"

    origin: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ReceivedDigest(Base):
    """The sender's state digest of one village (organisation) as of one package, and ours after
    applying it (equal, or the import was refused)."""

    __tablename__ = "received_digest"

    package_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]


class ReceivedControlTotal(Base):
    """The sender's control totals of one book and month as of one package."""

    __tablename__ = "received_control_total"

    package_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    book_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    vouchers: Mapped[int]
    lines: Mapped[int]
    debit: Mapped[Decimal]
    credit: Mapped[Decimal]


class VillageDigest(Base):
    """The maintained state digest of one village (organisation): the sum modulo 2**128 of
    ``int(sha256(f"{table}|{id hex}|{rev}")[:16 bytes])`` over its syncable rows (an additive
    hash: order-free and updated from the change log), its row count, and the vector of
    (origin → seq) it covers (``through_json``; the same in every row). Kept by
    desktop_app/sync/control.py, checked by ``verify`` against a full recompute."""

    __tablename__ = "village_digest"

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))  # hex of the 128-bit sum
    rows: Mapped[int]
    through_json: Mapped[str] = mapped_column(Text)
