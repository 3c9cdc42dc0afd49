"""Sessions and their transactions: the session factory, the unit of work of the CLI and jobs, the request's turn,
the per-request session dependency (`DbSession`) and the insert that may meet a concurrent request's row
(`add_or_existing`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from healthcode.db.survive import replayed

Row = TypeVar("Row")


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
    writes: `survive`)."""
    with request.app.state.sessions() as session, replayed(session, sqlite_immediate=True), session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        request.scope[REQUEST_DB_KEY] = session
        try:
            yield session
        finally:
            request.scope.pop(REQUEST_DB_KEY, None)


# Scope "function": the transaction commits when the route returns, BEFORE the response is sent. With FastAPI's
# default ("request") a client could see a redirect or a 201 before the commit, and a failed commit after a success.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def add_or_existing(session: Session, row: Row, existing: Callable[[], Row | None]) -> Row:
    """Adds `row` after the caller's look-up missed, or returns `existing()`: the row another transaction stored under
    the same unique key in the meantime (a double click, two tabs). The insert runs in a savepoint, so the loser's
    transaction goes on instead of failing on the unique constraint; when `existing()` finds nothing, some other
    constraint failed, and the IntegrityError goes on (see decisions.md)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found
    return row
