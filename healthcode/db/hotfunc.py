"""The long hot statements as PL/pgSQL functions on connections that never prepare (issue 13).

Behind PgBouncer in transaction mode psycopg must not prepare statements (`prepare_threshold=none`, docs/deploy.md),
so PostgreSQL plans every statement on every execution: for the scan's one statement and the status query, planning
costs several times what executing them does (docs/performance.md, «A scan in one round trip»). A PL/pgSQL function
keeps the plans of its statements for the life of the server connection, whatever the pooler does, so on such a
connection a long statement is sent as the call of a function holding it, made by a thread of its own the first time
a process needs it (the statement is sent as it is until then):

    SELECT * FROM healthcode_hot_<digest>($1::integer, $2::timestamp without time zone, ...)

The function's name is a digest of the statement and its types, so a changed statement makes a new function and a
process of the previous version keeps calling its own. It is created in the connection's schema under a transaction
advisory lock (two processes starting together create it once), and is generic-planned (`plan_cache_mode`): the plan
prunes the scans' day partitions when it runs. Statements shorter than `MIN_LENGTH` are sent as they are: planning
them costs less than a function call. Where the function cannot be made (a role without CREATE on the schema), the
statement is sent as it is, the log says why, and it is tried again a minute later.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from psycopg.pq import ExecStatus
from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIN_LENGTH = 2048  # characters of SQL; the scan's statement is ~14,000, the status query ~6,000, a look-up ~200
_UNKNOWN = 705  # PostgreSQL's type of a parameter whose type it could not infer: passed as text
_UNDEFINED_FUNCTION = "42883"
_LOCK = "healthcode.hotfunc"
_calls: weakref.WeakKeyDictionary[Engine, dict[str, str]] = weakref.WeakKeyDictionary()
_retry: dict[str, float] = {}  # when to try again to make a function that could not be made
_pending: dict[tuple[int, str], Future[None]] = {}
_maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotfunc")
_guard = threading.Lock()
RETRY_SECONDS = 60


def wanted(dbapi_connection: Any, sql: str) -> bool:
    """Whether `sql` on this psycopg connection goes through a function: a long statement on a connection that does
    not prepare statements."""
    return len(sql) >= MIN_LENGTH and getattr(dbapi_connection, "prepare_threshold", 0) is None


def call_for(engine: Engine, sql: str) -> str:
    """The SQL that calls the function holding `sql`, once it is made; until then `sql` itself, while another thread
    makes the function. No request waits for it: a request holding a connection in a transaction while waiting for
    a function that needs another connection could, with every pooled connection so held, wait for ever."""
    found = _calls.get(engine, {}).get(sql)
    if found is not None:
        return found
    with _guard:
        if (id(engine), sql) not in _pending and time.monotonic() >= _retry.get(sql, 0):
            _pending[(id(engine), sql)] = _maker.submit(_make, engine, sql)
    return sql


def failed(engine: Engine, sql: str, error: Exception) -> bool:
    """The call of `sql`'s function failed. If the function is gone (dropped, or the database restored without it):
    True, and the statement is sent as it is again, and its function made again, from the next request on."""
    if getattr(error, "sqlstate", None) != _UNDEFINED_FUNCTION:
        return False
    with _guard:
        _calls.get(engine, {}).pop(sql, None)
    log.warning("a hot statement's function was gone: it is made again")
    return True


def wait() -> None:
    """Until the functions asked for so far are made (or have failed)."""
    with _guard:
        pending = list(_pending.values())
    for future in pending:
        future.result()


def _make(engine: Engine, sql: str) -> None:
    try:
        call = _create(engine, sql)
        with _guard:
            _calls.setdefault(engine, {})[sql] = call
    except Exception as exc:  # noqa: BLE001 (any failure: the statement still runs as it is)
        log.warning("a hot statement runs without its function (%s): %s", type(exc).__name__, exc)
        with _guard:
            _retry[sql] = time.monotonic() + RETRY_SECONDS
    finally:
        with _guard:
            _pending.pop((id(engine), sql), None)


def _create(engine: Engine, sql: str) -> str:
    with engine.connect() as connection, connection.begin():
        # The lock first: it also opens the transaction, so that behind PgBouncer the description below is asked of
        # the server connection the statement was parsed on.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:lock))"), {"lock": _LOCK})
        driver: Any = connection.connection.dbapi_connection
        for step in (lambda: driver.pgconn.prepare(b"", sql.encode()), lambda: driver.pgconn.describe_prepared(b"")):
            described = step()
            if described.status != ExecStatus.COMMAND_OK:
                raise RuntimeError(described.error_message.decode("utf-8", "replace"))
        params = [_type(connection, described.param_type(i), -1) for i in range(described.nparams)]
        fields = [_type(connection, described.ftype(i), described.fmod(i)) for i in range(described.nfields)]
        signature = f"{sql}\n{params}\n{fields}"
        name = "healthcode_hot_" + hashlib.sha256(signature.encode()).hexdigest()[:24]
        exists = connection.execute(text(
            "SELECT 1 FROM pg_proc WHERE proname = :name AND pronamespace = current_schema()::regnamespace"),
            {"name": name}).first()
        if exists is None:
            tag = "$hot$"
            if tag in sql:
                raise RuntimeError("the statement holds the function's quoting tag")
            columns = ", ".join(f"c{i + 1} {kind}" for i, kind in enumerate(fields))
            driver.cursor().execute(  # no parameters: the statement's own `%` and `$1` stay as they are
                f"CREATE FUNCTION {name}({', '.join(params)}) RETURNS TABLE ({columns}) LANGUAGE plpgsql "
                f"SET plan_cache_mode = force_generic_plan AS {tag}\n#variable_conflict use_column\n"
                f"BEGIN\nRETURN QUERY {sql};\nEND\n{tag}")
    arguments = ", ".join(f"${i + 1}::{kind}" for i, kind in enumerate(params))
    return f"SELECT * FROM {name}({arguments})"


def _type(connection: Any, oid: int, modifier: int) -> str:
    """The SQL name of a type, with its modifier (`character varying(18)`)."""
    if oid in (0, _UNKNOWN):
        return "text"
    return str(connection.execute(text("SELECT format_type(:oid, :modifier)"),
                                  {"oid": oid, "modifier": None if modifier < 0 else modifier}).scalar_one())
