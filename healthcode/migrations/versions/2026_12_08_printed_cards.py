"""printed_cards: the printed cards of residents without a phone (纸质健康码, issue 16), at most one not revoked a person

Revision ID: 9c4e2b7a1d05
Revises: 3b8e2f61c0d4
Create Date: 2026-12-08 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9c4e2b7a1d05'
down_revision = '3b8e2f61c0d4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'printed_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.LargeBinary(length=16), nullable=False),
        sa.Column('serial', sa.String(length=9), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.LargeBinary(length=8), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_printed_cards_person_id_persons'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_printed_cards')),
        sa.UniqueConstraint('card_id', name=op.f('uq_printed_cards_card_id')),
        sa.UniqueConstraint('serial', name=op.f('uq_printed_cards_serial')),
    )
    op.create_index('ux_printed_cards_live_person', 'printed_cards', ['person_id'], unique=True,
                    sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ux_printed_cards_live_person', table_name='printed_cards',
                  sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_table('printed_cards')
