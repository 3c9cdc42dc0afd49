"""The morning rush at a checkpoint: `POST /api/v1/checkpoint/scans` under 64 concurrent clients, against a bare
FastAPI endpoint served the same way (same uvicorn, same body and header), on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.checkpoint_scans [--seconds 10] [--concurrency 64] [--residents 2000]
        [--backends sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--workers N] [--pace-ms 1000] [--sequential-only] [--rounds 3] [--rush 1000] [--pgbouncer] [--pool-size 8]

First, sequentially (one connection, one request at a time, one server process): the server's CPU per scan against
its CPU per `GET /healthz` in the same run, rounds alternating between the two (issue 13: a scan <= 3x /healthz),
and on PostgreSQL the database's CPU per scan beside it (the backends serving the server, found by their
application_name; /proc of each). Then, with --workers processes (with --pgbouncer on PostgreSQL through a PgBouncer in
transaction mode, started for the run, whose CPU counts as the database's): --concurrency clients flat out (and the
database's CPU per scan), paced, and --rush connections flat out (time-outs, p99, good answers a second against the
flat-out figure, answers shed), with the peak memory of each server process. Then the statements and round trips of
one QR scan and one number-code scan (round trips on PostgreSQL: ReadyForQuery messages in libpq's trace, BEGIN and
COMMIT included).

Target (the issue): scan throughput >= 50% of the bare endpoint's, p99 < 100 ms. Half the scans present the QR text,
half the 12-digit number code; every resident already has a few scans in the last 14 days at points in regions with
levels set, so the most-severe-region and recent-scans work is real.
"""

from __future__ import annotations

import argparse
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bench import rush
from bench.databases import fresh_database
from bench.http_load import (
    Call,
    Figures,
    for_backend,
    load,
    measure,
    options,
    report,
    run_backends,
    serve,
    stop,
)
from bench.pgbouncer import NO_FUNCTIONS, functions_as_asked, served_url
from bench.scan_data import ENV, PASSWORD, codes_now, issue_codes, scan_calls, seed, tokens

DATA = Path(__file__).parent / "data"
APP = "bench.checkpoint_scans"  # uvicorn imports the app factories from here (not from __main__)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APPLICATION_NAME = "healthcode_bench_scans"  # the server's PostgreSQL connections, for the database's CPU


class ScanIn(BaseModel):
    point_id: int
    code: str


# --- the two apps served by uvicorn (factories, imported in the server process) -----------------------------------

def scan_app() -> Any:
    """The platform app on the prepared database (schema made by this script; no migration run)."""
    from healthcode.app import create_app
    from healthcode.config import get_settings
    from healthcode.db import make_engine

    functions_as_asked()

    settings = get_settings()
    return create_app(settings, make_engine(settings.sqlalchemy_url))


def bare_app() -> Any:
    """The floor: FastAPI parsing the same body and answering a constant of the same shape, no database."""
    from fastapi import FastAPI, Header

    app = FastAPI()
    answer = {"scan_id": 1, "color": "green", "name_masked": "李*明", "id_number_masked": "35*****034",
              "address": "福建省福州市鼓楼区", "most_severe_region": {
                  "code": "350102", "name": "福州市鼓楼区", "level": 1, "level_name": "零星散发疫情区",
                  "policy": "零星散发疫情区-" + "实行监督性医学观察" * 6, "higher_than_here": False},
              "recent_scans": [{"at": "2020-02-19T09:02:00", "address": "鼓楼区东门", "temperature_result": "normal",
                                "pass_reason": "工作"}] * 3}

    @app.post("/api/v1/checkpoint/scans", status_code=201)
    def scan(body: ScanIn, authorization: str = Header()) -> dict[str, Any]:
        return answer

    return app


# --- data ---------------------------------------------------------------------------------------------------------

@dataclass
class Prepared:
    url: str
    scanners: list[tuple[str, int]]  # (phone, point id)
    codes: list[str]
    people: list[int]  # person ids, for new codes
    statements_per_scan: dict[str, tuple[int, int | None]]  # (statements, round trips) of a QR and a number scan
    cleanup: Any


def prepare(backend: str, pg_url: str, residents: int) -> Prepared:
    from healthcode.db import make_engine

    url, cleanup = fresh_database(backend, pg_url, "checkpoint_scans")
    if backend == "postgresql":  # the server's backends, for the database's CPU per scan
        url = f"{url}&application_name={APPLICATION_NAME}"
    engine = make_engine(url)
    scanners, people = seed(engine, residents)
    codes = issue_codes(engine, people)
    statements = _statements_per_scan(engine, scanners[0], codes)
    engine.dispose()
    return Prepared(url, scanners, codes, people, statements, cleanup)


