"""assets: each resource parcel and project belongs to a book (None: the main book); a project
keeps its 工程 facts: budget, tender result, contract, final account

Revision ID: a0002
Revises: a0001
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "a0002"
down_revision = "a0001"
branch_labels = None
depends_on = None


def _book_column(table: str) -> None:
    # ALTER TABLE … ADD COLUMN … REFERENCES: no table copy (a copy of ``project`` would drop the
    # table the asset cards refer to, which SQLite refuses with foreign keys on)
    op.add_column(table, sa.Column('book_id', sa.Uuid(), sa.ForeignKey('book.id', name=f'fk_{table}_book_id_book'),
                                   nullable=True), inline_references=True)
    op.create_index(f'ix_{table}_book_id', table, ['book_id'], unique=False)


def upgrade() -> None:
    _book_column('project')
    _book_column('resource_parcel')
    for name, type_ in (('budget', db.types.Fen()), ('tender_method', sa.String(length=10)),
                        ('tender_winner', sa.String(length=100)), ('tender_amount', db.types.Fen()),
                        ('tender_on', sa.Date()), ('contract_id', sa.Uuid()), ('final_amount', db.types.Fen()),
                        ('final_on', sa.Date())):
        op.add_column('project', sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table in ('resource_parcel', 'project'):
        op.drop_index(f'ix_{table}_book_id', table_name=table)
    with op.batch_alter_table('resource_parcel', schema=None) as batch_op:
        batch_op.drop_column('book_id')
    with op.batch_alter_table('project', schema=None) as batch_op:
        for col in ('final_on', 'final_amount', 'contract_id', 'tender_on', 'tender_amount', 'tender_winner',
                    'tender_method', 'budget', 'book_id'):
            batch_op.drop_column(col)
