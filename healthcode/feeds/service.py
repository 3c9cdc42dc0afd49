"""The feeds' use cases (SPEC section 4), which the CLI, the demo and the provider API call: load a feed file as one
batch, register a data provider, receive a provider's uploaded file, store a provider's realtime record.

Parsing (parsing.py), validation (validation.py), the batch's transaction and its stream (loader.py) and the bulk
writers (writers.py) are the mechanics. A file is loaded with the engine, not in a request's transaction: the batch
is its own unit of work (loader.py), so a batch of millions of rows never holds a request open.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.config import Settings
from healthcode.datadir import scratch_dir
from healthcode.db import transaction
from healthcode.errors import Conflict, Invalid
from healthcode.feeds import ledger_entry, loader, repository
from healthcode.feeds.definitions import FEEDS, Feed
from healthcode.feeds.errors import InvalidRecord, NotRealtime
from healthcode.feeds.loader import BatchReport, ProgressCallback, file_sha256
from healthcode.feeds.models import Provider
from healthcode.feeds.parsing import format_of, open_feed_file
from healthcode.feeds.providers import authenticate, feed_for_provider, key_hash
from healthcode.feeds.validation import FeedValidator


@dataclass(frozen=True)
class CreatedProvider:
    id: int
    name: str
    feeds: tuple[str, ...]
    api_key: str  # shown once; only its sha256 is stored


def get_feed(name: str) -> Feed:
    feed = FEEDS.get(name)
    if feed is None:
        raise Invalid(f"未知的数据源“{name}”，可用：{'、'.join(FEEDS)}")
    return feed


def load_file(engine: Engine, settings: Settings, feed_name: str, path: Path | str, *, max_bad_rows: int = 0,
              operator: str | None = "cli", on_progress: ProgressCallback | None = None, provider_id: int | None = None,
              source: str | None = None) -> BatchReport:
    """Loads one feed file as one batch and reports what happened. Invalid for an unknown feed or unreadable file.
    The settings give the chunk size, the fast path's switch and the XLSX limits."""
    feed = get_feed(feed_name)
    path = Path(path)
    with open_feed_file(path, settings) as feed_file:
        sha256 = file_sha256(path)
        validator = FeedValidator(feed, clock.today())
        meta = {"feed": feed.name, "source": (source or path.name)[:200], "provider_id": provider_id,
                "operator": operator, "sha256": sha256}
        return loader.load_batch(engine, settings, feed, feed_file, validator, meta, max_bad_rows, on_progress)


def add_provider(session: Session, name: str, feeds: list[str]) -> CreatedProvider:
    """Registers a provider allowed to write `feeds`, with a new API key."""
    name = name.strip()
    if not name:
        raise Invalid("请填写数据提供方名称")
    wanted = [f.strip() for f in feeds if f.strip()]
    unknown = [f for f in wanted if f not in FEEDS]
    if unknown or not wanted:
        raise Invalid(f"未知的数据源：{'、'.join(unknown) or '（未填写）'}，可用：{'、'.join(FEEDS)}")
    if repository.provider_by_name(session, name) is not None:
        raise Conflict(f"数据提供方“{name}”已存在")
    api_key = secrets.token_urlsafe(32)
    provider = repository.add_provider(session, Provider(
        name=name, key_hash=key_hash(api_key), feeds=",".join(dict.fromkeys(wanted)), created_at=clock.now(),
    ))
    return CreatedProvider(provider.id, provider.name, tuple(provider.feeds.split(",")), api_key)


def push_record(session: Session, provider: Provider, feed: Feed, record: dict[str, Any]) -> Any:
    """Stores one record of a realtime feed as a batch of its own (provenance), replacing the record with the same
    record_id or identity, and returns the stored row. It is visible to the very next status query: nothing is
    cached."""
    if not feed.realtime:
        raise NotRealtime(f"数据源“{feed.name}”不支持实时推送，请按批次报送文件")
    validator = FeedValidator(feed, clock.today())
    converted = validator.convert(1, {str(k).strip().lower(): v for k, v in record.items()})
    if isinstance(converted, list):
        raise InvalidRecord(converted)
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode()
    sha256 = hashlib.sha256(body).hexdigest()
    batch_id = repository.insert_batch(
        session, feed=feed.name, status="applied", source="api", provider_id=provider.id, operator=provider.name,
        sha256=sha256, rows_read=1, rows_applied=1, bad_rows=0, created_at=clock.now(),
    )
    repository.upsert_rows(session, feed, validator.columns, batch_id, [converted])
    ledger_entry.batch_applied(session, batch_id, {"feed": feed.name, "provider_id": provider.id,
                                                   "operator": provider.name, "sha256": sha256}, 1)
    stored = repository.stored_row(session, feed, converted[0])
    assert stored is not None
    return stored


def receive_batch(engine: Any, settings: Settings, api_key: str | None, feed_name: str, filename: str,
                  stream: Any) -> Any:
    """A provider's uploaded file, loaded as one batch like `healthcode feed load` (format from the file name)."""
    with transaction(engine) as session:
        provider = authenticate(session, api_key)
        feed = feed_for_provider(provider, feed_name)
        provider_id, provider_name = provider.id, provider.name
    name = Path(filename or "upload").name
    suffix = Path(name).suffix.lower()
    format_of(Path(name))  # refuses an unknown extension before storing anything
    with tempfile.TemporaryDirectory(prefix="feed-upload-", dir=scratch_dir()) as folder:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as target:
            shutil.copyfileobj(stream, target, 1 << 20)
        return load_file(engine, settings, feed.name, path, operator=provider_name, provider_id=provider_id,
                         source=name)
