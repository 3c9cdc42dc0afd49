"""Data providers and what they may write (SPEC section 4): API keys, permissions, and the realtime record push."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorised
from healthcode.feeds import repository
from healthcode.feeds.definitions import FEEDS, Feed
from healthcode.feeds.errors import InvalidRecord, NotRealtime
from healthcode.feeds.models import Provider
from healthcode.feeds.validation import FeedValidator


@dataclass(frozen=True)
class CreatedProvider:
    id: int
    name: str
    feeds: tuple[str, ...]
    api_key: str  # shown once; only its sha256 is stored


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


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


def authenticate(session: Session, api_key: str | None) -> Provider:
    provider = repository.provider_by_key_hash(session, key_hash(api_key)) if api_key else None
    if provider is None:
        raise Unauthorised("API 密钥无效或缺失（请在请求头 X-API-Key 中提供）")
    return provider


def feed_for_provider(provider: Provider, feed_name: str) -> Feed:
    """The feed, if it exists and the provider may write it."""
    feed = FEEDS.get(feed_name)
    if feed is None:
        raise NotFound(f"未知的数据源“{feed_name}”")
    if feed.name not in provider.feeds.split(","):
        raise Forbidden(f"数据提供方“{provider.name}”无权报送数据源“{feed.name}”")
    return feed


def push_record(session: Session, provider: Provider, feed: Feed, record: dict[str, Any]) -> dict[str, Any]:
    """Stores one record of a realtime feed as a batch of its own (provenance), replacing the record with the same
    record_id or identity. It is visible to the very next status query: nothing is cached."""
    if not feed.realtime:
        raise NotRealtime(f"数据源“{feed.name}”不支持实时推送，请按批次报送文件")
    validator = FeedValidator(feed, clock.today())
    converted = validator.convert(1, {str(k).strip().lower(): v for k, v in record.items()})
    if isinstance(converted, list):
        raise InvalidRecord(converted)
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode()
    batch_id = repository.insert_batch(
        session, feed=feed.name, status="applied", source="api", provider_id=provider.id, operator=provider.name,
        sha256=hashlib.sha256(body).hexdigest(), rows_read=1, rows_applied=1, bad_rows=0, created_at=clock.now(),
    )
    repository.upsert_rows(session, feed, validator.columns, batch_id, [converted])
    stored = repository.stored_row(session, feed, converted[0])
    assert stored is not None
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in stored.items()}


def receive_batch(engine: Any, api_key: str | None, feed_name: str, filename: str, stream: Any) -> Any:
    """A provider's uploaded file, loaded as one batch like `healthcode feed load` (format from the file name)."""
    import shutil
    import tempfile
    from pathlib import Path

    from healthcode.datadir import scratch_dir
    from healthcode.db import transaction
    from healthcode.feeds.loader import load_file
    from healthcode.feeds.parsing import format_of

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
        return load_file(engine, feed.name, path, operator=provider_name, provider_id=provider_id, source=name)
