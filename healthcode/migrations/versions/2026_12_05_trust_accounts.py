"""trust: throttle hits, delivered passwords, every retrieval attempt logged, password resets by a superior

Revision ID: 4c8e2b7d1f35
Revises: 9a4f6c2d8e13
Create Date: 2026-12-05 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '4c8e2b7d1f35'
down_revision = '9a4f6c2d8e13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('throttle_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_hits'))
    )
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_hits_action_key_at', ['action', 'key', 'at'], unique=False)
        batch_op.create_index('ix_throttle_hits_action_at', ['action', 'at'], unique=False)

    # Existing accounts count as delivered: `org add` printed their passwords (retrieval then refuses them).
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_delivered', sa.Boolean(), server_default=sa.true(), nullable=False))

    # Earlier rows were all issued retrievals; their "reset for one more retrieval" columns have no meaning now
    # that retrieval never issues a second password (a superior resets the password instead: account_resets).
    with op.batch_alter_table('account_retrievals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uscc', sa.String(length=18), server_default='', nullable=False))
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), server_default='issued', nullable=False))
        batch_op.alter_column('org_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column('reset_by')
        batch_op.drop_column('reset_at')

    op.create_table('account_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('by_org_id', sa.Integer(), nullable=False),
    sa.Column('by_username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('client_ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['by_org_id'], ['orgs.id'], name=op.f('fk_account_resets_by_org_id_orgs')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_account_resets_org_id_orgs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_resets'))
    )
    with op.batch_alter_table('account_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_resets_by_org_id'), ['by_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_resets_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_resets_org_id'))
        batch_op.drop_index(batch_op.f('ix_account_resets_by_org_id'))
    op.drop_table('account_resets')

    op.execute("DELETE FROM account_retrievals WHERE org_id IS NULL OR outcome <> 'issued'")
    with op.batch_alter_table('account_retrievals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reset_by', sa.String(length=64), nullable=True))
        batch_op.alter_column('org_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('outcome')
        batch_op.drop_column('uscc')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('password_delivered')

    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_hits_action_at')
        batch_op.drop_index('ix_throttle_hits_action_key_at')
    op.drop_table('throttle_hits')
