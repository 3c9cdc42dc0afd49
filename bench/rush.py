"""Flat-out load that counts what a rush is judged by (issue 13): good answers (200 and 201), answers shed with 503,
other answers, time-outs and socket errors, latency percentiles, good answers second by second (for the recovery
after a rush), and the server's CPU per answer; and the peak memory of each server process."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.http_load import Call, _lua_call, cpu_seconds

WRK_SCRIPT = r"""
local calls = {CALLS}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests, position, good, created, shed, other, seconds = {}, id * 7919, 0, 0, 0, 0, {}
  for i, c in ipairs(calls) do
    requests[i] = wrk.format(c[1], c[2], c[3], c[4])
  end
end

function request()
  position = position + 1
  return requests[(position % #requests) + 1]
end

function response(status, headers, body)
  if status == 200 or status == 201 then
    good = good + 1
    if status == 201 then created = created + 1 end
    local now = os.time()
    seconds[now] = (seconds[now] or 0) + 1
  elseif status == 503 then shed = shed + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local g, c, s, o, per_second = 0, 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    g, c, s, o = g + thread:get("good"), c + thread:get("created"), s + thread:get("shed"), o + thread:get("other")
    for at, n in pairs(thread:get("seconds")) do per_second[at] = (per_second[at] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, g, c, s, o, e.timeout,
    e.connect + e.read + e.write))
  for at, n in pairs(per_second) do io.write(string.format("SECOND %d %d\n", at, n)) end
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
    good: int  # 200 and 201
    created: int  # of which 201 (a scan recorded)
    shed: int
    other: int
    timeouts: int
    socket_errors: int
    cpu_ms: float  # server CPU per answer
    started: float = 0.0  # wall clock (time.time) when wrk started
    per_second: dict[int, int] = field(default_factory=dict)  # good answers in each wall-clock second

    @property
    def good_per_second(self) -> float:
        return self.good / self.seconds

    def line(self) -> str:
        scans = f" ({self.created / self.seconds:.0f} scans)" if self.created else ""
        return (f"{self.connections:5d} conn: {self.good_per_second:6.0f} good/s{scans}, "
                f"{self.shed / self.seconds:6.0f} "
                f"shed/s, p50 {self.p50_ms:7.1f} ms, p95 {self.p95_ms:7.1f} ms, p99 {self.p99_ms:7.1f} ms, "
                f"max {self.max_ms:7.1f} ms, "
                f"time-outs {self.timeouts}, other {self.other}, socket errors {self.socket_errors}, "
                f"server CPU {self.cpu_ms:5.2f} ms/answer")

    def recovery_seconds(self, rate: float, share: float = 0.9) -> int | None:
        """Whole seconds from this run's start until the first full second with at least `share` of `rate` good
        answers (None if none had)."""
        first = int(self.started) + 1  # the first full wall-clock second of the run
        last = int(self.started + self.seconds) - 1
        for second in range(first, last + 1):
            if self.per_second.get(second, 0) >= share * rate:
                return second - first + 1
        return None


def wrk(base: str, calls: list[Call], connections: int, seconds: float, timeout: float, pid: int) -> Run:
    """`connections` kept-alive connections flat out for `seconds` (wrk, two threads), cycling through the calls."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: make bench-tools")
    script = WRK_SCRIPT.replace("{CALLS}", "{\n" + ",\n".join(_lua_call(c) for c in calls) + "\n}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as handle:
        handle.write(script)
        handle.flush()
        cpu, started = cpu_seconds(pid), time.time()
        done = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             "--timeout", f"{timeout:g}s", "-s", handle.name, base], capture_output=True, text=True, check=True)
        cpu = cpu_seconds(pid) - cpu
    lines = [row for row in done.stdout.splitlines() if row.startswith("WRK ")]
    if not lines:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    answers, micros, p50, p95, p99, most, good, created, shed, other, timeouts, errors = (
        int(x) for x in lines[0].split()[1:])
    per_second = {int(row.split()[1]): int(row.split()[2]) for row in done.stdout.splitlines()
                  if row.startswith("SECOND ")}
    return Run(connections, answers, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, most / 1000, good, created, shed,
               other, timeouts, errors, cpu * 1000 / max(answers, 1), started, per_second)


def after_rush(base: str, call: Call) -> list[float]:
    """Milliseconds of the first requests after the rush, one after the other, each on a new connection; negative
    when the answer was not a good one."""
    import httpx

    times = []
    for _ in range(5):
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=30) as client:
            answer = client.request(call.method, call.path, headers=call.headers, json=call.json)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code not in (200, 201):
            times[-1] = -times[-1]
    return times


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants still running (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        pending.extend(int(child) for child in children)
    return found


def peak_memory_mib(pid: int) -> dict[int, float]:
    """Peak resident memory (VmHWM) of the process and of each of its descendants, MiB."""
    peaks = {}
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        peaks[member] = next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")),
                             float("nan"))
    return peaks


def memory_line(memory: dict[int, float]) -> str:
    """The peak memory of each server process against the issue's bound (300 MiB)."""
    return ("peak memory of each server process: " + ", ".join(f"{mib:.0f} MiB" for mib in memory.values())
            + f" (< 300 MiB each: {'met' if max(memory.values()) < 300 else 'NOT MET'})")
