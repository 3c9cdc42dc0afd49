"""The hot routes' transactions (scans, code refreshes): run on connections kept open between requests, in one
worker-thread hop on PostgreSQL and in the event loop on SQLite, and once more when the database restarted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from healthcode.db.engine import NO_WAIT, POOL_RECYCLE_SECONDS, WriterBusy
from healthcode.db.survive import replayed
from healthcode.db.transactions import db_turn

T = TypeVar("T")


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
    request cost a sixth of a scan on SQLite (docs/performance.md). SQLite's kept connection begins without waiting
    for the write lock (WriterBusy instead)."""
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
