"""identity numbers and derived address keys compare byte by byte (COLLATE "C" on PostgreSQL)

Revision ID: 5b0c2f7e9a41
Revises: 3739fae43f1d
Create Date: 2026-11-27 07:05:00
"""
from alembic import op

revision = '5b0c2f7e9a41'
down_revision = '3739fae43f1d'
branch_labels = None
depends_on = None

# (table, column, length): every identity number, and the county and address keys closures and households match on.
COLUMNS = [
    ('dev_idp_accounts', 'id_number', 18), ('employees', 'id_number', 18),
    ('enterprise_operator_events', 'id_number', 18), ('enterprise_operators', 'id_number', 18),
    ('enterprise_profiles', 'operator_id_number', 18), ('feed_arrivals', 'id_number', 18),
    ('feed_cases', 'id_number', 18), ('feed_clinic_visits', 'id_number', 18),
    ('feed_close_contacts', 'id_number', 18), ('feed_close_contacts', 'case_id_number', 18),
    ('feed_closures', 'county_code', 6), ('feed_closures', 'community_norm', 200),
    ('feed_drug_purchases', 'id_number', 18), ('feed_households', 'id_number', 18),
    ('feed_households', 'county_code', 6), ('feed_households', 'address_norm', 300), ('feed_travel', 'id_number', 18),
    ('health_reports', 'id_number', 18), ('messages', 'recipient_id_number', 18), ('persons', 'id_number', 18),
    ('scanners', 'id_number', 18),
]


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite compares bytes already
    for table, column, length in COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE {collation}')


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('"default"')