def _statements_per_scan(engine: Any, scanner: tuple[str, int], codes: list[str]) -> dict[str, tuple[int, int | None]]:
    """Statements and round trips (PostgreSQL; None on SQLite) of one QR scan and one number-code scan, counted
    in-process after a first scan (which reads the signing key, kept a minute)."""
    import tempfile

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from healthcode.app import create_app
    from healthcode.config import get_settings

    counts: dict[str, tuple[int, int | None]] = {}
    seen: list[str] = []
    trace = tempfile.TemporaryFile()
    postgres = engine.dialect.name == "postgresql"

    def traced(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.pgconn.trace(trace.fileno())

    def round_trips() -> int:
        trace.seek(0)
        return sum(1 for line in trace.read().decode("utf-8", "replace").splitlines() if "\tReadyForQuery" in line)

    def record(*args: Any) -> None:
        seen.append(args[2])

    if postgres:
        event.listen(engine, "checkout", traced)
    event.listen(engine, "before_cursor_execute", record)
    try:
        with TestClient(create_app(get_settings(), engine)) as client:
            token = client.post("/api/v1/auth/token", data={"username": scanner[0], "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            for kind, code in (("first", codes[2]), ("qr", codes[0]), ("number", codes[1])):
                before, trips = len(seen), round_trips() if postgres else 0
                response = client.post("/api/v1/checkpoint/scans", headers=headers,
                                       json={"point_id": scanner[1], "code": code})
                assert response.status_code == 201, response.text
                counts[kind] = (len(seen) - before, round_trips() - trips if postgres else None)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        if postgres:
            event.remove(engine, "checkout", traced)
        trace.close()
    return counts


# --- serving and load (the helpers are in bench/http_load.py) -----------------------------------------------------

# --- sequential CPU per scan ------------------------------------------------------------------------------------------

def sequential_cpu(url: str, calls: list[Call], args: argparse.Namespace, db_cpu: Any) -> tuple[list[Figures],
                                                                                             list[Figures]]:
    """One server process, one connection: rounds of `GET /healthz` then scans, each `seconds / rounds` long after
    its own warm-up; the scans' figures carry the database's CPU (`db_cpu`, PostgreSQL)."""
    process, base = serve(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": url}, 1)
    try:
        seconds, warmup = max(1.0, args.seconds / args.rounds), max(1.0, args.warmup / args.rounds)
        ours: list[Figures] = []
        theirs: list[Figures] = []
        for _ in range(args.rounds):
            theirs.append(load(base, [Call("GET", "/healthz")], 1, seconds, warmup, 200, process.pid))
            ours.append(load(base, calls, 1, seconds, warmup, 201, process.pid, db_cpu=db_cpu))
        return theirs, ours
    finally:
        stop(process)


def report_sequential(backend: str, theirs: list[Figures], ours: list[Figures]) -> None:
    def pooled(series: list[Figures], field: str = "server_cpu_ms") -> float:
        return sum(getattr(f, field) * f.requests for f in series) / sum(f.requests for f in series)

    ratios = [o.server_cpu_ms / t.server_cpu_ms for t, o in zip(theirs, ours, strict=True)]
    database = backend == "postgresql"
    for n, (t, o) in enumerate(zip(theirs, ours, strict=True)):
        db = f", database {o.db_cpu_ms:.3f} ms CPU" if database else ""
        print(f"  sequential round {n + 1}: /healthz {t.server_cpu_ms:.3f} ms CPU ({t.requests} requests, p50 "
              f"{t.p50_ms:.1f} ms), scan {o.server_cpu_ms:.3f} ms CPU{db} ({o.requests} requests, p50 "
              f"{o.p50_ms:.1f} ms, {o.errors} errors): {ratios[n]:.2f}x")
    ratio = pooled(ours) / pooled(theirs)
    verdict = "ok" if ratio <= 3 else "ABOVE TARGET"
    db = (f"; the database's CPU a scan {pooled(ours, 'db_cpu_ms'):.3f} ms" if database
          else "; SQLite runs inside the server process")
    print(f"  sequential (one process, one connection): server CPU a scan {pooled(ours):.3f} ms, /healthz "
          f"{pooled(theirs):.3f} ms: {ratio:.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}x; target <= 3x /healthz: "
          f"{verdict}){db}")


# --- the run --------------------------------------------------------------------------------------------------------

def under_load(url: str, calls: list[Call], args: argparse.Namespace, db_cpu: Any) -> tuple[
        tuple[Figures, Figures | None], rush.Run | None, dict[int, float]]:
    """The scan server (--workers processes) under --concurrency clients flat out (with the database's CPU), then
    paced, then --rush connections flat out; and the peak memory of each of its processes."""
    process, base = serve(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": url}, args.workers)
    try:
        flat = load(base, calls, args.concurrency, args.seconds, args.warmup, 201, process.pid, db_cpu=db_cpu)
        paced = load(base, calls, args.concurrency, args.seconds, 1, 201, process.pid, args.pace_ms) \
            if args.pace_ms else None
        rushed = rush.wrk(base, calls, args.rush, args.seconds, 5, process.pid) if args.rush else None
        return (flat, paced), rushed, rush.peak_memory_mib(process.pid)
    finally:
        stop(process)


def report_rush(rushed: rush.Run, steady: Figures, memory: dict[int, float]) -> None:
    ratio = rushed.good_per_second / steady.throughput
    print(f"  rush: {rushed.line()}")
    checks = [("no time-out", rushed.timeouts == 0 and rushed.socket_errors == 0), ("p99 < 2 s", rushed.p99_ms < 2000),
              (f"good/s {ratio:.0%} of the flat-out figure >= 70%", ratio >= 0.7)]
    print("  rush: " + "; ".join(f"{label}: {'met' if ok else 'NOT MET'}" for label, ok in checks))
    print(f"  {rush.memory_line(memory)}")


def run(backend: str, args: argparse.Namespace) -> None:
    args = for_backend(args, backend)
    started = time.perf_counter()
    prepared = prepare(backend, args.pg_url, args.residents)
    try:
        with ExitStack() as stack:
            served, db_cpu = served_url(stack, backend, prepared.url, args, APPLICATION_NAME)
            headers = tokens(f"{APP}:scan_app", served, prepared.scanners, args.workers)
            sequential = sequential_cpu(served, scan_calls(prepared.scanners, headers, prepared.codes), args, db_cpu)
            if not args.sequential_only:  # codes issued again: the run may outlast the first ones
                calls = scan_calls(prepared.scanners, headers, codes_now(prepared.url, prepared.people))
                bare = measure(f"{APP}:bare_app", ENV, calls, args, 201)
                scans, rushed, memory = under_load(served, calls, args, db_cpu)
    finally:
        prepared.cleanup()
    per_scan = prepared.statements_per_scan
    shown = ", ".join(f"{kind} {s} statement(s)" + (f" / {r} round trip(s)" if r is not None else "")
                      for kind, (s, r) in per_scan.items() if kind != "first")
    through = f" behind PgBouncer (transaction mode, {args.pool_size} server connections)" if served != prepared.url \
        else ""
    print(f"{backend}: {args.concurrency} concurrent clients, {args.workers} uvicorn worker(s){through}, "
          f"{args.residents} residents (per scan: {shown}; the process's first scan "
          f"{per_scan['first'][0]} statement(s), which reads the signing key)")
    report_sequential(backend, *sequential)
    if not args.sequential_only:
        report("scans", bare, scans, 100, 0.5, args.pace_ms)
        if backend == "postgresql":
            side = "PostgreSQL's backends and PgBouncer" if through else "PostgreSQL's backends"
            print(f"  flat out: the database's CPU a scan {scans[0].db_cpu_ms:.3f} ms ({side})")
        if rushed is not None:
            report_rush(rushed, scans[0], memory)
    print(f"  [{time.perf_counter() - started:.0f} s]")


def main() -> None:
    # Paced: 64 turnstiles each scanning one person a second, the busiest a checkpoint lane gets.
    parser = options(__doc__.split("\n\n")[0], seconds=10, concurrency=64, residents=2_000, pg_url=DEFAULT_PG,
                     pace_ms=1000)
    parser.add_argument("--sequential-only", action="store_true", help="only the sequential CPU per scan")
    parser.add_argument("--rounds", type=int, default=3, help="sequential rounds, alternating /healthz and scans")
    parser.add_argument("--rush", type=int, default=1000, help="then this many connections flat out (0: don't)")
    parser.add_argument("--pgbouncer", action="store_true",
                        help="PostgreSQL: the servers connect through PgBouncer in transaction mode (docs/deploy.md)")
    parser.add_argument("--pool-size", type=int, default=8, help="PgBouncer's server connections")
    parser.add_argument("--no-functions", action="store_true",
                        help="the long statements sent as they are, never as functions (db/hotfunc.py): the baseline")
    args = parser.parse_args()
    if args.residents < 3 or args.rounds < 1:
        parser.error("--residents must be at least 3 and --rounds at least 1")
    run_backends(args, {**ENV, **({NO_FUNCTIONS: "1"} if args.no_functions else {})}, run)


if __name__ == "__main__":
    main()
