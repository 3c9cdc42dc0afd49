"""consent: employment requests (an employee row exists only once the resident confirmed the employer) and the
relative's confirmation or refusal of a family link

Existing employees: a row whose resident named that enterprise's USCC on a report of his own stays, with a confirmed
request (his naming was his consent); every other row becomes a pending request and leaves the employees table (an
enterprise that typed a name and an ID number had no consent). The per-day report counts are rebuilt from the rows
that stay. Existing family links keep no confirmation: they show only while guardianship holds (see
docs/decisions.md) or once the relative confirms.

Revision ID: 3c8e5a1f7b24
Revises: 9a4f6c2d8e13
Create Date: 2026-12-05 19:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3c8e5a1f7b24'
down_revision = '4c8e2b7d1f35'
branch_labels = None
depends_on = None

NAMED = ("EXISTS (SELECT 1 FROM health_reports h JOIN orgs o ON o.id = e.org_id "
         "WHERE h.id_number = e.id_number AND h.employer_uscc = o.uscc)")


def upgrade() -> None:
    op.create_table('employment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18).with_variant(sa.String(length=18, collation='C'), 'postgresql'),
              nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by', sa.String(length=12), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_employment_requests_org_id_orgs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_requests')),
    sa.UniqueConstraint('org_id', 'id_number', name='uq_employment_requests_org_id_number')
    )
    with op.batch_alter_table('employment_requests', schema=None) as batch_op:
        batch_op.create_index('ix_employment_requests_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_employment_requests_org_state', ['org_id', 'state'], unique=False)
    with op.batch_alter_table('family_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refused_at', sa.DateTime(), nullable=True))

    op.execute(
        "INSERT INTO employment_requests (org_id, name, id_number, phone, state, requested_by, requested_at, decided_at) "
        f"SELECT e.org_id, e.name, e.id_number, e.phone, CASE WHEN {NAMED} THEN 'confirmed' ELSE 'pending' END, "
        f"CASE WHEN {NAMED} THEN 'resident' ELSE 'enterprise' END, e.created_at, "
        f"CASE WHEN {NAMED} THEN e.created_at END FROM employees e")
    op.execute(f"DELETE FROM employees WHERE NOT {NAMED.replace('e.', 'employees.')}")
    op.execute("DELETE FROM enterprise_day_stats")
    op.execute(
        "INSERT INTO enterprise_day_stats (org_id, day, reporters) "
        "SELECT e.org_id, h.report_date, count(*) FROM employees e JOIN health_reports h ON h.id_number = e.id_number "
        "GROUP BY e.org_id, h.report_date")


def downgrade() -> None:
    with op.batch_alter_table('family_links', schema=None) as batch_op:
        batch_op.drop_column('refused_at')
        batch_op.drop_column('confirmed_at')
    with op.batch_alter_table('employment_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_employment_requests_org_state')
        batch_op.drop_index('ix_employment_requests_id_number')
    op.drop_table('employment_requests')
