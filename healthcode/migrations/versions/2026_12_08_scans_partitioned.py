"""scans partitioned by day on PostgreSQL (issue 13): PARTITION BY RANGE (at), a partition a day for every day that
has scans and a DEFAULT partition, the rows moved; the key becomes (id, at), so the foreign key from
offline_scans.scan_id goes (on SQLite too: one schema; `healthcode purge` clears the ids of the scans it removes).
SQLite keeps the plain table. The days ahead are made by checkpoints/partitions.py after every migration.

Revision ID: 68aa31b41ace
Revises: 8a4c7e2d9f15
Create Date: 2026-12-08 03:00:00
"""
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '68aa31b41ace'
down_revision = '8a4c7e2d9f15'
branch_labels = None
depends_on = None

COLUMNS = ("id, scanner_id, point_id, org_id, person_id, color, via, at, pass_reason, temperature_result, "
           "temperature, feedback_at")
INDEXES = (("ix_scans_org_at", ["org_id", "at"]), ("ix_scans_person_at", ["person_id", "at"]),
           ("ix_scans_point_id", ["point_id"]), ("ix_scans_scanner_id", ["scanner_id"]))
OFFLINE_FK = "fk_offline_scans_scan_id_scans"


def _scans_table(primary_key: tuple[str, ...], **kw: Any) -> None:
    op.create_table(
        'scans',
        sa.Column('id', sa.Integer(), nullable=False,
                  server_default=sa.text("nextval('scans_id_seq'::regclass)")),
        sa.Column('scanner_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('color', sa.String(length=8), nullable=False),
        sa.Column('via', sa.String(length=8), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('pass_reason', sa.String(length=16), nullable=True),
        sa.Column('temperature_result', sa.String(length=8), nullable=True),
        sa.Column('temperature', sa.Float(), nullable=True),
        sa.Column('feedback_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name='fk_scans_org_id_orgs'),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name='fk_scans_person_id_persons'),
        sa.ForeignKeyConstraint(['point_id'], ['scan_points.id'], name='fk_scans_point_id_scan_points'),
        sa.ForeignKeyConstraint(['scanner_id'], ['scanners.id'], name='fk_scans_scanner_id_scanners'),
        sa.PrimaryKeyConstraint(*primary_key, name='pk_scans'),
        **kw,
    )
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY scans.id")


def _drop_indexes_and_key(table: str) -> None:
    for name, _columns in INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_scans")


def _create_indexes() -> None:
    for name, columns in INDEXES:
        op.create_index(name, 'scans', columns, unique=False)


def _partition_of(day: date) -> str:
    lo = datetime.combine(day, time.min)
    return (f"CREATE TABLE scans_p{day:%Y%m%d} PARTITION OF scans FOR VALUES FROM ('{lo:%Y-%m-%d %H:%M:%S}') "
            f"TO ('{lo + timedelta(days=1):%Y-%m-%d %H:%M:%S}')")


def upgrade() -> None:
    with op.batch_alter_table('offline_scans', schema=None) as batch_op:
        batch_op.drop_constraint(OFFLINE_FK, type_='foreignkey')
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE scans RENAME TO scans_unpartitioned")
    _drop_indexes_and_key('scans_unpartitioned')  # the names go to the new table; the copy reads the table whole
    _scans_table(('id', 'at'), postgresql_partition_by='RANGE (at)')
    op.execute("CREATE TABLE scans_default PARTITION OF scans DEFAULT")
    days = op.get_bind().execute(sa.text("SELECT DISTINCT CAST(at AS date) FROM scans_unpartitioned")).scalars()
    for day in sorted(days):
        op.execute(_partition_of(day))
    op.execute(f"INSERT INTO scans ({COLUMNS}) SELECT {COLUMNS} FROM scans_unpartitioned")
    _create_indexes()  # after the rows: one sort per partition instead of row by row
    op.execute("DROP TABLE scans_unpartitioned")
    op.execute("ANALYZE scans")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE scans RENAME TO scans_partitioned")
        _drop_indexes_and_key('scans_partitioned')
        _scans_table(('id',))
        op.execute(f"INSERT INTO scans ({COLUMNS}) SELECT {COLUMNS} FROM scans_partitioned")
        _create_indexes()
        op.execute("DROP TABLE scans_partitioned CASCADE")  # with its partitions
        leftovers = op.get_bind().execute(sa.text(  # partitions a purge detached and did not drop: past retention
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
            "AND relname ~ '^scans_p[0-9]{8}$'")).scalars().all()
        for name in leftovers:
            op.execute(f"DROP TABLE {name}")
    op.execute("UPDATE offline_scans SET scan_id = NULL WHERE scan_id IS NOT NULL "
               "AND NOT EXISTS (SELECT 1 FROM scans WHERE scans.id = offline_scans.scan_id)")
    with op.batch_alter_table('offline_scans', schema=None) as batch_op:
        batch_op.create_foreign_key(OFFLINE_FK, 'scans', ['scan_id'], ['id'], ondelete='SET NULL')
