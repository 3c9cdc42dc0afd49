"""The platform through PgBouncer in transaction mode (docs/deploy.md, «PgBouncer»): `healthcode serve --workers 2`
migrates an empty schema, signs in and scans, every transaction on whichever server connection PgBouncer lends it.
PgBouncer runs on a free loopback port with a configuration of the test's own (Debian's `pgbouncer`; `make test-pg`
installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from bench.pgbouncer import PGBOUNCER, pgbouncer
from healthcode.db import make_engine, session_factory
from tests.checkpoints.factories import NOW, issue, org, person, scanner
from tests.conftest import PG_URL
from tests.servers import pg_schema, server_env, serving

pytestmark = pytest.mark.skipif(not PG_URL or not PGBOUNCER, reason="PgBouncer in front of PostgreSQL only")
SCANS = 12  # more than psycopg's prepare threshold (5) for every statement of the scan path


@pytest.fixture
def through_pgbouncer() -> Iterator[tuple[str, str]]:
    """(URL through PgBouncer, URL straight to PostgreSQL) of one fresh schema. Four server connections lent round
    robin (bench/pgbouncer.py), so that consecutive transactions of one client land on different ones, as on a busy
    PgBouncer (with psycopg's prepared statements the 7th scan then failed: "prepared statement "_pg3_0" does not
    exist")."""
    with pg_schema() as (_, direct), pgbouncer(direct, pool_size=4) as bouncer:
        yield bouncer.url, direct


def test_serving_through_pgbouncer_in_transaction_mode(through_pgbouncer: tuple[str, str], tmp_path: Path) -> None:
    pooled, direct = through_pgbouncer
    env = server_env(tmp_path, pooled, fixed_now=NOW.isoformat())
    with serving(env, tmp_path / "server.log", "--workers", "2") as (base, _):  # migrates through PgBouncer
        engine = make_engine(direct)
        with session_factory(engine)() as db:
            admin, phone, issued = _province(db)
        engine.dispose()
        answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": phone, "password": "Scan2020ok"})
        assert answer.status_code == 200, answer.text
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        point = httpx.post(f"{base}/api/v1/checkpoint/points", headers=headers, json={
            "community": "软件园社区", "name": "东大街西角", "address": "福州市鼓楼区软件大道89号",
            "region_code": "350102"})
        assert point.status_code == 201, point.text
        with httpx.Client(headers=headers) as checkpoint:
            scans = [checkpoint.post(f"{base}/api/v1/checkpoint/scans",
                                     json={"point_id": point.json()["id"], "code": issued.qr_text})
                     for _ in range(SCANS)]
        assert [s.status_code for s in scans] == [201] * SCANS, scans[-1].text
        with httpx.Client() as browser:
            login = browser.post(f"{base}/gov/login", data={"username": admin.username, "password": admin.password})
            assert login.status_code == 303, login.text
            assert browser.get(f"{base}/gov/login").status_code == 303  # signed in
    log = (tmp_path / "server.log").read_text("utf-8")
    assert "prepared statement" not in log
    assert "runs without its function" not in log  # the scan's statement ran as a function (db/hotfunc.py)


def _province(db: Session) -> tuple[object, str, object]:
    admin = org(db, 1)
    return admin, scanner(db, admin.username, 1), issue(db, person(db, 1), NOW)
