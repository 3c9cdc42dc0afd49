"""family views: each showing of a relative's code or reasons to the resident applying for them

Revision ID: 7d3e1a9c2b60
Revises: 5b0c2f7e9a41
Create Date: 2026-11-27 07:17:41.096165
"""
import sqlalchemy as sa
from alembic import op

revision = '7d3e1a9c2b60'
down_revision = '5b0c2f7e9a41'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('family_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['persons.id'], name=op.f('fk_family_views_member_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['persons.id'], name=op.f('fk_family_views_owner_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_views'))
    )
    with op.batch_alter_table('family_views', schema=None) as batch_op:
        batch_op.create_index('ix_family_views_member_at', ['member_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_views_owner_id'), ['owner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('family_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_views_owner_id'))
        batch_op.drop_index('ix_family_views_member_at')

    op.drop_table('family_views')
