"""funds: vouchers, entries, periods, opening balances, summary phrases, account-period totals

Revision ID: f0001
Revises: 0001
Create Date: 2026-11-23 13:44:02.312322
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = 'f0001'
down_revision = '0001'
branch_labels = ('funds',)
depends_on = None


def upgrade() -> None:
    op.create_table('period',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('seal_hash', sa.String(length=64), nullable=True),
    sa.Column('closed_by', sa.String(length=50), nullable=True),
    sa.Column('closed_at', db.types.UtcDateTime(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('last_reopen_reason', sa.String(length=300), nullable=True),
    sa.Column('last_reopened_by', sa.String(length=50), nullable=True),
    sa.Column('last_reopened_at', db.types.UtcDateTime(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_period_book_id_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period')),
    sa.UniqueConstraint('book_id', 'period', name=op.f('uq_period_book_id_period'))
    )
    op.create_table('summary_phrase',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_summary_phrase_book_id_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_phrase')),
    sa.UniqueConstraint('book_id', 'text', name=op.f('uq_summary_phrase_book_id_text'))
    )
    op.create_table('voucher',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('voucher_date', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('attachments', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('maker_id', sa.Uuid(), nullable=True),
    sa.Column('maker_name', sa.String(length=50), nullable=False),
    sa.Column('reviewer_id', sa.Uuid(), nullable=True),
    sa.Column('reviewer_name', sa.String(length=50), nullable=True),
    sa.Column('reviewed_at', db.types.UtcDateTime(), nullable=True),
    sa.Column('poster_name', sa.String(length=50), nullable=True),
    sa.Column('posted_at', db.types.UtcDateTime(), nullable=True),
    sa.Column('source_kind', sa.String(length=30), nullable=True),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('flags', sa.String(length=200), nullable=False),
    sa.Column('reversal_of_id', sa.Uuid(), nullable=True),
    sa.Column('void_reason', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_voucher_book_id_book')),
    sa.ForeignKeyConstraint(['reversal_of_id'], ['voucher.id'], name=op.f('fk_voucher_reversal_of_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher')),
    sa.UniqueConstraint('book_id', 'period', 'number', name=op.f('uq_voucher_book_id_period_number'))
    )
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.create_index('ix_voucher_book_date', ['book_id', 'voucher_date'], unique=False)
        batch_op.create_index('ix_voucher_source', ['book_id', 'source_kind', 'source_id'], unique=False)

    op.create_table('account_period_total',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('closing', sa.Boolean(), nullable=False),
    sa.Column('debit', db.types.Fen(), nullable=False),
    sa.Column('credit', db.types.Fen(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_period_total_account_id_account')),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_account_period_total_book_id_book')),
    sa.PrimaryKeyConstraint('book_id', 'period', 'account_id', 'closing', name=op.f('pk_account_period_total'))
    )
    op.create_table('entry',
    sa.Column('voucher_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('debit', db.types.Fen(), nullable=False),
    sa.Column('credit', db.types.Fen(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=True),
    sa.Column('counterparty', sa.String(length=100), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_entry_account_id_account')),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_entry_book_id_book')),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_entry_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry')),
    sa.UniqueConstraint('voucher_id', 'line_no', name=op.f('uq_entry_voucher_id_line_no'))
    )
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index('ix_entry_book_account_period', ['book_id', 'account_id', 'period'], unique=False)

    op.create_table('opening_balance',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('debit', db.types.Fen(), nullable=False),
    sa.Column('credit', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_opening_balance_account_id_account')),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_opening_balance_book_id_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_balance')),
    sa.UniqueConstraint('book_id', 'account_id', name=op.f('uq_opening_balance_book_id_account_id'))
    )


def downgrade() -> None:
    op.drop_table('opening_balance')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_book_account_period')

    op.drop_table('entry')
    op.drop_table('account_period_total')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_source')
        batch_op.drop_index('ix_voucher_book_date')

    op.drop_table('voucher')
    op.drop_table('summary_phrase')
    op.drop_table('period')
