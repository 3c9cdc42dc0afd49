"""The SMS dispatcher: delivers the outbox to the gateway (SPEC section 11): POST `{"phone", "text"}` as UTF-8 JSON to
HEALTHCODE_SMS_GATEWAY_URL, `Authorization: Bearer HEALTHCODE_SMS_GATEWAY_TOKEN` when set; a 2xx answer is delivered,
anything else (or no answer within the timeout) is tried again later, up to the limit.

Each round: claim due texts in one short transaction (messages/outbox.py), post them outside any transaction, record
the answers in another. On PostgreSQL several dispatchers (server processes, `healthcode sms dispatch` workers) claim
with SKIP LOCKED and a lease, so each text is posted once; on SQLite the claim holds the write lock, and in the server
it waits for the process's one-writer turn like a request (db.db_turn), never while a post is waiting on the gateway.

It runs inside the server when the URL is set (`in_server`, started by the app's lifespan: woken after each commit
that wrote texts, and looking every `sms_poll_seconds` for those of other processes and for retries), and as the
command `healthcode sms dispatch` (`run_worker`)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.config import Settings
from healthcode.db import db_turn, transaction
from healthcode.messages import outbox, repository, sms
from healthcode.messages.outbox import Claimed, Retry, Tally

T = TypeVar("T")
BATCH = 20  # texts claimed (and posted at once) per round
LEASE_MARGIN = timedelta(seconds=60)  # a claim's lease: the posts' timeout and this much to record their answers
log = logging.getLogger(__name__)


@asynccontextmanager
async def _no_turn() -> AsyncIterator[None]:
    yield


class Dispatcher:
    """Delivers due texts for one process. `turn`: what a write transaction waits for first (the server's SQLite
    one-writer turn); the command line waits for nothing but the database's own lock."""

    def __init__(self, engine: Engine, settings: Settings,
                 turn: Callable[[], AbstractAsyncContextManager[None]] = _no_turn) -> None:
        if not settings.sms_gateway_url:
            raise ValueError("no SMS gateway configured")
        self.engine, self.settings, self._turn = engine, settings, turn
        self.url = settings.sms_gateway_url
        self.timeout = settings.sms_gateway_timeout_seconds
        self.lease = timedelta(seconds=self.timeout) + LEASE_MARGIN
        self.retry = Retry(settings.sms_max_attempts, settings.sms_retry_base_seconds, settings.sms_retry_max_seconds)
        self.headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.sms_gateway_token:
            self.headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Dispatcher:
        self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run_once(self, now: Callable[[], datetime] = clock.now, stop: asyncio.Event | None = None,
                       on_round: Callable[[Tally], None] | None = None) -> Tally:
        """Delivers every text due now, a batch at a time, until none is due (a text tried and failed is due again
        only after its backoff) or `stop` is set."""
        tally = Tally()
        while stop is None or not stop.is_set():
            moment = now()
            if not await run_in_threadpool(self._read, repository.has_due_sms, moment):
                break
            async with self._turn():
                claimed, closed = await run_in_threadpool(self._write, self._claim, moment)
            done = Tally()
            if claimed:
                answers = await asyncio.gather(*(self._post(text) for text in claimed))
                async with self._turn():
                    done = await run_in_threadpool(self._write, self._record, list(zip(claimed, answers, strict=True)),
                                                   now())
            done.add(closed)
            tally.add(done)
            if on_round is not None:
                on_round(done)
            if not claimed and not closed.total:
                break  # every due text is being tried by another dispatcher
        return tally

    def _claim(self, session: Session, moment: datetime) -> tuple[list[Claimed], Tally]:
        return outbox.claim(session, moment, limit=BATCH, lease=self.lease, secret_key=self.settings.secret_key)

    def _record(self, session: Session, outcomes: list[tuple[Claimed, str | None]], moment: datetime) -> Tally:
        return outbox.record(session, outcomes, moment, self.retry)

    async def _post(self, text: Claimed) -> str | None:
        """None when the gateway took the text (2xx), else a short error: the status, a timeout, the failure's kind;
        never the text, the phone or the gateway's answer (which may quote them)."""
        assert self._client is not None, "use the dispatcher in `async with`"
        body = json.dumps({"phone": text.phone, "text": text.text}, ensure_ascii=False).encode()
        try:
            async with asyncio.timeout(self.timeout):  # the whole exchange, however slowly an answer trickles in
                answer = await self._client.post(self.url, content=body, headers=self.headers)
        except (TimeoutError, httpx.TimeoutException):
            return "网关超时"
        except httpx.HTTPError as exc:
            return f"无法连接网关（{type(exc).__name__}）"
        if 200 <= answer.status_code < 300:
            return None
        return f"网关返回 HTTP {answer.status_code}"

    def _read(self, work: Callable[..., T], *args: Any) -> T:
        with transaction(self.engine) as session:
            return work(session, *args)

    def _write(self, work: Callable[..., T], *args: Any) -> T:
        with transaction(self.engine) as session:
            session.connection(execution_options={"sqlite_immediate": True})  # SQLite: the write lock first
            return work(session, *args)


