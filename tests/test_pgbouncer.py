"""The platform through PgBouncer in transaction mode (docs/deploy.md, «PgBouncer»): `healthcode serve --workers 2`
migrates an empty schema, signs in and scans, every transaction on whichever server connection PgBouncer lends it.
PgBouncer runs on a free loopback port with a configuration of the test's own (Debian's `pgbouncer`; `make test-pg`
installs it)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from healthcode.db import make_engine, session_factory
from tests.checkpoints.factories import NOW, issue, org, person, scanner
from tests.conftest import PG_URL
from tests.servers import free_port, pg_schema, server_env, serving

PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
pytestmark = pytest.mark.skipif(not PG_URL or not PGBOUNCER, reason="PgBouncer in front of PostgreSQL only")
SCANS = 12  # more than psycopg's prepare threshold (5) for every statement of the scan path


def _config(folder: Path, port: int, schema: str) -> Path:
    """A transaction-mode PgBouncer in front of the test PostgreSQL, whose server connections use `schema`. Four
    server connections kept open and lent round robin, so that consecutive transactions of one client land on
    different ones, as on a busy PgBouncer (with psycopg's prepared statements the 7th scan then failed: "prepared
    statement "_pg3_0" does not exist")."""
    target = make_url(PG_URL or "")
    user = target.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{target.password or ""}"\n')
    server = f"host={target.host or '127.0.0.1'} port={target.port or 5432} dbname={target.database} user={user}"
    if target.password:
        server += f" password={target.password}"
    ini = folder / "pgbouncer.ini"
    ini.write_text(f"""[databases]
healthcode = {server} connect_query='SET search_path TO {schema}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 4
min_pool_size = 4
server_round_robin = 1
max_client_conn = 200
""")
    for path in (folder, folder / "users.txt", ini):
        path.chmod(0o755 if path.is_dir() else 0o644)  # PgBouncer refuses to run as root: it runs as nobody
    return ini


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.1)
            raise AssertionError(f"PgBouncer stopped:\n{log.read_text('utf-8', 'replace')}")
    raise AssertionError("PgBouncer did not listen")


@pytest.fixture
def through_pgbouncer() -> Iterator[tuple[str, str]]:
    """(URL through PgBouncer, URL straight to PostgreSQL) of one fresh schema."""
    with pg_schema() as (schema, direct), tempfile.TemporaryDirectory(prefix="pgbouncer-") as name:
        folder, port = Path(name), free_port()
        ini, log = _config(folder, port, schema), folder / "pgbouncer.log"
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
        with open(log, "wb") as out:
            bouncer = subprocess.Popen([PGBOUNCER or "pgbouncer", *as_user, str(ini)], stdout=out,
                                       stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, bouncer, log)
            user = make_url(PG_URL or "").username or "postgres"
            yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/healthcode?prepare_threshold=none", direct
        finally:
            bouncer.send_signal(signal.SIGTERM)
            bouncer.wait(timeout=30)


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
    assert "prepared statement" not in (tmp_path / "server.log").read_text("utf-8")


def _province(db: Session) -> tuple[object, str, object]:
    admin = org(db, 1)
    return admin, scanner(db, admin.username, 1), issue(db, person(db, 1), NOW)
