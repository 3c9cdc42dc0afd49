"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from healthcode.db import Base, make_engine, migrate, not_a_partition
from tests.migrating import empty_database


def test_migrations_match_the_models(tmp_path: Path) -> None:
    # Given a database with no tables at all
    with empty_database(tmp_path) as (engine, schema):
        # When every migration runs (twice: the second run must be a no-op)
        migrate(engine)
        migrate(engine)
        # Then the schema has no difference from the models
        with engine.connect() as conn:
            opts = {"compare_type": False, "include_name": not_a_partition}  # as migrations/env.py compares
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
        assert diff == []
        if schema:  # and the same columns compare byte by byte (types, so collations, are not compared above)
            assert _bytewise_columns(engine, schema) == _bytewise_models()


def _bytewise_models() -> set[tuple[str, str]]:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return {(table.name, column.name) for table in Base.metadata.tables.values() for column in table.columns
            if 'COLLATE "C"' in str(column.type.compile(dialect=dialect))}


def _bytewise_columns(engine: Engine, schema: str) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = :s AND collation_name = 'C'"), {"s": schema})
        return {(table, column) for table, column in rows}


def test_the_address_case_migration_folds_stored_keys_as_the_resolver_does(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from healthcode.db import MIGRATIONS
    from healthcode.regions.divisions import resolve

    # Given a database at the revision before, holding keys stored before letters were folded
    engine = make_engine(f"sqlite:///{tmp_path / 'case.sqlite3'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "7d3e1a9c2b60")
        connection.execute(text("INSERT INTO feed_batches (id, feed, source, status, sha256, rows_read, "
                                "rows_applied, bad_rows, created_at) VALUES (1, 'households', 'a.csv', 'applied', "
                                "'0', 1, 1, 0, '2020-02-20 00:00:00')"))
        connection.execute(text("INSERT INTO feed_households (batch_id, id_number, name, address, address_norm) "
                                "VALUES (1, '350102198001010011', '张三', '鼓楼区Sm城市广场c座', 'Sm城市广场c座')"))
    # When the schema is upgraded
    migrate(engine)
    # Then the stored key is what the resolver makes of the address now
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT address_norm FROM feed_households")).scalar_one()
    assert stored == resolve("鼓楼区Sm城市广场c座").rest == "SM城市广场C座"
    engine.dispose()
