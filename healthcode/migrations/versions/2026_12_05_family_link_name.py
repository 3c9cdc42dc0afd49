"""family links keep the relative's name as the applicant entered it (shown until the link is active; never
compared with the real name)

Revision ID: 5b2e9f0a7c14
Revises: 4e8b1d7c3a52
Create Date: 2026-12-05 20:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5b2e9f0a7c14'
down_revision = '4e8b1d7c3a52'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('family_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=64), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('family_links', schema=None) as batch_op:
        batch_op.drop_column('name')
