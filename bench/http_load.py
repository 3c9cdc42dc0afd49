"""Shared helpers of the HTTP benchmarks: serve an app factory with uvicorn in a subprocess on 127.0.0.1, and drive it
with wrk over kept-alive connections, measuring throughput and p50/p95/p99 latency."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
    server_cpu_ms: float = float("nan")  # CPU of the server's processes (uvicorn and its workers) per request
    db_cpu_ms: float = float("nan")  # CPU of the database's processes serving the server, per request (if measured)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def line(self, label: str) -> str:
        return (f"  {label:<6} {self.throughput:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   p95 {self.p95_ms:6.1f} ms"
                f"   p99 {self.p99_ms:6.1f} ms   server CPU {self.server_cpu_ms:5.2f} ms/request"
                f"   ({self.requests} requests, {self.errors} errors)")


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


WRK_SCRIPT = r"""
local calls = {CALLS}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id + 1)
  requests, position, bad = {}, id * 7919, 0
  for i, c in ipairs(calls) do
    requests[i] = wrk.format(c[1], c[2], c[3], c[4])
  end
end

function delay()
  if {PACE} == 0 then return 0 end
  return math.random(0, 2 * {PACE})  -- uniform around the pace: clients that started together drift apart
end

function request()
  position = position + 1
  return requests[(position % #requests) + 1]
end

function response(status, headers, body)
  if status ~= {OK} then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), bad_total + e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    if "]==]" in value:
        raise ValueError("a request may not contain ]==]")
    return f"[==[{value}]==]"


def _lua_call(call: Call) -> str:
    headers = dict(call.headers)
    body = "nil"
    if call.json is not None:
        headers["Content-Type"] = "application/json"
        body = _lua_string(json.dumps(call.json, ensure_ascii=False))
    pairs = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
    return f"{{{_lua_string(call.method)}, {_lua_string(call.path)}, {{{pairs}}}, {body}}}"


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants still running (Linux /proc)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending.extend(int(child) for child in children)
    return total


def load(base: str, calls: list[Call], concurrency: int, seconds: float, warmup: float,
         ok_status: int = 200, server_pid: int | None = None, pace_ms: int = 0,
         db_cpu: Callable[[], dict[int, float]] | None = None) -> Figures:
    """Drives the server with wrk (a C load generator: the server, not the client, must be what is measured on 2
    cores) over `concurrency` kept-alive connections, cycling through the calls: first `warmup` seconds not
    measured, then `seconds` measured. Each client sends its next request as soon as it has the answer, or, paced,
    a random 0–2×`pace_ms` after it (a person at a turnstile, a phone refreshing). A response other than
    `ok_status`, or none, counts as an error."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    script = WRK_SCRIPT.replace("{CALLS}", "{\n" + ",\n".join(_lua_call(c) for c in calls) + "\n}")
    script = script.replace("{OK}", str(ok_status)).replace("{PACE}", str(int(pace_ms)))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as handle:
        handle.write(script)
        handle.flush()

        def wrk(duration: float) -> list[int]:
            done = subprocess.run(
                ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s",
                 "--timeout", "30s", "-s", handle.name, base], capture_output=True, text=True, check=True)
            lines = [row for row in done.stdout.splitlines() if row.startswith("WRK ")]
            if not lines:
                raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
            return [int(x) for x in lines[0].split()[1:]]

        wrk(warmup)
        cpu = cpu_seconds(server_pid) if server_pid else float("nan")
        db_before = db_cpu() if db_cpu else {}
        requests, micros, p50, p95, p99, errors = wrk(seconds)
        cpu = cpu_seconds(server_pid) - cpu if server_pid else float("nan")
        db_after = db_cpu() if db_cpu else {}
    # A database process that started meanwhile counts whole; one that ended meanwhile is missed.
    db = sum(used - db_before.get(pid, 0.0) for pid, used in db_after.items()) if db_cpu else float("nan")
    return Figures(requests, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, errors, cpu * 1000 / max(requests, 1),
                   db * 1000 / max(requests, 1))


def measure(target: str, env: dict[str, str], calls: list[Call], args: argparse.Namespace,
            ok_status: int = 200) -> tuple[Figures, Figures | None]:
    """Serves `target` in a fresh uvicorn and loads it with the calls as the command-line options say: flat out,
    then (with --pace-ms) each client pacing its requests."""
    process, base = serve(target, env, args.workers)
    try:
        flat_out = load(base, calls, args.concurrency, args.seconds, args.warmup, ok_status, process.pid)
        paced = None
        if args.pace_ms:
            paced = load(base, calls, args.concurrency, args.seconds, 1, ok_status, process.pid, args.pace_ms)
        return flat_out, paced
    finally:
        stop(process)


def options(description: str, *, seconds: float, concurrency: int, residents: int, pg_url: str,
            pace_ms: int) -> argparse.ArgumentParser:
    """The command-line options every HTTP benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=seconds, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring")
    parser.add_argument("--concurrency", type=int, default=concurrency)
    parser.add_argument("--residents", type=int, default=residents)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=pg_url)
    parser.add_argument("--workers", type=int, default=None,
                        help="uvicorn worker processes for both servers (default: 1 on SQLite, one a core on "
                             "PostgreSQL: SQLite has one writer, and processes would queue on its file lock)")
    parser.add_argument("--pace-ms", type=int, default=pace_ms,
                        help="then measure again with each client waiting this long between requests (0: don't)")
    return parser


