"""Loads a feed file's rows as one batch (SPEC section 4): all or nothing, snapshot or append, duplicates.

The loader owns the batch's transaction: rows are streamed, validated and written in chunks inside it, so a batch that
is rejected, fails or is killed half-way leaves the feed exactly as it was. Rejected batches are recorded afterwards,
in a transaction of their own, for the status board. An applied batch appends its `feed.batch` entry to the ledger
in the batch's own transaction (`ledger_entry`): the rows and the entry commit or vanish together. Which file for
which feed, and its provenance, is the use case (`feeds.service.load_file`).
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from healthcode import clock
from healthcode.config import Settings
from healthcode.feeds import ledger_entry, repository, sources
from healthcode.feeds.definitions import Feed
from healthcode.feeds.parsing import FeedFile
from healthcode.feeds.validation import FeedValidator, RowError

STORED_ERRORS = 50  # bad rows kept in feed_batches.errors for the status board
# Feed rows are rarely longer than this: the file size over it is a low estimate of its row count.
ROW_BYTES_HIGH = 200


@dataclass
class BatchReport:
    feed: str
    status: str  # applied / duplicate / rejected
    rows: int  # data rows read from the file
    bad_rows: list[RowError] = field(default_factory=list)
    applied: int = 0
    batch_id: int | None = None
    bad_row_count: int = 0  # distinct lines with errors (a line may have several)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rows": self.rows,
            "bad_rows": [error.as_json() for error in self.bad_rows],
            "applied": self.applied,
            "batch_id": self.batch_id,
        }


class _Rejected(Exception):
    """Raised inside the transaction to roll it back."""


ProgressCallback = Callable[[int], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def load_batch(engine: Engine, settings: Settings, feed: Feed, feed_file: FeedFile, validator: FeedValidator,
               meta: dict[str, Any], max_bad_rows: int, on_progress: ProgressCallback | None) -> BatchReport:
    """Loads the open feed file as one batch with its provenance (`meta`: feed, source, provider, operator, sha256)
    and reports what happened: applied, duplicate (an applied batch has the same hash) or rejected. The settings
    give the chunk size and the fast path's switch."""
    report = BatchReport(feed.name, "applied", 0)
    try:
        with engine.begin() as conn:
            duplicate = repository.applied_batch_with_hash(conn, feed, meta["sha256"])
            if duplicate is not None:
                report.status, report.rows, report.batch_id = "duplicate", duplicate.rows_read, duplicate.id
                repository.insert_batch(conn, **meta, status="duplicate", rows_read=duplicate.rows_read,
                                        created_at=clock.now())
                return report
            batch_id = repository.insert_batch(conn, **meta, status="applied", created_at=clock.now())
            writer = repository.bulk_writer(conn, feed, validator.columns, batch_id,
                                            expected_rows=feed_file.size // ROW_BYTES_HIGH)
            if feed.mode == "snapshot":
                writer.clear()
            try:
                header_errors = validator.header_errors(feed_file.header)
                if header_errors:
                    report.bad_rows, report.bad_row_count = header_errors, 1
                    raise _Rejected
                _stream(feed_file, validator, writer, report, max_bad_rows, on_progress, settings)
                if report.bad_row_count > max_bad_rows:
                    raise _Rejected
            except BaseException:
                writer.abort()
                raise
            writer.finish()
            report.batch_id = batch_id
            repository.finish_batch(conn, batch_id, rows_read=report.rows, rows_applied=report.applied,
                                    bad_rows=report.bad_row_count, errors=_stored(report.bad_rows))
            ledger_entry.batch_applied(conn, batch_id, meta, report.applied)
    except _Rejected:
        report.status, report.applied = "rejected", 0
        with engine.begin() as conn:
            report.batch_id = repository.insert_batch(
                conn, **meta, status="rejected", rows_read=report.rows, bad_rows=report.bad_row_count,
                errors=_stored_json(report.bad_rows), created_at=clock.now())
    return report


def _stream(feed_file: Any, validator: FeedValidator, writer: repository.BulkWriter, report: BatchReport,
            max_bad_rows: int, on_progress: ProgressCallback | None, settings: Settings) -> None:
    """Validates every row and writes the good ones in chunks; once too many rows are bad, only validates (the report
    must still name every bad row). Clean CSV blocks go through the vectorised fast path when it can prove them
    valid; every other row through `validator.convert`, which produces the exact error reports."""
    stream = _Stream(validator, writer, report, max_bad_rows, on_progress, settings.feed_chunk_rows)
    with _gc_paused():
        for part, progress in sources.parts(feed_file, validator, stream.chunk_rows, settings.feed_fast_path):
            if isinstance(part, list):
                stream.valid(part, progress)
            else:
                stream.convert(part, progress)
    stream.close(feed_file.size)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while a batch streams: each chunk makes tens of thousands of tuples,
    which trigger collections that traverse every young container again and again (docs/performance.md, "Measured
    choices"). The rows hold no reference cycles; the collector runs again as soon as the batch is streamed."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Stream:
    """The state of one batch's stream: rows read, bad rows, the chunk being filled, whether still writing."""

    def __init__(self, validator: FeedValidator, writer: repository.BulkWriter, report: BatchReport,
                 max_bad_rows: int, on_progress: ProgressCallback | None, chunk_rows: int) -> None:
        self.chunk_rows = chunk_rows
        self.convert_row = validator.convert
        self.writer, self.report, self.max_bad_rows, self.on_progress = writer, report, max_bad_rows, on_progress
        self.chunk: list[tuple[Any, ...]] = []
        self.rows = self.bad = self.applied = 0
        self.writing = True

    def _flush(self, progress: Callable[[], int]) -> None:
        self.writer.write(self.chunk)
        self.applied += len(self.chunk)
        self.chunk = []
        if self.on_progress is not None:
            self.on_progress(progress())

    def valid(self, rows: list[tuple[Any, ...]], progress: Callable[[], int]) -> None:
        """Rows the fast path proved valid, already converted: written as they are, after the rows before them."""
        self.rows += len(rows)
        if self.writing and rows:
            if self.chunk:
                self._flush(progress)
            self.chunk = rows  # kept whole: the writer may format it in bulk (fastpath.Proven)
            if len(rows) >= self.chunk_rows:
                self._flush(progress)

    def convert(self, pairs: Iterable[tuple[int, Any]], progress: Callable[[], int]) -> None:
        """Rows through the per-row converter. Runs once per row: keep it tight."""
        convert, errors, chunk_rows = self.convert_row, self.report.bad_rows, self.chunk_rows
        chunk, rows, bad, writing = self.chunk, self.rows, self.bad, self.writing
        if chunk.__class__ is not list:
            chunk = list(chunk)  # proven rows followed by others: no longer all proven
        for line, row in pairs:
            rows += 1
            out = convert(line, row)
            if out.__class__ is list:
                errors.extend(out)  # type: ignore[arg-type]
                bad += 1
                if bad > self.max_bad_rows:
                    writing, chunk = False, []
                continue
            if writing:
                chunk.append(out)  # type: ignore[arg-type]
                if len(chunk) >= chunk_rows:
                    self.chunk = chunk
                    self._flush(progress)
                    chunk = self.chunk
        self.chunk, self.rows, self.bad, self.writing = chunk, rows, bad, writing

    def close(self, size: int) -> None:
        if self.writing and self.chunk:
            self.writer.write(self.chunk)
            self.applied += len(self.chunk)
        if not self.writing:
            self.chunk = []
        if self.on_progress is not None:
            self.on_progress(size)
        self.report.rows, self.report.bad_row_count, self.report.applied = self.rows, self.bad, self.applied


def _stored(errors: list[RowError]) -> list[dict[str, Any]]:
    return [error.as_json() for error in errors[:STORED_ERRORS]]


def _stored_json(errors: list[RowError]) -> str | None:
    return json.dumps(_stored(errors), ensure_ascii=False) if errors else None
