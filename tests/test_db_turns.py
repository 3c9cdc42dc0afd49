"""Request transactions take turns (db.db_turn): on SQLite one of any kind at a time; on PostgreSQL only the hot
routes, a few at a time, and an ordinary route (an export) never holds them up. The hot routes' transactions
(db.in_transaction) run in the event loop on SQLite and survive a database restart on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import Engine, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import db_turn, make_engine
from healthcode.db import kept as db
from healthcode.db.hotsql import Hot


def run(coroutine: Coroutine[Any, Any, bool]) -> bool:
    """Runs a coroutine on an event loop of its own thread (the browser tests' Playwright keeps one running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_an_ordinary_turn_holds_up_hot_turns_on_sqlite_only(engine: Engine, settings: Settings) -> None:
    app = create_app(settings, engine)

    async def hot_turn_free_during_an_ordinary_one() -> bool:
        async with db_turn(app):
            return not app.state.hot_gate.locked()

    assert run(hot_turn_free_during_an_ordinary_one()) is (engine.dialect.name != "sqlite")


def test_hot_turns_are_limited_to_the_setting_on_postgresql(engine: Engine, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"db_request_concurrency": 2}), engine)
    limit = 1 if engine.dialect.name == "sqlite" else 2

    async def locked_after(turns: int) -> bool:
        async with AsyncExitStack() as stack:
            for _ in range(turns):
                await stack.enter_async_context(db_turn(app, hot=True))
            return bool(app.state.hot_gate.locked())

    assert run(locked_after(limit - 1)) is False
    assert run(locked_after(limit)) is True


def test_on_sqlite_hot_work_runs_in_the_event_loop_and_waits_for_a_busy_lock_in_a_thread(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's hot work always runs in a worker thread")
    app = create_app(settings, engine)
    other_process = sqlite3.connect(str(engine.url.database), isolation_level=None, check_same_thread=False)
    handed_to_thread = asyncio.Event()
    real_run_in_threadpool = db.run_in_threadpool

    async def watched_run_in_threadpool(function: Any, *args: Any) -> Any:
        handed_to_thread.set()
        return await real_run_in_threadpool(function, *args)

    monkeypatch.setattr(db, "run_in_threadpool", watched_run_in_threadpool)
    ran_in: list[threading.Thread] = []

    def work(session: Session) -> int:
        ran_in.append(threading.current_thread())
        return int(session.execute(text("SELECT 1")).scalar_one())

    async def scenario() -> bool:
        loop_thread = threading.current_thread()
        assert await db.in_transaction(app, work) == 1 and not handed_to_thread.is_set()
        other_process.execute("BEGIN IMMEDIATE")  # the write lock taken elsewhere, e.g. by `healthcode feed load`
        waiting = asyncio.create_task(db.in_transaction(app, work))
        await handed_to_thread.wait()  # the event loop runs on while the work waits for the lock
        assert not waiting.done()
        other_process.execute("COMMIT")
        assert await waiting == 1
        return ran_in[0] is loop_thread and ran_in[1] is not loop_thread

    try:
        assert run(scenario())
    finally:
        other_process.close()


RESTARTED = "healthcode-restart-test"


def _terminate_connections(engine: Engine) -> int:
    """What a database restart does to the connections of `engine`'s pool (those with our application_name)."""
    import psycopg

    url = engine.url.set(drivername="postgresql").difference_update_query(["application_name"])
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        row = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = %s", [RESTARTED]).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize("statement", ["hot", "orm"])
def test_hot_work_runs_again_when_the_database_restarted_before_it_committed(
    engine: Engine, settings: Settings, statement: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a lost connection is a client-server database's case")
    own = make_engine(engine.url.update_query_dict({"application_name": RESTARTED})
                      .render_as_string(hide_password=False))
    app = create_app(settings, own)
    one = Hot(select(literal_column("1").label("one")))
    attempts: list[int] = []
    together = threading.Barrier(2)

    def work(session: Session) -> int:
        attempts.append(1)
        return int(one.scalar(session, {}) if statement == "hot" else session.execute(text("SELECT 1")).scalar_one())

    def work_beside_another(session: Session) -> int:
        together.wait(timeout=30)  # both in the database at once: two connections are kept afterwards
        return work(session)

    async def two_at_once() -> list[int]:
        return list(await asyncio.gather(db.in_transaction(app, work_beside_another),
                                         db.in_transaction(app, work_beside_another)))

    try:
        assert run(two_at_once()) == [1, 1]
        assert _terminate_connections(own) == 2

        assert run(db.in_transaction(app, work)) == 1
        assert len(attempts) == 4  # the first attempt after the restart found its kept connection gone, not both
    finally:
        db.close_hot_connections(app)  # what the app's lifespan does at shutdown
        own.dispose()


def test_hot_work_that_fails_otherwise_is_not_run_again(engine: Engine, settings: Settings) -> None:
    app = create_app(settings, engine)
    attempts: list[int] = []

    def work(session: Session) -> int:
        attempts.append(1)
        return int(session.execute(text("SELECT no_such_column FROM persons")).scalar_one())

    with pytest.raises(DBAPIError):
        run(db.in_transaction(app, work))
    assert attempts == [1]


def test_hot_work_commits_what_it_adds_and_a_failure_rolls_all_of_it_back(engine: Engine, settings: Settings) -> None:
    from healthcode.errors import Invalid
    from healthcode.residents.models import Person
    from tests.codes.factories import NOW, id_number

    app = create_app(settings, engine)

    def add(n: int, then_fail: bool) -> Any:
        def work(session: Session) -> int:
            session.add(Person(id_number=id_number(n), name="王芳", created_at=NOW))
            if then_fail:
                session.flush()
                raise Invalid("失败")
            return n
        return work

    with pytest.raises(Invalid):
        run(db.in_transaction(app, add(1, then_fail=True)))
    assert run(db.in_transaction(app, add(2, then_fail=False))) == 2  # the next request after a failure runs

    with engine.connect() as other:  # what another connection sees
        assert other.execute(text("SELECT id_number FROM persons")).scalars().all() == [id_number(2)]


@pytest.mark.parametrize("recycle", [3600, 0])
def test_a_kept_hot_connection_goes_back_to_the_pool_when_the_pool_would_recycle_it(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, recycle: int) -> None:
    monkeypatch.setattr(db, "POOL_RECYCLE_SECONDS", recycle)
    app = create_app(settings, engine)
    try:
        # When a hot transaction has run
        assert run(db.in_transaction(app, lambda session: session.execute(text("SELECT 1")).scalar_one())) == 1
        # Then its connection is kept for the next one, unless it has been kept as long as the pool keeps any
        # (PostgreSQL; SQLite's stay for the process's life)
        expected = 0 if recycle == 0 and engine.dialect.name == "postgresql" else 1
        assert len(app.state.hot_connections) == expected
    finally:
        db.close_hot_connections(app)
