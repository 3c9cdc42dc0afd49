"""What the relying party reads from the identity platform besides each sign-in's token: its discovery document and
its JWK Set, kept per app for an hour instead of fetched on every sign-in (three round trips fewer for each resident
signing in at the morning rush). Keys are read again at once when an ID token names a key the kept set lacks (the
platform rotated its key)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from fastapi import Request

from healthcode.identity.errors import SignInUnavailable

KEPT_SECONDS = 3600.0


async def metadata(request: Request, client: AsyncOAuth2Client, issuer: str) -> dict[str, Any]:
    """The issuer's discovery document (SignInUnavailable, a 503, when it cannot be read or names another issuer)."""

    async def fetch() -> dict[str, Any]:
        try:
            response = await client.request("GET", f"{issuer}/.well-known/openid-configuration", withhold_token=True)
            response.raise_for_status()
            found: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInUnavailable() from exc
        if found.get("issuer", "").rstrip("/") != issuer:
            raise SignInUnavailable("身份认证平台配置不一致（issuer），无法登录")
        return found

    return await _kept(request, ("metadata", issuer), fetch)  # type: ignore[no-any-return]


async def keys(request: Request, client: AsyncOAuth2Client, jwks_uri: str, id_token: str) -> dict[str, Any]:
    """The JWK Set to verify `id_token` with (httpx.HTTPError when it cannot be read)."""

    async def fetch() -> dict[str, Any]:
        response = await client.request("GET", jwks_uri, withhold_token=True)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    kept: dict[str, Any] = await _kept(request, ("keys", jwks_uri), fetch)
    if _kid(id_token) not in {key.get("kid") for key in kept.get("keys", [])}:
        kept = await _kept(request, ("keys", jwks_uri), fetch, fresh=True)
    return kept


async def _kept(request: Request, key: tuple[str, str], fetch: Callable[[], Awaitable[Any]],
                fresh: bool = False) -> Any:
    kept: dict[tuple[str, str], tuple[float, Any]] = request.app.state.identity_provider
    found = kept.get(key)
    if found is not None and not fresh and time.monotonic() - found[0] < KEPT_SECONDS:
        return found[1]
    value = await fetch()
    kept[key] = (time.monotonic(), value)
    return value


def _kid(id_token: str) -> str | None:
    """The key id in a compact JWS's header, unverified (only to choose the keys; verification follows)."""
    try:
        header = id_token.split(".", 1)[0]
        kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))).get("kid")
    except (ValueError, AttributeError):
        return None
    return kid if isinstance(kid, str) else None
