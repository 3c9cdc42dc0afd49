"""Databases for the migration tests: an empty one of their own (a SQLite file, or a fresh PostgreSQL schema when the
suite runs on PostgreSQL), and an upgrade to a given revision on an open connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from healthcode.db import MIGRATIONS, make_engine
from tests.conftest import PG_URL


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[tuple[Engine, str | None]]:
    """An engine on a database with no tables, and its PostgreSQL schema (None on SQLite); dropped afterwards."""
    schema = None
    if PG_URL:
        schema = f"m_{uuid.uuid4().hex[:12]}"
        with make_engine(PG_URL).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    engine = make_engine(url)
    try:
        yield engine, schema
    finally:
        engine.dispose()
        if schema:
            with make_engine(PG_URL).begin() as conn:  # type: ignore[arg-type]
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade_to(connection: Connection, revision: str) -> None:
    """Migrates the connection's database to `revision` (an older one, to put data in before a later migration)."""
    command.upgrade(_config(connection), revision)


def downgrade_to(connection: Connection, revision: str) -> None:
    """Migrates the connection's database back to `revision`."""
    command.downgrade(_config(connection), revision)
