"""members: households, members, membership history, shares, distribution plans and dividends

Revision ID: m0001
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "m0001"
down_revision = "0001"
branch_labels = ("members",)
depends_on = None


def upgrade() -> None:
    op.create_table('distribution_setting',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('reserve_rate', db.types.Mu4(), nullable=False),
    sa.Column('reserve_floor', db.types.Mu4(), nullable=True),
    sa.Column('members_cap', db.types.Mu4(), nullable=True),
    sa.Column('welfare_rate', db.types.Mu4(), nullable=False),
    sa.Column('forbid_borrowing', sa.Boolean(), nullable=False),
    sa.Column('deadline_month', sa.Integer(), nullable=False),
    sa.Column('deadline_day', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_distribution_setting_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_setting')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_distribution_setting_organisation_id'))
    )
    op.create_table('household',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('group_name', sa.String(length=30), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('certificate_no', sa.String(length=30), nullable=True),
    sa.Column('bank_tail', sa.String(length=8), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_household_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('organisation_id', 'number', name=op.f('uq_household_organisation_id_number'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('share_type',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_share_type_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_type')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_share_type_organisation_id_code'))
    )
    with op.batch_alter_table('share_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_type_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('distribution_plan',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('precision', sa.String(length=1), nullable=False),
    sa.Column('current_year_income', db.types.Fen(), nullable=False),
    sa.Column('opening_undistributed', db.types.Fen(), nullable=False),
    sa.Column('distributed_in_year', db.types.Fen(), nullable=False),
    sa.Column('excluded_land', db.types.Fen(), nullable=False),
    sa.Column('excluded_rent', db.types.Fen(), nullable=False),
    sa.Column('excluded_other', db.types.Fen(), nullable=False),
    sa.Column('exclusion_note', sa.String(length=300), nullable=False),
    sa.Column('distributable', db.types.Fen(), nullable=False),
    sa.Column('cash_available', db.types.Fen(), nullable=False),
    sa.Column('members_amount', db.types.Fen(), nullable=False),
    sa.Column('total_shares', db.types.Mu4(), nullable=False),
    sa.Column('per_share', db.types.Fen(), nullable=False),
    sa.Column('roster_total', db.types.Fen(), nullable=False),
    sa.Column('remainder', db.types.Fen(), nullable=False),
    sa.Column('books_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('publicised_on', sa.Date(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('resolution_no', sa.String(length=50), nullable=True),
    sa.Column('resolution_text', sa.String(length=500), nullable=True),
    sa.Column('approved_by', sa.String(length=50), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('appropriation_voucher_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_distribution_plan_book_id_book')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_distribution_plan_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_plan'))
    )
    with op.batch_alter_table('distribution_plan', schema=None) as batch_op:
        batch_op.create_index('ix_distribution_plan_book_year', ['book_id', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_plan_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('member',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('ric', sa.String(length=18), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_member_household_id_household')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_member_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_household', ['household_id'], unique=False)
        batch_op.create_index('ix_member_org_ric', ['organisation_id', 'ric'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('distribution_plan_line',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['distribution_plan.id'], name=op.f('fk_distribution_plan_line_plan_id_distribution_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_plan_line')),
    sa.UniqueConstraint('plan_id', 'seq', name=op.f('uq_distribution_plan_line_plan_id_seq'))
    )
    op.create_table('dividend_deduction',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('consent', sa.String(length=200), nullable=False),
    sa.Column('receivable_code', sa.String(length=20), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_dividend_deduction_member_id_member')),
    sa.ForeignKeyConstraint(['plan_id'], ['distribution_plan.id'], name=op.f('fk_dividend_deduction_plan_id_distribution_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dividend_deduction'))
    )
    with op.batch_alter_table('dividend_deduction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dividend_deduction_plan_id'), ['plan_id'], unique=False)

    op.create_table('dividend_line',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('shares', db.types.Mu4(), nullable=False),
    sa.Column('shares_detail', sa.String(length=200), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('deduction', db.types.Fen(), nullable=False),
    sa.Column('net', db.types.Fen(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_dividend_line_household_id_household')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_dividend_line_member_id_member')),
    sa.ForeignKeyConstraint(['plan_id'], ['distribution_plan.id'], name=op.f('fk_dividend_line_plan_id_distribution_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dividend_line')),
    sa.UniqueConstraint('plan_id', 'member_id', name=op.f('uq_dividend_line_plan_id_member_id'))
    )
    with op.batch_alter_table('dividend_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dividend_line_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_dividend_line_plan_seq', ['plan_id', 'seq'], unique=False)

    op.create_table('dividend_payout',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('method', sa.String(length=4), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('bank_tail', sa.String(length=8), nullable=True),
    sa.Column('receiver', sa.String(length=50), nullable=False),
    sa.Column('voucher_id', sa.Uuid(), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_dividend_payout_household_id_household')),
    sa.ForeignKeyConstraint(['plan_id'], ['distribution_plan.id'], name=op.f('fk_dividend_payout_plan_id_distribution_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dividend_payout')),
    sa.UniqueConstraint('plan_id', 'household_id', name=op.f('uq_dividend_payout_plan_id_household_id'))
    )
    op.create_table('membership_event',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('status_after', sa.String(length=4), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_membership_event_member_id_member')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_membership_event_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_event'))
    )
    with op.batch_alter_table('membership_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_event_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('share_event',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('share_type_id', sa.Uuid(), nullable=False),
    sa.Column('from_member_id', sa.Uuid(), nullable=True),
    sa.Column('to_member_id', sa.Uuid(), nullable=True),
    sa.Column('shares', db.types.Mu4(), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['from_member_id'], ['member.id'], name=op.f('fk_share_event_from_member_id_member')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_share_event_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['share_type_id'], ['share_type.id'], name=op.f('fk_share_event_share_type_id_share_type')),
    sa.ForeignKeyConstraint(['to_member_id'], ['member.id'], name=op.f('fk_share_event_to_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_event'))
    )
    with op.batch_alter_table('share_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_event_from_member_id'), ['from_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_event_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_event_to_member_id'), ['to_member_id'], unique=False)

    op.create_table('share_holding',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('share_type_id', sa.Uuid(), nullable=False),
    sa.Column('shares', db.types.Mu4(), nullable=False),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_share_holding_member_id_member')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_share_holding_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['share_type_id'], ['share_type.id'], name=op.f('fk_share_holding_share_type_id_share_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_holding')),
    sa.UniqueConstraint('member_id', 'share_type_id', name=op.f('uq_share_holding_member_id_share_type_id'))
    )
    with op.batch_alter_table('share_holding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_holding_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('share_holding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_holding_organisation_id'))

    op.drop_table('share_holding')
    with op.batch_alter_table('share_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_event_to_member_id'))
        batch_op.drop_index(batch_op.f('ix_share_event_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_share_event_from_member_id'))

    op.drop_table('share_event')
    with op.batch_alter_table('membership_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_event_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_membership_event_member_id'))

    op.drop_table('membership_event')
    op.drop_table('dividend_payout')
    with op.batch_alter_table('dividend_line', schema=None) as batch_op:
        batch_op.drop_index('ix_dividend_line_plan_seq')
        batch_op.drop_index(batch_op.f('ix_dividend_line_household_id'))

    op.drop_table('dividend_line')
    with op.batch_alter_table('dividend_deduction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dividend_deduction_plan_id'))

    op.drop_table('dividend_deduction')
    op.drop_table('distribution_plan_line')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_organisation_id'))
        batch_op.drop_index('ix_member_org_ric')
        batch_op.drop_index('ix_member_household')

    op.drop_table('member')
    with op.batch_alter_table('distribution_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_plan_organisation_id'))
        batch_op.drop_index('ix_distribution_plan_book_year')

    op.drop_table('distribution_plan')
    with op.batch_alter_table('share_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_type_organisation_id'))

    op.drop_table('share_type')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_organisation_id'))

    op.drop_table('household')
    op.drop_table('distribution_setting')
