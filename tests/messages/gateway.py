"""A fake SMS gateway for the dispatcher's tests: a real HTTP server on a loopback port, in a thread. It answers each
POST as it is told (`ok`: 200, `fail`: 500, `hang`: no answer until the test ends), in the order of `script` and then
with `default`, and records what it received (headers and the JSON body) for the test to look at."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK, FAIL, HANG = "ok", "fail", "hang"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes
    answer: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.raw.decode("utf-8"))  # type: ignore[no-any-return]


@dataclass
class FakeGateway:
    default: str = OK
    script: list[str] = field(default_factory=list)
    delay: float = 0.0  # seconds before each answer (to make dispatchers overlap)
    received: list[Received] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _released: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def answered(self, kind: str | None = None) -> list[Received]:
        with self._changed:
            return [r for r in self.received if kind is None or r.answer == kind]

    def texts(self) -> list[str]:
        return [r.json["text"] for r in self.answered(OK)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Waits (at most `timeout` seconds) until `count` requests came in; returns them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the gateway got {len(self.received)} requests, expected {count}")
                self._changed.wait(left)
            return list(self.received)

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> str:
        with self._changed:
            kind = self.script.pop(0) if self.script else self.default
            self.received.append(Received(path, headers, raw, kind))
            self._changed.notify_all()
        return kind


def serve() -> Iterator[FakeGateway]:
    gateway = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kind = gateway._answer(self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
            if gateway.delay:
                time.sleep(gateway.delay)
            if kind == HANG:
                gateway._released.wait(30)
                return
            self.send_response(200 if kind == OK else 500)
            body = b'{"ok": true}' if kind == OK else b'{"error": "busy"}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # a dispatcher posts a batch at once (the default backlog of 5 drops connections)

    server = Server(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        gateway._released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
