"""The morning rush at a checkpoint: `POST /api/v1/checkpoint/scans` under 64 concurrent clients, against a bare
FastAPI endpoint served the same way (same uvicorn, same body and header), on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.checkpoint_scans [--seconds 10] [--concurrency 64] [--residents 2000]
        [--backends sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--workers N] [--pace-ms 1000]

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
from bench.http_load import Call, for_backend, measure, options, report, run_backends, serve, stop

DATA = Path(__file__).parent / "data"
APP = "bench.checkpoint_scans"  # uvicorn imports the app factories from here (not from __main__)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCANNERS = 8
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
    statements_per_scan: dict[str, int]
    cleanup: Any


def prepare(backend: str, pg_url: str, residents: int) -> Prepared:
    from healthcode.db import make_engine

    url, cleanup = fresh_database(backend, pg_url, "checkpoint_scans")
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


def _statements_per_scan(engine: Any, scanner: tuple[str, int], codes: list[str]) -> dict[str, int]:
    """SQL statements of one QR scan and one number-code scan, counted in-process (token check included)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from healthcode.app import create_app
    from healthcode.config import get_settings

    counts: dict[str, int] = {}
    with TestClient(create_app(get_settings(), engine)) as client:
        token = client.post("/api/v1/auth/token", data={"username": scanner[0], "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for kind, code in (("qr", codes[0]), ("number", codes[1])):
            seen: list[str] = []

            def record(*args: Any, seen: list[str] = seen) -> None:
                seen.append(args[2])

            event.listen(engine, "before_cursor_execute", record)
            response = client.post("/api/v1/checkpoint/scans", headers=headers,
                                   json={"point_id": scanner[1], "code": code})
            event.remove(engine, "before_cursor_execute", record)
            assert response.status_code == 201, response.text
            counts[kind] = len(seen)
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


def run(backend: str, args: argparse.Namespace) -> None:
    args = for_backend(args, backend)
    started = time.perf_counter()
    prepared = prepare(backend, args.pg_url, args.residents)
    try:
        headers = _tokens(prepared.url, prepared.scanners, args.workers)
        calls = [Call("POST", "/api/v1/checkpoint/scans", headers[i % SCANNERS],
                      {"point_id": prepared.scanners[i % SCANNERS][1], "code": code})
                 for i, code in enumerate(prepared.codes)]
        bare = measure(f"{APP}:bare_app", ENV, calls, args, 201)
        scans = measure(f"{APP}:scan_app", {**ENV, "HEALTHCODE_DATABASE_URL": prepared.url}, calls, args, 201)
    finally:
        prepared.cleanup()
    print(f"{backend}: {args.concurrency} concurrent clients, {args.workers} uvicorn worker(s), "
          f"{args.residents} residents (SQL statements per scan: QR {prepared.statements_per_scan['qr']}, "
          f"number {prepared.statements_per_scan['number']})")
    report("scans", bare, scans, 100, 0.5, args.pace_ms)
    print(f"  [{time.perf_counter() - started:.0f} s]")


def main() -> None:
    # Paced: 64 turnstiles each scanning one person a second, the busiest a checkpoint lane gets.
    parser = options(__doc__.split("\n\n")[0], seconds=10, concurrency=64, residents=2_000, pg_url=DEFAULT_PG,
                     pace_ms=1000)
    args = parser.parse_args()
    run_backends(args, ENV, run)


if __name__ == "__main__":
    main()