def report(label: str, bare: tuple[Figures, Figures | None], endpoint: tuple[Figures, Figures | None],
           p99_target_ms: float, ratio_target: float | None, pace_ms: int) -> None:
    """Prints both servers' figures flat out and paced, the throughput ratio and the verdict on the targets."""
    (bare_flat, bare_paced), (flat, paced) = bare, endpoint
    print(bare_flat.line("bare"))
    print(flat.line(label))
    ratio = flat.throughput / bare_flat.throughput
    met = flat.p99_ms < p99_target_ms and not flat.errors and (ratio_target is None or ratio >= ratio_target)
    wanted = f" (target >= {ratio_target:.0%})" if ratio_target is not None else ""
    print(f"  flat out: {ratio:.0%} of bare throughput{wanted}, p99 target < {p99_target_ms:.0f} ms: "
          f"{'ok' if met else 'BELOW TARGET'}")
    if bare_paced is not None and paced is not None:
        print(f"  each client waiting {pace_ms} ms between requests:")
        print(bare_paced.line("bare"))
        print(paced.line(label))


def for_backend(args: argparse.Namespace, backend: str) -> argparse.Namespace:
    """The options with the number of workers resolved for the database."""
    workers = args.workers or (1 if backend == "sqlite" else os.cpu_count() or 1)
    return argparse.Namespace(**{**vars(args), "workers": workers})


def run_backends(args: argparse.Namespace, env: dict[str, str], run: Any) -> None:
    """Runs `run(backend, args)` for each database named in --backends, with the platform's real clock (codes are
    issued now) and each run's own database URL handed to the servers."""
    os.environ.update(env)
    os.environ.pop("HEALTHCODE_FIXED_NOW", None)
    os.environ.pop("HEALTHCODE_DATABASE_URL", None)
    for backend in args.backends.split(","):
        run(backend.strip(), args)


def backends_cpu(url: str, application_name: str, extra_pids: tuple[int, ...] = ()) -> Callable[[], dict[int, float]]:
    """CPU seconds of each PostgreSQL backend whose connection carries `application_name` (the bench's server), and
    of `extra_pids` (a PgBouncer between them), as a function to call before and after a measure."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql").difference_update_query(
        ["application_name", "options", "prepare_threshold"])
    dsn = admin.render_as_string(hide_password=False)

    def read() -> dict[int, float]:
        with psycopg.connect(dsn, autocommit=True) as connection:
            pids = [row[0] for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])]
        return {pid: own_cpu_seconds(pid) for pid in [*pids, *extra_pids]}

    return read
