"""Statements of the morning-rush paths (a checkpoint scan, a code refresh), compiled once per database and run
straight on the DBAPI cursor of the session's connection, inside the session's transaction.

A Core statement executed through SQLAlchemy costs about ten times in Python (cache key, compiled-cache look-up,
execution context, result set-up) what SQLite or a prepared PostgreSQL statement spends on an indexed look-up, and a
scan runs about nine of them (docs/performance.md, "Measured choices"). `Hot` keeps the statement written in
SQLAlchemy (one definition, both databases, the models' columns) and skips that per-execution work: bind values are
converted by the dialect's own bind processors and result values by its result processors, so what comes back
equals what SQLAlchemy returns.

Parameters are scalars: an IN list must be fixed when the statement is built (or written as a sub-select).

On a PostgreSQL connection that does not prepare statements (behind PgBouncer) a long statement is sent as the call of
a PL/pgSQL function holding it, which keeps its plan (`hotfunc`).

What this needs of SQLAlchemy's private members goes through `sqla_private`, the only module that touches them. On a
SQLAlchemy version it was not tested with (`sqla_private.FAST` is False), `Hot` runs the statement through the public
API on the same connection instead (`Connection.execute`): slower, the same rows.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from psycopg import RawCursor
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from healthcode.db import hotfunc, sqla_private


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # bind parameters in the order the driver wants them
    positional: bool
    defaults: dict[str, Any]  # values bound inside the statement (a LIMIT, a literal)
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[Callable[[Any], Any] | None, ...]
    row: Any  # namedtuple class of the result columns


class Hot:
    """One statement of a hot path. `rows()` / `first()` / `scalar()` run it in the session's transaction."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}
        self._public_row: Any = None  # namedtuple class of the result columns, on the public path

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = sqla_private.compile_statement(self.statement, dialect)
            sql, names, positional = compiled.sql, compiled.names, compiled.positional
            if dialect.name == "postgresql":
                sql, names = _dollar_parameters(sql, names)
                positional = True
            plan = self._plans[dialect.name] = _Plan(
                sql=sql,
                names=names,
                positional=positional,
                defaults={k: v for k, v in compiled.parameters.items() if v is not None},
                binds=tuple(compiled.binds.get(name) for name in names),
                results=compiled.results,
                row=namedtuple("Row", compiled.keys, rename=True),  # type: ignore[misc]
            )
        return plan

    def _fetch(self, connection: Any, params: Mapping[str, Any]) -> tuple[_Plan, list[Any]]:
        plan = self._plan(connection.dialect)
        values = [params[name] if name in params else plan.defaults[name] for name in plan.names]
        values = [value if bind is None or value is None else bind(value)
                  for value, bind in zip(values, plan.binds, strict=True)]
        driver = connection.connection.dbapi_connection
        sql = plan.sql
        if connection.dialect.name == "postgresql":
            cursor = RawCursor(driver)  # type: ignore[arg-type]
            if hotfunc.wanted(driver, sql):  # behind PgBouncer: the plan kept in a function
                sql = hotfunc.call_for(connection.engine, sql)
        else:
            cursor = driver.cursor()
        parameters = values if plan.positional else dict(zip(plan.names, values, strict=True))
        sqla_private.before_cursor_execute(connection, cursor, sql, parameters)  # counters and tracing see it
        try:
            try:
                cursor.execute(sql, parameters)
            except Exception as exc:
                # The function gone: outside a transaction (a scan sent alone) the statement itself at once.
                if sql is plan.sql or not hotfunc.failed(connection.engine, plan.sql, exc) or not driver.autocommit:
                    raise
                sql = plan.sql
                cursor.execute(sql, parameters)
            fetched = cursor.fetchall()  # every hot statement returns rows (a SELECT, or RETURNING)
        except Exception as exc:
            sqla_private.raise_as_sqlalchemy(connection, exc, sql, parameters, cursor)
        finally:
            cursor.close()
        return plan, fetched

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        # What the caller added or changed in this session stays visible, as autoflush would make it (without
        # building `session.dirty`, a set of every modified object, on each statement).
        if session.new or session.deleted or session.identity_map.check_modified():
            session.flush()
        connection = _connection(session)
        if not sqla_private.FAST:
            return self._public_rows(connection, params)
        plan, fetched = self._fetch(connection, params)
        make, results = plan.row._make, plan.results
        if not any(results):
            return [make(row) for row in fetched]
        return [make([v if p is None or v is None else p(v) for v, p in zip(row, results, strict=True)])
                for row in fetched]

    def _public_rows(self, connection: Any, params: Mapping[str, Any]) -> list[Any]:
        """The same rows through SQLAlchemy's public API (a SQLAlchemy version `sqla_private` was not tested with)."""
        result = connection.execute(self.statement, dict(params))
        if self._public_row is None:
            self._public_row = namedtuple("Row", tuple(result.keys()), rename=True)  # type: ignore[misc]
        make = self._public_row._make
        return [make(row) for row in result]

    def alone(self, session: Session, params: Mapping[str, Any]) -> Any | None:
        """`first()` sent as a transaction of its own when nothing of the session's transaction has reached the
        database yet (PostgreSQL): one round trip where BEGIN, the statement and COMMIT are three. The statement
        is then committed when this returns, whatever the caller does next: it must be everything the transaction
        writes (one statement is atomic), and what the session runs afterwards is a transaction of its own, which
        the session commits as usual. Elsewhere (SQLite, an open transaction), `first()` in the transaction."""
        if session.new or session.deleted or session.identity_map.check_modified():
            session.flush()
        connection = _connection(session)
        driver = connection.connection.dbapi_connection
        if connection.dialect.name != "postgresql" or driver.info.transaction_status != _IDLE:
            return self.first(session, params)
        driver.autocommit = True
        try:
            return self.first(session, params)
        finally:
            if not driver.closed:
                driver.autocommit = False

    def first(self, session: Session, params: Mapping[str, Any]) -> Any | None:
        found = self.rows(session, params)
        return found[0] if found else None

    def scalar(self, session: Session, params: Mapping[str, Any]) -> Any:
        found = self.first(session, params)
        return found[0] if found is not None else None


_SESSION_CONNECTION = "hotsql.connection"
_IDLE = TransactionStatus.IDLE


def _connection(session: Session) -> Any:
    """The session's connection in its current transaction, looked up once per transaction (the ORM's look-up costs
    as much as a hot statement on SQLite)."""
    transaction = session.get_transaction()
    cached = session.info.get(_SESSION_CONNECTION)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    connection = session.connection()
    session.info[_SESSION_CONNECTION] = (session.get_transaction(), connection)
    return connection


_PYFORMAT = re.compile(r"%\((\w+)\)s|%%")


def _dollar_parameters(sql: str, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """`%(name)s` placeholders as PostgreSQL's own `$1`, for psycopg's RawCursor: psycopg re-parses a pyformat
    query longer than 4 KiB on every execution (the status query is), and a raw query not at all."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    converted = _PYFORMAT.sub(number, sql)
    missing = set(names) - set(order)
    if missing:
        raise ValueError(f"parameters not in the statement: {sorted(missing)}")
    return converted, tuple(order)
