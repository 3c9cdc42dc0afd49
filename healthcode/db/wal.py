"""SQLite's write-ahead log, checkpointed while the server runs from a worker thread, outside the request turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

WAL_CHECKPOINT_SECONDS = 1.0


@asynccontextmanager
async def wal_checkpoints(app: Any) -> AsyncIterator[None]:
    """While the server runs on SQLite, checkpoints the write-ahead log every second from a worker thread, outside
    the request turn. SQLite otherwise checkpoints inside the commit that fills the log past 1,000 pages: that
    request then holds the one-writer turn for the copy and its fsync (docs/performance.md, "Measured choices"). A
    PASSIVE checkpoint never blocks writers or readers; the automatic one still runs if this one falls behind."""
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
