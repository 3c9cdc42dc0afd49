"""The one module of the platform that touches SQLAlchemy's private members: what the hot statements (`hotsql`) need to
compile a statement once and then run it on the DBAPI cursor as SQLAlchemy itself would.

The private members, all of them here:
- `SQLCompiler.construct_params(_check=False, _no_postcompile=True)`: the statement's bound values, unchecked;
- `SQLCompiler._process_parameters_for_postcompile`: IN lists fixed when the statement was built, expanded;
- `SQLCompiler._bind_processors`: the dialect's conversion of each bound value;
- `SQLCompiler._result_columns`: the result columns (their key names and types);
- `TypeEngine._cached_result_processor`: the dialect's conversion of each result value;
- `Connection._has_events`, `Engine._has_events` (with `Connection.dispatch`): cursor event listeners still called;
- `Connection._handle_dbapi_exception`: a driver's error wrapped as SQLAlchemy's, a lost connection invalidated.

They change between SQLAlchemy's minor versions without notice. This module was written and tested for SQLAlchemy
2.1 (`TESTED_FROM` up to, not including, `TESTED_BELOW`; pyproject.toml bounds the dependency the same way). On any
other version `FAST` is False, a warning is logged once (when this module is imported), and `hotsql` runs its
statements through SQLAlchemy's public API instead: slower, the same answers."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import sqlalchemy
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement

TESTED_FROM = (2, 1)
TESTED_BELOW = (2, 2)
log = logging.getLogger(__name__)


def supported(version: str) -> bool:
    """Whether SQLAlchemy `version` (e.g. "2.1.9", "2.1.0b1") is one this module was written and tested for."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return match is not None and TESTED_FROM <= (int(match[1]), int(match[2])) < TESTED_BELOW


def choose(version: str) -> bool:
    """Whether the hot statements may use the private members on SQLAlchemy `version`; a warning in the log if not."""
    if supported(version):
        return True
    log.warning("SQLAlchemy %s is outside the versions the hot statements were tested with (%d.%d or later, "
                "below %d.%d): they run through SQLAlchemy's public API, slower", version, *TESTED_FROM, *TESTED_BELOW)
    return False


FAST = choose(sqlalchemy.__version__)  # decided once, when the platform starts


@dataclass(frozen=True)
class Compiled:
    """A statement compiled for one dialect, in public types."""

    sql: str  # the driver's paramstyle (pyformat for psycopg, qmark for sqlite3)
    names: tuple[str, ...]  # the bound parameters, in the driver's order when it takes them by position
    positional: bool
    parameters: dict[str, Any]  # every bound parameter, with its value where the statement holds one (a LIMIT)
    binds: dict[str, Callable[[Any], Any]]  # the dialect's conversion of a bound value, by name (where it has one)
    results: tuple[Callable[[Any], Any] | None, ...]  # the dialect's conversion of each result column's values
    keys: tuple[str, ...]  # the result columns' key names, as SQLAlchemy's rows name them


def compile_statement(statement: ClauseElement, dialect: Dialect) -> Compiled:
    compiled: Any = statement.compile(dialect=dialect)
    # IN lists fixed when the statement was built become plain bound values (SQLAlchemy's own expansion).
    bound = compiled.construct_params(_check=False, _no_postcompile=True)
    expanded = compiled._process_parameters_for_postcompile(bound)
    columns = compiled._result_columns
    return Compiled(
        sql=expanded.statement,
        names=tuple(expanded.positiontup) if compiled.positional else tuple(expanded.parameters),
        positional=bool(compiled.positional),
        parameters=dict(expanded.parameters),
        binds={**compiled._bind_processors, **expanded.processors},
        results=tuple(c.type._cached_result_processor(dialect, None) for c in columns),
        keys=tuple(c.keyname for c in columns),
    )


def before_cursor_execute(connection: Connection, cursor: Any, sql: str, parameters: Any) -> None:
    """Calls the engine's `before_cursor_execute` listeners (statement counters, tracing), if it has any."""
    if connection._has_events or connection.engine._has_events:
        connection.dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, False)


def raise_as_sqlalchemy(connection: Connection, error: Exception, sql: str, parameters: Any, cursor: Any) -> NoReturn:
    """SQLAlchemy's own handling of a driver's error: raised as SQLAlchemy's (IntegrityError, ...), and a lost
    connection invalidates the pool's connections of before the loss (`connection_invalidated` is set)."""
    connection._handle_dbapi_exception(error, sql, parameters, cursor, None)
