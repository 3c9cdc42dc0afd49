"""Fixtures of the SMS tests: the fake gateway, settings that point at it, writing texts the way the platform does
(in a transaction of their own), and one dispatcher round at a given time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, select

from healthcode.config import Settings
from healthcode.db import session_factory, transaction
from healthcode.messages import sms
from healthcode.messages.dispatch import Dispatcher
from healthcode.messages.models import SmsOutbox
from healthcode.messages.outbox import Tally
from tests.messages.gateway import FakeGateway, serve

T = TypeVar("T")
NOW = datetime(2020, 2, 24, 9, 0)
TOKEN = "gw-token-123"


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    yield from serve()


@pytest.fixture
def sms_settings(settings: Settings, gateway: FakeGateway) -> Settings:
    """The test settings with the fake gateway, a token, a 3 s timeout and three tries."""
    return settings.model_copy(update={
        "sms_gateway_url": gateway.url, "sms_gateway_token": TOKEN, "sms_gateway_timeout_seconds": 3.0,
        "sms_max_attempts": 3, "sms_retry_base_seconds": 10.0, "sms_retry_max_seconds": 60.0,
    })


def queue(engine: Engine, texts: list[tuple[str, str]], *, at: datetime = NOW, secret: str | None = None,
          secret_key: str | None = None) -> None:
    with transaction(engine) as session:
        sms.sender().send(session, texts, at, secret=secret, secret_key=secret_key)


def dispatch(engine: Engine, settings: Settings, at: datetime = NOW) -> Tally:
    """One `run_once` of a dispatcher whose clock reads `at`."""

    async def run() -> Tally:
        async with Dispatcher(engine, settings) as dispatcher:
            return await dispatcher.run_once(now=lambda: at)

    return in_thread(asyncio.run, run())


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Runs `function` in a thread of its own: an event loop of its own there (the browser tests' Playwright keeps
    one running in the main thread, where asyncio.run refuses to start another)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def rows(engine: Engine) -> list[SmsOutbox]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(SmsOutbox).order_by(SmsOutbox.id)))


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Waits for a condition another thread makes true (the server's dispatcher), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
