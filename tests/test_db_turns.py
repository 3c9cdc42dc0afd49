"""Request transactions take turns (db.db_turn): on SQLite one of any kind at a time; on PostgreSQL only the hot
routes, a few at a time, and an ordinary route (an export) never holds them up."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import Engine

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import db_turn


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
