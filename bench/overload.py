"""The morning rush on one server process (issue 13): the citizen's code refresh (`GET /api/v1/me/code`) on the embedded
SQLite, with admission control on and off in the same run.

    .venv/bin/python -m bench.overload [--seconds 10] [--residents 200] [--steady 64] [--rush 1000] [--modes on,off]
        [--timeout 5] [--set HEALTHCODE_ADMISSION_QUEUE=128 ...] [--fresh]

For each mode, on a fresh server process: the server's CPU per `GET /healthz` and per refresh, one connection at a
time; `--steady` connections flat out (good answers a second, p99); `--rush` connections flat out (time-outs after
`--timeout` seconds, the p99 of every answer, good answers a second against the steady figure, answers shed with 503);
then one request right after the rush, on a new connection, and the process's peak memory. Goals (the issue): no
time-out, p99 < 2 s, good answers a second >= 70% of the steady figure, the request after the rush < 300 ms.
`--fresh`: every refresh issues a new code, as the page's timer does; without it the residents, asking several times
a second, are mostly shown their code again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.code_page import APP, COOKIE, DEFAULT_PG, ENV, FRESH_ENV, PATH, prepare, sign_in_all
from bench.http_load import Call, _lua_call, cpu_seconds, serve, stop

WRK_SCRIPT = r"""
local calls = {CALLS}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests, position, good, shed, other = {}, id * 7919, 0, 0, 0
  for i, c in ipairs(calls) do
    requests[i] = wrk.format(c[1], c[2], c[3], c[4])
  end
end

function request()
  position = position + 1
  return requests[(position % #requests) + 1]
end

function response(status, headers, body)
  if status == 200 then good = good + 1 elseif status == 503 then shed = shed + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local g, s, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    g, s, o = g + thread:get("good"), s + thread:get("shed"), o + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, g, s, o, e.timeout,
    e.connect + e.read + e.write))
end
"""


@dataclass
class Run:
    connections: int
    answers: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    good: int
    shed: int
    other: int
    timeouts: int
    socket_errors: int
    cpu_ms: float  # server CPU per answer

    @property
    def good_per_second(self) -> float:
        return self.good / self.seconds

    def line(self) -> str:
        return (f"{self.connections:5d} conn: {self.good_per_second:6.0f} good/s, {self.shed / self.seconds:6.0f} "
                f"shed/s, p50 {self.p50_ms:7.1f} ms, p95 {self.p95_ms:7.1f} ms, p99 {self.p99_ms:7.1f} ms, "
                f"max {self.max_ms:7.1f} ms, "
                f"time-outs {self.timeouts}, other {self.other}, socket errors {self.socket_errors}, "
                f"server CPU {self.cpu_ms:5.2f} ms/answer")


def wrk(base: str, calls: list[Call], connections: int, seconds: float, timeout: float, pid: int) -> Run:
    """`connections` kept-alive connections flat out for `seconds` (wrk, two threads)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: make bench-tools")
    script = WRK_SCRIPT.replace("{CALLS}", "{\n" + ",\n".join(_lua_call(c) for c in calls) + "\n}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as handle:
        handle.write(script)
        handle.flush()
        cpu = cpu_seconds(pid)
        done = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             "--timeout", f"{timeout:g}s", "-s", handle.name, base], capture_output=True, text=True, check=True)
        cpu = cpu_seconds(pid) - cpu
    lines = [row for row in done.stdout.splitlines() if row.startswith("WRK ")]
    if not lines:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    answers, micros, p50, p95, p99, most, good, shed, other, timeouts, errors = (int(x) for x in lines[0].split()[1:])
    return Run(connections, answers, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, most / 1000, good, shed, other,
               timeouts, errors, cpu * 1000 / max(answers, 1))


def after_rush(base: str, cookie: str) -> list[float]:
    """Milliseconds of the first requests after the rush, one after the other, each on a new connection."""
    import httpx

    times = []
    for _ in range(5):
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=30) as client:
            answer = client.get(PATH, headers={"Cookie": f"{COOKIE}={cookie}"})
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            times[-1] = -times[-1]  # shed: negative, printed as such
    return times


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Mode:
    name: str
    healthz: Run
    refresh: Run
    steady: Run
    rush: Run
    after_ms: list[float]
    memory_mib: float


