"""Every query of the ledger: the chain's head under a lock, the insert, the entries in order, and the purge of the
oldest entries with its anchors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from healthcode.ledger.models import LedgerAnchor, LedgerEntry

# Any constant: the advisory lock that makes appends take turns on PostgreSQL (SQLite's writers already do).
_APPEND_LOCK = 0x4C454447  # "LEDG"


def lock_head(session: Session) -> str | None:
    """Take the append turn (the purge takes it too) for this transaction and return the newest entry's hash (None:
    the ledger is empty). On PostgreSQL a transaction-scoped advisory lock: a second appender waits here until the
    first commits, then reads its entry as the head (READ COMMITTED reads afresh per statement), so the chain never
    forks."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    return session.scalar(select(LedgerEntry.hash).order_by(LedgerEntry.id.desc()).limit(1))


def add(session: Session, entry: LedgerEntry) -> None:
    session.add(entry)
    session.flush()


def in_order(session: Session, batch: int = 1000) -> Iterator[Any]:
    """All entries by id as plain rows (attributes named like the columns), a page at a time, so a long ledger is
    never held in memory nor in the session's identity map."""
    columns = LedgerEntry.__table__.c
    last = 0
    while True:
        rows = session.execute(select(*columns).where(columns.id > last).order_by(columns.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id


def of_person(session: Session, id_number: str) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.id_number == id_number)
                                .order_by(LedgerEntry.id)))


def of_row(session: Session, ref_table: str, ref_id: int) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.ref_table == ref_table,
                                                          LedgerEntry.ref_id == ref_id).order_by(LedgerEntry.id)))


def last_before_kept(session: Session, cutoff: datetime) -> Any | None:
    """The last entry of the leading run the purge may remove (`id`, `hash`), or None: every entry before the first
    one appended at or after `cutoff`, and never the newest entry (the head stays, so appends chain on and ids go
    on)."""
    columns = LedgerEntry.__table__.c
    kept = session.scalar(select(func.min(columns.id)).where(columns.at >= cutoff))
    if kept is None:
        kept = session.scalar(select(func.max(columns.id)))
    if kept is None:
        return None
    return session.execute(select(columns.id, columns.hash).where(columns.id < kept)
                           .order_by(columns.id.desc()).limit(1)).first()


def delete_through(session: Session, last_id: int) -> int:
    """Deletes the entries up to and including `last_id`; how many went."""
    result = session.execute(delete(LedgerEntry).where(LedgerEntry.id <= last_id)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def anchors(session: Session) -> list[LedgerAnchor]:
    """Every anchor, oldest first (one per purge that removed something: a few hundred a year at most)."""
    return list(session.scalars(select(LedgerAnchor).order_by(LedgerAnchor.id)))


def add_anchor(session: Session, anchor: LedgerAnchor) -> None:
    session.add(anchor)
    session.flush()
