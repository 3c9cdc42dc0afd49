"""The bulk writers of feed rows: SQLite multi-row INSERTs, PostgreSQL COPY, run in a thread beside the validation.

They use the raw DBAPI connection inside the loader's SQLAlchemy transaction. Snapshots fill a fresh table that is
swapped in at the end (swap.py); append feeds go through a staging table on PostgreSQL (one INSERT … SELECT … ON
CONFLICT) and straight into the table on SQLite.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from itertools import chain
from typing import Any, cast

from sqlalchemy import Connection, Table
from sqlalchemy.exc import IntegrityError

from healthcode.feeds.definitions import Feed
from healthcode.feeds.fastpath import Proven
from healthcode.feeds.swap import FreshTable

# Raw sqlite3 writes must store date-times exactly as SQLAlchemy's SQLite dialect does (with microseconds), so that
# the ORM reads them back and string comparisons in queries agree. (The stdlib default adapters are deprecated.)
# The fast path (fastpath.py) produces this same text directly.
sqlite3.register_adapter(datetime, lambda value: value.isoformat(" ", "microseconds"))
sqlite3.register_adapter(date, lambda value: value.isoformat())

SQLITE_LOAD_CACHE_KIB = 384 * 1024
SQLITE_SORT_CACHE_KIB = 8 * 1024  # the fastest of the sizes tried (docs/performance.md, "Measured choices")
SQLITE_SORT_THREADS = 2
SQLITE_VARIABLES = 32766  # variables in one INSERT (SQLite's default limit since 3.32; older builds allow 999)


def feed_table(feed: Feed) -> Table:
    return cast(Table, feed.model.__table__)  # type: ignore[attr-defined]


class BulkWriter:
    """Writes validated chunks of one batch. `clear()` empties the feed (snapshot), `finish()` completes the writes,
    `abort()` leaves the connection ready for the rollback."""

    def __init__(self, conn: Connection, feed: Feed, columns: tuple[str, ...], batch_id: int,
                 expected_rows: int = 0) -> None:
        self.conn = conn
        self.expected_rows = expected_rows  # a low estimate of the batch's rows, from the file size
        self.feed = feed
        self.columns = columns
        self.batch_id = int(batch_id)
        self.keyed = "row_key" in columns
        self.raw: Any = conn.connection.driver_connection
        # A snapshot fills a fresh table, swapped in by finish(); readers see the previous one until the commit.
        self.fresh = FreshTable(conn, feed_table(feed)) if feed.mode == "snapshot" else None
        self.table = self.fresh.name if self.fresh else feed.model.__table__.name  # type: ignore[attr-defined]
        self.written = 0

    def _fewer_stored_than(self, rows: int) -> bool:
        """Whether the feed table holds at most `rows` rows (counted no further): then rebuilding it with the batch
        in bulk (swap.py) costs less than maintaining its indexes row by row. Never for the realtime feeds: a record
        pushed while the batch loads must not wait for it, nor be lost with the old table."""
        if rows <= 0 or self.feed.realtime:
            return False
        table = self.feed.model.__table__.name  # type: ignore[attr-defined]
        stored = self.conn.exec_driver_sql(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {int(rows) + 1}) s")
        return int(stored.scalar_one()) <= rows

    def clear(self) -> None:
        """Starts an empty snapshot (before any write)."""
        if self.fresh is not None:
            self.fresh.create()

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Completes the writes (PostgreSQL: ends the COPY; append: moves the staged rows into the table)."""

    def abort(self) -> None:
        """Stops writing after an error; the caller rolls the transaction back."""


