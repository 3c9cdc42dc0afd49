"""Every query of the ledger: the chain's head under a lock, the insert, and the entries in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from healthcode.ledger.models import LedgerEntry

# Any constant: the advisory lock that makes appends take turns on PostgreSQL (SQLite's writers already do).
_APPEND_LOCK = 0x4C454447  # "LEDG"


def lock_head(session: Session) -> str | None:
    """Take the append turn for this transaction and return the newest entry's hash (None: the ledger is empty).
    On PostgreSQL a transaction-scoped advisory lock: a second appender waits here until the first commits, then reads
    its entry as the head (READ COMMITTED reads afresh per statement), so the chain never forks."""
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
