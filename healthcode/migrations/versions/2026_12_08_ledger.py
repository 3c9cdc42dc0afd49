"""The accountability ledger: an append-only, hash-chained record of the acts that change or contest a colour
(issue 16)

Revision ID: 3b8e2f61c0d4
Revises: 6e1b9d4c2a73
Create Date: 2026-12-08 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3b8e2f61c0d4'
down_revision = '6e1b9d4c2a73'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'),
                  nullable=True),
        sa.Column('ref_table', sa.String(length=40), nullable=True),
        sa.Column('ref_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
        sa.UniqueConstraint('hash', name=op.f('uq_ledger_entries_hash')),
    )
    op.create_index('ix_ledger_entries_id_number', 'ledger_entries', ['id_number'], unique=False)
    op.create_index('ix_ledger_entries_ref', 'ledger_entries', ['ref_table', 'ref_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ledger_entries_ref', table_name='ledger_entries')
    op.drop_index('ix_ledger_entries_id_number', table_name='ledger_entries')
    op.drop_table('ledger_entries')
