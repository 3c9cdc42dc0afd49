"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from healthcode.db import Base, make_engine, migrate
from tests.conftest import PG_URL


def test_migrations_match_the_models(tmp_path: Path) -> None:
    # Given a database with no tables at all
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
        # When every migration runs (twice: the second run must be a no-op)
        migrate(engine)
        migrate(engine)
        # Then the schema has no difference from the models
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
        if schema:
            with make_engine(PG_URL).begin() as conn:  # type: ignore[arg-type]
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
