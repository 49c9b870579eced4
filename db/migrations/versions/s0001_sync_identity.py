"""USB sync: installation keys, the site, partners, acknowledgements, package in/out boxes and
what partners' packages carried (audit entries, village digests, control totals). Issue #12.

Every existing identity gets its key pairs; the database gets its site row (a township).

Revision ID: s0001
Revises: 0003
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import db.types
from db.keys import new_key_pairs

revision = "s0001"
down_revision = "0003"
branch_labels = ("sync",)
depends_on = None


def _uuid() -> sa.Uuid[uuid.UUID]:
    return sa.Uuid()


def upgrade() -> None:
    op.create_table(
        "installation_key",
        sa.Column("origin", _uuid(), nullable=False),
        sa.Column("sign_private", sa.LargeBinary(length=32), nullable=False),
        sa.Column("sign_public", sa.LargeBinary(length=32), nullable=False),
        sa.Column("enc_private", sa.LargeBinary(length=32), nullable=False),
        sa.Column("enc_public", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["origin"], ["installation.id"], name=op.f("fk_installation_key_origin_installation")),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_installation_key")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("site_id", _uuid(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("created_at", db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.create_table(
        "sync_partner",
        sa.Column("origin", _uuid(), nullable=False),
        sa.Column("site_id", _uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("sign_public", sa.LargeBinary(length=32), nullable=False),
        sa.Column("enc_public", sa.LargeBinary(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("trusted_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("trusted_by", sa.String(length=50), nullable=False),
        sa.Column("retired_at", db.types.UtcDateTime(), nullable=True),
        sa.Column("successor", _uuid(), nullable=True),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_sync_partner")),
    )
    op.create_index(op.f("ix_sync_partner_site_id"), "sync_partner", ["site_id"])
    op.create_table(
        "sync_partner_has",
        sa.Column("partner", _uuid(), nullable=False),
        sa.Column("origin", _uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("audit_n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "origin", name=op.f("pk_sync_partner_has")),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("recipient", _uuid(), nullable=False),
        sa.Column("stream_seq", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("ranges_json", sa.Text(), nullable=False),
        sa.Column("kept_copy", sa.String(length=500), nullable=False),
        sa.Column("created_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_outbox")),
        sa.UniqueConstraint("recipient", "stream_seq", name=op.f("uq_sync_outbox_recipient_stream_seq")),
    )
    op.create_table(
        "sync_inbox",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("sender", _uuid(), nullable=False),
        sa.Column("stream_seq", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("ranges_json", sa.Text(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("created_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("imported_at", db.types.UtcDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_inbox")),
    )
    op.create_index(op.f("ix_sync_inbox_sender"), "sync_inbox", ["sender"])
    op.create_table(
        "received_audit",
        sa.Column("origin", _uuid(), nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", db.types.UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("origin", "n", name=op.f("pk_received_audit")),
    )
    op.create_table(
        "received_digest",
        sa.Column("package_id", _uuid(), nullable=False),
        sa.Column("organisation_id", _uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "organisation_id", name=op.f("pk_received_digest")),
    )
    op.create_table(
        "received_control_total",
        sa.Column("package_id", _uuid(), nullable=False),
        sa.Column("book_id", _uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("vouchers", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("debit", db.types.Fen(), nullable=False),
        sa.Column("credit", db.types.Fen(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "book_id", "period", name=op.f("pk_received_control_total")),
    )
    _key_every_identity()


def _key_every_identity() -> None:
    conn = op.get_bind()
    keys = sa.table("installation_key", *(sa.column(c) for c in
                    ("origin", "sign_private", "sign_public", "enc_private", "enc_public")))
    for (origin,) in conn.execute(sa.text("SELECT id FROM installation")).fetchall():
        k = new_key_pairs()
        conn.execute(sa.insert(keys).values(origin=origin, sign_private=k.sign_private, sign_public=k.sign_public,
                                            enc_private=k.enc_private, enc_public=k.enc_public))
    site = sa.table("site", sa.column("id", sa.Integer()), sa.column("site_id", sa.Uuid()),
                    sa.column("level", sa.String()), sa.column("name", sa.String()),
                    sa.column("region_code", sa.String()), sa.column("created_at", db.types.UtcDateTime()))
    conn.execute(sa.insert(site).values(id=1, site_id=uuid.uuid4(), level="township", name="本机",
                                        region_code=None, created_at=db.types.utcnow()))


def downgrade() -> None:
    for table in ("received_control_total", "received_digest", "received_audit", "sync_inbox", "sync_outbox",
                  "sync_partner_has", "sync_partner", "site", "installation_key"):
        op.drop_table(table)
