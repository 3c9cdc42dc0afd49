"""The morning rush at a checkpoint: `POST /api/v1/checkpoint/scans` under 64 concurrent clients, against a bare
FastAPI endpoint served the same way (same uvicorn, same body and header), on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.checkpoint_scans [--seconds 10] [--concurrency 64] [--residents 2000]
        [--backends sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--workers N] [--pace-ms 1000] [--sequential-only] [--rounds 3]

First, sequentially (one connection, one request at a time, one server process): the server's CPU per scan against
its CPU per `GET /healthz` in the same run, rounds alternating between the two (issue 13: a scan <= 3x /healthz),
and on PostgreSQL the database's CPU per scan beside it (the backends serving the server, found by their
application_name; /proc of each). Then the statements and round trips of one QR scan and one number-code scan
(round trips on PostgreSQL: ReadyForQuery messages in libpq's trace, BEGIN and COMMIT included).

Target (the issue): scan throughput >= 50% of the bare endpoint's, p99 < 100 ms. Half the scans present the QR text,
half the 12-digit number code; every resident already has a few scans in the last 14 days at points in regions with
levels set, so the most-severe-region and recent-scans work is real.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bench.databases import fresh_database
from bench.http_load import (
    Call,
    Figures,
    for_backend,
    load,
    measure,
    options,
    own_cpu_seconds,
    report,
    run_backends,
    serve,
    stop,
)

DATA = Path(__file__).parent / "data"
APP = "bench.checkpoint_scans"  # uvicorn imports the app factories from here (not from __main__)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCANNERS = 8
APPLICATION_NAME = "healthcode_bench_scans"  # the server's PostgreSQL connections, for the database's CPU
PASSWORD = "Bench2020ok"
# Codes must outlive the run: the longest TTL the platform allows.
ENV = {"HEALTHCODE_CODE_TTL_SECONDS": "300", "HEALTHCODE_ENV": "dev"}


class ScanIn(BaseModel):
    point_id: int
    code: str


# --- the two apps served by uvicorn (factories, imported in the server process) -----------------------------------

def scan_app() -> Any:
    """The platform app on the prepared database (schema made by this script; no migration run)."""
    from healthcode.app import create_app
    from healthcode.config import get_settings
    from healthcode.db import make_engine

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
    statements_per_scan: dict[str, tuple[int, int | None]]  # (statements, round trips) of a QR and a number scan
    cleanup: Any


def prepare(backend: str, pg_url: str, residents: int) -> Prepared:
    from healthcode.db import make_engine

    url, cleanup = fresh_database(backend, pg_url, "checkpoint_scans")
    if backend == "postgresql":  # the server's backends, for the database's CPU per scan
        url = f"{url}&application_name={APPLICATION_NAME}"
    engine = make_engine(url)
    scanners, codes = _seed(engine, residents)
    statements = _statements_per_scan(engine, scanners[0], codes)
    engine.dispose()
    return Prepared(url, scanners, codes, statements, cleanup)


def _seed(engine: Any, residents: int) -> tuple[list[tuple[str, int]], list[str]]:
    from stdnum.cn import uscc
    from stdnum.cn.ric import calc_check_digit

    from healthcode import clock
    from healthcode.checkpoints.models import Scan, ScanPoint
    from healthcode.checkpoints.service import add_scanner
    from healthcode.codes.service import issue_for_person
    from healthcode.config import get_settings
    from healthcode.db import transaction
    from healthcode.orgs.service import add_org
    from healthcode.regions.service import set_level
    from healthcode.residents.models import Person

    settings = get_settings()
    rng = random.Random(2020)
    now = clock.now()
    regions = ["350102", "350103", "350104", "350105", "350111", "350203", "350206", "350503"]
    with transaction(engine) as session:
        for code, level in zip(regions, (1, 0, 2, 0, 1, 3, 0, 2), strict=True):
            set_level(session, code, level, "bench", now=now - timedelta(days=20))
        body = "12350100MB0000001"
        org = add_org(session, name="基准测试单位", uscc=body + uscc.calc_check_digit(body), kind="government",
                      now=now)
        scanners = []
        for n in range(SCANNERS):
            phone = f"139{n:08d}"
            scanner = add_scanner(session, org_uscc=org.username, phone=phone, name=f"扫码员{n}",
                                  id_number=_id_number(900 + n, calc_check_digit), password=PASSWORD,
                                  authorise=True, now=now)
            point = ScanPoint(org_id=org.org_id, created_by=scanner.id, community="软件园社区", name=f"{n}号门",
                              address="软件大道89号", region_code=regions[n % len(regions)], created_at=now)
            session.add(point)
            session.flush()
            scanners.append((phone, point.id, scanner.id))
        people = [Person(id_number=_id_number(n, calc_check_digit), name="李小明", created_at=now,
                         initial_region_code=rng.choice(regions)) for n in range(residents)]
        session.add_all(people)
        session.flush()
        # History: three earlier scans per resident within the last 14 days.
        session.add_all(Scan(scanner_id=s[2], point_id=s[1], org_id=org.org_id, person_id=p.id, color="green",
                             via="qr", at=now - timedelta(days=rng.randint(0, 13), minutes=rng.randint(1, 600)),
                             pass_reason="工作", temperature_result="normal")
                        for p in people for s in rng.sample(scanners, 3))
        codes = []
        for i, person in enumerate(people):
            issued = issue_for_person(session, settings, person, now)
            codes.append(issued.qr_text if i % 2 == 0 else issued.number_code)
    return [(phone, point_id) for phone, point_id, _ in scanners], codes


def _id_number(n: int, check: Any) -> str:
    body = f"350102{1950 + (n // 1000) % 60}0101{n % 1000:03d}"
    return body + check(body + "0")


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

def _tokens(url: str, scanners: list[tuple[str, int]], workers: int) -> list[dict[str, str]]:
    import httpx

    process, base = serve(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": url}, workers)
    try:
        headers = []
        for phone, _ in scanners:
            token = httpx.post(f"{base}/api/v1/auth/token", data={"username": phone, "password": PASSWORD}).json()
            headers.append({"Authorization": f"Bearer {token['access_token']}"})
        return headers
    finally:
        stop(process)


# --- sequential CPU per scan ------------------------------------------------------------------------------------------

def sequential_cpu(url: str, calls: list[Call], args: argparse.Namespace) -> tuple[list[Figures], list[Figures]]:
    """One server process, one connection: rounds of `GET /healthz` then scans, each `seconds / rounds` long after
    its own warm-up; the scans' figures carry the database's CPU (PostgreSQL)."""
    process, base = serve(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": url}, 1)
    try:
        seconds, warmup = max(1.0, args.seconds / args.rounds), max(1.0, args.warmup / args.rounds)
        db_cpu = _backends_cpu(url) if url.startswith("postgresql") else None
        ours: list[Figures] = []
        theirs: list[Figures] = []
        for _ in range(args.rounds):
            theirs.append(load(base, [Call("GET", "/healthz")], 1, seconds, warmup, 200, process.pid))
            ours.append(load(base, calls, 1, seconds, warmup, 201, process.pid, db_cpu=db_cpu))
        return theirs, ours
    finally:
        stop(process)


def _backends_cpu(url: str) -> Any:
    """CPU seconds of each PostgreSQL backend serving the bench's server (by application_name), as a function."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql").difference_update_query(
        ["application_name", "options", "prepare_threshold"])
    dsn = admin.render_as_string(hide_password=False)

    def read() -> dict[int, float]:
        with psycopg.connect(dsn, autocommit=True) as connection:
            pids = [row[0] for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APPLICATION_NAME])]
        return {pid: own_cpu_seconds(pid) for pid in pids}

    return read


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

