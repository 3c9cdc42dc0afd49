"""A PgBouncer in transaction mode in front of one PostgreSQL schema, on a free loopback port, with a configuration of
its own (Debian's `pgbouncer`): what docs/deploy.md, «PgBouncer», tells a deployment to run. Used by the benchmarks
(`--pgbouncer`) and by tests/test_pgbouncer.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url

PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
NO_FUNCTIONS = "BENCH_NO_FUNCTIONS"  # set to 1 in a server's environment: the baseline of `--no-functions`


def functions_as_asked() -> None:
    """In a server process (an app factory): with BENCH_NO_FUNCTIONS=1 the long statements are never sent as
    functions (healthcode/db/hotfunc.py), the baseline they are measured against."""
    if os.environ.get(NO_FUNCTIONS) == "1":
        from healthcode.db import hotfunc

        hotfunc.MIN_LENGTH = 10**9


@dataclass(frozen=True)
class Bouncer:
    url: str  # the platform's URL through PgBouncer (prepared statements off, as docs/deploy.md says)
    pid: int


def schema_of(url: str) -> str | None:
    """The schema a URL's `options=-csearch_path=…` selects (PgBouncer 1.18 refuses that start-up parameter)."""
    options = unquote(make_url(url).query.get("options", "") or "")  # type: ignore[arg-type]
    prefix = "-csearch_path="
    return options[len(prefix):] if options.startswith(prefix) else None


def _config(folder: Path, port: int, target: URL, schema: str | None, pool_size: int) -> Path:
    """`pool_size` server connections kept open and lent round robin, so that consecutive transactions of one client
    land on different ones, as on a busy PgBouncer."""
    user = target.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{target.password or ""}"\n')
    server = f"host={target.host or '127.0.0.1'} port={target.port or 5432} dbname={target.database} user={user}"
    if target.password:
        server += f" password={target.password}"
    if schema:
        server += f" connect_query='SET search_path TO {schema}'"
    ini = folder / "pgbouncer.ini"
    ini.write_text(f"""[databases]
healthcode = {server}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = {pool_size}
server_round_robin = 1
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits
""")
    for path in (folder, folder / "users.txt", ini):
        path.chmod(0o755 if path.is_dir() else 0o644)  # PgBouncer refuses to run as root: it runs as nobody
    return ini


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.1)
            raise RuntimeError(f"PgBouncer stopped:\n{log.read_text('utf-8', 'replace')}")
    raise RuntimeError("PgBouncer did not listen")


@contextmanager
def pgbouncer(url: str, pool_size: int = 4) -> Iterator[Bouncer]:
    """PgBouncer in front of the database (and schema) of `url` while the block runs. The URL through it keeps
    `url`'s application_name, so that the database's CPU can still be found by it."""
    if PGBOUNCER is None:
        raise RuntimeError("pgbouncer is missing: apt-get install pgbouncer")
    target = make_url(url)
    with tempfile.TemporaryDirectory(prefix="pgbouncer-") as name:
        folder, port = Path(name), _free_port()
        ini, log = _config(folder, port, target, schema_of(url), pool_size), folder / "pgbouncer.log"
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
        with open(log, "wb") as out:
            process = subprocess.Popen([PGBOUNCER, *as_user, str(ini)], stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, log)
            query = {"prepare_threshold": "none"}
            if "application_name" in target.query:
                query["application_name"] = str(target.query["application_name"])
            pooled = URL.create(target.drivername, username=target.username or "postgres", host="127.0.0.1",
                                port=port, database="healthcode", query=query)
            yield Bouncer(pooled.render_as_string(hide_password=False), process.pid)
        finally:
            if process.poll() is not None:
                tail = log.read_text("utf-8", "replace")[-3000:]
                print(f"PgBouncer had stopped (exit {process.returncode}):\n{tail}")
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def served_url(stack: ExitStack, backend: str, url: str, args: Any, application_name: str) -> tuple[str, Any]:
    """The URL a bench's servers use (through a PgBouncer kept open by `stack` with --pgbouncer on PostgreSQL) and
    the reader of the database's CPU (the backends by `application_name`, and PgBouncer's), None on SQLite."""
    from bench.http_load import backends_cpu

    if backend != "postgresql":
        return url, None
    bouncer = stack.enter_context(pgbouncer(url, args.pool_size)) if args.pgbouncer else None
    return (bouncer.url if bouncer else url), backends_cpu(url, application_name, (bouncer.pid,) if bouncer else ())
