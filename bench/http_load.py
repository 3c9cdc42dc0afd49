"""Shared helpers of the HTTP benchmarks: serve an app factory with uvicorn in a subprocess on 127.0.0.1, and drive it
with httpx async clients over kept-alive connections, measuring throughput and p50/p95/p99 latency."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent


@dataclass(frozen=True)
class Call:
    """One request to send: each carries its own headers (token or session cookie of one user)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def line(self, label: str) -> str:
        return (f"  {label:<6} {self.throughput:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   p95 {self.p95_ms:6.1f} ms"
                f"   p99 {self.p99_ms:6.1f} ms   ({self.requests} requests, {self.errors} errors)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(target: str, env: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """Starts uvicorn on the app factory `target` ("module:function") with `env` added to this environment, and
    returns the process and its base URL once it accepts connections."""
    port = free_port()
    # Keep-alive of 60 s instead of uvicorn's 5: a client connection idle while the slowest warm-up requests finish
    # would otherwise be closed by the server just as the client reuses it (a ReadError, not a slow request).
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--timeout-keep-alive", "60", "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env}, cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn {target} exited with {process.returncode}") from None
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"uvicorn {target} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of sorted values (NaN for none)."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def load(base: str, calls: list[Call], concurrency: int, warmup: int, ok_status: int = 200) -> Figures:
    """Sends the calls from `concurrency` client tasks over kept-alive connections; the first `warmup` ones (which
    also open the connections) are not measured. A response other than `ok_status`, or none, counts as an error."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        # Every call brings its own credentials: a cookie the server sets must not leak into the next user's request.
        client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

        async def run(batch: list[Call]) -> tuple[list[float], int, float]:
            latencies: list[float] = []
            errors = 0
            position = 0

            async def worker() -> None:
                nonlocal position, errors
                while position < len(batch):
                    call = batch[position]
                    position += 1
                    started = time.perf_counter()
                    try:
                        response = await client.request(call.method, call.path, headers=call.headers, json=call.json)
                    except httpx.TransportError:
                        # A dropped connection is a failed request to report, not the end of the run's figures.
                        errors += 1
                        continue
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != ok_status:
                        errors += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies, errors, time.perf_counter() - started

        await run(calls[:warmup])
        latencies, errors, elapsed = await run(calls[warmup:])
    ordered = sorted(latencies)
    return Figures(len(ordered), elapsed, percentile(ordered, 0.5) * 1000, percentile(ordered, 0.95) * 1000,
                   percentile(ordered, 0.99) * 1000, errors)


def measure(target: str, env: dict[str, str], calls: list[Call], concurrency: int, workers: int, warmup: int,
            ok_status: int = 200) -> Figures:
    """Serves `target` in a fresh uvicorn and loads it with the calls."""
    process, base = serve(target, env, workers)
    try:
        return asyncio.run(load(base, calls, concurrency, warmup, ok_status))
    finally:
        stop(process)


def options(description: str, *, requests: int, concurrency: int, residents: int,
            pg_url: str) -> argparse.ArgumentParser:
    """The command-line options every HTTP benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", "--rows", type=int, default=requests, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=concurrency)
    parser.add_argument("--residents", type=int, default=residents)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=pg_url)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for both servers")
    return parser
