"""Manual flags of the health authority, and named users of a unit (issue 16)

Revision ID: 7c5a1e9d3f20
Revises: 9c4e2b7a1d05
Create Date: 2026-12-08 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7c5a1e9d3f20'
down_revision = '9c4e2b7a1d05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('org_admins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=50), nullable=True))
    op.create_table(
        'manual_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'),
                  nullable=False),
        sa.Column('color', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('proposed_by', sa.Integer(), nullable=False),
        sa.Column('proposed_by_label', sa.String(length=100), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_by_label', sa.String(length=100), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_reason', sa.String(length=200), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('withdrawn_by', sa.Integer(), nullable=True),
        sa.Column('withdrawn_by_label', sa.String(length=100), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdraw_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['proposed_by'], ['accounts.id'], name=op.f('fk_manual_flags_proposed_by_accounts')),
        sa.ForeignKeyConstraint(['decided_by'], ['accounts.id'], name=op.f('fk_manual_flags_decided_by_accounts')),
        sa.ForeignKeyConstraint(['withdrawn_by'], ['accounts.id'],
                                name=op.f('fk_manual_flags_withdrawn_by_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_flags')),
    )
    op.create_index(op.f('ix_manual_flags_id_number'), 'manual_flags', ['id_number'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_manual_flags_id_number'), table_name='manual_flags')
    op.drop_table('manual_flags')
    with op.batch_alter_table('org_admins', schema=None) as batch_op:
        batch_op.drop_column('name')
