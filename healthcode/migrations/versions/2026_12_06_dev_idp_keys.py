"""The development identity provider's ID-token key kept in the database, shared by every server process (it was made
in each process's memory: a sign-in begun on one process failed on another)

Revision ID: 7d3f1c2a9b60
Revises: 7c3e5a9d1f20
Create Date: 2026-12-06 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7d3f1c2a9b60'
down_revision = '7c3e5a9d1f20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dev_idp_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('private_key_pem', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_idp_keys')),
    )


def downgrade() -> None:
    op.drop_table('dev_idp_keys')
