"""rule_set_switches: the rule set in force as the health authority switched it, with who and when (issue 16)

Revision ID: 4b8e2f6a1c35
Revises: 7c5a1e9d3f20
Create Date: 2026-12-08 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '4b8e2f6a1c35'
down_revision = '7c5a1e9d3f20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rule_set_switches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_set', sa.String(length=64), nullable=False),
        sa.Column('previous', sa.String(length=64), nullable=False),
        sa.Column('switched_by', sa.String(length=64), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('preview', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_set_switches')),
    )


def downgrade() -> None:
    op.drop_table('rule_set_switches')
