"""SMS delivery through a gateway: each outbox row's delivery state, tries, next try, last error, and the sealed text
of a verification code until it is delivered or failed (sent_at, never written, becomes delivered_at)

Revision ID: 2a85597bb134
Revises: 5b2e9f0a7c14
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '2a85597bb134'
down_revision = '5b2e9f0a7c14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))
        batch_op.alter_column('sent_at', new_column_name='delivered_at', existing_type=sa.DateTime(),
                              existing_nullable=True)
        batch_op.create_index('ix_sms_outbox_status_next', ['status', 'next_attempt_at'], unique=False)
    # Texts written before there was a dispatcher were never sent and never will be: a gateway configured now must
    # not deliver weeks-old reminders, nor verification codes that read ******. They stay listed, as not delivered.
    op.execute("UPDATE sms_outbox SET status = 'failed', last_error = '升级前写入，未投递'")


def downgrade() -> None:
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_outbox_status_next')
        batch_op.alter_column('delivered_at', new_column_name='sent_at', existing_type=sa.DateTime(),
                              existing_nullable=True)
        batch_op.drop_column('sealed')
        batch_op.drop_column('last_error')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
