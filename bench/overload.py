"""The morning rush (issue 13): the citizen's code refresh (`GET /api/v1/me/code`) and the checkpoint's scans
(`POST /api/v1/checkpoint/scans`) together, 64 connections, then 1,000, then 64 again, with admission control on and
off in the same run; on the embedded SQLite (one process) or on PostgreSQL (`--workers` processes, with
`--pgbouncer` through a PgBouncer in transaction mode).

    .venv/bin/python -m bench.overload [--backend sqlite|postgresql] [--workers N] [--pgbouncer] [--pool-size 8]
        [--traffic both|refresh|scans] [--seconds 10] [--residents 200] [--scan-residents 500] [--steady 64]
        [--rush 1000] [--modes on,off] [--timeout 5] [--set HEALTHCODE_ADMISSION_QUEUE=128 ...] [--fresh]

For each mode, on fresh server processes: the server's CPU per `GET /healthz`, per refresh and per scan, one
connection at a time; `--steady` connections flat out (good answers a second, p99); `--rush` connections flat out
(time-outs after `--timeout` seconds, the p99 of every answer, good answers a second against the steady figure,
answers shed with 503); one request right after the rush, on a new connection; `--steady` connections again, and the
recovery: the seconds until a full second had 90% of the first steady run's good answers; and the peak memory of each
server process. Goals (the issue): no time-out, p99 < 2 s, good answers a second >= 70% of the steady figure, the
request after the rush < 300 ms, memory < 300 MiB a process. `--fresh`: every refresh issues a new code, as the
page's timer does; without it the residents, asking several times a second, are mostly shown their code again. Scans
are admitted before refreshes (web/admission.py): the rush's good answers say how many of each got through.
"""

from __future__ import annotations

import argparse
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from bench import scan_data
from bench.code_page import APP, COOKIE, DEFAULT_PG, FRESH_ENV, PATH, prepare, sign_in_all
from bench.code_page import ENV as CODE_ENV
from bench.http_load import Call, serve, stop
from bench.pgbouncer import pgbouncer
from bench.rush import Run, after_rush, memory_line, peak_memory_mib, wrk

ENV = {**CODE_ENV, **scan_data.ENV}
SERVED = f"{APP}:code_app"  # the platform's app (the scans' routes included)


@dataclass
class Traffic:
    refreshes: list[Call]
    scanners: list[tuple[str, int]]  # (phone, point id)
    headers: list[dict[str, str]]  # each scanner's API token
    people: list[int]  # whose codes are scanned
    kind: str  # both, refresh, scans
    scans: list[Call] = field(default_factory=list)

    def new_codes(self, url: str) -> None:
        """Scans of codes issued now (a run of both modes outlasts the codes' five minutes)."""
        self.scans = scan_data.scan_calls(self.scanners, self.headers, scan_data.codes_now(url, self.people))

    def calls(self) -> list[Call]:
        """The requests of the load, refreshes and scans taking turns when both."""
        if self.kind == "refresh":
            return self.refreshes
        if self.kind == "scans":
            return self.scans
        length = max(len(self.refreshes), len(self.scans))
        return [call for n in range(length) for call in (self.refreshes[n % len(self.refreshes)],
                                                          self.scans[n % len(self.scans)])]


@dataclass
class Mode:
    name: str
    sequential: dict[str, Run]  # /healthz, refresh, scan: one connection
    steady: Run
    rush: Run
    after_ms: list[float]
    again: Run
    memory: dict[int, float]

    @property
    def recovery(self) -> int | None:
        return self.again.recovery_seconds(self.steady.good_per_second)


def one_mode(name: str, url: str, traffic: Traffic, args: argparse.Namespace) -> Mode:
    env = {**ENV, "HEALTHCODE_DATABASE_URL": url, "HEALTHCODE_ADMISSION": "true" if name == "on" else "false",
           **({FRESH_ENV: "1"} if args.fresh else {})}
    if name == "on":
        env.update(setting.split("=", 1) for setting in args.set)
    process, base = serve(SERVED, env, args.workers)
    try:
        load = traffic.calls()
        wrk(base, [Call("GET", "/healthz")], 1, 2, args.timeout, process.pid)  # warm-up
        sequential = {"/healthz": wrk(base, [Call("GET", "/healthz")], 1, args.seconds / 2, args.timeout, process.pid)}
        if traffic.kind != "scans":
            sequential["refresh"] = wrk(base, traffic.refreshes, 1, args.seconds / 2, args.timeout, process.pid)
        if traffic.kind != "refresh":
            sequential["scan"] = wrk(base, traffic.scans, 1, args.seconds / 2, args.timeout, process.pid)
        wrk(base, load, args.steady, 3, args.timeout, process.pid)  # warm-up
        steady = wrk(base, load, args.steady, args.seconds, args.timeout, process.pid)
        rushed = wrk(base, load, args.rush, args.seconds, args.timeout, process.pid)
        after = after_rush(base, load[0])
        again = wrk(base, load, args.steady, args.seconds, args.timeout, process.pid)
        memory = peak_memory_mib(process.pid)
    finally:
        stop(process)
    return Mode(name, sequential, steady, rushed, after, again, memory)