class SqliteWriter(BulkWriter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.keyed and self._fewer_stored_than(self.expected_rows):
            # Append to a small table: copy it into a fresh one and upsert there (the same statement, so the same
            # result), then build the secondary indexes once.
            self.fresh = FreshTable(self.conn, feed_table(self.feed))
            self.fresh.create()
            self.raw.execute(f"INSERT INTO {self.fresh.name} SELECT * FROM {self.fresh.table.name} ORDER BY id")
            self.table = self.fresh.name
        # Rows go in thousands to a statement: each of a million `executemany` steps would release and take back
        # the GIL, and the validating thread keeps it for up to a switch interval every time, so the two threads
        # ran one after the other; binding is cheaper too (docs/performance.md, "Measured choices").
        variables = min(SQLITE_VARIABLES, self.raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        self.rows_per_insert = max(1, variables // len(self.columns))
        self._statements: dict[int, str] = {}
        self._pending: list[tuple[Any, ...]] = []

        self._cache_size = self.raw.execute("PRAGMA cache_size").fetchone()[0]
        self._threads = self.raw.execute("PRAGMA threads").fetchone()[0]
        if self.fresh is not None and not self.keyed:
            # A fresh table without a unique key gets its rows in rowid order: a small cache lets the writer thread
            # spill the filled pages while Python validates the next ones, instead of all at the commit.
            self._sorting()
        else:
            # SQLite's default page cache is 2 MB: a million random inserts into the row_key and id_number indexes
            # would then go to disk page by page. A large cache for the load keeps them in memory.
            self.raw.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")

    def _sorting(self) -> None:
        """For the index builds of a fresh table: a small cache splits their sorts into runs, which two sorter threads
        sort (faster index builds: docs/performance.md, "Measured choices"; the pages the cache no longer holds are
        written to the log now rather than at the commit)."""
        self.raw.execute(f"PRAGMA cache_size = -{SQLITE_SORT_CACHE_KIB}")
        self.raw.execute(f"PRAGMA threads = {SQLITE_SORT_THREADS}")

    def _restore(self) -> None:
        self.raw.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
        self.raw.execute(f"PRAGMA threads = {int(self._threads)}")

    def finish(self) -> None:
        try:
            if self._pending:
                self._insert(self._pending, len(self._pending))
            if self.fresh is not None:
                self._sorting()
                self.fresh.swap()
        finally:
            self._restore()

    def abort(self) -> None:
        self._restore()

    def _sql(self, rows: int) -> str:
        """The INSERT of `rows` rows (in file order: with an upsert, the batch's last row with a key wins)."""
        sql = self._statements.get(rows)
        if sql is None:
            marks = f"({self.batch_id}, {', '.join('?' for _ in self.columns)})"
            sql = f"INSERT INTO {self.table} (batch_id, {', '.join(self.columns)}) VALUES {', '.join([marks] * rows)}"
            if self.keyed:
                sets = ", ".join(f"{c} = excluded.{c}" for c in ("batch_id", *self.columns) if c != "row_key")
                sql += f" ON CONFLICT (row_key) DO UPDATE SET {sets}"
            sql = self._statements[rows] = sql
        return sql

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        # Every statement but the batch's last has the same size: the sqlite3 module compiles it once (a compiled
        # statement of 3,000 rows takes ~2.5 MB, and it caches up to 128). The rest waits for the next chunk.
        rows = self._pending + rows if self._pending else rows
        step = self.rows_per_insert
        full = len(rows) - len(rows) % step
        self._insert(rows[:full], step)
        self._pending = rows[full:]

    def _insert(self, rows: list[tuple[Any, ...]], step: int) -> None:
        cursor = self.raw.cursor()
        sql = self._sql(step)
        for start in range(0, len(rows), step):
            cursor.execute(sql, list(chain.from_iterable(rows[start:start + step])))
        cursor.close()


class PostgresWriter(BulkWriter):
    """One COPY stream for the whole batch: the server stores rows while Python validates the next ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = ", ".join(self.columns)
        # Append to a table that is small beside the file: COPY into a fresh table, merged and swapped in by finish().
        self.rebuild = self.keyed and self._fewer_stored_than(self.expected_rows)
        if self.rebuild:
            self.fresh = FreshTable(self.conn, feed_table(self.feed))
            self.fresh.create()
            self.table = self.fresh.name
        if self.keyed and not self.rebuild:
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
        self.written += len(rows)
        prefix = "" if self.keyed and not self.rebuild else f"{self.batch_id}\t"
        if rows.__class__ is Proven:
            self._copy.write(_copy_text(rows, prefix))
            return
        write_row = self._copy.write_row
        if not prefix:
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
        if self.rebuild:
            self._merge()
        elif self.keyed:
            names = ", ".join(self.columns)
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("batch_id", *self.columns) if c != "row_key")
            with self.raw.cursor() as cursor:
                # The sort of DISTINCT ON stays in memory for a million rows instead of spilling to disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute(
                    f"INSERT INTO {self.table} (batch_id, {names}) SELECT DISTINCT ON (row_key) {self.batch_id}, "
                    f"{names} FROM {self.stage} ORDER BY row_key, seq DESC ON CONFLICT (row_key) DO UPDATE SET {sets}")
                cursor.execute(f"DROP TABLE {self.stage}")
        if self.fresh is not None:
            self.fresh.swap()

    def _merge(self) -> None:
        """Makes the fresh table what the upserts would have made of the old one: the batch's last row for each key
        (ids follow the file, so the highest wins), a replaced row keeping its old id, and every untouched old row."""
        fresh = cast(FreshTable, self.fresh)
        old, new = fresh.table.name, fresh.name
        try:
            with self.conn.begin_nested():  # the usual case: no key twice in the batch
                fresh.add_constraint(fresh.unique_key())
        except IntegrityError:
            self.conn.exec_driver_sql(f"DELETE FROM {new} f USING {new} g WHERE f.row_key = g.row_key AND f.id < g.id")
            fresh.add_constraint(fresh.unique_key())
        self.conn.exec_driver_sql(f"UPDATE {new} f SET id = o.id FROM {old} o WHERE o.row_key = f.row_key")
        self.conn.exec_driver_sql(f"INSERT INTO {new} SELECT o.* FROM {old} o "
                                  f"WHERE NOT EXISTS (SELECT 1 FROM {new} f WHERE f.row_key = o.row_key)")

    def abort(self) -> None:
        try:
            self._end_copy(RuntimeError("批次已中止"))
        except Exception:  # the COPY fails on purpose; the transaction is rolled back next
            pass


def _copy_text(rows: list[tuple[Any, ...]], prefix: str) -> str:
    """COPY text of proven rows (str or None, nothing to escape), one join per row instead of psycopg's row-by-row
    formatting (about a quarter of the client's CPU time on a million rows)."""
    try:
        lines = list(map("\t".join, rows))
    except TypeError:  # NULLs
        lines = ["\t".join(["\\N" if v is None else v for v in row]) for row in rows]
    return prefix + f"\n{prefix}".join(lines) + "\n"


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


def bulk_writer(conn: Connection, feed: Feed, columns: tuple[str, ...], batch_id: int,
                expected_rows: int = 0) -> BulkWriter:
    """The writer for one batch; `expected_rows` (a low estimate) lets SQLite choose to rebuild a small table."""
    if conn.dialect.name == "postgresql":
        return PipelinedWriter(PostgresWriter(conn, feed, columns, batch_id, expected_rows=expected_rows))
    if conn.dialect.name == "sqlite":
        return PipelinedWriter(SqliteWriter(conn, feed, columns, batch_id, expected_rows=expected_rows))
    raise NotImplementedError(f"unsupported database {conn.dialect.name}")
