"""enterprise registration verification, USCC disputes, the export log and inactive accounts

Revision ID: 8d934f83bbdd
Revises: 9a4f6c2d8e13
Create Date: 2026-12-05 19:22:22.130833
"""
import sqlalchemy as sa
from alembic import op

revision = '8d934f83bbdd'
down_revision = '3c8e5a1f7b24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Boolean defaults as plain literals ('1'/'0', which PostgreSQL reads as true/false): with an expression default
    # Alembic rebuilds an SQLite table instead of ALTER TABLE ADD COLUMN, and dropping `orgs` or `accounts` with
    # foreign keys on would cascade-delete every enterprise profile, employee and operator.
    op.create_table('export_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('export', sa.String(length=32), nullable=False),
    sa.Column('filter', sa.String(length=300), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_export_logs_account_id_accounts')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_export_logs_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_logs'))
    )
    with op.batch_alter_table('export_logs', schema=None) as batch_op:
        batch_op.create_index('ix_export_logs_at', ['at'], unique=False)
        batch_op.create_index('ix_export_logs_org_at', ['org_id', 'at'], unique=False)

    op.create_table('uscc_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('holder_org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_name', sa.String(length=64), nullable=False),
    sa.Column('legal_phone', sa.String(length=20), nullable=False),
    sa.Column('legal_id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'), nullable=False),
    sa.Column('operator_name', sa.String(length=64), nullable=False),
    sa.Column('operator_id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'), nullable=False),
    sa.Column('operator_phone', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('client_ip', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution_note', sa.String(length=200), nullable=True),
    sa.Column('new_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['holder_org_id'], ['orgs.id'], name=op.f('fk_uscc_disputes_holder_org_id_orgs')),
    sa.ForeignKeyConstraint(['new_org_id'], ['orgs.id'], name=op.f('fk_uscc_disputes_new_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uscc_disputes'))
    )
    with op.batch_alter_table('uscc_disputes', schema=None) as batch_op:
        batch_op.create_index('ix_uscc_disputes_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_uscc_disputes_uscc'), ['uscc'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default='1', nullable=False))

    with op.batch_alter_table('enterprise_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_via', sa.String(length=16), nullable=True))

    with op.batch_alter_table('orgs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_verification', sa.Boolean(), server_default='0', nullable=False))
    # Enterprises that registered themselves before (they have a profile; `org add` ones have none) were never
    # verified: they verify now like new ones (the SMS code to the legal representative's phone they gave).
    op.execute(sa.text("UPDATE orgs SET pending_verification = :pending WHERE kind = 'enterprise' "
                       "AND id IN (SELECT org_id FROM enterprise_profiles)").bindparams(pending=True))



def downgrade() -> None:
    with op.batch_alter_table('orgs', schema=None) as batch_op:
        batch_op.drop_column('pending_verification')

    with op.batch_alter_table('enterprise_profiles', schema=None) as batch_op:
        batch_op.drop_column('verified_via')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('legal_id_number')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('uscc_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uscc_disputes_uscc'))
        batch_op.drop_index('ix_uscc_disputes_status_created')

    op.drop_table('uscc_disputes')
    with op.batch_alter_table('export_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_logs_org_at')
        batch_op.drop_index('ix_export_logs_at')

    op.drop_table('export_logs')
