"""funds: ``account_period_total.lines`` (posted lines in each month summary); vouchers indexed by
(book, date, number)

The paged journals read their outline (months, line counts, sums) from the summary instead of
counting the journal (issue #18: first paint of a 1M-line ledger). Existing summaries get their
counts from the posted entries, grouped exactly as the summary is. A journal page is read in
journal order (date, number, line) from the voucher side: with the number in the index SQLite
walks the vouchers in that order instead of sorting each day's vouchers (9 ms -> 0.4 ms for a
page of a month with 83k lines).

Revision ID: f0003
Revises: f0002
Create Date: 2026-12-02 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'f0003'
down_revision = 'f0002'
branch_labels = None
depends_on = None

_FILL = """
UPDATE account_period_total SET lines = (
    SELECT count(*) FROM entry e JOIN voucher v ON v.id = e.voucher_id
    WHERE e.book_id = account_period_total.book_id AND e.account_id = account_period_total.account_id
      AND e.period = account_period_total.period AND NOT e.deleted AND NOT v.deleted AND v.status = '记账'
      AND (coalesce(v.source_kind, '') = 'year_end_close') = account_period_total.closing)
"""


def upgrade() -> None:
    with op.batch_alter_table('account_period_total', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lines', sa.Integer(), nullable=False, server_default='0'))
    op.execute(_FILL)
    op.drop_index('ix_voucher_book_date', table_name='voucher')
    op.create_index('ix_voucher_book_date_number', 'voucher', ['book_id', 'voucher_date', 'number'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_voucher_book_date_number', table_name='voucher')
    op.create_index('ix_voucher_book_date', 'voucher', ['book_id', 'voucher_date'], unique=False)
    with op.batch_alter_table('account_period_total', schema=None) as batch_op:
        batch_op.drop_column('lines')
