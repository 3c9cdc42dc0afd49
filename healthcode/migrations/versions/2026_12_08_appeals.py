"""Appeals (申诉) and corrections (issue 16)

Revision ID: 8a4c7e2d9f15
Revises: 4b8e2f6a1c35
Create Date: 2026-12-08 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '8a4c7e2d9f15'
down_revision = '4b8e2f6a1c35'
branch_labels = None
depends_on = None


def _id_number() -> sa.types.TypeEngine:
    return sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_number', _id_number(), nullable=False),
        sa.Column('rule', sa.String(length=40), nullable=False),
        sa.Column('reason_since', sa.Date(), nullable=False),
        sa.Column('reason_detail', sa.Text(), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decision', sa.Text(), nullable=True),
        sa.Column('evidence_file', sa.String(length=64), nullable=True),
        sa.Column('evidence_type', sa.String(length=40), nullable=True),
        sa.Column('evidence_size', sa.Integer(), nullable=True),
        sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    )
    op.create_index(op.f('ix_appeals_id_number'), 'appeals', ['id_number'], unique=False)
    op.create_index('uq_appeals_open_reason', 'appeals', ['id_number', 'rule'], unique=True,
                    sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    op.create_table(
        'corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_number', _id_number(), nullable=False),
        sa.Column('feed', sa.String(length=32), nullable=False),
        sa.Column('record_key', sa.String(length=200), nullable=False),
        sa.Column('record_on', sa.Date(), nullable=True),
        sa.Column('rule', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('appeal_id', sa.Integer(), nullable=True),
        sa.Column('made_by', sa.String(length=100), nullable=False),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
    )
    op.create_index('ix_corrections_person_record', 'corrections', ['id_number', 'feed', 'record_key'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_corrections_person_record', table_name='corrections')
    op.drop_table('corrections')
    op.drop_index('uq_appeals_open_reason', table_name='appeals')
    op.drop_index(op.f('ix_appeals_id_number'), table_name='appeals')
    op.drop_table('appeals')
