"""Every query of the feeds: batches (provenance, duplicates), providers, the bulk writers of feed rows, and the one
look-up of a person's household.

The bulk writers of feed rows live in writers.py (re-exported here: the loader asks the repository for one).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Connection, CursorResult, ScalarSelect, Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session

from healthcode.feeds.definitions import Feed
from healthcode.feeds.models import Batch, HouseholdRecord, Provider
from healthcode.feeds.writers import BulkWriter as BulkWriter  # re-exported: the loader asks the repository
from healthcode.feeds.writers import bulk_writer as bulk_writer

T = TypeVar("T")

# Batches ---------------------------------------------------------------------------------------------------------

def applied_batch_with_hash(conn: Connection, feed: Feed, sha256: str) -> Any | None:
    """The applied batch a file with this hash duplicates: for an append feed any applied batch with that hash, for
    a snapshot feed only the snapshot currently applied (an older snapshot sent again is applied again)."""
    if feed.mode == "append":
        query = select(Batch).where(Batch.feed == feed.name, Batch.status == "applied", Batch.sha256 == sha256)
        return conn.execute(query.order_by(Batch.id.desc()).limit(1)).first()
    current = conn.execute(
        select(Batch).where(Batch.feed == feed.name, Batch.status == "applied").order_by(Batch.id.desc()).limit(1)
    ).first()
    return current if current is not None and current.sha256 == sha256 else None


def insert_batch(conn: Connection | Session, **values: Any) -> int:
    result = cast(CursorResult[Any], conn.execute(insert(Batch).values(**values)))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_batch(conn: Connection, batch_id: int, *, rows_read: int, rows_applied: int, bad_rows: int,
                 errors: list[dict[str, Any]] | None) -> None:
    conn.execute(update(Batch).where(Batch.id == batch_id).values(
        rows_read=rows_read, rows_applied=rows_applied, bad_rows=bad_rows,
        errors=json.dumps(errors, ensure_ascii=False) if errors else None,
    ))


# Providers -------------------------------------------------------------------------------------------------------

def provider_by_key_hash(session: Session, key_hash: str) -> Provider | None:
    return session.scalars(select(Provider).where(Provider.key_hash == key_hash)).first()


def provider_by_name(session: Session, name: str) -> Provider | None:
    return session.scalars(select(Provider).where(Provider.name == name)).first()


def add_provider(session: Session, provider: Provider) -> Provider:
    session.add(provider)
    session.flush()
    return provider


def _table(feed: Feed) -> Table:
    return cast(Table, feed.model.__table__)  # type: ignore[attr-defined]


# Feed rows -------------------------------------------------------------------------------------------------------

def upsert_rows(conn: Connection | Session, feed: Feed, columns: tuple[str, ...], batch_id: int,
                rows: list[tuple[Any, ...]]) -> None:
    """Stores a few rows through SQLAlchemy (the realtime push): append feeds replace the row with the same key."""
    table = _table(feed)
    values = [{"batch_id": batch_id, **dict(zip(columns, row, strict=True))} for row in rows]
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make(table).values(values)
    if "row_key" in columns:
        statement = statement.on_conflict_do_update(
            index_elements=["row_key"],
            set_={name: statement.excluded[name] for name in ("batch_id", *columns) if name != "row_key"},
        )
    conn.execute(statement)


def stored_row(conn: Connection | Session, feed: Feed, row_key: str) -> Any | None:
    table = _table(feed)
    return conn.execute(select(table).where(table.c.row_key == row_key)).mappings().first()


# Households ------------------------------------------------------------------------------------------------------
# The households feed has no key: a snapshot may name one ID number twice (a resident registered at two addresses,
# or listed twice). Every reader takes the same row, the newest (the file's last row for that number, the highest
# id): the statements that read a household column inside a larger query use `household_column`, so they agree.
_NEWEST_FIRST = HouseholdRecord.id.desc()


def household(session: Session, id_number: str) -> HouseholdRecord | None:
    """A person's row in the current households snapshot (the newest, when it names him twice)."""
    return session.scalars(select(HouseholdRecord).where(HouseholdRecord.id_number == id_number)
                           .order_by(_NEWEST_FIRST).limit(1)).first()


def households(session: Session, id_numbers: list[str]) -> dict[str, HouseholdRecord]:
    """`household` of many people at once (the newest row of each: later ids overwrite earlier ones)."""
    found: dict[str, HouseholdRecord] = {}
    for start in range(0, len(id_numbers), 500):
        found.update((h.id_number, h) for h in session.scalars(
            select(HouseholdRecord).where(HouseholdRecord.id_number.in_(id_numbers[start:start + 500]))
            .order_by(HouseholdRecord.id)))
    return found


def household_column(column: InstrumentedAttribute[T],
                     id_number: ColumnElement[str] | InstrumentedAttribute[str]) -> ScalarSelect[T]:
    """One column of the household row `household` would return, as a sub-select correlated on `id_number` (e.g.
    `Person.id_number`): a household column on each row of a scan record, or on the scan path's compiled statement."""
    return (select(column).where(HouseholdRecord.id_number == id_number).order_by(_NEWEST_FIRST).limit(1)
            .scalar_subquery())
