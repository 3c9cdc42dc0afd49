"""The engines for SQLite and PostgreSQL: what every connection is set up with (SQLite's pragmas and its BEGIN, the
pool of PostgreSQL), and the refusal of NUL characters before any statement reaches the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from healthcode.datadir import private_sqlite
from healthcode.errors import InvalidCharacters


def make_engine(url: str, **kwargs: Any) -> Engine:
    # SQL errors name no bound values: an exception's text (and the server log's traceback of it) would otherwise
    # carry the ID numbers, names and phones of the statement (issue 12).
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            private_sqlite(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so a batch is one real transaction.
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _refuse_nul_text)
        return engine
    kwargs = _prepare_threshold(url, kwargs)
    # No pre-ping: it is one more round trip for every request. After a database restart the first request on a
    # stale connection fails, and SQLAlchemy then replaces every pooled connection of that process at once.
    # The pool is larger than the request gate (settings.db_request_concurrency): jobs and sign-ins use it too.
    kwargs = {"pool_size": 10, "max_overflow": 20, "pool_recycle": POOL_RECYCLE_SECONDS, **kwargs}
    engine = create_engine(url, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul_text)
    return engine


PREPARE_THRESHOLD = "prepare_threshold"  # the DATABASE_URL parameter taken by the platform, not passed to libpq


def _prepare_threshold(url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`?prepare_threshold=none` (or a number) in a PostgreSQL URL: psycopg's own option, which libpq's connection
    string does not know (SQLAlchemy would pass it on as text). psycopg prepares a statement on the server after its
    5th execution on a connection; behind PgBouncer in transaction mode (before 1.21) the next transaction may run on
    another server connection that never saw it ("prepared statement does not exist"), so there `none` turns
    preparing off (docs/deploy.md, «PgBouncer»)."""
    query = make_url(url).query
    if PREPARE_THRESHOLD not in query:
        return kwargs
    value = str(query[PREPARE_THRESHOLD]).strip().lower()
    if value != "none" and not value.isdigit():
        raise ValueError(f"{PREPARE_THRESHOLD} must be none or a whole number, not {value!r}")
    threshold = None if value == "none" else int(value)
    return {**kwargs, "connect_args": {**kwargs.get("connect_args", {}), PREPARE_THRESHOLD: threshold}}


def ping(engine: Engine) -> None:
    """`SELECT 1` on a connection of the engine's pool: raises when the database does not answer (`GET /readyz`)."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def _refuse_nul_text(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any,
                     _executemany: bool) -> None:
    """Refuses text holding a NUL character, whatever form or API field it came from, before the database sees it:
    PostgreSQL cannot store one (a DataError, a 500) and SQLite would store what nobody can type. One check for every
    input instead of one per field; bytes (keys, token ids) may hold NULs and are not looked at."""
    # A row of values (tuple or dict), rows of an executemany, or one flat row of many (insertmanyvalues batches).
    for item in parameters.values() if isinstance(parameters, dict) else parameters or ():
        if item.__class__ is str:
            _check_nul(item)
        elif isinstance(item, (dict, list, tuple)):
            for value in item.values() if isinstance(item, dict) else item:
                if value.__class__ is str:
                    _check_nul(value)


def _check_nul(value: str) -> None:
    if "\x00" in value:
        raise InvalidCharacters()


POOL_RECYCLE_SECONDS = 3600  # PostgreSQL connections older than this are replaced (kept hot ones too)
SQLITE_BUSY_TIMEOUT_MS = 30000
SQLITE_PAGE_SIZE = 8192
NO_WAIT = "no-wait"  # execution option sqlite_immediate=NO_WAIT: BEGIN IMMEDIATE, or WriterBusy at once


class WriterBusy(Exception):
    """Another process holds SQLite's write lock (a feed load from the command line, say)."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # A new database file gets 8 KiB pages (an existing one keeps its size): feed loads are faster, scans the same
    # (docs/performance.md, "Measured choices"). Before journal_mode: a WAL database cannot change its page size.
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Deleted rows (purged scans, a replaced snapshot's residents) are overwritten with zeros, not left in free pages
    # of the file: personal information (SPEC section 10). Debian builds SQLite so; other builds may not.
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A request's transaction takes SQLite's write lock at its start (IMMEDIATE): a deferred transaction that reads
    # and then writes fails at once with "database is locked" when another writer committed in between, whatever
    # the busy timeout. Requests then queue for the lock. SQLite is the embedded single-machine database;
    # PostgreSQL is the one for the morning rush.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    if immediate == NO_WAIT:
        _begin_no_wait(conn.connection.driver_connection)
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _begin_no_wait(driver: sqlite3.Connection) -> None:
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # SQLITE_BUSY and its extended codes
            raise
        raise WriterBusy() from exc
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