def verdict(mode: Mode) -> str:
    rush, ratio = mode.rush, mode.rush.good_per_second / max(mode.steady.good_per_second, 1e-9)
    checks = [("no time-out", rush.timeouts == 0 and rush.socket_errors == 0),
              ("p99 < 2 s", rush.p99_ms < 2000), (f"good/s {ratio:.0%} of steady >= 70%", ratio >= 0.7),
              (f"after the rush {mode.after_ms[0]:.0f} ms < 300 ms", 0 < mode.after_ms[0] < 300),
              ("memory < 300 MiB a process", max(mode.memory.values()) < 300)]
    return "; ".join(f"{label}: {'met' if ok else 'NOT MET'}" for label, ok in checks)


def report(mode: Mode) -> None:
    print(f"admission {mode.name}:")
    healthz = mode.sequential["/healthz"]
    shown = ", ".join(f"{kind} {run.cpu_ms:.3f} ms ({run.cpu_ms / healthz.cpu_ms:.1f}x)"
                      for kind, run in mode.sequential.items() if kind != "/healthz")
    print(f"  sequential, server CPU: /healthz {healthz.cpu_ms:.3f} ms, {shown}")
    print(f"  {mode.steady.line()}")
    print(f"  {mode.rush.line()}")
    if mode.rush.shed:  # what the refused answers cost, taking the good ones at their steady cost
        spent = mode.rush.cpu_ms * mode.rush.answers - mode.steady.cpu_ms * mode.rush.good
        print(f"  a 503 cost about {spent / mode.rush.shed:.2f} ms of server CPU; the rush's good answers took "
              f"{mode.steady.cpu_ms * mode.rush.good / (mode.rush.cpu_ms * mode.rush.answers):.0%} of its CPU")
    after = ", ".join(f"{ms:.0f}" if ms > 0 else f"503 after {-ms:.0f}" for ms in mode.after_ms)
    print(f"  right after the rush (ms, one after the other, each on a new connection): {after}")
    recovery = f"{mode.recovery} s" if mode.recovery is not None else "not within the run"
    print(f"  again {mode.again.line()}")
    print(f"  recovered (a full second at >= 90% of the first steady run's good answers) after {recovery}; "
          f"{memory_line(mode.memory)}")
    print(f"  {verdict(mode)}")


def _traffic(args: argparse.Namespace, url: str, direct: str, id_numbers: list[str]) -> Traffic:
    """Residents signed in (their cookies), scanners signed in (their tokens) and the people they scan."""
    from healthcode.db import make_engine

    engine = make_engine(direct)
    try:
        scanners, people = scan_data.seed(engine, args.scan_residents, first=args.residents)
    finally:
        engine.dispose()
    cookies, _ = sign_in_all(direct, id_numbers, 1, 1 if args.backend == "sqlite" else 8)
    refreshes = [Call("GET", PATH, {"Cookie": f"{COOKIE}={cookie}"}) for cookie in cookies]
    return Traffic(refreshes, scanners, scan_data.tokens(SERVED, url, scanners, 1), people, args.traffic)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: 1 SQLite, 2 PostgreSQL)")
    parser.add_argument("--pgbouncer", action="store_true", help="PostgreSQL through PgBouncer in transaction mode")
    parser.add_argument("--pool-size", type=int, default=8, help="PgBouncer's server connections")
    parser.add_argument("--traffic", choices=("both", "refresh", "scans"), default="both")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--residents", type=int, default=200, help="residents signed in, refreshing their code")
    parser.add_argument("--scan-residents", type=int, default=500, help="residents whose codes are scanned")
    parser.add_argument("--steady", type=int, default=64)
    parser.add_argument("--rush", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=5, help="wrk's time-out of a request, seconds")
    parser.add_argument("--modes", default="on,off", help="admission control on, off, or both (in that order)")
    parser.add_argument("--set", action="append", default=[], metavar="HEALTHCODE_NAME=VALUE",
                        help="a setting of the server with admission on (e.g. HEALTHCODE_ADMISSION_QUEUE=128)")
    parser.add_argument("--fresh", action="store_true",
                        help="every refresh issues a new code, as the page's timer does (else mostly shown again)")
    args = parser.parse_args()
    args.workers = args.workers or (1 if args.backend == "sqlite" else 2)
    if args.pgbouncer and args.backend != "postgresql":
        parser.error("--pgbouncer needs --backend postgresql")
    os.environ.update(ENV)
    os.environ.pop("HEALTHCODE_FIXED_NOW", None)
    os.environ.pop("HEALTHCODE_DATABASE_URL", None)
    started = time.perf_counter()
    prepared = prepare(args.backend, args.pg_url, args.residents)
    try:
        with ExitStack() as stack:
            url = stack.enter_context(pgbouncer(prepared.url, args.pool_size)).url if args.pgbouncer \
                else prepared.url
            traffic = _traffic(args, url, prepared.url, prepared.id_numbers)
            through = f" through PgBouncer ({args.pool_size} server connections)" if args.pgbouncer else ""
            print(f"{args.backend}, {args.workers} server process(es){through}; traffic: {args.traffic} "
                  f"({args.residents} residents signed in, "
                  f"{'every refresh issuing a code' if args.fresh else 'mostly codes shown again'}; "
                  f"{args.scan_residents} codes scanned); load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; admission settings {args.set or 'default'}")
            for name in args.modes.split(","):
                traffic.new_codes(prepared.url)
                report(one_mode(name.strip(), url, traffic, args))
    finally:
        prepared.cleanup()
    print(f"[{time.perf_counter() - started:.0f} s]")


if __name__ == "__main__":
    main()
