"""issued_codes indexed by person and issue time (instead of person alone): the code page's refresh shows the person's
newest code again while it is fresh, and finds it with this index on every refresh (issue 13)

Revision ID: 6e1b9d4c2a73
Revises: 7d3f1c2a9b60
Create Date: 2026-12-07 02:00:00
"""
from alembic import op

revision = '6e1b9d4c2a73'
down_revision = '7d3f1c2a9b60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issued_codes', schema=None) as batch_op:
        batch_op.create_index('ix_issued_codes_person_id_issued_at', ['person_id', 'issued_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_issued_codes_person_id'))


def downgrade() -> None:
    with op.batch_alter_table('issued_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_codes_person_id'), ['person_id'], unique=False)
        batch_op.drop_index('ix_issued_codes_person_id_issued_at')
