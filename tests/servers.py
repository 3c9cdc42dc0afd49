"""Real server processes for the tests that need them: a PostgreSQL schema of their own, free loopback ports,
`healthcode serve` started in a process of its own and waited for by polling until it answers, then stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
from sqlalchemy import text

from healthcode.db import make_engine
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent
READY_PATH = "/readyz"  # the process is up and its database answers (SPEC section 11)
START_SECONDS = 90  # a server migrates an empty schema first; the shared 2-core machine may be busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def pg_schema() -> Iterator[tuple[str, str]]:
    """(schema, URL whose search_path is that schema) of a fresh schema on the test PostgreSQL, dropped afterwards."""
    assert PG_URL, "PostgreSQL only"
    schema = f"w_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield schema, f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def server_env(data_dir: Path, database_url: str | None, **settings: str) -> dict[str, str]:
    """The environment of a server: the tests' own data directory and database, and HEALTHCODE_<NAME> settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHCODE_")}
    env.update({"PYTHONPATH": str(ROOT), "HEALTHCODE_ENV": "test", "HEALTHCODE_DATA_DIR": str(data_dir)})
    if database_url:
        env["HEALTHCODE_DATABASE_URL"] = database_url
    env.update({f"HEALTHCODE_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(base URL, process) of `healthcode serve --port P *args`, once it answers; stopped (SIGINT) afterwards. Its
    standard output and error go to `log`."""
    port = free_port()
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "healthcode.cli", "serve", "--port", str(port), *args],
                                  env=env, cwd=env["HEALTHCODE_DATA_DIR"], stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(base, server, log)
            yield base, server
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Polls the server until it answers 200 (between polls: waits up to 0.1 s for the process to end, which it must
    not do)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            if httpx.get(base + READY_PATH, timeout=5).status_code == 200:
                return
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=0.1)
            raise AssertionError(f"the server stopped:\n{log.read_text('utf-8', 'replace')}")
    raise AssertionError(f"the server did not answer in {START_SECONDS} s:\n{log.read_text('utf-8', 'replace')}")


def worker_pids(supervisor: int) -> list[int]:
    """The server processes a `--workers N` supervisor started (multiprocessing's spawned children)."""
    found = []
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for pid in (task / "children").read_text().split():
            with suppress(FileNotFoundError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
    return sorted(found)