def run(backend: str, args: argparse.Namespace) -> None:
    args = for_backend(args, backend)
    started = time.perf_counter()
    prepared = prepare(backend, args.pg_url, args.residents)
    try:
        headers = _tokens(prepared.url, prepared.scanners, args.workers)
        calls = [Call("POST", "/api/v1/checkpoint/scans", headers[i % SCANNERS],
                      {"point_id": prepared.scanners[i % SCANNERS][1], "code": code})
                 for i, code in enumerate(prepared.codes)]
        sequential = sequential_cpu(prepared.url, calls, args)
        if not args.sequential_only:
            bare = measure(f"{APP}:bare_app", ENV, calls, args, 201)
            scans = measure(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": prepared.url}, calls, args, 201)
    finally:
        prepared.cleanup()
    per_scan = prepared.statements_per_scan
    shown = ", ".join(f"{kind} {s} statement(s)" + (f" / {r} round trip(s)" if r is not None else "")
                      for kind, (s, r) in per_scan.items() if kind != "first")
    print(f"{backend}: {args.concurrency} concurrent clients, {args.workers} uvicorn worker(s), "
          f"{args.residents} residents (per scan: {shown}; the process's first scan "
          f"{per_scan['first'][0]} statement(s), which reads the signing key)")
    report_sequential(backend, *sequential)
    if not args.sequential_only:
        report("scans", bare, scans, 100, 0.5, args.pace_ms)
    print(f"  [{time.perf_counter() - started:.0f} s]")


def main() -> None:
    # Paced: 64 turnstiles each scanning one person a second, the busiest a checkpoint lane gets.
    parser = options(__doc__.split("\n\n")[0], seconds=10, concurrency=64, residents=2_000, pg_url=DEFAULT_PG,
                     pace_ms=1000)
    parser.add_argument("--sequential-only", action="store_true", help="only the sequential CPU per scan")
    parser.add_argument("--rounds", type=int, default=3, help="sequential rounds, alternating /healthz and scans")
    args = parser.parse_args()
    if args.residents < 3 or args.rounds < 1:
        parser.error("--residents must be at least 3 and --rounds at least 1")
    run_backends(args, ENV, run)


if __name__ == "__main__":
    main()
