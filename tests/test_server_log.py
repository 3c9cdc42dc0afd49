"""`healthcode serve` in a process of its own: its access log and error log (a request with an ID number and a phone
in the query string, and an SQL error on a row with an ID number and a name) hold only masked values."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from healthcode.db import make_engine
from tests.checkpoints.factories import id_number
from tests.conftest import PG_URL
from tests.logscan import full_id_numbers

ROOT = Path(__file__).resolve().parent.parent
QUERY_ID = id_number(11)
ROW_ID = id_number(12)
NAME = "欧阳娜娜"
PHONE = "13912345678"


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a server on a database of its own: a SQLite file in the data directory, or a fresh
    PostgreSQL schema that the server's own migrations build."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEALTHCODE_ENV": "test", "HEALTHCODE_DATA_DIR": str(tmp_path)}
    env.pop("HEALTHCODE_DATABASE_URL", None)
    if not PG_URL:
        yield env
        return
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    env["HEALTHCODE_DATABASE_URL"] = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield env
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "healthcode.cli", *args], env=env, cwd=env["HEALTHCODE_DATA_DIR"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _refuse_every_case(env: dict[str, str]) -> None:
    """Makes the next insert into feed_cases fail inside the database: an SQL error with the row's values bound."""
    if "HEALTHCODE_DATABASE_URL" in env:
        engine = make_engine(env["HEALTHCODE_DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE feed_cases ADD CONSTRAINT ck_refused CHECK (false) NOT VALID"))
        engine.dispose()
        return
    with sqlite3.connect(Path(env["HEALTHCODE_DATA_DIR"]) / "healthcode.sqlite3") as conn:
        conn.execute("CREATE TRIGGER refused BEFORE INSERT ON feed_cases BEGIN SELECT RAISE(ABORT, 'refused'); END")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            httpx.get(base, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)  # polling for the port to open, not waiting for an outcome
    raise AssertionError("the server did not start")


SERVE = {  # `healthcode serve`, and the several-process command docs/deploy.md gives
    "healthcode": ["-m", "healthcode.cli", "serve", "--port"],
    "uvicorn": ["-m", "uvicorn", "--factory", "healthcode.app:create_app", "--port"],
}


@pytest.mark.parametrize("command", SERVE)
def test_the_servers_access_and_error_logs_hold_no_full_id_number_name_or_phone(
        server_env: dict[str, str], tmp_path: Path, command: str) -> None:
    api_key = json.loads(_cli(server_env, "provider", "add", "国家卫健委", "--feeds", "cases", "--json"))["api_key"]
    _refuse_every_case(server_env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        server = subprocess.Popen([sys.executable, *SERVE[command], str(port)],
                                  env=server_env, cwd=tmp_path, stdout=stdout, stderr=stderr)
        try:
            _wait_until_serving(base, server)
            httpx.get(f"{base}/citizen/", params={"id_number": QUERY_ID, "phone": PHONE})
            failed = httpx.post(f"{base}/api/v1/feeds/cases/records", headers={"X-API-Key": api_key},
                                json={"id_number": ROW_ID, "name": NAME, "status": "confirmed",
                                      "reported_at": "2020-02-20T10:00:00"})
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    log = out.read_text("utf-8") + err.read_text("utf-8")

    assert failed.status_code == 500  # the SQL error reached the server's error log with its traceback
    assert "Exception in ASGI application" in log and "Traceback" in log
    assert f"id_number={QUERY_ID[:2]}*****{QUERY_ID[-3:]}&phone=139****5678" in log  # the access log line
    assert full_id_numbers(log) == [] and QUERY_ID not in log and ROW_ID not in log
    assert PHONE not in log and NAME not in log
    assert list((tmp_path / "tmp").iterdir()) == []  # the processes' temporary folders went when they stopped
