"""assets: asset cards, adjustments, depreciation lines, disposals, history, attachments,
stock-takes; resource parcels; collective-economy projects and their funding

Revision ID: a0001
Revises: 0001
Create Date: 2026-11-23 14:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "a0001"
down_revision = "0001"
branch_labels = ("assets",)
depends_on = None


def upgrade() -> None:
    op.create_table('project',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('operating_on', sa.Date(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_project_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_project_organisation_id_code'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('resource_parcel',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('land_class', sa.String(length=20), nullable=False),
    sa.Column('area_mu', db.types.Mu4(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('east', sa.String(length=100), nullable=True),
    sa.Column('south', sa.String(length=100), nullable=True),
    sa.Column('west', sa.String(length=100), nullable=True),
    sa.Column('north', sa.String(length=100), nullable=True),
    sa.Column('ownership', sa.String(length=4), nullable=False),
    sa.Column('group_name', sa.String(length=50), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_resource_parcel_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_parcel')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_resource_parcel_organisation_id_code'))
    )
    with op.batch_alter_table('resource_parcel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_parcel_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('asset',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('nature', sa.String(length=8), nullable=False),
    sa.Column('use_kind', sa.String(length=8), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('quantity', db.types.Mu4(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('area_m2', db.types.Mu4(), nullable=True),
    sa.Column('acquisition_mode', sa.String(length=12), nullable=False),
    sa.Column('funding_source', sa.String(length=50), nullable=True),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('original_value', db.types.Fen(), nullable=False),
    sa.Column('useful_life_months', sa.Integer(), nullable=False),
    sa.Column('residual_rate', db.types.Mu4(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('total_workload', db.types.Mu4(), nullable=True),
    sa.Column('workload_unit', sa.String(length=10), nullable=True),
    sa.Column('opening_accumulated', db.types.Fen(), nullable=False),
    sa.Column('opening_workload', db.types.Mu4(), nullable=True),
    sa.Column('first_period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('custodian', sa.String(length=50), nullable=True),
    sa.Column('title_no', sa.String(length=60), nullable=True),
    sa.Column('poverty_alleviation', sa.Boolean(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('acquisition_voucher_id', sa.Uuid(), nullable=True),
    sa.Column('disposed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_asset_book_id_book')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_asset_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_asset_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_asset_organisation_id_code'))
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index('ix_asset_book_status', ['book_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_project_id'), ['project_id'], unique=False)

    op.create_table('project_funding',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_funding_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_funding')),
    sa.UniqueConstraint('project_id', 'source', name=op.f('uq_project_funding_project_id_source'))
    )
    op.create_table('stocktake',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=50), nullable=True),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_stocktake_book_id_book')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_stocktake_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake'))
    )
    with op.batch_alter_table('stocktake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktake_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('asset_adjustment',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('delta_cost', db.types.Fen(), nullable=False),
    sa.Column('delta_accumulated', db.types.Fen(), nullable=False),
    sa.Column('new_life_months', sa.Integer(), nullable=True),
    sa.Column('new_residual_rate', db.types.Mu4(), nullable=True),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_adjustment_asset_id_asset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_adjustment'))
    )
    with op.batch_alter_table('asset_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_adjustment_asset_id'), ['asset_id'], unique=False)

    op.create_table('asset_attachment',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=60), nullable=False),
    sa.Column('stored_name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_attachment_asset_id_asset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_attachment'))
    )
    with op.batch_alter_table('asset_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_attachment_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('asset_depreciation',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('account_code', sa.String(length=20), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_depreciation_asset_id_asset')),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_asset_depreciation_book_id_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_depreciation')),
    sa.UniqueConstraint('asset_id', 'period', name=op.f('uq_asset_depreciation_asset_id_period'))
    )
    with op.batch_alter_table('asset_depreciation', schema=None) as batch_op:
        batch_op.create_index('ix_asset_depreciation_book_period', ['book_id', 'period'], unique=False)

    op.create_table('asset_disposal',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('disposed_on', sa.Date(), nullable=False),
    sa.Column('cost', db.types.Fen(), nullable=False),
    sa.Column('accumulated', db.types.Fen(), nullable=False),
    sa.Column('proceeds', db.types.Fen(), nullable=False),
    sa.Column('expenses', db.types.Fen(), nullable=False),
    sa.Column('gain_loss', db.types.Fen(), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_disposal_asset_id_asset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_disposal')),
    sa.UniqueConstraint('asset_id', name=op.f('uq_asset_disposal_asset_id'))
    )
    op.create_table('asset_history',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('at', db.types.UtcDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('changes_json', sa.String(length=4000), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_history_asset_id_asset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_history'))
    )
    with op.batch_alter_table('asset_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_history_asset_id'), ['asset_id'], unique=False)

    op.create_table('asset_workload',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('quantity', db.types.Mu4(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_workload_asset_id_asset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_workload')),
    sa.UniqueConstraint('asset_id', 'period', name=op.f('uq_asset_workload_asset_id_period'))
    )
    op.create_table('stocktake_line',
    sa.Column('stocktake_id', sa.Uuid(), nullable=False),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('result', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('value', db.types.Fen(), nullable=False),
    sa.Column('nature', sa.String(length=8), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.String(length=300), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_stocktake_line_asset_id_asset')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktake.id'], name=op.f('fk_stocktake_line_stocktake_id_stocktake')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_line'))
    )
    with op.batch_alter_table('stocktake_line', schema=None) as batch_op:
        batch_op.create_index('ix_stocktake_line_take', ['stocktake_id', 'asset_id'], unique=False)


def downgrade() -> None:
    op.drop_table('stocktake_line')
    op.drop_table('asset_workload')
    op.drop_table('asset_history')
    op.drop_table('asset_disposal')
    op.drop_table('asset_depreciation')
    op.drop_table('asset_attachment')
    op.drop_table('asset_adjustment')
    op.drop_table('stocktake')
    op.drop_table('project_funding')
    op.drop_table('asset')
    op.drop_table('resource_parcel')
    op.drop_table('project')