# --- inside the server ---------------------------------------------------------------------------------------------

@asynccontextmanager
async def in_server(app: Any) -> AsyncIterator[None]:
    """While the server runs, delivers texts when a gateway is configured (no gateway: nothing is sent, texts stay in
    the outbox). At shutdown the round under way finishes (posts time out after the gateway's timeout), then the
    task stops."""
    settings: Settings = app.state.settings
    if not settings.sms_gateway_url:
        yield
        return
    loop = asyncio.get_running_loop()
    wake, stop = asyncio.Event(), asyncio.Event()

    def wake_up() -> None:  # called from the thread that committed
        with suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(wake.set)

    async with Dispatcher(app.state.engine, settings, turn=lambda: db_turn(app)) as dispatcher:
        unhook = sms.on_texts_committed(wake_up)
        task = asyncio.create_task(_serve(dispatcher, wake, stop, settings.sms_poll_seconds))
        try:
            yield
        finally:
            unhook()
            stop.set()
            wake.set()
            with suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, dispatcher.timeout + 5)  # cancelled if a round still hangs then


async def _serve(dispatcher: Dispatcher, wake: asyncio.Event, stop: asyncio.Event, poll_seconds: float) -> None:
    while not stop.is_set():
        wake.clear()  # a commit from now on wakes the next round at once
        try:
            tally = await dispatcher.run_once(stop=stop)
            if tally.total:
                log.info("%s", tally.summary())
        except Exception:  # a database or network failure must not end delivery for the process's life
            log.exception("短信投递出错，稍后重试")
        with suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll_seconds)


# --- the command line ----------------------------------------------------------------------------------------------

def run_worker(engine: Engine, settings: Settings, *, once: bool,
               on_round: Callable[[Tally], None] | None = None) -> Tally:
    """`healthcode sms dispatch`: delivers what is due (`once`), or keeps delivering until SIGINT or SIGTERM, looking
    for due texts every `sms_poll_seconds`. Returns what was done."""
    return asyncio.run(_worker(engine, settings, once=once, on_round=on_round))


async def _worker(engine: Engine, settings: Settings, *, once: bool,
                  on_round: Callable[[Tally], None] | None) -> Tally:
    stop, tally = asyncio.Event(), Tally()
    loop = asyncio.get_running_loop()
    handled = []
    for number in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
            loop.add_signal_handler(number, stop.set)
            handled.append(number)
    try:
        async with Dispatcher(engine, settings) as dispatcher:
            while not stop.is_set():
                tally.add(await dispatcher.run_once(stop=stop, on_round=on_round))
                if once:
                    break
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.sms_poll_seconds)
    finally:
        for number in handled:
            loop.remove_signal_handler(number)
    return tally
