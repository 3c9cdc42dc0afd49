"""The ledger entry of an applied feed batch (issue 16): one `feed.batch` per batch, never per row. It is appended
in the batch's own transaction — on the loader's connection for a file, in the request's session for a realtime
record — so the rows and their entry commit together or not at all. Rejected and duplicate batches change no colour
and append nothing (their `feed_batches` row stays for the status board)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from healthcode.ledger.service import append

KIND = "feed.batch"
# How a stored batch operator reads as the entry's actor (the console's words, orgs/operators.py, which feeds
# cannot import).
_SYSTEM = {"cli": "系统（命令行）", "demo": "系统（演示数据）"}


def actor(operator: str | None, provider_id: int | None) -> str:
    """The readable label of who applied the batch: the operator's command, or the provider through its API."""
    if provider_id is not None:
        return f"{operator or provider_id}（数据接口）"
    return _SYSTEM.get(operator or "cli", operator or "系统（命令行）")


def facts(batch_id: int, meta: Mapping[str, Any], rows: int) -> dict[str, Any]:
    """Ids and digests only: the file's name stays in `feed_batches.source`."""
    return {"feed": meta["feed"], "batch": batch_id, "provider": meta.get("provider_id"), "sha256": meta["sha256"],
            "rows": rows}


def batch_applied(conn: Connection | Session, batch_id: int, meta: Mapping[str, Any], rows: int) -> None:
    """Appends the batch's `feed.batch` entry inside the transaction the batch is applied in."""
    entry_actor = actor(meta.get("operator"), meta.get("provider_id"))
    body = facts(batch_id, meta, rows)
    if isinstance(conn, Session):
        append(conn, KIND, entry_actor, body, ref_table="feed_batches", ref_id=batch_id)
        return
    # A session over the loader's own connection, joined to its transaction: it never commits nor rolls back that
    # transaction itself; the loader's `engine.begin()` decides for the rows and the entry alike.
    with Session(bind=conn, join_transaction_mode="rollback_only") as session:
        append(session, KIND, entry_actor, body, ref_table="feed_batches", ref_id=batch_id)
