"""funds: the 年度财务计划 (budget_line: book, year, income/expense account code, amount)

Revision ID: f0002
Revises: f0001
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = 'f0002'
down_revision = 'f0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_line',
    sa.Column('book_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('account_code', sa.String(length=20), nullable=False),
    sa.Column('amount', db.types.Fen(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.Uuid(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['book.id'], name=op.f('fk_budget_line_book_id_book')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line')),
    sa.UniqueConstraint('book_id', 'year', 'account_code', name=op.f('uq_budget_line_book_id_year_account_code'))
    )


def downgrade() -> None:
    op.drop_table('budget_line')
