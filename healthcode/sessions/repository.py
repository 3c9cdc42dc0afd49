"""Every query on the web sessions table. Core statements on the table: they run alike on an ORM session (the
request's transaction, `db.in_transaction`) and on a plain connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from healthcode.db.hotsql import Hot
from healthcode.sessions.models import WebSession

_table = cast(Table, WebSession.__table__)
Db = Session | Connection


_FIND = Hot(select(_table.c.id, _table.c.data, _table.c.last_seen_at, _table.c.expires_at)
            .where(_table.c.token_hash == bindparam("token_hash")))


def find(db: Db, token_hash: bytes) -> Row[int, str, datetime, datetime] | None:
    """(id, data, last_seen_at, expires_at) of the session with this token hash, expired or not. In a request's
    transaction as a hot statement (`hotsql`): the citizen code refresh reads its session so."""
    if isinstance(db, Session):
        return _FIND.first(db, {"token_hash": token_hash})  # type: ignore[no-any-return]
    return db.execute(_FIND.statement, {"token_hash": token_hash}).first()  # type: ignore[call-overload]


def add(db: Db, token_hash: bytes, data: str, principals: dict[str, int | None], now: datetime,
        expires_at: datetime) -> None:
    db.execute(insert(_table).values(token_hash=token_hash, data=data, created_at=now, last_seen_at=now,
                                     expires_at=expires_at, **principals))


def save(db: Db, session_id: int, data: str | None, now: datetime, expires_at: datetime) -> bool:
    """Stores new data (None: unchanged) and the time last seen; False when the session is gone (ended by a
    revocation since this request read it: it is not brought back)."""
    values: dict[str, Any] = {"last_seen_at": now, "expires_at": expires_at}
    if data is not None:
        values["data"] = data
    result = db.execute(update(_table).where(_table.c.id == session_id).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def remove(db: Db, session_id: int) -> None:
    db.execute(delete(_table).where(_table.c.id == session_id))


def end_for_account(db: Db, account_id: int) -> int:
    """Ends every session in which this account (an organisation admin's or a scanner's) is signed in: a password
    change or reset, a scanner revoked. The caller's transaction; the sessions end when it commits."""
    statement = delete(_table).where(or_(_table.c.console_account_id == account_id,
                                         _table.c.scanner_account_id == account_id))
    return int(db.execute(statement).rowcount)  # type: ignore[attr-defined]


def remove_some_expired(db: Db, now: datetime, limit: int = 10) -> None:
    """Deletes up to `limit` expired sessions: each new session clears ten times its own number, so sessions that
    strangers start and abandon (the sign-in page needs one) cannot pile up between daily purges."""
    # SKIP LOCKED (PostgreSQL; SQLite has one writer): concurrent sign-ins take different rows, never wait on each
    # other nor deadlock.
    oldest = (select(_table.c.id).where(_table.c.expires_at <= now).limit(limit)
              .with_for_update(skip_locked=True).scalar_subquery())
    db.execute(delete(_table).where(_table.c.id.in_(oldest)))


def purge_expired(db: Db, now: datetime) -> int:
    """Deletes the sessions idle past their limit that no request came back to (those that do are deleted then)."""
    result = db.execute(delete(_table).where(_table.c.expires_at <= now))
    return int(result.rowcount)  # type: ignore[attr-defined]
