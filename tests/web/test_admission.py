"""Admission control (web/admission.py) on its own: requests held in flight by events of the test's inner app, so
that every step is decided by what the middleware does with the next request, never by timing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from healthcode.web.admission import CODE, REST, SCAN, Admission, Limits, request_class

SCAN_PATH = "/api/v1/checkpoint/scans"
CODE_PATH = "/api/v1/me/code"
CONSOLE_PATH = "/api/v1/org/scans"


class Held:
    """The inner app: each request tells that it entered, then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.gates: list[asyncio.Event] = []
        self.bodies: list[bytes] = []
        self.moved = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        gate = asyncio.Event()
        self.bodies.append((await receive())["body"])
        self.entered.append(scope["path"])
        self.gates.append(gate)
        self.moved.set()
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    def finish(self, index: int) -> None:
        self.gates[index].set()


class Answer:
    """What the client got; `leave()` closes its connection (the next read of the request gives a disconnect)."""

    def __init__(self, body: bytes = b"") -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.request_body = body
        self.left = asyncio.Event()
        self.reads = 0

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        if self.reads == 1:
            return {"type": "http.request", "body": self.request_body, "more_body": False}
        await self.left.wait()
        return {"type": "http.disconnect"}

    def leave(self) -> None:
        self.left.set()

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            self.body += message.get("body", b"")


def call(middleware: Admission, path: str, body: bytes = b"") -> tuple[asyncio.Task[None], Answer]:
    answer = Answer(body)
    scope = {"type": "http", "method": "POST" if body else "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [(b"host", b"testserver")], "scheme": "http", "root_path": ""}
    return asyncio.ensure_future(middleware(scope, answer.receive, answer.send)), answer


async def settle() -> None:
    """Lets every task that can move take its steps (no time passes: the tasks only wait for each other)."""
    for _ in range(5):
        await asyncio.sleep(0)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


def limits(in_flight: int = 4, queue: int = 8, wait: float = 60.0) -> Limits:
    return Limits(in_flight=in_flight, queue=queue, wait_seconds=wait, retry_after_seconds=2)


def test_classes_by_path() -> None:
    assert request_class("/api/v1/checkpoint/scans") == SCAN
    assert request_class("/api/v1/checkpoint/scans/7/feedback") == SCAN
    assert request_class("/scanner/service") == SCAN
    assert request_class("/api/v1/me/code") == CODE and request_class("/citizen/code") == CODE
    assert request_class("/gov/records") == REST and request_class("/ent/") == REST
    assert request_class("/api/v1/org/scans") == REST and request_class("/") == REST
    assert request_class("/scannerx") == REST and request_class("/api/v1/checkpointer") == REST


def test_shares_leave_a_quarter_to_scans_and_shed_the_consoles_first() -> None:
    assert limits(16).shares() == (16, 12, 8)
    assert limits(4).shares() == (4, 3, 2)
    assert limits(1).shares() == (1, 1, 1)


def test_past_the_queue_a_request_gets_503_at_once_with_retry_after_and_the_json_error() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1, queue=0))
        held, _ = call(middleware, CODE_PATH)
        await settle()
        refused, answer = call(middleware, CODE_PATH)
        await refused  # answered without the held request moving
        assert answer.status == 503 and answer.headers["retry-after"] == "2"
        assert answer.headers["content-type"] == "application/json"
        body = json.loads(answer.body)
        assert body["error"] == "overloaded" and "请稍后再试" in body["message"]
        assert inner.entered == [CODE_PATH] and middleware.counts.shed[CODE] == 1
        inner.finish(0)
        await held

    run(scenario)


def test_a_scan_is_taken_while_code_refreshes_fill_their_share() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=4))
        refreshes = [call(middleware, CODE_PATH) for _ in range(4)]
        await settle()
        assert inner.entered == [CODE_PATH] * 3 and middleware.queued == 1  # the fourth waits: a quarter is kept
        scan, _ = call(middleware, SCAN_PATH)
        await settle()
        assert inner.entered[-1] == SCAN_PATH and middleware.in_flight == 4
        inner.finish(3)  # the scan ends: its place goes back to scans, not to the waiting refresh
        await scan
        assert len(inner.entered) == 4 and middleware.queued == 1
        inner.finish(0)  # a refresh ends: the waiting one takes its place
        await settle()
        assert inner.entered[-1] == CODE_PATH and middleware.queued == 0
        for index in range(len(inner.gates)):
            inner.finish(index)
        await asyncio.gather(*(task for task, _ in refreshes))
        assert [answer.status for _, answer in refreshes] == [200] * 4

    run(scenario)


