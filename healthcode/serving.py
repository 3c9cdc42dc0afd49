"""`healthcode serve` in one process or several (SPEC section 11, CONTRACT: `--workers N`, default the number of cores,
SQLite: 1): how many, and how they start.

Several processes share one listening socket (uvicorn's supervisor starts them and starts again one that dies). The
schema is migrated once, by the supervisor, before any of them starts; each then builds its own app and engine.
Nothing that must be the same for every process is kept in process memory (docs/deploy.md, «Several processes»)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastapi import FastAPI

from healthcode import datadir
from healthcode.config import Settings, get_settings
from healthcode.db import make_engine, migrate

# A process that does not answer the supervisor's health check in this long is killed and replaced. uvicorn's default
# (5 s) also covers a new process's start (Python, then the imports before it can answer): on a busy machine that took
# longer, and processes were killed while starting, again and again.
HEALTHCHECK_SECONDS = 30
SQLITE_ONE_PROCESS = "SQLite 数据库只能由一个进程服务，已按 1 个进程运行（多进程请使用 PostgreSQL）"


@dataclass(frozen=True)
class Workers:
    count: int
    note: str | None = None  # why the count is not the one asked for, for the operator


def cores() -> int:
    """The cores this process may run on (a container's or `taskset`'s limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_for(settings: Settings, asked: int | None) -> Workers:
    """The number of server processes: `asked`, else one per core; always one on SQLite (its writers queue on one
    file lock: processes would wait on each other, and the one-writer turn is per process)."""
    if settings.sqlalchemy_url.startswith("sqlite"):
        return Workers(1, SQLITE_ONE_PROCESS if asked is not None and asked > 1 else None)
    return Workers(asked if asked is not None else cores())


def run(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serves until SIGINT/SIGTERM: this process itself when `workers` is 1, else a supervisor of `workers`
    processes, each running `worker_app`."""
    import uvicorn

    from healthcode.app import create_app
    from healthcode.logmask import log_config

    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", log_config=log_config())
        return
    from healthcode.checkpoints import partitions

    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)  # once, before the processes start (each would otherwise wait for the others' lock)
    partitions.prepare_for(engine, settings)  # PostgreSQL: the scans' partitions of the coming days
    engine.dispose()
    # The processes read the same environment as this one (get_settings), so they run on the same settings.
    uvicorn.run("healthcode.serving:worker_app", factory=True, workers=workers, host=host, port=port,
                timeout_worker_healthcheck=HEALTHCHECK_SECONDS, log_level="info", log_config=log_config())
    datadir.sweep(settings.data_dir)  # the processes' temporary folders (they end without their exit handlers)


def worker_app() -> FastAPI:
    """The app of one server process among several (the supervisor migrated the schema already)."""
    from healthcode.app import create_app

    return create_app(get_settings(), run_migrations=False)
