"""Bearer tokens for the API: signed with the platform secret (itsdangerous), carrying the account kind, id and
token version, so that a password change, a revocation or a logout invalidates every earlier token at once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadData, URLSafeTimedSerializer

from healthcode.accounts.errors import InvalidToken

TOKEN_TTL_SECONDS = 12 * 3600  # one working day of a checkpoint shift
_SALT = "healthcode.api-token.v1"


@dataclass(frozen=True)
class Claims:
    kind: str
    account_id: int
    version: int


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(secret_key: str, claims: Claims) -> str:
    return _serializer(secret_key).dumps({"k": claims.kind, "a": claims.account_id, "v": claims.version})


def read(secret_key: str, token: str, max_age: int = TOKEN_TTL_SECONDS) -> Claims:
    """The claims of a valid, unexpired token, else Unauthorised `invalid_token`. A checkpoint sends the same token
    with every scan: its signature is checked once and remembered, its age every time."""
    claims, signed_at = _verified(secret_key, token)
    if claims is None or time.time() - signed_at > max_age:
        raise InvalidToken()
    return claims


@lru_cache(maxsize=4096)
def _verified(secret_key: str, token: str) -> tuple[Claims | None, float]:
    """(claims, when signed) of a token whose signature checks out, else (None, 0)."""
    try:
        data, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
        return Claims(str(data["k"]), int(data["a"]), int(data["v"])), signed_at.timestamp()
    except (BadData, KeyError, TypeError, ValueError):
        return None, 0.0
