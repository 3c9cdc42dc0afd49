"""stored address keys fold Latin letters to upper case, as the resolver now does (ASCII only, as upper() does in
SQLite and under the columns' "C" collation in PostgreSQL)

Revision ID: 9a4f6c2d8e13
Revises: 7d3e1a9c2b60
Create Date: 2026-11-27 07:30:00
"""
from alembic import op

revision = '9a4f6c2d8e13'
down_revision = '7d3e1a9c2b60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('UPDATE feed_households SET address_norm = upper(address_norm) WHERE address_norm <> upper(address_norm)')
    op.execute('UPDATE feed_closures SET community_norm = upper(community_norm) '
               'WHERE community_norm <> upper(community_norm)')


def downgrade() -> None:
    pass  # the letters' original case is not kept; folded keys match the same addresses
