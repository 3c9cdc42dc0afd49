"""Writes that outlive the request making them: what a refusal must leave behind (a failed sign-in, a throttle's hit, a
refused code, a wrong SMS code) although the request then answers with an error and its transaction rolls back. A
service writes such a count with `keep` and raises as usual; its callers need no care (docs/decisions.md, "Counts
that survive the rollback").

`write` gets a session and may run on another one than the caller's: it is built from plain values (ids, keys,
times), reads only what is committed, and must not need a row the request's transaction has written (on PostgreSQL
it would wait for a transaction that waits for it).

- PostgreSQL: `write` runs at once in a transaction of its own, on a connection of a small pool of its own (a
  request holding one of the app's connections never waits for a second from the same pool), and commits before
  `keep` returns. The request's transaction still holds what serialises the count (the throttle key's advisory
  lock) until it ends, so concurrent requests count exactly as before.
- SQLite has one writer, and the request's transaction holds the write lock from its first statement: a second
  connection could only wait for it (a deadlock until the busy timeout). `write` runs in the request's transaction
  (in a savepoint) and is remembered on its session. When that transaction rolls back, the request's wrapper
  (`replayed`: `transactions.get_session`, the hot routes' `kept.in_transaction`) runs it again in a transaction of
  its own, before the request gives up the process's turn (`db_turn`); a savepoint that rolls back (`savepoint`) runs it
  again in the transaction around it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from healthcode.db.engine import make_engine

T = TypeVar("T")
Write = Callable[[Session], Any]

KEPT = "healthcode.survive"  # session.info: the writes to run again if the transaction rolls back (SQLite)
OWN_POOL_SIZE, OWN_POOL_OVERFLOW = 2, 8  # kept writes are short: a few connections serve every request

_own_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_own_lock = threading.Lock()


def keep(session: Session, write: Callable[[Session], T]) -> T:
    """Runs `write` so that it survives a rollback of `session`'s transaction, and returns what it returns. If it
    raises, nothing of it is kept."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        with Session(_own_engine(engine)) as own, own.begin():
            return write(own)
    with session.begin_nested():
        result = write(session)
    session.info.setdefault(KEPT, []).append(write)
    return result


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """`session.begin_nested()` whose rollback undoes everything but the kept writes made inside it (SQLite: they
    are made again in the transaction around it)."""
    mark = len(session.info.get(KEPT, ()))
    try:
        with session.begin_nested():
            yield
    except Exception:
        writes = session.info.get(KEPT, [])[mark:]
        del session.info.get(KEPT, [])[mark:]
        for write in writes:
            keep(session, write)
        raise


@contextmanager
def replayed(session: Session, **connection_options: Any) -> Iterator[None]:
    """Around a request's transaction on `session` (outside it): when the transaction ends in an error, the writes
    kept in it (SQLite) are made again in a transaction of their own, committed before the error goes on. The
    options are those the request's connection began with."""
    try:
        yield
    except Exception:
        writes = session.info.pop(KEPT, None)
        if writes:
            with session.begin():
                session.connection(execution_options=connection_options or None)
                for write in writes:
                    write(session)
        raise
    finally:
        session.info.pop(KEPT, None)


def _own_engine(engine: Engine) -> Engine:
    """The engine of the kept writes: the same database, a pool of its own (created at the first kept write)."""
    with _own_lock:
        own = _own_engines.get(engine)
        if own is None:
            # made as the platform's engines are (make_engine): the same connection options (prepare_threshold)
            own = make_engine(engine.url.render_as_string(hide_password=False), pool_size=OWN_POOL_SIZE,
                              max_overflow=OWN_POOL_OVERFLOW)
            _own_engines[engine] = own
        return own
