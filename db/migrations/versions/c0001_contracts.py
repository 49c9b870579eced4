"""contracts: counterparties, contracts, installments, receipts, allocations, deposits,
democratic procedure, filing, attachments, income recognition, review rules and findings

Revision ID: c0001
Revises: 0001
Create Date: 2026-11-23

Asset and parcel links (contract.asset_id / parcel_id) carry no foreign keys yet: those
tables live on another branch; the FKs can be added by a later revision depending on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = 'c0001'
down_revision = '0001'
branch_labels = ('contracts',)
depends_on = None


def upgrade() -> None:
    op.create_table('contract_counterparty',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contract_counterparty_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_counterparty'))
    )
    op.create_index('ix_contract_counterparty_org_idno', 'contract_counterparty', ['organisation_id', 'id_number'], unique=False)
    op.create_table('contract_reference_price',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('land_class', sa.String(length=10), nullable=False),
    sa.Column('price_per_mu', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contract_reference_price_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_reference_price')),
    sa.UniqueConstraint('organisation_id', 'land_class', name=op.f('uq_contract_reference_price_organisation_id_land_class'))
    )
    op.create_table('contract_rule_setting',
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('rule_code', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('params_json', sa.Text(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contract_rule_setting_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_rule_setting')),
    sa.UniqueConstraint('organisation_id', 'rule_code', name=op.f('uq_contract_rule_setting_organisation_id_rule_code'))
    )
    op.create_table('contract',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('official_code', sa.String(length=18), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('area_mu', db.types.Mu4(), nullable=True),
    sa.Column('quantity', sa.String(length=50), nullable=True),
    sa.Column('land_class', sa.String(length=10), nullable=True),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('parcel_id', sa.Uuid(), nullable=True),
    sa.Column('counterparty_id', sa.Uuid(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('written', sa.Boolean(), nullable=False),
    sa.Column('price_basis', sa.String(length=4), nullable=False),
    sa.Column('annual_rent', db.types.Fen(), nullable=False),
    sa.Column('unit_price', db.types.Fen(), nullable=True),
    sa.Column('escalation_pct', db.types.Mu4(), nullable=False),
    sa.Column('escalation_years', sa.Integer(), nullable=False),
    sa.Column('payment_mode', sa.String(length=4), nullable=False),
    sa.Column('billing_align', sa.String(length=8), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('deposit_required', db.types.Fen(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('renewal_of_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_contract_book_id_book')),
    sa.ForeignKeyConstraint(['counterparty_id'], ['contract_counterparty.id'], name=op.f('fk_contract_counterparty_id_contract_counterparty')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contract_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['contract.id'], name=op.f('fk_contract_renewal_of_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract')),
    sa.UniqueConstraint('organisation_id', 'number', name=op.f('uq_contract_organisation_id_number'))
    )
    op.create_index(op.f('ix_contract_asset_id'), 'contract', ['asset_id'], unique=False)
    op.create_index(op.f('ix_contract_book_id'), 'contract', ['book_id'], unique=False)
    op.create_index(op.f('ix_contract_counterparty_id'), 'contract', ['counterparty_id'], unique=False)
    op.create_index('ix_contract_end', 'contract', ['end_date'], unique=False)
    op.create_index('ix_contract_org_status', 'contract', ['organisation_id', 'status'], unique=False)
    op.create_index(op.f('ix_contract_parcel_id'), 'contract', ['parcel_id'], unique=False)
    op.create_index(op.f('ix_contract_renewal_of_id'), 'contract', ['renewal_of_id'], unique=False)
    op.create_table('contract_attachment',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_attachment_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_attachment'))
    )
    op.create_index(op.f('ix_contract_attachment_contract_id'), 'contract_attachment', ['contract_id'], unique=False)
    op.create_table('contract_deposit',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('method', sa.String(length=4), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_deposit_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_deposit'))
    )
    op.create_index(op.f('ix_contract_deposit_contract_id'), 'contract_deposit', ['contract_id'], unique=False)
    op.create_table('contract_filing',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filing_no', sa.String(length=50), nullable=True),
    sa.Column('filed_with', sa.String(length=100), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_filing_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_filing'))
    )
    op.create_index(op.f('ix_contract_filing_contract_id'), 'contract_filing', ['contract_id'], unique=False)
    op.create_table('contract_finding',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('rule_code', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('rectification_note', sa.Text(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_finding_contract_id_contract')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contract_finding_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_finding')),
    sa.UniqueConstraint('contract_id', 'rule_code', name=op.f('uq_contract_finding_contract_id_rule_code'))
    )
    op.create_index(op.f('ix_contract_finding_organisation_id'), 'contract_finding', ['organisation_id'], unique=False)
    op.create_table('contract_installment',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_installment_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_installment')),
    sa.UniqueConstraint('contract_id', 'seq', name=op.f('uq_contract_installment_contract_id_seq'))
    )
    op.create_index('ix_contract_installment_due', 'contract_installment', ['contract_id', 'due_date'], unique=False)
    op.create_table('contract_procedure',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('resolution_no', sa.String(length=50), nullable=True),
    sa.Column('votes', sa.String(length=50), nullable=True),
    sa.Column('notes', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_procedure_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_procedure'))
    )
    op.create_index(op.f('ix_contract_procedure_contract_id'), 'contract_procedure', ['contract_id'], unique=False)
    op.create_table('contract_receipt',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('method', sa.String(length=4), nullable=False),
    sa.Column('receipt_no', sa.String(length=50), nullable=True),
    sa.Column('payer', sa.String(length=100), nullable=True),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_receipt_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_receipt'))
    )
    op.create_index('ix_contract_receipt_contract_date', 'contract_receipt', ['contract_id', 'received_on'], unique=False)
    op.create_table('contract_allocation',
    sa.Column('receipt_id', sa.Uuid(), nullable=False),
    sa.Column('installment_id', sa.Uuid(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['installment_id'], ['contract_installment.id'], name=op.f('fk_contract_allocation_installment_id_contract_installment')),
    sa.ForeignKeyConstraint(['receipt_id'], ['contract_receipt.id'], name=op.f('fk_contract_allocation_receipt_id_contract_receipt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_allocation'))
    )
    op.create_index('ix_contract_allocation_inst', 'contract_allocation', ['installment_id', 'allocated_on'], unique=False)
    op.create_index(op.f('ix_contract_allocation_receipt_id'), 'contract_allocation', ['receipt_id'], unique=False)
    op.create_table('contract_recognition',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('installment_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('deferred', db.types.Fen(), nullable=False),
    sa.Column('recognised', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_recognition_contract_id_contract')),
    sa.ForeignKeyConstraint(['installment_id'], ['contract_installment.id'], name=op.f('fk_contract_recognition_installment_id_contract_installment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_recognition')),
    sa.UniqueConstraint('installment_id', 'year', name=op.f('uq_contract_recognition_installment_id_year'))
    )
    op.create_index(op.f('ix_contract_recognition_contract_id'), 'contract_recognition', ['contract_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_contract_recognition_contract_id'), table_name='contract_recognition')
    op.drop_table('contract_recognition')
    op.drop_index(op.f('ix_contract_allocation_receipt_id'), table_name='contract_allocation')
    op.drop_index('ix_contract_allocation_inst', table_name='contract_allocation')
    op.drop_table('contract_allocation')
    op.drop_index('ix_contract_receipt_contract_date', table_name='contract_receipt')
    op.drop_table('contract_receipt')
    op.drop_index(op.f('ix_contract_procedure_contract_id'), table_name='contract_procedure')
    op.drop_table('contract_procedure')
    op.drop_index('ix_contract_installment_due', table_name='contract_installment')
    op.drop_table('contract_installment')
    op.drop_index(op.f('ix_contract_finding_organisation_id'), table_name='contract_finding')
    op.drop_table('contract_finding')
    op.drop_index(op.f('ix_contract_filing_contract_id'), table_name='contract_filing')
    op.drop_table('contract_filing')
    op.drop_index(op.f('ix_contract_deposit_contract_id'), table_name='contract_deposit')
    op.drop_table('contract_deposit')
    op.drop_index(op.f('ix_contract_attachment_contract_id'), table_name='contract_attachment')
    op.drop_table('contract_attachment')
    op.drop_index(op.f('ix_contract_renewal_of_id'), table_name='contract')
    op.drop_index(op.f('ix_contract_parcel_id'), table_name='contract')
    op.drop_index('ix_contract_org_status', table_name='contract')
    op.drop_index('ix_contract_end', table_name='contract')
    op.drop_index(op.f('ix_contract_counterparty_id'), table_name='contract')
    op.drop_index(op.f('ix_contract_book_id'), table_name='contract')
    op.drop_index(op.f('ix_contract_asset_id'), table_name='contract')
    op.drop_table('contract')
    op.drop_table('contract_rule_setting')
    op.drop_table('contract_reference_price')
    op.drop_index('ix_contract_counterparty_org_idno', table_name='contract_counterparty')
    op.drop_table('contract_counterparty')