def test_console_requests_are_shed_first() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=4, queue=1))
        consoles = [call(middleware, CONSOLE_PATH) for _ in range(3)]
        await settle()
        assert inner.entered == [CONSOLE_PATH] * 2 and middleware.queued == 1  # half the places, then waiting
        refresh, _ = call(middleware, CODE_PATH)  # refreshes (and scans) are still taken at once
        await settle()
        assert inner.entered[-1] == CODE_PATH
        fourth, fourth_answer = call(middleware, CONSOLE_PATH)
        await fourth  # the queue is full, of its own class: refused at once
        assert fourth_answer.status == 503
        scan, _ = call(middleware, SCAN_PATH)
        await settle()
        assert inner.entered[-1] == SCAN_PATH and middleware.in_flight == 4
        late_refresh, _ = call(middleware, CODE_PATH)  # must wait: it takes the waiting console request's place
        await settle()
        assert consoles[2][0].done() and consoles[2][1].status == 503
        assert middleware.counts.shed[REST] == 2 and [len(q) for q in middleware.waiting] == [0, 1, 0]
        inner.finish(0)  # a console request ends: the refresh takes the place
        await settle()
        assert inner.entered[-1] == CODE_PATH and middleware.queued == 0
        for index in range(len(inner.gates)):
            inner.finish(index)
        await asyncio.gather(consoles[0][0], consoles[1][0], refresh, scan, late_refresh)
        assert middleware.in_flight == 0 and middleware.counts.shed == [0, 0, 2]


def test_a_request_that_waits_too_long_gets_503_instead_of_timing_out() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1, wait=0.01))
        held, _ = call(middleware, SCAN_PATH)
        await settle()
        waiting, answer = call(middleware, SCAN_PATH)
        await waiting  # the middleware's own deadline answers it; the held request has not moved
        assert answer.status == 503 and middleware.queued == 0 and inner.entered == [SCAN_PATH]
        inner.finish(0)
        await held
        assert middleware.in_flight == 0

    run(scenario)


def test_after_the_rush_the_newest_waiting_request_goes_first_and_a_new_one_is_taken_at_once() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1))
        first, _ = call(middleware, CODE_PATH)
        await settle()
        older, _ = call(middleware, "/api/v1/me/code?older")
        newer, _ = call(middleware, "/citizen/code")
        await settle()
        inner.finish(0)
        await settle()
        assert inner.entered == [CODE_PATH, "/citizen/code"]  # newest first: the old ones are the ones to shed
        inner.finish(1)
        await settle()
        inner.finish(2)
        await asyncio.gather(first, older, newer)
        assert middleware.in_flight == 0 and middleware.queued == 0
        waited = sum(middleware.counts.waited)
        after, answer = call(middleware, CODE_PATH)
        await settle()
        assert inner.entered[-1] == CODE_PATH and sum(middleware.counts.waited) == waited  # no wait at all
        inner.finish(3)
        await after
        assert answer.status == 200

    run(scenario)


def test_a_cancelled_waiting_request_gives_its_place_back() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1))
        held, _ = call(middleware, CODE_PATH)
        await settle()
        waiting, _ = call(middleware, CODE_PATH)
        await settle()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert middleware.queued == 0 and middleware.in_flight == 1
        inner.finish(0)
        await held
        assert middleware.in_flight == 0

    run(scenario)


def test_probes_are_never_held() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1, queue=0))
        held, _ = call(middleware, CODE_PATH)
        await settle()
        probe, _ = call(middleware, "/healthz")
        await settle()
        assert inner.entered == [CODE_PATH, "/healthz"] and middleware.in_flight == 1
        inner.finish(0)
        inner.finish(1)
        await asyncio.gather(held, probe)

    run(scenario)


def test_a_client_that_leaves_while_waiting_is_dropped_and_a_waiting_body_reaches_the_app() -> None:
    async def scenario() -> None:
        inner = Held()
        middleware = Admission(inner, limits=limits(in_flight=1))
        held, _ = call(middleware, SCAN_PATH)
        await settle()
        gone, gone_answer = call(middleware, SCAN_PATH)
        waiting, _ = call(middleware, SCAN_PATH, body=b'{"point_id": 1}')
        await settle()
        gone_answer.leave()
        await gone  # out of the queue at once, nothing run and nothing sent
        assert gone_answer.status == 0 and middleware.counts.gone[SCAN] == 1 and middleware.queued == 1
        inner.finish(0)
        await settle()
        assert inner.entered == [SCAN_PATH, SCAN_PATH] and inner.bodies == [b"", b'{"point_id": 1}']
        inner.finish(1)
        await asyncio.gather(held, waiting)
        assert middleware.in_flight == 0 and middleware.queued == 0

    run(scenario)