def one_mode(name: str, url: str, calls: list[Call], args: argparse.Namespace) -> Mode:
    env = {**ENV, "HEALTHCODE_DATABASE_URL": url, "HEALTHCODE_ADMISSION": "true" if name == "on" else "false",
           **({FRESH_ENV: "1"} if args.fresh else {})}
    if name == "on":
        env.update(setting.split("=", 1) for setting in args.set)
    process, base = serve(f"{APP}:code_app", env, 1)
    try:
        wrk(base, [Call("GET", "/healthz")], 1, 2, args.timeout, process.pid)  # warm-up
        healthz = wrk(base, [Call("GET", "/healthz")], 1, args.seconds / 2, args.timeout, process.pid)
        refresh = wrk(base, calls, 1, args.seconds / 2, args.timeout, process.pid)
        wrk(base, calls, args.steady, 3, args.timeout, process.pid)  # warm-up
        steady = wrk(base, calls, args.steady, args.seconds, args.timeout, process.pid)
        rush = wrk(base, calls, args.rush, args.seconds, args.timeout, process.pid)
        after = after_rush(base, calls[0].headers["Cookie"].split("=", 1)[1])
        memory = peak_memory_mib(process.pid)
    finally:
        stop(process)
    return Mode(name, healthz, refresh, steady, rush, after, memory)


def verdict(mode: Mode) -> str:
    rush, ratio = mode.rush, mode.rush.good_per_second / max(mode.steady.good_per_second, 1e-9)
    checks = [("no time-out", rush.timeouts == 0 and rush.socket_errors == 0),
              ("p99 < 2 s", rush.p99_ms < 2000), (f"good/s {ratio:.0%} of steady >= 70%", ratio >= 0.7),
              (f"after the rush {mode.after_ms[0]:.0f} ms < 300 ms", 0 < mode.after_ms[0] < 300)]
    return "; ".join(f"{label}: {'met' if ok else 'NOT MET'}" for label, ok in checks)


def report(mode: Mode) -> None:
    print(f"admission {mode.name}:")
    print(f"  sequential: /healthz {mode.healthz.cpu_ms:.3f} ms CPU ({mode.healthz.good_per_second:.0f}/s), refresh "
          f"{mode.refresh.cpu_ms:.3f} ms CPU ({mode.refresh.good_per_second:.0f}/s): "
          f"{mode.refresh.cpu_ms / mode.healthz.cpu_ms:.1f}x /healthz")
    print(f"  {mode.steady.line()}")
    print(f"  {mode.rush.line()}")
    if mode.rush.shed:  # what the refused answers cost, taking the good ones at their steady cost
        spent = mode.rush.cpu_ms * mode.rush.answers - mode.steady.cpu_ms * mode.rush.good
        print(f"  a 503 cost about {spent / mode.rush.shed:.2f} ms of server CPU; the rush's good answers took "
              f"{mode.steady.cpu_ms * mode.rush.good / (mode.rush.cpu_ms * mode.rush.answers):.0%} of its CPU")
    after = ", ".join(f"{ms:.0f}" if ms > 0 else f"503 after {-ms:.0f}" for ms in mode.after_ms)
    print(f"  right after the rush (ms, one after the other): {after}; peak memory {mode.memory_mib:.0f} MiB")
    print(f"  {verdict(mode)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--steady", type=int, default=64)
    parser.add_argument("--rush", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=5, help="wrk's time-out of a request, seconds")
    parser.add_argument("--modes", default="on,off", help="admission control on, off, or both (in that order)")
    parser.add_argument("--set", action="append", default=[], metavar="HEALTHCODE_NAME=VALUE",
                        help="a setting of the server with admission on (e.g. HEALTHCODE_ADMISSION_QUEUE=128)")
    parser.add_argument("--fresh", action="store_true",
                        help="every refresh issues a new code, as the page's timer does (else mostly shown again)")
    args = parser.parse_args()
    os.environ.update(ENV)
    os.environ.pop("HEALTHCODE_FIXED_NOW", None)
    os.environ.pop("HEALTHCODE_DATABASE_URL", None)
    started = time.perf_counter()
    prepared = prepare("sqlite", DEFAULT_PG, args.residents)
    try:
        cookies, _ = sign_in_all(prepared.url, prepared.id_numbers, 1, 1)
        calls = [Call("GET", PATH, {"Cookie": f"{COOKIE}={cookie}"}) for cookie in cookies]
        print(f"SQLite, one server process, {args.residents} residents signed in, "
              f"{'every refresh issuing a code' if args.fresh else 'mostly codes shown again'}; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; admission settings {args.set or 'default'}")
        modes: list[Any] = []
        for name in args.modes.split(","):
            modes.append(one_mode(name.strip(), prepared.url, calls, args))
            report(modes[-1])
    finally:
        prepared.cleanup()
    print(f"[{time.perf_counter() - started:.0f} s]")


if __name__ == "__main__":
    main()
