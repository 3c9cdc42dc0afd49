"""Several server processes are one platform (issue 13, SPEC section 11 `--workers N`): two `healthcode serve`
processes on two ports against one PostgreSQL database share sign-ins, lockouts, sign-outs, scans and refusal counts;
`--workers 2` runs two processes that each serve; SQLite runs one process whatever is asked."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.db import make_engine, session_factory
from healthcode.serving import SQLITE_ONE_PROCESS, cores, workers_for
from tests.checkpoints.factories import NOW, PASSWORD, issue, org, person, scanner, wrong_check_digit
from tests.conftest import PG_URL
from tests.servers import pg_schema, server_env, serving, worker_pids

pg_only = pytest.mark.skipif(not PG_URL, reason="several processes serve PostgreSQL only")
SERVER_SETTINGS = {"fixed_now": NOW.isoformat(), "scan_refusal_limit": "3"}


@pytest.fixture
def shared_url() -> Iterator[str]:
    with pg_schema() as (_schema, url):
        yield url


@pytest.fixture
def two_servers(shared_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two single-process servers on two ports, on one database (the first migrates it)."""
    env = server_env(tmp_path, shared_url, **SERVER_SETTINGS)
    with serving(env, tmp_path / "a.log", "--workers", "1") as (a, _), \
            serving(env, tmp_path / "b.log", "--workers", "1") as (b, _):
        yield a, b


@pytest.fixture
def db(shared_url: str) -> Iterator[Session]:
    engine = make_engine(shared_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def _token(base: str, username: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password})


def _bearer(base: str, username: str, password: str = PASSWORD) -> dict[str, str]:
    answer = _token(base, username, password)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _signed_in(browser: httpx.Client, base: str) -> bool:
    """The console's login page sends a signed-in user on (303) and shows the form (200) to anyone else."""
    answer = browser.get(f"{base}/gov/login")
    assert answer.status_code in (200, 303), answer.text
    return answer.status_code == 303


@pg_only
def test_two_processes_on_one_database_are_one_platform(two_servers: tuple[str, str], db: Session) -> None:
    a, b = two_servers
    admin, other = org(db, 1), org(db, 2)
    phone = scanner(db, admin.username, 1)
    issued = issue(db, person(db, 1), NOW)

    # A sign-in on one process is a sign-in on the other (one cookie jar: a browser behind a load balancer)
    with httpx.Client() as browser:
        assert not _signed_in(browser, a) and not _signed_in(browser, b)
        login = browser.post(f"{a}/gov/login", data={"username": admin.username, "password": admin.password})
        assert login.status_code == 303, login.text
        assert _signed_in(browser, b) and _signed_in(browser, a)
        # and a sign-out on either ends it on both
        assert browser.post(f"{b}/gov/logout").status_code == 303
        assert not _signed_in(browser, a) and not _signed_in(browser, b)

    # The development identity provider signs ID tokens with one key, whichever process signs (a citizen's sign-in
    # begun on one process may be finished on another)
    assert httpx.get(f"{a}/dev-idp/jwks.json").json() == httpx.get(f"{b}/dev-idp/jwks.json").json()

    # Wrong passwords counted on both lock the account on both (LOGIN_LOCKOUT: 5)
    answers = [_token(base, other.username, "Wrong2020x").json()["error"] for base in (a, b, a, b, a)]
    assert answers == ["invalid_credentials"] * 4 + ["account_locked"]
    assert _token(b, other.username, other.password).json()["error"] == "account_locked"

    # A scan on either, seen from the other
    headers = _bearer(a, phone)
    point = httpx.post(f"{b}/api/v1/checkpoint/points", headers=headers, json={
        "community": "软件园社区", "name": "东大街西角", "address": "福州市鼓楼区软件大道89号",
        "region_code": "350102"})
    assert point.status_code == 201, point.text
    scans = [httpx.post(f"{base}/api/v1/checkpoint/scans", headers=headers,
                        json={"point_id": point.json()["id"], "code": code})
             for base, code in ((a, issued.qr_text), (b, issued.number_code))]
    assert [s.status_code for s in scans] == [201, 201], [s.text for s in scans]
    listed = httpx.get(f"{a}/api/v1/org/scans", headers=_bearer(b, admin.username, admin.password)).json()
    assert listed["total"] == 2

    # Refused codes counted on both lock the scanner's number-code look-ups on both (SCAN_REFUSAL_LIMIT: 3)
    wrong = wrong_check_digit(issued.number_code)
    refused = [httpx.post(f"{base}/api/v1/checkpoint/scans", headers=headers,
                          json={"point_id": point.json()["id"], "code": wrong}) for base in (b, a, b)]
    assert [r.json()["error"] for r in refused] == ["check_digit"] * 3
    locked = httpx.post(f"{a}/api/v1/checkpoint/scans", headers=headers,
                        json={"point_id": point.json()["id"], "code": issued.number_code})
    assert (locked.status_code, locked.json()["error"]) == (429, "rate_limited")


@pg_only
def test_two_workers_are_two_processes_that_each_serve(shared_url: str, tmp_path: Path) -> None:
    env = server_env(tmp_path, shared_url)
    with serving(env, tmp_path / "server.log", "--workers", "2") as (base, supervisor):
        workers = worker_pids(supervisor.pid)
        assert len(workers) == 2
        # Each alone answers: the other is stopped (SIGSTOP) while a new connection is made
        for stopped, serving_pid in (workers, workers[::-1]):
            os.kill(stopped, signal.SIGSTOP)
            try:
                with httpx.Client(timeout=60) as fresh:
                    answer = fresh.get(f"{base}/.well-known/healthcode/jwks.json")
            finally:
                os.kill(stopped, signal.SIGCONT)
            assert answer.status_code == 200 and answer.json()["keys"], serving_pid
    log = (tmp_path / "server.log").read_text("utf-8")
    assert log.count("Application startup complete.") == 2
    assert list((tmp_path / "tmp").iterdir()) == []  # the processes' temporary folders went with them


def test_sqlite_serves_one_process_whatever_is_asked(tmp_path: Path) -> None:
    env = server_env(tmp_path, None)  # the embedded default: a SQLite file in the data directory
    with serving(env, tmp_path / "server.log", "--workers", "3") as (_base, server):
        assert worker_pids(server.pid) == []
    assert SQLITE_ONE_PROCESS in (tmp_path / "server.log").read_text("utf-8")


def test_the_number_of_processes() -> None:
    postgres = Settings(env="test", database_url="postgresql+psycopg://app@db.example/healthcode")
    assert workers_for(postgres, None).count == cores() >= 1
    assert (workers_for(postgres, 3).count, workers_for(postgres, 3).note) == (3, None)
    sqlite = Settings(env="test")
    assert (workers_for(sqlite, None).count, workers_for(sqlite, None).note) == (1, None)
    assert (workers_for(sqlite, 4).count, workers_for(sqlite, 4).note) == (1, SQLITE_ONE_PROCESS)
    assert workers_for(sqlite, 1).note is None
