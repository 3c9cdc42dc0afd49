"""Test fixtures: a database of the tests' own (SQLite in a temp dir, or a fresh PostgreSQL schema when
HEALTHCODE_TEST_DATABASE_URL is set), emptied before each test; the tests' own settings; the platform clock frozen
where a test says so.

The test run is one process that starts many apps: each `create_app(settings)` sets the process's clock and
temporary folder from its settings, as a server's start does. Between tests the clock is the real one again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

os.environ["HEALTHCODE_ENV"] = "test"
os.environ.pop("HEALTHCODE_DATABASE_URL", None)
os.environ.pop("HEALTHCODE_FIXED_NOW", None)
for _name in ("HEALTHCODE_SMS_GATEWAY_URL", "HEALTHCODE_SMS_GATEWAY_TOKEN"):  # tests never post to a real gateway
    os.environ.pop(_name, None)

import healthcode.models  # noqa: E402,F401
from healthcode import clock, datadir  # noqa: E402
from healthcode.codes import keys  # noqa: E402
from healthcode.config import Settings, get_settings  # noqa: E402
from healthcode.db import Base, make_engine, session_factory  # noqa: E402
from healthcode.rules import in_force  # noqa: E402

PG_URL = os.environ.get("HEALTHCODE_TEST_DATABASE_URL")


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The test process's data directory, as `create_app` or a command prepares one at start-up: for the tests that
    call a service writing temporary files without an app (an app made later takes its own)."""
    datadir.secure(tmp_path_factory.mktemp("data"))


@pytest.fixture(autouse=True)
def _real_clock_after_each_test() -> Iterator[None]:
    """The real clock, and no signing key kept from this test's database, for the next test."""
    yield
    clock.configure(Settings(env="test", fixed_now=None))
    keys.forget_signers()  # the process's copy of the signing key: the next test's database is emptied
    in_force.forget()  # and its copy of the rule set in force



@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_schema_engine: Engine) -> Engine:
    """The test database, emptied: every test starts from no rows at all (and, on PostgreSQL, ids from 1)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with _schema_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE costs ~20 ms a table whatever it holds: only the tables the last test touched (rows left, or
            # an id sequence moved) are emptied, which makes the PostgreSQL run several times faster.
            touched = _touched_tables(conn, tables)
            if touched:
                conn.execute(text(f"TRUNCATE {', '.join(touched)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
    return _schema_engine


def _touched_tables(conn: Connection, tables: list[str]) -> list[str]:
    with_rows = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in tables)
    found = set(conn.execute(text(with_rows)).scalars())
    used = conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
                             "AND last_value IS NOT NULL")).scalars()
    found.update(name.removesuffix("_id_seq") for name in used)
    return [name for name in tables if name in found]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants the code under test to see."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("HEALTHCODE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HEALTHCODE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def freeze(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """`freeze("2020-02-24 09:00")` fixes the platform clock (Asia/Shanghai) for the rest of the test, as the setting
    `fixed_now` does: the clock of the apps already made (the process's clock), the test's `settings` (and so every
    app made from them afterwards), and the environment (which a `healthcode` command reads as it starts)."""

    def _freeze(value: str | datetime) -> datetime:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        monkeypatch.setattr(settings, "fixed_now", moment)
        monkeypatch.setenv("HEALTHCODE_FIXED_NOW", moment.isoformat())
        get_settings.cache_clear()
        clock.configure(settings)
        return moment

    yield _freeze
    get_settings.cache_clear()


@pytest.fixture
def client_host() -> str:
    """The address the test client's requests come from (TestClient's own default); a test from another network
    parametrizes it: `@pytest.mark.parametrize("client_host", ["10.1.2.3"])`."""
    return "testclient"


@pytest.fixture
def client(engine: Engine, settings: Settings, client_host: str) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from healthcode.app import create_app

    with TestClient(create_app(settings, engine), client=(client_host, 50000)) as test_client:
        yield test_client


def count_statements(engine: Engine) -> list[str]:
    """Records the SQL statements run on the engine from now on (for N+1 checks)."""
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


@pytest.fixture
def cli_engine(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Runs `healthcode` commands (CliRunner) on the test database. The real command migrates with Alembic first;
    tests/test_migrations.py and tests/test_cli_contract.py cover that path on an empty database."""
    from healthcode import cli

    monkeypatch.setattr(cli, "_engine", lambda settings: engine)
    return engine


# The whole session's log, formatted as the server writes it, must hold no full ID number (issue 12).
from tests.logscan import log_without_id_numbers  # noqa: E402,F401
