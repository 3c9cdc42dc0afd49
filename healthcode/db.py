"""Database plumbing: the declarative Base, engines for SQLite and PostgreSQL, sessions, schema migration."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, MetaData, String, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from healthcode.datadir import private_sqlite
from healthcode.errors import InvalidCharacters
from healthcode.kept import replayed

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def bytewise(length: int) -> String:
    """A string compared byte by byte: COLLATE "C" on PostgreSQL (SQLite compares bytes anyway). For identity
    numbers and the derived address keys, which are never sorted for people: a locale's collation only makes their
    indexes slower to build and search (a million households: index builds 2.6 -> 1.8 s). Every column compared with
    such a column must be bytewise too, or PostgreSQL cannot tell which collation an equality uses."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")  # type: ignore[return-value]


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
    # No pre-ping: it is one more round trip for every request. After a database restart the first request on a
    # stale connection fails, and SQLAlchemy then replaces every pooled connection of that process at once.
    # The pool is larger than the request gate (settings.db_request_concurrency): jobs and sign-ins use it too.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=POOL_RECYCLE_SECONDS, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul_text)
    return engine


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
    # A new database file gets 8 KiB pages (an existing one keeps its size): a million-row feed load ~10% faster
    # than with 4 KiB; scans measured the same. Before journal_mode: a WAL database cannot change its page size.
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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work for the CLI and jobs: commits when the block ends, rolls back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


@asynccontextmanager
async def db_turn(app: Any, *, hot: bool = False) -> AsyncIterator[None]:
    """A request transaction's turn, waited for in the event loop, not in a worker thread.

    SQLite: one transaction at a time per process. SQLite has one writer; requests waiting for its lock inside worker
    threads would hold every thread of the pool while the request that has the lock needs one more to run its route
    and commit (a deadlock until the busy timeout). PostgreSQL: the hot routes (`in_transaction`: scans, code
    refreshes) take `db_request_concurrency` turns at a time: dozens of threads in the database at once spend more CPU
    passing Python's GIL around than on the work. Other routes (an export, an import) do not wait for them, nor they
    for those."""
    gate = app.state.hot_gate if hot else app.state.db_gate
    if gate is None:
        yield
        return
    async with gate:
        yield


async def _db_turn(request: Request) -> AsyncIterator[None]:
    async with db_turn(request.app):
        yield


REQUEST_DB_KEY = "healthcode.db"  # the request's session in its ASGI scope: the web session reads its row on it


def get_session(
    request: Request, _turn: Annotated[None, Depends(_db_turn, scope="function")]
) -> Iterator[Session]:
    """The per-request session: one transaction, committed on success and rolled back on error (but for its kept
    writes: healthcode/kept.py)."""
    with request.app.state.sessions() as session, replayed(session, sqlite_immediate=True), session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        request.scope[REQUEST_DB_KEY] = session
        try:
            yield session
        finally:
            request.scope.pop(REQUEST_DB_KEY, None)


def in_transaction(app: Any, work: Callable[[Session], T]) -> Awaitable[T]:
    """Runs `work` in a request transaction, committed before it returns (rolled back if it raises). For the hot
    API routes (scans, code refreshes).

    PostgreSQL: in ONE worker-thread hop (a sync dependency chain costs a hop each, which under load is more CPU than
    the route's own work). SQLite: in the event loop itself when the write lock is free. Its statements are
    in-process calls of microseconds, the request already holds the process's only turn, and the thread hop alone
    cost a quarter of a scan. When another process holds the lock (a feed load from the command line), the work goes
    to a worker thread and waits there: the event loop never waits for a lock.

    Work that finds its connection lost before committing (the database restarted: the pool does not ping) runs
    once more on a fresh connection, so that a restart costs no scan; a loss during the commit is not retried."""

    async def run() -> T:
        async with db_turn(app, hot=True):
            try:
                return await _attempt(app, work)
            except _LostBeforeCommit:
                # SQLAlchemy has invalidated the pool's older connections; the kept ones are as old: gone too.
                close_hot_connections(app)
            try:
                return await _attempt(app, work)
            except _LostBeforeCommit as lost:
                raise lost.error from None

    return run()


class _LostBeforeCommit(Exception):
    """The transaction's connection was lost before its commit: nothing was written."""

    def __init__(self, error: DBAPIError) -> None:
        super().__init__(str(error))
        self.error = error


async def _attempt(app: Any, work: Callable[[Session], T]) -> T:
    if app.state.engine.dialect.name != "sqlite":
        return await run_in_threadpool(_on_kept_connection, app, work)
    # One step back into the loop first: a turn taken and used within one step of the loop is never contended, so
    # requests were served in no fair order (p95 1 s at 64 clients); now they queue for the turn, first come first
    # served.
    await asyncio.sleep(0)
    try:
        return _on_kept_connection(app, work)
    except WriterBusy:
        return await run_in_threadpool(_run_work, app, work)


