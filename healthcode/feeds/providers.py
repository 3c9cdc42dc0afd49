"""Data providers and what they may write (SPEC section 4): API keys and permissions. Registering a provider, its
uploads and its realtime pushes are the feed service's use cases (`feeds.service`)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from healthcode.errors import Forbidden, NotFound, Unauthorised
from healthcode.feeds import repository
from healthcode.feeds.definitions import FEEDS, Feed
from healthcode.feeds.models import Provider


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


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


