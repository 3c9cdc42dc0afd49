"""ledger_anchors: what a purge of the ledger leaves behind (the last entry removed and its hash, how many, when, the
cut-off), so `audit verify` starts from the newest anchor

Revision ID: 9d2f4a6b8c10
Revises: 68aa31b41ace
Create Date: 2026-12-09 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9d2f4a6b8c10'
down_revision = '68aa31b41ace'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_anchors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('cutoff', sa.DateTime(), nullable=False),
        sa.Column('last_entry_id', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('removed', sa.Integer(), nullable=False),
        sa.Column('prev_seal', sa.String(length=64), nullable=False),
        sa.Column('seal', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_anchors')),
        sa.UniqueConstraint('seal', name=op.f('uq_ledger_anchors_seal')),
    )


def downgrade() -> None:
    op.drop_table('ledger_anchors')
