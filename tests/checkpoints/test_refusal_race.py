"""Concurrent refused codes of one scanner (issue 12): exactly `scan_refusal_limit` are counted, every later
number-code attempt gets 429, on PostgreSQL too (13 used to get through against 10)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from healthcode.checkpoints import service
from healthcode.checkpoints.models import Scanner, ScanPoint, ScanRefusal
from healthcode.codes.errors import CodeRefused
from healthcode.db import session_factory
from healthcode.errors import RateLimited
from tests.checkpoints.factories import NOW, add_point, org, scan, scanner, token
from tests.conftest import PG_URL

ATTEMPTS = 30


def wrong_number(n: int) -> str:
    return f"1000000000{n:02d}"


def refusals(engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(ScanRefusal)) or 0


def test_given_concurrent_refused_number_codes_then_exactly_the_limit_is_counted_before_429(
        client, db, engine, settings, freeze) -> None:
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    limit = settings.scan_refusal_limit
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda n: scan(client, headers, point_id, wrong_number(n)).status_code,
                                 range(ATTEMPTS)))
    assert sorted(statuses) == [422] * limit + [429] * (ATTEMPTS - limit)
    assert refusals(engine) == limit


@pytest.mark.skipif(not PG_URL, reason="SQLite runs one write transaction at a time: no two refusals can interleave")
def test_given_refusals_that_all_read_the_scanner_before_any_commits_then_the_count_is_still_exact(
        db, engine, settings, freeze) -> None:
    """The worst interleaving, forced with a barrier: every request has read its (unlocked) scanner before any
    refusal is recorded."""
    freeze(NOW)
    scanner(db, org(db).username)
    scanner_id = db.scalar(select(Scanner.id))
    point = ScanPoint(org_id=db.get(Scanner, scanner_id).org_id, community="软件园社区", name="东门",
                      address="软件大道", region_code="350102", created_at=NOW)
    db.add(point)
    db.commit()
    limit = settings.scan_refusal_limit
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(n: int) -> str:
        with session_factory(engine)() as session:
            row = session.get(Scanner, scanner_id)
            barrier.wait(timeout=30)
            try:
                service.scan(session, row, point_id=point.id, code=wrong_number(n), now=NOW, settings=settings)
            except CodeRefused:
                session.commit()
                return "refused"
            except RateLimited:
                session.rollback()
                return "limited"
            return "scanned"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    assert outcomes.count("refused") == limit and refusals(engine) == limit
    assert outcomes.count("limited") == ATTEMPTS - limit
