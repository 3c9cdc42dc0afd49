"""The checkpoint benchmarks' data and sign-ins (bench.checkpoint_scans, bench.overload): a unit, its scanners at their
points, residents with a few recent scans each, their codes, and the scanners' API tokens."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.http_load import Call, serve, stop

SCANNERS = 8
PASSWORD = "Bench2020ok"
ENV = {"HEALTHCODE_CODE_TTL_SECONDS": "300", "HEALTHCODE_ENV": "dev"}  # codes must outlive the run: the longest TTL


def seed(engine: Any, residents: int, first: int = 0) -> tuple[list[tuple[str, int]], list[int]]:
    """The unit, its scanners (phone, point id) and `residents` people (ids) with a few scans each; ID numbers from
    the `first`-th on (another bench's people may come before)."""
    from stdnum.cn import uscc
    from stdnum.cn.ric import calc_check_digit

    from healthcode import clock
    from healthcode.checkpoints.models import Scan, ScanPoint
    from healthcode.checkpoints.service import add_scanner
    from healthcode.db import transaction
    from healthcode.orgs.service import add_org
    from healthcode.regions.service import set_level
    from healthcode.residents.models import Person

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
                                  id_number=_id_number(first + residents + n, calc_check_digit), password=PASSWORD,
                                  authorise=True, now=now)
            point = ScanPoint(org_id=org.org_id, created_by=scanner.id, community="软件园社区", name=f"{n}号门",
                              address="软件大道89号", region_code=regions[n % len(regions)], created_at=now)
            session.add(point)
            session.flush()
            scanners.append((phone, point.id, scanner.id))
        people = [Person(id_number=_id_number(first + n, calc_check_digit), name="李小明", created_at=now,
                         initial_region_code=rng.choice(regions)) for n in range(residents)]
        session.add_all(people)
        session.flush()
        person_ids = [p.id for p in people]
        # History: three earlier scans per resident within the last 14 days.
        session.add_all(Scan(scanner_id=s[2], point_id=s[1], org_id=org.org_id, person_id=p.id, color="green",
                             via="qr", at=now - timedelta(days=rng.randint(0, 13), minutes=rng.randint(1, 600)),
                             pass_reason="工作", temperature_result="normal")
                        for p in people for s in rng.sample(scanners, 3))
    return [(phone, point_id) for phone, point_id, _ in scanners], person_ids


def codes_now(url: str, person_ids: list[int]) -> list[str]:
    """New codes for the people (issue_codes), on a connection of their own."""
    from healthcode.db import make_engine

    engine = make_engine(url)
    try:
        return issue_codes(engine, person_ids)
    finally:
        engine.dispose()


def issue_codes(engine: Any, person_ids: list[int]) -> list[str]:
    """A new code for each person, now: the QR text for every other one, else the number code."""
    from healthcode import clock
    from healthcode.codes.service import issue_for_person
    from healthcode.config import get_settings
    from healthcode.db import transaction
    from healthcode.residents.models import Person

    settings, now, codes = get_settings(), clock.now(), []
    with transaction(engine) as session:
        for i, person_id in enumerate(person_ids):
            issued = issue_for_person(session, settings, session.get_one(Person, person_id), now)
            codes.append(issued.qr_text if i % 2 == 0 else issued.number_code)
    return codes


def _id_number(n: int, check: Any) -> str:
    body = f"350102{1950 + (n // 1000) % 60}0101{n % 1000:03d}"
    return body + check(body + "0")


def tokens(app: str, url: str, scanners: list[tuple[str, int]], workers: int) -> list[dict[str, str]]:
    """The scanners' API headers, signed in against `app` (a "module:factory") served on the database."""
    import httpx

    process, base = serve(app, {**ENV, "HEALTHCODE_DATABASE_URL": url}, workers)
    try:
        headers = []
        for phone, _ in scanners:
            token = httpx.post(f"{base}/api/v1/auth/token", data={"username": phone, "password": PASSWORD}).json()
            headers.append({"Authorization": f"Bearer {token['access_token']}"})
        return headers
    finally:
        stop(process)


def scan_calls(scanners: list[tuple[str, int]], headers: list[dict[str, str]], codes: list[str]) -> list[Call]:
    """A scan of each code, the scanners taking turns."""
    return [Call("POST", "/api/v1/checkpoint/scans", headers[i % SCANNERS],
                 {"point_id": scanners[i % SCANNERS][1], "code": code}) for i, code in enumerate(codes)]
