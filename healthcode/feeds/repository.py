"""Every query of the feeds: batches (provenance, duplicates), providers, and the bulk writers of feed rows.

The bulk writers use the raw DBAPI connection inside the SQLAlchemy transaction: SQLite `executemany`, PostgreSQL
COPY (into a staging table for append feeds, then one INSERT … SELECT … ON CONFLICT).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from healthcode.feeds.definitions import Feed
from healthcode.feeds.models import Batch, Provider

# Raw sqlite3 writes must store date-times exactly as SQLAlchemy's SQLite dialect does (with microseconds), so that
# the ORM reads them back and string comparisons in queries agree. (The stdlib default adapters are deprecated.)
sqlite3.register_adapter(datetime, lambda value: value.isoformat(" ", "microseconds"))
sqlite3.register_adapter(date, lambda value: value.isoformat())


SQLITE_LOAD_CACHE_KIB = 128 * 1024

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


def batches(conn: Connection | Session, feed: str | None = None, limit: int = 50) -> list[Any]:
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if feed is not None:
        query = query.where(Batch.feed == feed)
    return list(conn.execute(query).all())


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


class BulkWriter:
    """Writes validated chunks of one batch. `clear()` empties the feed (snapshot), `finish()` completes the writes,
    `abort()` leaves the connection ready for the rollback."""

    def __init__(self, conn: Connection, feed: Feed, columns: tuple[str, ...], batch_id: int) -> None:
        self.conn = conn
        self.feed = feed
        self.table = feed.model.__table__.name  # type: ignore[attr-defined]
        self.columns = columns
        self.batch_id = int(batch_id)
        self.keyed = "row_key" in columns
        self.raw: Any = conn.connection.driver_connection

    def clear(self) -> None:
        # DELETE rather than TRUNCATE on PostgreSQL: readers keep seeing the previous snapshot until the commit.
        self.conn.execute(delete(_table(self.feed)))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Completes the writes (PostgreSQL: ends the COPY; append: moves the staged rows into the table)."""

    def abort(self) -> None:
        """Stops writing after an error; the caller rolls the transaction back."""


class SqliteWriter(BulkWriter):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        names = ", ".join(self.columns)
        marks = ", ".join("?" for _ in self.columns)
        self.sql = f"INSERT INTO {self.table} (batch_id, {names}) VALUES ({self.batch_id}, {marks})"
        if self.keyed:
            sets = ", ".join(f"{c} = excluded.{c}" for c in ("batch_id", *self.columns) if c != "row_key")
            self.sql += f" ON CONFLICT (row_key) DO UPDATE SET {sets}"

        # SQLite's default page cache is 2 MB: a million random inserts into the row_key and id_number indexes
        # would then go to disk page by page. A large cache for the load keeps them in memory.
        self._cache_size = self.raw.execute("PRAGMA cache_size").fetchone()[0]
        self.raw.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")

    def _restore(self) -> None:
        self.raw.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def finish(self) -> None:
        self._restore()

    def abort(self) -> None:
        self._restore()

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            cursor = self.raw.cursor()
            cursor.executemany(self.sql, rows)
            cursor.close()


class PostgresWriter(BulkWriter):
    """One COPY stream for the whole batch: the server stores rows while Python validates the next ones."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        names = ", ".join(self.columns)
        if self.keyed:
            # Staging keeps the rows' order (seq) so that, within one batch, the last row with a key wins.
            self.stage = f"feed_stage_{self.table}"
            with self.raw.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE {self.stage} ON COMMIT DROP AS "
                               f"SELECT {names} FROM {self.table} WITH NO DATA")
                cursor.execute(f"ALTER TABLE {self.stage} ADD COLUMN seq bigserial")
            self.copy_sql = f"COPY {self.stage} ({names}) FROM STDIN"
        else:
            self.copy_sql = f"COPY {self.table} (batch_id, {names}) FROM STDIN"
        self._cursor: Any = None
        self._copy_cm: Any = None
        self._copy: Any = None

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._copy is None:
            self._cursor = self.raw.cursor()
            self._copy_cm = self._cursor.copy(self.copy_sql)
            self._copy = self._copy_cm.__enter__()
        write_row = self._copy.write_row
        if self.keyed:
            for row in rows:
                write_row(row)
        else:
            batch_id = (self.batch_id,)
            for row in rows:
                write_row(batch_id + row)

    def _end_copy(self, error: BaseException | None) -> None:
        if self._copy is None:
            return
        copy_cm, cursor = self._copy_cm, self._cursor
        self._copy = self._copy_cm = self._cursor = None
        try:
            copy_cm.__exit__(type(error) if error else None, error, None)
        finally:
            cursor.close()

    def finish(self) -> None:
        self._end_copy(None)
        if not self.keyed:
            return
        names = ", ".join(self.columns)
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("batch_id", *self.columns) if c != "row_key")
        with self.raw.cursor() as cursor:
            # The sort of DISTINCT ON stays in memory for a million rows instead of spilling to disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(
                f"INSERT INTO {self.table} (batch_id, {names}) "
                f"SELECT DISTINCT ON (row_key) {self.batch_id}, {names} FROM {self.stage} ORDER BY row_key, seq DESC "
                f"ON CONFLICT (row_key) DO UPDATE SET {sets}"
            )
            cursor.execute(f"DROP TABLE {self.stage}")

    def abort(self) -> None:
        try:
            self._end_copy(RuntimeError("批次已中止"))
        except Exception:  # the COPY fails on purpose; the transaction is rolled back next
            pass


class PipelinedWriter(BulkWriter):
    """Runs another writer in a thread, one chunk behind the validation: the database drivers release the GIL while
    the database works (SQLite's B-tree inserts, the socket to PostgreSQL), so both cores are busy. At most two
    chunks wait in the queue, which keeps memory flat."""

    def __init__(self, inner: BulkWriter) -> None:  # no super().__init__(): it delegates to `inner`
        import queue
        import threading

        self.inner = inner
        self.feed = inner.feed
        self._queue: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"feed-writer-{inner.table}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.inner.write(rows)
                except BaseException as exc:  # handed to the loading thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def clear(self) -> None:
        self.inner.clear()

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self._raise()
        self._queue.put(rows)

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def finish(self) -> None:
        self._stop()
        self._raise()
        self.inner.finish()

    def abort(self) -> None:
        self._error = self._error or RuntimeError("aborted")
        self._stop()
        self.inner.abort()


def bulk_writer(conn: Connection, feed: Feed, columns: tuple[str, ...], batch_id: int) -> BulkWriter:
    if conn.dialect.name == "postgresql":
        return PipelinedWriter(PostgresWriter(conn, feed, columns, batch_id))
    if conn.dialect.name == "sqlite":
        return PipelinedWriter(SqliteWriter(conn, feed, columns, batch_id))
    raise NotImplementedError(f"unsupported database {conn.dialect.name}")
