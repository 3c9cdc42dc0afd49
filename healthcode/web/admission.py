"""Admission control (issue 13, SPEC section 11): a process takes a bounded number of requests at once and lets a
bounded number wait; past that it answers `503` at once with `Retry-After`, so that a morning rush ten times the
peak is shed in a few milliseconds a request instead of piling up until every request times out.

- **In flight**: at most `in_flight` requests are inside the app at once. The bound sits below the database's own
  queues (PostgreSQL's pool, SQLite's one writer turn: `db.db_turn`), so that a request waits here, where its class
  and its deadline count, and not invisibly in a pool.
- **Classes**, first served first: scans (the checkpoint API and the scanner's pages: a person stands at the
  turnstile), then code refreshes (the citizen's code API and pages, and the static files those pages need), then
  everything else (the consoles, sign-ins, feeds). Each class may fill only its share of the places: scans all of
  them, refreshes all but a quarter, the rest half. A scan always finds a quarter of the places that refreshes and
  consoles cannot take, and refreshes a quarter that consoles cannot take, so the consoles are shed first.
- **Waiting**: a request that finds its class's share full waits, at most `wait` seconds (each a little less, at
  random: not all at once), then gets the 503. The
  waiting requests of a class are served newest first: under overload the oldest are the ones that would be shed
  anyway, and the newest (a request right after the rush) then answers at once instead of behind a queue of clients
  that may have gone. When `queue` requests are waiting, a newcomer of a higher class takes the place of the oldest
  waiting request of the lowest class (which gets the 503); any other newcomer gets the 503 at once. A client that
  closes its connection while its request waits (a phone that gave up, a load generator that stopped) takes the
  request out of the queue: after a rush the process does not work for clients that have gone.
- **The answer**: under `/api/` the JSON error `{"error": "overloaded", "message": …}`, under a portal that portal's
  Chinese error page, elsewhere the plain one; rendered once per page and host, then sent as stored bytes.
- `/healthz` and `/readyz` are never held: a load balancer must see a busy process as alive.

Pure ASGI (no `BaseHTTPMiddleware`): a taken request costs a counter and a `try`."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from healthcode.web.errors import error_response, portal_of, wants_json
from healthcode.web.templating import _

SCAN, CODE, REST = 0, 1, 2
CLASSES = (SCAN, CODE, REST)
CLASS_NAMES = ("scan", "code", "rest")
UNHELD = frozenset({"/healthz", "/readyz"})
OVERLOADED = _("当前访问人数较多，请稍后再试")
TAKEN, REFUSED, GONE = object(), object(), object()  # what became of a waiting request
_PAGE_CACHE_SIZE = 32  # rendered pages kept (portal x scheme x host): a Host header can be anything


def request_class(path: str) -> int:
    """Which class a request is in, by its path."""
    if path.startswith(("/api/v1/checkpoint/", "/scanner/")):
        return SCAN
    if path.startswith(("/api/v1/me/", "/citizen/", "/static/")):
        return CODE
    return REST


@dataclass(frozen=True)
class Limits:
    in_flight: int
    queue: int
    wait_seconds: float
    retry_after_seconds: int

    def shares(self) -> tuple[int, int, int]:
        """Places each class may fill: scans all, refreshes all but a quarter, the rest half (each at least one)."""
        code = max(1, self.in_flight - max(1, self.in_flight // 4))
        return self.in_flight, code, max(1, min(code, self.in_flight // 2))


@dataclass(eq=False)
class _Waiter:
    klass: int
    future: asyncio.Future[object]
    timer: asyncio.TimerHandle | None = None


@dataclass
class Counts:
    """What the process did, by class (for tests and benchmarks)."""

    taken: list[int] = field(default_factory=lambda: [0, 0, 0])
    waited: list[int] = field(default_factory=lambda: [0, 0, 0])
    shed: list[int] = field(default_factory=lambda: [0, 0, 0])
    gone: list[int] = field(default_factory=lambda: [0, 0, 0])  # clients that left while their request waited


class Admission:
    def __init__(self, app: Any, *, limits: Limits) -> None:
        self.app = app
        self.limits = limits
        self.shares = limits.shares()
        self.in_flight = 0
        self.waiting: tuple[deque[_Waiter], ...] = (deque(), deque(), deque())
        self.counts = Counts()
        self._pages: dict[tuple[str, ...], bytes] = {}
        retry = str(limits.retry_after_seconds).encode()
        self._headers = [(b"retry-after", retry), (b"cache-control", b"no-store")]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in UNHELD:
            await self.app(scope, receive, send)
            return
        klass = request_class(scope["path"])
        if self.in_flight < self.shares[klass]:
            self.in_flight += 1  # no request of this class or above waits: a freed place is given at once
        else:
            outcome, receive = await self._wait(klass, receive)
            if outcome is GONE:
                self.counts.gone[klass] += 1
                return  # nobody to answer
            if outcome is REFUSED:
                self.counts.shed[klass] += 1
                await self._refuse(scope, receive, send)
                return
        self.counts.taken[klass] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._release()

    @property
    def queued(self) -> int:
        return sum(len(queue) for queue in self.waiting)

    async def _wait(self, klass: int, receive: Any) -> tuple[object, Any]:
        """Waits for a place: TAKEN, REFUSED (no room to wait, pushed out, waited too long) or GONE (the client
        closed its connection meanwhile), and the `receive` the app is to read the request from."""
        if self.queued >= self.limits.queue and not self._push_out(klass):
            return REFUSED, receive
        loop = asyncio.get_running_loop()
        waiter = _Waiter(klass, loop.create_future())
        # A deadline between three quarters of the bound and all of it: the requests of one burst are not all refused
        # in the same turn of the event loop (a wave of 503s there holds up every request in flight).
        wait = self.limits.wait_seconds * (1 - random.random() / 4)
        waiter.timer = loop.call_later(wait, self._expire, waiter)
        self.waiting[klass].append(waiter)
        self.counts.waited[klass] += 1
        read: list[Any] = []
        listener = asyncio.ensure_future(self._listen(receive, read, waiter))
        try:
            outcome = await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled() and waiter.future.result() is TAKEN:
                self._release()  # given a place it will not use
            else:
                self._forget(waiter)
            raise
        finally:
            listener.cancel()
        return outcome, _replaying(read, receive) if read else receive

    async def _listen(self, receive: Any, read: list[Any], waiter: _Waiter) -> None:
        """While a request waits, reads what its client sends: the request's body (kept for the app) if it comes in
        one message, then the disconnect of a client that gave up, which takes the request out of the queue. A body
        in several messages is left unread (an upload is not buffered here)."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self._forget(waiter)
                if not waiter.future.done():
                    waiter.future.set_result(GONE)
                return
            read.append(message)
            if message.get("more_body", False):
                return

    def _push_out(self, klass: int) -> bool:
        """Makes room for a request of class `klass` by refusing the oldest waiting request of a lower class."""
        for lower in (REST, CODE):
            if lower > klass and self.waiting[lower]:
                self._settle(self.waiting[lower].popleft(), REFUSED)
                return True
        return False

    def _expire(self, waiter: _Waiter) -> None:
        self._forget(waiter)
        if not waiter.future.done():
            waiter.future.set_result(REFUSED)

    def _forget(self, waiter: _Waiter) -> None:
        try:
            self.waiting[waiter.klass].remove(waiter)
        except ValueError:
            pass
        if waiter.timer is not None:
            waiter.timer.cancel()

    def _settle(self, waiter: _Waiter, outcome: object) -> None:
        """Gives a waiting request taken out of its queue its outcome (every waiter in a queue is unsettled)."""
        if waiter.timer is not None:
            waiter.timer.cancel()
        waiter.future.set_result(outcome)

    def _release(self) -> None:
        """A place is free: it goes to the newest waiting request of the highest class whose share allows it."""
        self.in_flight -= 1
        for klass in CLASSES:
            queue = self.waiting[klass]
            while queue and self.in_flight < self.shares[klass]:
                self.in_flight += 1
                self._settle(queue.pop(), TAKEN)
            if queue:
                return  # a class still waiting: no lower class may pass it

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        json = wants_json(request)
        key = ("json",) if json else (portal_of(scope["path"]) or "", scope.get("scheme", "http"),
                                      request.headers.get("host", ""), scope.get("root_path", ""))
        body = self._pages.get(key)
        if body is None:
            body = bytes(error_response(request, 503, "overloaded", OVERLOADED).body)
            if len(self._pages) < _PAGE_CACHE_SIZE:
                self._pages[key] = body
        kind = b"application/json" if json else b"text/html; charset=utf-8"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *self._headers]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _replaying(read: list[Any], receive: Any) -> Any:
    """`receive` that first gives back the messages read while the request waited."""

    async def replay() -> Any:
        return read.pop(0) if read else await receive()

    return replay
