"""Upkeep of the scans table's day partitions on PostgreSQL (issue 13; docs/deploy.md, «Scan partitions»): each
partition made ahead, `DAYS_AHEAD` days, by every `healthcode` command and by `healthcode serve` as it starts, and the
days past retention dropped whole by `healthcode purge`. On SQLite (a plain table) both do nothing.

Each step is a short transaction of its own on the engine, like the feed loader's batch: a partition's DDL must not
wait behind, or hold up, the scans. A step that cannot take its lock in `LOCK_TIMEOUT_MS` is tried again, then left
to the next run: a scan is never refused for it (a day without a partition lands in DEFAULT, and the next upkeep
moves it into its own)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import partition_repository as repo
from healthcode.checkpoints.repository import scan_days_before
from healthcode.config import Settings

log = logging.getLogger(__name__)

DAYS_AHEAD = 7  # today and the 7 days after it: a week of the daily job missed before scans land in DEFAULT
LOCK_TIMEOUT_MS = 3000
ATTEMPTS = 3
UPKEEP_SECONDS = 6 * 3600  # a server that runs for weeks makes the coming days' partitions four times a day


@asynccontextmanager
async def in_server(app: Any) -> AsyncIterator[None]:
    """While the server runs on PostgreSQL, `prepare_for` every `UPKEEP_SECONDS` from a worker thread, outside the
    request turn: a server left running with no daily command never lets the days ahead run out (scans would land in
    DEFAULT). Each process of `serve --workers N` runs it; the upkeep's own lock lets one at a time do the work."""
    engine, settings = app.state.engine, app.state.settings
    task = asyncio.create_task(_upkeep_every(engine, settings, UPKEEP_SECONDS)) \
        if engine.dialect.name == "postgresql" else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _upkeep_every(engine: Engine, settings: Settings, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(prepare_for, engine, settings)
        except Exception:  # noqa: BLE001 - the loop outlives a failed round; the next one tries again
            log.exception("the scans' partition upkeep failed; trying again in %d s", seconds)


def prepare_for(engine: Engine, settings: Settings) -> list[date]:
    """`prepare` as every command and the server's start run it, after the migration: from today (the clock's)."""
    today = clock.today()
    return prepare(engine, today, keep_from=today - timedelta(days=settings.scan_retention_days))


def prepare(engine: Engine, today: date, *, keep_from: date | None = None) -> list[date]:
    """Makes the partitions of today and the `DAYS_AHEAD` days after it, and of each day the DEFAULT partition holds
    rows of (from `keep_from` on: older days are the purge's), moving those rows; returns the days made."""
    if not _partitioned(engine):
        return []
    with engine.connect() as conn:
        have = set(repo.attached_days(conn))
        caught = [d for d in repo.default_days(conn) if keep_from is None or d >= keep_from]
    wanted = sorted({today + timedelta(days=n) for n in range(DAYS_AHEAD + 1)} | set(caught))
    made = []
    for day in (d for d in wanted if d not in have):
        if _attempt(engine, partial(_make, day=day), f"scans partition {day}: make"):
            made.append(day)
    return made


def _make(conn: Connection, day: date) -> None:
    if day in repo.attached_days(conn):  # made meanwhile by another process
        return
    moved = repo.make_partition(conn, day, move_from_default=repo.default_has_rows(conn, day))
    if moved:
        log.warning("scans partition %s made late: %d scans moved from the DEFAULT partition", day, moved)


def drop_past(engine: Engine, before: datetime) -> int:
    """Detaches and drops each day partition wholly before `before` (a midnight: the retention's cut-off), after
    clearing the offline uploads' ids of its scans; returns the scans dropped. What remains before `before` (the
    DEFAULT partition's rows) is deleted row by row by the purge, as on SQLite."""
    if not _partitioned(engine):
        return 0
    with engine.connect() as conn:
        attached = [d for d in repo.attached_days(conn) if d < before.date()]
        detached = [d for d in repo.detached_days(conn) if d < before.date()]
    dropped = 0
    for day in sorted(set(attached + detached)):
        if day in attached and not _attempt(engine, partial(_detach, day=day), f"scans partition {day}: detach"):
            continue  # left attached: the purge's delete takes its rows, or the next purge the partition
        counted: list[int] = []  # the rows of the attempt that committed (the last one)
        if _attempt(engine, partial(_drop, day=day, counted=counted), f"scans partition {day}: drop") and counted:
            dropped += counted[-1]
    return dropped


def days_before(engine: Engine, before: datetime) -> list[date]:
    """The days that have scans before `before`, as the purge will find them: on PostgreSQL from the partitions'
    names and DEFAULT's rows (no partition read whole), on SQLite from the scans."""
    if not _partitioned(engine):
        with Session(engine) as session:
            return scan_days_before(session, before)
    with engine.connect() as conn:
        days = set(repo.attached_days(conn) + repo.detached_days(conn) + repo.default_days(conn))
    return sorted(d for d in days if d < before.date())


def _detach(conn: Connection, day: date) -> None:
    if day not in repo.attached_days(conn):
        return
    repo.forget_scan_ids_of(conn, day)
    repo.detach(conn, day)


def _drop(conn: Connection, day: date, counted: list[int]) -> None:
    if day in repo.detached_days(conn):  # not dropped meanwhile by another purge
        counted.append(repo.count_and_drop(conn, day))


def _partitioned(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return repo.is_partitioned(conn)


def _attempt(engine: Engine, step: Callable[[Connection], None], what: str) -> bool:
    """Runs `step` in a transaction of its own with the upkeep's lock, `ATTEMPTS` times at most."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                repo.begin_upkeep(conn, LOCK_TIMEOUT_MS)
                step(conn)
            return True
        except (OperationalError, IntegrityError) as exc:  # lock_timeout; a scan of the day landed in DEFAULT
            log.warning("%s: attempt %d of %d failed (%s)", what, attempt, ATTEMPTS, type(exc.orig).__name__)
    log.error("%s: given up for now; the next run tries again", what)
    return False