def _on_kept_connection(app: Any, work: Callable[[Session], T]) -> T:
    """`work` in a transaction on one of the connections kept open for the hot routes (at most one per hot turn, so
    only the request holding a turn uses it): a pool checkout, a new Connection and a sessionmaker session per
    request cost ~0.2 ms a scan, a sixth of it on SQLite. SQLite's kept connection begins without waiting for the
    write lock (WriterBusy instead)."""
    kept = app.state.hot_connections
    connection = kept.pop() if kept else _new_hot_connection(app.state.engine)
    session = Session(bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False)
    try:
        # A kept write made again after a rollback that finds SQLite's lock taken raises WriterBusy like a BEGIN.
        with replayed(session), connection.begin(), session:
            try:
                result = work(session)
                session.flush()  # the session joined the connection's transaction: flushed here, committed by it
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise _LostBeforeCommit(exc) from exc
                raise
    except BaseException:
        # After a failed BEGIN a Connection object is not reusable (it stays "in begin"), after a lost connection
        # neither; after other errors a fresh one costs little.
        connection.close()
        raise
    if time.monotonic() - connection.info[KEPT_SINCE] < _kept_seconds(app.state.engine):
        kept.append(connection)
    else:
        connection.close()  # back to the pool, which replaces it at its next checkout when it is that old
    return result


KEPT_SINCE = "healthcode_kept_since"


def _kept_seconds(engine: Engine) -> float:
    """How long a hot connection is kept: on PostgreSQL as long as the pool keeps any connection (a long-lived
    server process ends up with fresh backends, as the pool's do); on SQLite for the process's life."""
    return POOL_RECYCLE_SECONDS if engine.dialect.name == "postgresql" else float("inf")


def _new_hot_connection(engine: Engine) -> Any:
    connection = engine.connect()
    connection.info[KEPT_SINCE] = time.monotonic()
    return connection.execution_options(sqlite_immediate=NO_WAIT) if engine.dialect.name == "sqlite" else connection


def close_hot_connections(app: Any) -> None:
    """Closes the kept connections not in use (at shutdown, and after a lost one)."""
    while app.state.hot_connections:
        app.state.hot_connections.pop().close()


def _run_work(app: Any, work: Callable[[Session], T]) -> T:
    """`work` in a transaction of its own that waits for SQLite's write lock (in a worker thread)."""
    with app.state.sessions() as session, replayed(session, sqlite_immediate=True), session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        return work(session)


WAL_CHECKPOINT_SECONDS = 1.0


@asynccontextmanager
async def wal_checkpoints(app: Any) -> AsyncIterator[None]:
    """While the server runs on SQLite, checkpoints the write-ahead log every second from a worker thread, outside
    the request turn. SQLite otherwise checkpoints inside the commit that fills the log past 1,000 pages: that
    request then holds the one-writer turn for the copy and its fsync (~200 ms stalls at the morning rush). A PASSIVE
    checkpoint never blocks writers or readers; the automatic one still runs if this one falls behind."""
    engine = app.state.engine
    task = None
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        task = asyncio.create_task(_checkpoint_every(engine, WAL_CHECKPOINT_SECONDS))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _checkpoint_every(engine: Engine, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await run_in_threadpool(_checkpoint, engine)


def _checkpoint(engine: Engine) -> None:
    raw = engine.raw_connection()  # autocommit (isolation_level None): no transaction around the checkpoint
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
    finally:
        raw.close()


# Scope "function": the transaction commits when the route returns, BEFORE the response is sent. With FastAPI's
# default ("request") a client could see a redirect or a 201 before the commit, and a failed commit after a success.
DbSession = Annotated[Session, Depends(get_session, scope="function")]

# Every row id a request names (path, query, form or JSON body) is a positive integer of the id columns' type (INTEGER:
# 32 bits on PostgreSQL): a larger one, zero or a negative one is refused with 422 before it reaches the database
# (PostgreSQL: "integer out of range", SQLite beyond 64 bits: OverflowError; both a 500 otherwise). Page numbers too.
DB_ID_MAX = 2**31 - 1
DbId = Annotated[int, Interval(ge=1, le=DB_ID_MAX)]
PageNumber = Annotated[int, Interval(ge=1, le=DB_ID_MAX)]


def migrate(engine: Engine) -> None:
    """Creates or upgrades the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    import healthcode.models  # noqa: F401  (registers every table on Base.metadata)

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
