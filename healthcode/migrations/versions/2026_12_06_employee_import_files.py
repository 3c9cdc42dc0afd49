"""employee_import_files: the error report of a refused 批量导入 and an upload waiting for the confirmation of its
removals, kept 30 minutes for the admin who uploaded it

Revision ID: 7c3e5a9d1f20
Revises: 2a85597bb134
Create Date: 2026-12-06 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7c3e5a9d1f20'
down_revision = '2a85597bb134'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employee_import_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('owner_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('suffix', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_employee_import_files_org_id_orgs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_import_files')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_employee_import_files_token_hash'))
    )
    with op.batch_alter_table('employee_import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_import_files_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_import_files_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('employee_import_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_import_files_org_id'))
        batch_op.drop_index(batch_op.f('ix_employee_import_files_expires_at'))
    op.drop_table('employee_import_files')
